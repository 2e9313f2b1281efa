"""ONS Rural Urban Classification 2011 of LSOAs in England and Wales."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.sheets import to_temp_table
from pipeline.readers.textcsv import column_lookup, read_csv
from pipeline.rejects import Rejects

CLASSES = {
    "A1": "Urban major conurbation", "B1": "Urban minor conurbation", "C1": "Urban city and town",
    "C2": "Urban city and town in a sparse setting", "D1": "Rural town and fringe",
    "D2": "Rural town and fringe in a sparse setting", "E1": "Rural village and dispersed",
    "E2": "Rural village and dispersed in a sparse setting",
}
# Ordinal rurality used by the index: urban 0, rural town and fringe 0.5, rural village/dispersed 1.
RURAL_SCORE = {"A1": 0.0, "B1": 0.0, "C1": 0.0, "C2": 0.0, "D1": 0.5, "D2": 0.5, "E1": 1.0, "E2": 1.0}
ALIASES = {"lsoa11cd": ("LSOA11CD",), "lsoa11nm": ("LSOA11NM",), "ruc11cd": ("RUC11CD",), "ruc11": ("RUC11",)}
SCHEMA = pa.schema([("lsoa11cd", pa.string()), ("lsoa11nm", pa.string()), ("ruc11cd", pa.string()),
                    ("ruc11", pa.string()), ("is_rural", pa.bool_()), ("rural_class", pa.float64()),
                    ("source_row", pa.int64())])


def read_ruc(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    table = read_csv(located.path, located.label, required=tuple(a[0] for a in ALIASES.values()))
    cols = column_lookup(table, ALIASES)
    rejects, rows, seen = Rejects(), [], set()
    for line, values in table.rows:
        rec = {k: values[i].strip() if i < len(values) else "" for k, i in cols.items()}
        code, ruc = rec["lsoa11cd"], rec["ruc11cd"]
        if not (len(code) == 9 and code[0] in "EW" and code[1:].isdigit()):
            rejects.add(table.label, line, "LSOA11CD", code, "malformed LSOA code")
        elif ruc not in CLASSES:
            rejects.add(table.label, line, "RUC11CD", ruc, f"unknown class (expected one of {', '.join(CLASSES)})")
        elif code in seen:
            rejects.add(table.label, line, "LSOA11CD", code, "duplicate LSOA (first row kept)", "duplicate")
        else:
            seen.add(code)
            rows.append(rec | {"is_rural": ruc[0] in "DE", "rural_class": RURAL_SCORE[ruc], "source_row": line})
    to_temp_table(con, "ruc", sorted(rows, key=lambda r: r["lsoa11cd"]), SCHEMA)
    return Read("ruc", len(table.rows), rejects, primary=(table.label,))
