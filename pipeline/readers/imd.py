"""English Indices of Deprivation 2019, Files 1 (IMD), 2 (domains) and 6 (population denominators).

Ranks run from 1 (most deprived) to 32,844 and are published with thousands separators
("29,199"). An LSOA is kept when its row in each of the three files is valid and the IMD
rank agrees between Files 1 and 2.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.sheets import read_table_file, to_temp_table
from pipeline.readers.textcsv import column_lookup, parse_number
from pipeline.rejects import Rejects

N_LSOAS_2011 = 32_844
LSOA = ("LSOA code (2011)",)
TEXT_FIELDS = ("lsoa11cd", "lsoa11nm", "lad_code", "lad_name")

FILE1 = {
    "lsoa11cd": LSOA,
    "lsoa11nm": ("LSOA name (2011)",),
    "lad_code": ("Local Authority District code (2019)",),
    "lad_name": ("Local Authority District name (2019)",),
    "imd_rank": ("Index of Multiple Deprivation (IMD) Rank",
                 "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"),
    "imd_decile": ("Index of Multiple Deprivation (IMD) Decile",
                   "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"),
}
DOMAINS = {
    "income": "Income", "employment": "Employment", "education": "Education, Skills and Training",
    "health": "Health Deprivation and Disability", "crime": "Crime",
    "barriers": "Barriers to Housing and Services", "living_env": "Living Environment",
}
FILE2 = {"lsoa11cd": LSOA, "imd_rank": FILE1["imd_rank"][::-1]}
for _key, _label in DOMAINS.items():
    FILE2[f"{_key}_rank"] = (f"{_label} Rank (where 1 is most deprived)", f"{_label} Rank")
    FILE2[f"{_key}_decile"] = (f"{_label} Decile (where 1 is most deprived 10% of LSOAs)", f"{_label} Decile")
FILE6 = {
    "lsoa11cd": LSOA,
    "pop_total_2015": ("Total population: mid 2015 (excluding prisoners)",),
    "pop_0_15_2015": ("Dependent Children aged 0-15: mid 2015 (excluding prisoners)",),
    "pop_16_59_2015": ("Population aged 16-59: mid 2015 (excluding prisoners)",),
    "pop_60_plus_2015": ("Older population aged 60 and over: mid 2015 (excluding prisoners)",),
}

NUMBERS_1 = ["imd_rank", "imd_decile"]
NUMBERS_2 = [k for k in FILE2 if k not in ("lsoa11cd", "imd_rank")]
NUMBERS_6 = [k for k in FILE6 if k != "lsoa11cd"]
SCHEMA = pa.schema(
    [(c, pa.string()) for c in TEXT_FIELDS]
    + [(c, pa.int32()) for c in NUMBERS_1 + NUMBERS_2 + NUMBERS_6]
    + [("source_row", pa.int64())]
)


def _limit(key: str) -> tuple[int, int]:
    if key.endswith("_rank"):
        return 1, N_LSOAS_2011
    if key.endswith("_decile"):
        return 1, 10
    return 0, 100_000


def _read_file(located: Located, aliases: dict[str, tuple[str, ...]], rejects: Rejects) -> tuple[str, dict[str, dict]]:
    """Valid rows of one file by LSOA code; invalid rows go to rejects (and are returned as None)."""
    table = read_table_file(located.path, located.label, required=LSOA)
    cols = column_lookup(table, aliases)
    for key, idx in cols.items():
        if idx is None:
            raise SourceFormatError(table.label, f"required column is missing (header has: {', '.join(table.header)})",
                                    row=1, field=aliases[key][0])
    limits = {key: _limit(key) for key in cols if key not in TEXT_FIELDS}
    by_code: dict[str, dict | None] = {}
    for line, values in table.rows:
        rec: dict | None = {"_row": line}
        for key, idx in cols.items():
            raw = values[idx].strip() if idx < len(values) else ""
            if key in TEXT_FIELDS:
                rec[key] = raw
                continue
            low, high = limits[key]
            digits = raw.replace(",", "")
            if digits.isascii() and digits.isdigit():  # nearly every cell: a whole number, perhaps "29,199"
                number = int(digits)
            else:
                try:
                    number = parse_number(raw)
                except ValueError:
                    number = None
            if number is None or number != int(number) or not low <= number <= high:
                rejects.add(table.label, line, table.header[idx], raw,
                            "missing value" if not raw else f"not a whole number from {low:,} to {high:,}")
                rec = None
                break
            rec[key] = int(number)
        code = values[cols["lsoa11cd"]].strip() if cols["lsoa11cd"] < len(values) else ""
        if rec is not None and not (len(code) == 9 and code[0] in "EW" and code[1:].isdigit()):
            rejects.add(table.label, line, LSOA[0], code, "malformed LSOA code")
            rec = None
        if code in by_code:
            rejects.add(table.label, line, LSOA[0], code, "duplicate LSOA (first row kept)", "duplicate")
            continue
        by_code[code] = rec
    return table.label, by_code


def read_imd(con: duckdb.DuckDBPyConnection, file1: Located, file2: Located, file6: Located) -> Read:
    """Join Files 1, 2 and 6 per LSOA into temp table ``imd``. File 1 is the primary file."""
    rejects = Rejects()
    label1, f1 = _read_file(file1, FILE1, rejects)
    label2, f2 = _read_file(file2, FILE2, rejects)
    label6, f6 = _read_file(file6, FILE6, rejects)
    rows = []
    for code, rec in f1.items():
        if rec is None:
            continue
        reason = None
        for other, name in ((f2, "File 2"), (f6, "File 6")):
            if code not in other:
                reason = f"LSOA is missing from {name}"
            elif other[code] is None:
                reason = f"LSOA's row in {name} failed validation"
        if reason is None and f2[code]["imd_rank"] != rec["imd_rank"]:
            reason = f"IMD rank differs between File 1 ({rec['imd_rank']}) and File 2 ({f2[code]['imd_rank']})"
        if reason:
            rejects.add(label1, rec["_row"], LSOA[0], code, reason)
            continue
        row = {k: rec[k] for k in TEXT_FIELDS + tuple(NUMBERS_1)}
        row |= {k: f2[code][k] for k in NUMBERS_2}
        row |= {k: f6[code][k] for k in NUMBERS_6}
        row["source_row"] = rec["_row"]
        rows.append(row)
    for other, label, name in ((f2, label2, "File 2"), (f6, label6, "File 6")):
        for code, rec in other.items():
            if code not in f1 and rec is not None:
                rejects.add(label, rec["_row"], LSOA[0], code, f"LSOA in {name} but not in File 1")
    to_temp_table(con, "imd", sorted(rows, key=lambda r: r["lsoa11cd"]), SCHEMA)
    rows_in = sum(1 for _ in f1) + sum(1 for r in rejects.rows if r[0] == label1 and r[5] == "duplicate")
    return Read("imd", rows_in, rejects, primary=(label1,))
