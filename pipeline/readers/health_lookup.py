"""ONS LSOA (2011) to Clinical Commissioning Group to LAD (April 2021) lookup.

In July 2022 each CCG became a Sub-ICB location under the same codes (E38000049 = 06K...), so the
lookup gives a neighbourhood's Sub-ICB location from an official best-fit table rather than from
a point in a generalised polygon.
"""

from __future__ import annotations

import re

import duckdb
import pyarrow as pa

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.keyed import KeyedRows
from pipeline.readers.sheets import read_table_file, to_temp_table
from pipeline.readers.textcsv import column_lookup, is_lsoa_code

ALIASES = {"lsoa11cd": ("LSOA11CD",), "ccg_code": ("CCG21CD",), "ccg_ods_code": ("CCG21CDH",),
           "ccg_name": ("CCG21NM",), "lad_code": ("LAD21CD",)}
SCHEMA = pa.schema([(k, pa.string()) for k in ALIASES] + [("source_row", pa.int64())])
E38 = re.compile(r"^E38\d{6}$")


def read_lsoa_ccg_lookup(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Every valid row into temp table ``lsoa_ccg`` (one CCG per 2011 LSOA)."""
    table = read_table_file(located.path, located.label, required=("LSOA11CD", "CCG21CD"))
    cols = column_lookup(table, ALIASES)
    rows = KeyedRows(table.label, "LSOA11CD")
    for line, values in table.rows:
        rows.seen()
        rec = {k: (values[i].strip() if i is not None and i < len(values) else "") for k, i in cols.items()}
        if not is_lsoa_code(rec["lsoa11cd"]):
            rows.reject(line, "LSOA11CD", rec["lsoa11cd"], "malformed LSOA (2011) code", key=rec["lsoa11cd"])
        elif not E38.match(rec["ccg_code"]):
            rows.reject(line, "CCG21CD", rec["ccg_code"], "malformed CCG code (E38 followed by six digits)",
                        key=rec["lsoa11cd"])
        else:
            rows.keep(line, rec["lsoa11cd"], tuple(values), {k: v or None for k, v in rec.items()})
    to_temp_table(con, "lsoa_ccg", rows.kept(), SCHEMA)
    return Read("lsoa_ccg", rows.rows_in, rows.rejects, primary=(table.label,))
