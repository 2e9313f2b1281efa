"""MHCLG's Indices of Deprivation files (2019 and 2025) share one header style: each measure has
``<label> Score`` (or ``Score (rate)``), ``<label> Rank (where 1 is most deprived)`` and ``<label>
Decile (where 1 is most deprived 10% of LSOAs)``, headers the 2025 workbooks truncate, and ranks
that some copies print with thousands separators ("29,199"). This module names the measures and
their kinds once, and checks one file (``sql/iod_checked.sql``): every value typed by its kind and
range, the duplicate rule applied.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipeline.fetch import Located
from pipeline.readers.duckcsv import reject_problems
from pipeline.readers.later_copies import find_duplicated, reject_copies
from pipeline.readers.sheets import load_table_file
from pipeline.rejects import Rejects
from pipeline.sqlfiles import ident, quote, sql

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
# Measures whose score is the share of people deprived, a rate from 0 to 1 ("Score (rate)"); the
# others are scores on their own scales (some negative).
RATES = frozenset({"income", "employment", "idaci", "idaopi"})
MAX_PEOPLE = 10_000_000  # a population count larger than this is not an LSOA's


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
    kind: str  # "text", "score", "rate", "rank", "decile", "count"


def fields_for(measures: list[str], kinds: tuple[str, ...]) -> dict[str, Field]:
    out: dict[str, Field] = {}
    for key in measures:
        for kind in kinds:
            aliases = {"score": score, "rank": rank, "decile": decile}[kind](key)
            out[f"{key}_{kind}"] = Field(aliases, "rate" if kind == "score" and key in RATES else kind)
    return out


def _bounds(kind: str, n_lsoas: int) -> tuple[str, int | None, int | None]:
    """(kind_problem's kind, low, high) of a field kind."""
    return {"rank": ("rank", 1, n_lsoas), "decile": ("rank", 1, 10), "count": ("count", 0, MAX_PEOPLE)}.get(
        kind, (kind, None, None)
    )


@dataclass
class IodFile:
    label: str
    table: str  # temp table of the file's rows: row_number, lsoa_code, a typed column per field, problem...
    fields: tuple[str, ...]  # the fields the file has, in its order (the table's value columns)
    rows_in: int
    rejects: Rejects


def _sql_value(v) -> str:
    return "NULL" if v is None else str(v)


def _fragments(fields: dict[str, Field], present: list[str], columns: dict[str, str], n_lsoas: int) -> dict[str, str]:
    """The SQL of ``iod_checked.sql`` for the fields present: each typed once (``v__<field>``), the test every
    valid row passes, and each value's problem as a check, in the file's order."""
    typed, values, valid, problems = [], [], [], []
    for k in present:
        raw, v = ident(k), ident(f"v__{k}")
        if fields[k].kind == "text":
            typed.append(f"trim(regexp_replace(coalesce({raw}, ''), '\\s+', ' ', 'g')) AS {v}")
        else:
            kind, low, high = _bounds(fields[k].kind, n_lsoas)
            typed.append(f"as_kind({raw}, {quote(kind)}) AS {v}")
            valid.append(f"{v} IS NOT NULL" if low is None else f"coalesce({v} BETWEEN {low} AND {high}, false)")
            problem = (
                f"CASE WHEN {v} IS NOT NULL THEN range_problem({v}, {_sql_value(low)}, {_sql_value(high)}) "
                f"WHEN nullif(trim({raw}), '') IS NULL THEN 'missing value' ELSE kind_problem({raw}, {quote(kind)}) END"
            )
            problems.append(f"problem_check({problem}, {quote(columns[k])}, {raw})")
        values.append(f"{v} AS {raw}")
    return {
        "typed": ", ".join(typed),
        "values": ", ".join(values),
        "valid": " AND ".join(valid) or "true",
        "problems": ", ".join(problems) or "NULL",
    }


def check_iod_file(
    con: duckdb.DuckDBPyConnection,
    located: Located,
    name: str,
    code: tuple[str, ...],
    fields: dict[str, Field],
    n_lsoas: int,
    *,
    required: tuple[str, ...] = (),
) -> IodFile:
    """Check one IoD file into temp table ``<name>``: a row per row of the file with its values typed.

    ``code`` is the LSOA code column's spellings; ``fields`` what to read (those the file has are
    read); ``required`` fields must be in the header. A row is rejected when its code is malformed
    or any value fails its kind (a rank outside 1..n, a decile outside 1-10, a rate outside 0-1, a
    score that is not a finite number, a count that is not whole); the duplicate rule is
    ``later_copies``'s. Values are typed column by column, once: a file of cells (one row per value)
    took England's File 7 five times as long to check and to turn back into rows.
    """
    spellings = {"code": code} | {k: f.aliases for k, f in fields.items()}
    table = load_table_file(
        con,
        located.path,
        located.label,
        "iod_text",
        spellings,
        required={"code": code} | {k: fields[k].aliases for k in required},
    )
    present = [k for k in fields if table.column(k) is not None]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} AS "
        + sql("iod_checked", **_fragments(fields, present, {k: table.column(k) for k in present}, n_lsoas)),
        {"code_column": table.column("code")},
    )
    rejects = Rejects()
    reject_problems(con, rejects, name, table.label)
    if find_duplicated(con, name, key="lsoa_code"):
        # Copies of an LSOA are exact repeats when every value read is the same as published.
        published = ", ".join(f"coalesce(trim({ident(k)}), '')" for k in present)
        con.execute(f"""ALTER TABLE {name} ADD COLUMN published VARCHAR[];
            UPDATE {name} t SET published = c.published FROM (
                SELECT row_number, [{published}] AS published FROM iod_text
                WHERE row_number IN (SELECT row_number FROM {name}
                                     WHERE lsoa_code IN (SELECT lsoa_code FROM {name}_duplicated))) c
            WHERE c.row_number = t.row_number""")
        reject_copies(
            con,
            rejects,
            name,
            key="lsoa_code",
            values=("published",),
            line=("row_number",),
            source_file="$label",
            field=table.column("code"),
            params={"label": table.label},
        )
    return IodFile(table.label, name, tuple(present), table.rows_in(con), rejects)
