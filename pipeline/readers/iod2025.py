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
import pyarrow as pa

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.iod_columns import MEASURES, Field, fields_for, read_iod_file
from pipeline.readers.sheets import to_temp_table

N_LSOAS_2021 = 33_755
CODE = ("LSOA code (2021)",)
TEXT = {"lsoa21nm": Field(("LSOA name (2021)",), "text"),
        "lad_code": Field(("Local Authority District code (2024)",), "text"),
        "lad_name": Field(("Local Authority District name (2024)",), "text")}
FILE1 = TEXT | fields_for(["imd"], ("rank", "decile"))
FILE3 = TEXT | fields_for(["imd", "idaci", "idaopi"], ("rank", "decile"))
POPULATION = {
    "pop_total_2022": Field(("Total population: mid 2022",), "count"),
    "pop_0_15_2022": Field(("Dependent Children aged 0-15: mid 2022",), "count"),
    "pop_60_plus_2022": Field(("Older population aged 60 and over: mid 2022",), "count"),
    "pop_working_age_2022": Field(("Working age population 18-66 (for use with Employment Deprivation Domain): mid 2022",),
                                  "count"),
}
FILE7 = TEXT | fields_for(list(MEASURES), ("score", "rank", "decile")) | POPULATION
SCORES = [f"{m}_score" for m in MEASURES]
RANKS = [f"{m}_{k}" for m in MEASURES for k in ("rank", "decile")]
SCHEMA = pa.schema([("lsoa21cd", pa.string()), ("lsoa21nm", pa.string()), ("lad_code", pa.string()),
                    ("lad_name", pa.string())]
                   + [(c, pa.float64()) for c in SCORES] + [(c, pa.int32()) for c in RANKS]
                   + [(c, pa.int64()) for c in POPULATION]
                   + [("scores_from", pa.string()), ("source_row", pa.int64())])


def read_iod2025(con: duckdb.DuckDBPyConnection, file1: Located, file3: Located, file7: Located) -> Read:
    """One row per LSOA (2021) into temp table ``iod2025``."""
    f1 = read_iod_file(file1, CODE, FILE1, N_LSOAS_2021, required=("imd_rank",))
    f3 = read_iod_file(file3, CODE, FILE3, N_LSOAS_2021, required=("idaopi_rank",))
    f7 = read_iod_file(file7, CODE, FILE7, N_LSOAS_2021, required=("imd_score",))
    rejects = f1.rows.rejects + f3.rows.rejects
    f7_rejects = f7.rows.rejects
    rows, used7 = [], 0
    for code in sorted(set(f1.records) | set(f3.records) | set(f7.records)):
        one, three, seven = f1.records.get(code), f3.records.get(code), f7.records.get(code)
        if seven is not None:
            national = (one or {}) | (three or {})
            differs = [k for k in RANKS if k in seven and k in national and seven[k] != national[k]]
            if differs:
                k = differs[0]
                f7_rejects.add(f7.label, seven["source_row"], k, seven[k],
                               f"{k} differs from File {'1' if k.startswith('imd') else '3'} ({national[k]}): "
                               "not the same upload of the release; scores not used", key=code)
                seven = None
            else:
                used7 += 1
        row = {"lsoa21cd": code}
        for part in (seven, three, one):  # national files last, so their ranks stand
            if part:
                row |= {k: v for k, v in part.items() if k != "source_row"}
        row["scores_from"] = f7.label if seven else None
        row["source_row"] = (one or three or seven or {}).get("source_row")
        rows.append(row)
    to_temp_table(con, "iod2025", rows, SCHEMA)
    kept = len(f1.records) + len(f3.records) + used7
    return Read("iod2025", f1.rows.rows_in + f3.rows.rows_in + f7.rows.rows_in, rejects + f7_rejects,
                primary=(f1.label, f3.label, f7.label), rows_kept=kept,
                notes={"lsoas": len(rows), "lsoas_with_scores": used7, "file7_rows": f7.rows.rows_in})
