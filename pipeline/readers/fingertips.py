"""OHID Fingertips indicator 93553: IMD 2019 score attributed to each GP practice's registered list."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.sheets import to_temp_table
from pipeline.readers.textcsv import column_lookup, parse_number, read_csv
from pipeline.rejects import Rejects

ALIASES = {"indicator_id": ("Indicator ID",), "area_code": ("Area Code",), "area_type": ("Area Type",),
           "period": ("Time period",), "value": ("Value",)}
SCHEMA = pa.schema([("practice_code", pa.string()), ("imd2019_score", pa.float64()), ("period", pa.string()),
                    ("source_row", pa.int64())])
INDICATOR = "93553"


def read_gp_imd_score(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    table = read_csv(located.path, located.label, required=("Indicator ID", "Area Code", "Area Type", "Value"))
    cols = column_lookup(table, ALIASES)
    rejects, rows, seen = Rejects(), [], set()
    for line, values in table.rows:
        rec = {k: (values[i].strip() if i is not None and i < len(values) else "") for k, i in cols.items()}
        try:
            value = parse_number(rec["value"])
        except ValueError:
            value = None
        if rec["area_type"] != "GP":
            rejects.add(table.label, line, "Area Type", rec["area_type"], "not a GP practice row (comparator)",
                        "out_of_scope")
        elif rec["indicator_id"] != INDICATOR:
            rejects.add(table.label, line, "Indicator ID", rec["indicator_id"], f"not indicator {INDICATOR}", "out_of_scope")
        elif value is None or not 0 <= value <= 100:
            rejects.add(table.label, line, "Value", rec["value"], "IMD score is not a number in 0-100")
        elif rec["area_code"] in seen:
            rejects.add(table.label, line, "Area Code", rec["area_code"], "duplicate practice (first row kept)", "duplicate")
        else:
            seen.add(rec["area_code"])
            rows.append({"practice_code": rec["area_code"], "imd2019_score": value, "period": rec["period"],
                         "source_row": line})
    to_temp_table(con, "gp_imd_score", rows, SCHEMA)
    return Read("gp_imd_score", len(table.rows), rejects, primary=(table.label,))
