"""IMD 2019 scores for English LSOAs (2011) from mySociety's composite_uk_imd (``GB_IMD_E.csv``).

For rows with ``nation = E`` the file carries MHCLG's official IMD 2019 score
(``overall_local_score``) and the income and employment domain rates multiplied by 100
(``income_score``, ``employment_score``); its ``GB_IMD_E_*`` columns are mySociety's own
composite and are not read. Scottish and Welsh rows are out of scope.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.keyed import KeyedRows
from pipeline.readers.sheets import read_table_file, to_temp_table
from pipeline.readers.textcsv import column_lookup, is_lsoa_code, parse_number

ALIASES = {"nation": ("nation",), "lsoa11cd": ("lsoa",), "imd_score": ("overall_local_score",),
           "income_rate_pct": ("income_score",), "employment_rate_pct": ("employment_score",)}
SCHEMA = pa.schema([("lsoa11cd", pa.string()), ("imd_score", pa.float64()), ("income_score", pa.float64()),
                    ("employment_score", pa.float64()), ("source_row", pa.int64())])


def read_imd2019_scores(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """English rows into temp table ``imd2019_scores``; income and employment back to rates (0-1)."""
    table = read_table_file(located.path, located.label, any_of={k: v for k, v in ALIASES.items()})
    cols = column_lookup(table, ALIASES)
    rows = KeyedRows(table.label, "lsoa")
    for line, values in table.rows:
        rows.seen()
        rec = {k: values[i].strip() if i < len(values) else "" for k, i in cols.items()}
        code = rec["lsoa11cd"]
        if rec["nation"] != "E":
            rows.reject(line, "nation", rec["nation"], "not an English LSOA (IMD scores are per nation)",
                        key=code, kind="out_of_scope")
            continue
        if not is_lsoa_code(code):
            rows.reject(line, "lsoa", code, "malformed LSOA code", key=code or None)
            continue
        parsed, problem = {}, None
        for key in ("imd_score", "income_rate_pct", "employment_rate_pct"):
            try:
                value = parse_number(rec[key])
            except ValueError:
                value = None
            if value is None or not 0 <= value <= 100:
                problem = (table.header[cols[key]], rec[key], "not a score in 0-100")
                break
            parsed[key] = value
        if problem:
            rows.reject(line, *problem, key=code)
            continue
        rows.keep(line, code, tuple(values), {"lsoa11cd": code, "imd_score": parsed["imd_score"],
                                              "income_score": round(parsed["income_rate_pct"] / 100, 6),
                                              "employment_score": round(parsed["employment_rate_pct"] / 100, 6)})
    kept = rows.kept()
    to_temp_table(con, "imd2019_scores", kept, SCHEMA)
    return Read("imd2019_scores", rows.rows_in, rows.rejects, primary=(table.label,))
