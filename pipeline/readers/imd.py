"""English Indices of Deprivation 2019 (LSOA 2011), Files 1 (IMD), 2 (domains) and 6 (population
denominators), as the published .xlsx or as CSV conversions.

Ranks run from 1 (most deprived) to 32,844. An LSOA is kept when its row in each of the three
files is valid and the IMD rank agrees between Files 1 and 2; otherwise its File 1 row is
rejected with the reason, naming the other file.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.iod_columns import Field, fields_for, read_iod_file
from pipeline.readers.sheets import to_temp_table

N_LSOAS_2011 = 32_844
CODE = ("LSOA code (2011)",)
DOMAINS = ["income", "employment", "education", "health", "crime", "barriers", "living_env"]
FILE1 = {"lsoa11nm": Field(("LSOA name (2011)",), "text"),
         "lad_code": Field(("Local Authority District code (2019)",), "text"),
         "lad_name": Field(("Local Authority District name (2019)",), "text")} | fields_for(["imd"], ("rank", "decile"))
FILE2 = fields_for(["imd"], ("rank",)) | fields_for(DOMAINS, ("rank", "decile"))
FILE6 = {
    "pop_total_2015": Field(("Total population: mid 2015 (excluding prisoners)",), "count"),
    "pop_0_15_2015": Field(("Dependent Children aged 0-15: mid 2015 (excluding prisoners)",), "count"),
    "pop_16_59_2015": Field(("Population aged 16-59: mid 2015 (excluding prisoners)",), "count"),
    "pop_60_plus_2015": Field(("Older population aged 60 and over: mid 2015 (excluding prisoners)",), "count"),
}
NUMBERS = ["imd_rank", "imd_decile"] + [f"{d}_{k}" for d in DOMAINS for k in ("rank", "decile")] + list(FILE6)
SCHEMA = pa.schema([(c, pa.string()) for c in ("lsoa11cd", "lsoa11nm", "lad_code", "lad_name")]
                   + [(c, pa.int32()) for c in NUMBERS] + [("source_row", pa.int64())])


def read_imd(con: duckdb.DuckDBPyConnection, file1: Located, file2: Located, file6: Located) -> Read:
    """Join Files 1, 2 and 6 per LSOA into temp table ``imd``. File 1 is the primary file."""
    f1 = read_iod_file(file1, CODE, FILE1, N_LSOAS_2011, required=("imd_rank",))
    f2 = read_iod_file(file2, CODE, FILE2, N_LSOAS_2011, required=("income_rank",))
    f6 = read_iod_file(file6, CODE, FILE6, N_LSOAS_2011, required=("pop_total_2015",))
    rejects = f1.rows.rejects + f2.rows.rejects + f6.rows.rejects
    rows = []
    for code, rec in f1.records.items():
        reason = None
        for other, name in ((f2, "File 2"), (f6, "File 6")):
            if code not in other.records:
                reason = f"LSOA has no valid row in {name}"
                break
        if reason is None and f2.records[code]["imd_rank"] != rec["imd_rank"]:
            reason = f"IMD rank differs between File 1 ({rec['imd_rank']}) and File 2 ({f2.records[code]['imd_rank']})"
        if reason:
            rejects.add(f1.label, rec["source_row"], CODE[0], code, reason, key=code)
            continue
        rows.append({"lsoa11cd": code, **{k: v for k, v in rec.items() if k != "source_row"},
                     **{k: f2.records[code][k] for k in FILE2}, **{k: f6.records[code][k] for k in FILE6},
                     "source_row": rec["source_row"]})
    for other, name in ((f2, "File 2"), (f6, "File 6")):
        for code, rec in other.records.items():
            if code not in f1.records:
                rejects.add(other.label, rec["source_row"], CODE[0], code, f"LSOA in {name} but not in File 1", key=code)
    to_temp_table(con, "imd", rows, SCHEMA)
    return Read("imd", f1.rows.rows_in, rejects, primary=(f1.label,), rows_kept=len(rows))
