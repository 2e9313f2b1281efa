"""MHCLG's Indices of Deprivation files (2019 and 2025) share one header style: each measure has
``<label> Score`` (or ``Score (rate)``), ``<label> Rank (where 1 is most deprived)`` and ``<label>
Decile (where 1 is most deprived 10% of LSOAs)``, headers the 2025 workbooks truncate, and ranks
that some copies print with thousands separators ("29,199"). This module names the measures
once and checks one file's rows into records keyed by LSOA code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.fetch import Located
from pipeline.readers.keyed import KeyedRows
from pipeline.readers.sheets import read_table_file
from pipeline.readers.textcsv import column_lookup, is_lsoa_code, parse_number

# Our key -> the label MHCLG puts before "Score" / "Rank" / "Decile".
MEASURES = {
    "imd": "Index of Multiple Deprivation (IMD)",
    "income": "Income",
    "employment": "Employment",
    "education": "Education, Skills and Training",
    "health": "Health Deprivation and Disability",
    "crime": "Crime",
    "barriers": "Barriers to Housing and Services",
    "living_env": "Living Environment",
    "idaci": "Income Deprivation Affecting Children Index (IDACI)",
    "idaopi": "Income Deprivation Affecting Older People (IDAOPI)",
    "cyp": "Children and Young People Sub-domain",
    "adult_skills": "Adult Skills Sub-domain",
    "geographical_barriers": "Geographical Barriers Sub-domain",
    "wider_barriers": "Wider Barriers Sub-domain",
    "indoors": "Indoors Sub-domain",
    "outdoors": "Outdoors Sub-domain",
}


def score(key: str) -> tuple[str, ...]:
    label = MEASURES[key]
    return (f"{label} Score", f"{label} Score (rate)")


def rank(key: str) -> tuple[str, ...]:
    label = MEASURES[key]
    return (f"{label} Rank (where 1 is most deprived)", f"{label} Rank")


def decile(key: str) -> tuple[str, ...]:
    label = MEASURES[key]
    return (f"{label} Decile (where 1 is most deprived 10% of LSOAs)", f"{label} Decile")


@dataclass(frozen=True)
class Field:
    aliases: tuple[str, ...]
    kind: str  # "text", "score", "rank", "decile", "count"


def fields_for(measures: list[str], kinds: tuple[str, ...]) -> dict[str, Field]:
    out: dict[str, Field] = {}
    for key in measures:
        for kind in kinds:
            out[f"{key}_{kind}"] = Field({"score": score, "rank": rank, "decile": decile}[kind](key), kind)
    return out


@dataclass
class IodFile:
    label: str
    records: dict[str, dict]  # LSOA code -> checked values (with source_row)
    rows: KeyedRows


def read_iod_file(located: Located, code: tuple[str, ...], fields: dict[str, Field], n_lsoas: int,
                  *, required: tuple[str, ...] = ()) -> IodFile:
    """Check one IoD file. ``code`` is the LSOA code column's spellings; ``fields`` what to read.

    A row is rejected when its code is malformed or any value fails (a rank outside 1..n, a
    decile outside 1..10, a score that is not a finite number); the duplicate rule is
    ``KeyedRows``'s.
    """
    wanted = {code[0]: code} | {f.aliases[0]: f.aliases for k, f in fields.items() if k in required}
    table = read_table_file(located.path, located.label, any_of=wanted)
    cols = column_lookup(table, {"code": code} | {k: f.aliases for k, f in fields.items()})
    present = {k: i for k, i in cols.items() if i is not None and k != "code"}
    rows = KeyedRows(table.label, table.header[cols["code"]])
    for line, values in table.rows:
        rows.seen()
        lsoa = values[cols["code"]].strip() if cols["code"] < len(values) else ""
        if not is_lsoa_code(lsoa):
            rows.reject(line, table.header[cols["code"]], lsoa, "malformed LSOA code", key=lsoa or None)
            continue
        record: dict | None = {}
        for key, idx in present.items():
            raw = values[idx].strip() if idx < len(values) else ""
            kind = fields[key].kind
            if kind == "text":
                record[key] = " ".join(raw.split())
                continue
            problem, value = _check(raw, kind, n_lsoas)
            if problem:
                rows.reject(line, table.header[idx], raw, problem, key=lsoa)
                record = None
                break
            record[key] = value
        if record is not None:
            rows.keep(line, lsoa, tuple(v.strip() for v in values), record)
    return IodFile(table.label, rows.by_key(), rows)


def _check(raw: str, kind: str, n_lsoas: int) -> tuple[str | None, float | int | None]:
    if not raw:
        return "missing value", None
    digits = raw.replace(",", "")
    if kind in ("rank", "decile", "count") and digits.isascii() and digits.isdigit():
        number: float = int(digits)
    else:
        try:
            number = parse_number(raw)
        except ValueError:
            return "not a number", None
        if number is None or not math.isfinite(number):
            return "not a number", None
    if kind == "score":
        return None, float(number)
    if number != int(number):
        return "not a whole number", None
    low, high = {"rank": (1, n_lsoas), "decile": (1, 10), "count": (0, 10_000_000)}[kind]
    if not low <= number <= high:
        return f"outside {low:,}-{high:,}", None
    return None, int(number)
