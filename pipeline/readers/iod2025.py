"""English Indices of Deprivation 2025 (LSOA 2021): File 1 (IMD rank and decile, all 33,755
LSOAs), File 3 (IDACI and IDAOPI ranks and deciles, all LSOAs) and File 7 (every score, rank and
decile and the mid-2022 population denominators; national as published, or the study-area
extract in the mirror).

Ranks come from Files 1 and 3 for every LSOA; scores from File 7 wherever it has the LSOA. Where
File 7 also gives a rank, it must agree with File 1 or 3 (they are one release), else its row is
rejected: a score from another upload of the release would not match the ranks.
"""

from __future__ import annotations

import duckdb

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.iod_columns import MEASURES, Field, check_iod_file, fields_for
from pipeline.sqlfiles import sql

N_LSOAS_2021 = 33_755
CODE = ("LSOA code (2021)",)
TEXT = {
    "lsoa21nm": Field(("LSOA name (2021)",), "text"),
    "lad_code": Field(("Local Authority District code (2024)",), "text"),
    "lad_name": Field(("Local Authority District name (2024)",), "text"),
}
FILE1 = TEXT | fields_for(["imd"], ("rank", "decile"))
FILE3 = TEXT | fields_for(["imd", "idaci", "idaopi"], ("rank", "decile"))
POPULATION = {
    "pop_total_2022": Field(("Total population: mid 2022",), "count"),
    "pop_0_15_2022": Field(("Dependent Children aged 0-15: mid 2022",), "count"),
    "pop_60_plus_2022": Field(("Older population aged 60 and over: mid 2022",), "count"),
    "pop_working_age_2022": Field(
        ("Working age population 18-66 (for use with Employment Deprivation Domain): mid 2022",), "count"
    ),
}
FILE7 = TEXT | fields_for(list(MEASURES), ("score", "rank", "decile")) | POPULATION
SCORES = [f"{m}_score" for m in MEASURES]
RANKS = [f"{m}_{k}" for m in MEASURES for k in ("rank", "decile")]
# The table's columns after lsoa21cd, each with its type.
COLUMNS = (
    [(c, "VARCHAR") for c in TEXT]
    + [(c, "DOUBLE") for c in SCORES]
    + [(c, "INTEGER") for c in RANKS]
    + [(c, "BIGINT") for c in POPULATION]
)


def read_iod2025(con: duckdb.DuckDBPyConnection, file1: Located, file3: Located, file7: Located) -> Read:
    """One row per LSOA (2021) into temp table ``iod2025``."""
    f1 = check_iod_file(con, file1, "iod_file1", CODE, FILE1, N_LSOAS_2021, required=("imd_rank",))
    f3 = check_iod_file(con, file3, "iod_file3", CODE, FILE3, N_LSOAS_2021, required=("idaopi_rank",))
    f7 = check_iod_file(con, file7, "iod_file7", CODE, FILE7, N_LSOAS_2021, required=("imd_score",))
    files = {1: f1, 3: f3, 7: f7}

    def first_file(name: str, among=(1, 3, 7)) -> str | None:
        """The field's value from the first of these files that has the field."""
        having = [f"f{n}.{name}" for n in among if name in files[n].fields]
        return f"coalesce({', '.join(having)})" if len(having) > 1 else (having[0] if having else None)

    differs = ", ".join(
        f"CASE WHEN s.{k} <> {national} THEN {{'field': '{k}', 'value': s.{k}, 'national': {national}}} END"
        for k in f7.fields
        if k in RANKS and (national := first_file(k, (1, 3)))
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE iod2025_disagree AS " + sql("iod2025_disagree", differs=differs or "NULL")
    )
    f7.rejects.extend_from(
        con,
        """SELECT $label, row_number, field, value, reason, 'invalid', lsoa_code
                                   FROM iod2025_disagree ORDER BY row_number""",
        {"label": f7.label},
    )

    columns = ", ".join(f"{first_file(name) or 'NULL'}::{kind} AS {name}" for name, kind in COLUMNS)
    con.execute("CREATE OR REPLACE TEMP TABLE iod2025 AS " + sql("iod2025", columns=columns), {"file7": f7.label})
    kept = dict(
        con.execute("""SELECT 1, count(DISTINCT lsoa_code) FROM iod_file1 WHERE problem IS NULL
            UNION ALL SELECT 3, count(DISTINCT lsoa_code) FROM iod_file3 WHERE problem IS NULL
            UNION ALL SELECT 7, count(DISTINCT lsoa_code) FROM iod_file7
                      WHERE problem IS NULL AND lsoa_code NOT IN (SELECT lsoa_code FROM iod2025_disagree)""").fetchall()
    )
    lsoas = con.execute("SELECT count(*) FROM iod2025").fetchone()[0]
    used7 = kept.get(7, 0)
    return Read(
        "iod2025",
        f1.rows_in + f3.rows_in + f7.rows_in,
        f1.rejects + f3.rejects + f7.rejects,
        primary=(f1.label, f3.label, f7.label),
        rows_kept=kept.get(1, 0) + kept.get(3, 0) + used7,
        notes={"lsoas": lsoas, "lsoas_with_scores": used7, "file7_rows": f7.rows_in},
    )
