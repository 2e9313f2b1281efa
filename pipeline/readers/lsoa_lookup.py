"""ONS LSOA (2011) to LSOA (2021) to LAD (2022) lookup, with its change indicator."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.sheets import to_temp_table
from pipeline.readers.textcsv import column_lookup, read_csv
from pipeline.rejects import Rejects

# U unchanged, S split (one 2011 LSOA became several), M merged, X irregular (redrawn across).
CHANGES = {"U", "S", "M", "X"}
ALIASES = {"lsoa11cd": ("F_LSOA11CD", "LSOA11CD"), "lsoa21cd": ("LSOA21CD",), "chgind": ("CHGIND",),
           "lad22cd": ("LAD22CD",)}
SCHEMA = pa.schema([("lsoa11cd", pa.string()), ("lsoa21cd", pa.string()), ("chgind", pa.string()),
                    ("lad22cd", pa.string()), ("source_row", pa.int64())])


def read_lsoa_lookup(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    table = read_csv(located.path, located.label, required=("LSOA21CD", "CHGIND"))
    cols = column_lookup(table, ALIASES)
    rejects, rows, seen = Rejects(), [], set()
    for line, values in table.rows:
        rec = {k: (values[i].strip() if i is not None and i < len(values) else "") for k, i in cols.items()}
        if not all(len(rec[k]) == 9 and rec[k][0] in "EW" for k in ("lsoa11cd", "lsoa21cd")):
            rejects.add(table.label, line, "LSOA21CD", f"{rec['lsoa11cd']}->{rec['lsoa21cd']}", "malformed LSOA code")
        elif rec["chgind"] not in CHANGES:
            rejects.add(table.label, line, "CHGIND", rec["chgind"], "change indicator is not U, S, M or X")
        elif (rec["lsoa11cd"], rec["lsoa21cd"]) in seen:
            rejects.add(table.label, line, "LSOA21CD", rec["lsoa21cd"], "duplicate pair (first row kept)", "duplicate")
        else:
            seen.add((rec["lsoa11cd"], rec["lsoa21cd"]))
            rows.append(rec | {"source_row": line})
    to_temp_table(con, "lsoa_lookup", rows, SCHEMA)
    return Read("lsoa_lookup", len(table.rows), rejects, primary=(table.label,))
