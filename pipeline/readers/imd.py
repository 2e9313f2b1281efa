"""English Indices of Deprivation 2019 (LSOA 2011), Files 1 (IMD), 2 (domains) and 6 (population
denominators), as the published .xlsx or as CSV conversions.

Ranks run from 1 (most deprived) to 32,844. An LSOA is kept when its row in each of the three
files is valid and the IMD rank agrees between Files 1 and 2; otherwise its File 1 row is
rejected with the reason, naming the other file.
"""

from __future__ import annotations

import duckdb

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.iod_columns import Field, check_iod_file, fields_for
from pipeline.sqlfiles import sql

N_LSOAS_2011 = 32_844
CODE = ("LSOA code (2011)",)
DOMAINS = ["income", "employment", "education", "health", "crime", "barriers", "living_env"]
FILE1 = {
    "lsoa11nm": Field(("LSOA name (2011)",), "text"),
    "lad_code": Field(("Local Authority District code (2019)",), "text"),
    "lad_name": Field(("Local Authority District name (2019)",), "text"),
} | fields_for(["imd"], ("rank", "decile"))
FILE2 = fields_for(["imd"], ("rank",)) | fields_for(DOMAINS, ("rank", "decile"))
FILE6 = {
    "pop_total_2015": Field(("Total population: mid 2015 (excluding prisoners)",), "count"),
    "pop_0_15_2015": Field(("Dependent Children aged 0-15: mid 2015 (excluding prisoners)",), "count"),
    "pop_16_59_2015": Field(("Population aged 16-59: mid 2015 (excluding prisoners)",), "count"),
    "pop_60_plus_2015": Field(("Older population aged 60 and over: mid 2015 (excluding prisoners)",), "count"),
}
NUMBERS = ["imd_rank", "imd_decile"] + [f"{d}_{k}" for d in DOMAINS for k in ("rank", "decile")] + list(FILE6)
COLUMNS = [(c, "VARCHAR") for c in ("lsoa11nm", "lad_code", "lad_name")] + [(c, "INTEGER") for c in NUMBERS]


def read_imd(con: duckdb.DuckDBPyConnection, file1: Located, file2: Located, file6: Located) -> Read:
    """Join Files 1, 2 and 6 per LSOA into temp table ``imd``. File 1 is the primary file."""
    f1 = check_iod_file(con, file1, "imd_file1", CODE, FILE1, N_LSOAS_2011, required=("imd_rank",))
    f2 = check_iod_file(con, file2, "imd_file2", CODE, FILE2, N_LSOAS_2011, required=("income_rank",))
    f6 = check_iod_file(con, file6, "imd_file6", CODE, FILE6, N_LSOAS_2011, required=("pop_total_2015",))
    con.execute("CREATE OR REPLACE TEMP TABLE imd2019_unmatched AS " + sql("imd2019_unmatched"))
    rejects = f1.rejects + f2.rejects + f6.rejects
    rejects.extend_from(
        con,
        """SELECT ['', $f1, $f2, '', '', '', $f6][file + 1], row_number, $field, lsoa_code, reason,
                                       'invalid', lsoa_code
                                FROM imd2019_unmatched ORDER BY file, row_number""",
        {"f1": f1.label, "f2": f2.label, "f6": f6.label, "field": CODE[0]},
    )
    # each column from File 1, else File 2, else File 6 (File 2 repeats only the IMD rank, checked to agree)
    files = (("f1", f1), ("f2", f2), ("f6", f6))
    columns = ", ".join(
        f"{next((f'{alias}.{name}' for alias, f in files if name in f.fields), 'NULL')}::{kind} AS {name}"
        for name, kind in COLUMNS
    )
    con.execute("CREATE OR REPLACE TEMP TABLE imd AS " + sql("imd2019", columns=columns))
    kept = con.execute("SELECT count(*) FROM imd").fetchone()[0]
    return Read("imd", f1.rows_in, rejects, primary=(f1.label,), rows_kept=kept)
