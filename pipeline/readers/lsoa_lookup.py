"""ONS LSOA (2011) to LSOA (2021) to LAD (2022) best-fit lookup, with its change indicator.

Accepts the geoportal's column names (``LSOA11CD``/``F_LSOA11CD``, ``LSOA21CD``, ``CHGIND``,
``LAD22CD``) and the names a republisher gave them (``lsoa11_code``, ``change_code``...). One
row per pair of 2011 and 2021 LSOAs: U unchanged, S split (one 2011 LSOA, several 2021), M
merged (several 2011, one 2021), X irregular (redrawn across).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.keyed import KeyedRows
from pipeline.readers.sheets import read_table_file, to_temp_table
from pipeline.readers.textcsv import column_lookup, is_lsoa_code

CHANGES = {"U", "S", "M", "X"}
ALIASES = {
    "lsoa11cd": ("LSOA11CD", "F_LSOA11CD", "lsoa11_code"), "lsoa11nm": ("LSOA11NM", "lsoa11_name"),
    "lsoa21cd": ("LSOA21CD", "lsoa21_code"), "lsoa21nm": ("LSOA21NM", "lsoa21_name"),
    "chgind": ("CHGIND", "change_code"), "lad22cd": ("LAD22CD", "ltla22_code"), "lad22nm": ("LAD22NM", "ltla22_name"),
}
SCHEMA = pa.schema([(k, pa.string()) for k in ALIASES] + [("source_row", pa.int64())])


def read_lsoa_lookup(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Every valid pair into temp table ``lsoa_lookup``."""
    table = read_table_file(located.path, located.label, required=(), any_of={
        "LSOA11CD": ALIASES["lsoa11cd"], "LSOA21CD": ALIASES["lsoa21cd"], "CHGIND": ALIASES["chgind"]})
    cols = column_lookup(table, ALIASES)
    rows = KeyedRows(table.label, "LSOA21CD")
    for line, values in table.rows:
        rows.seen()
        rec = {k: (values[i].strip() if i is not None and i < len(values) else "") for k, i in cols.items()}
        pair = f"{rec['lsoa11cd']}>{rec['lsoa21cd']}"
        if not is_lsoa_code(rec["lsoa11cd"]):
            rows.reject(line, table.header[cols["lsoa11cd"]], rec["lsoa11cd"], "malformed LSOA (2011) code", key=pair)
        elif not is_lsoa_code(rec["lsoa21cd"]):
            rows.reject(line, table.header[cols["lsoa21cd"]], rec["lsoa21cd"], "malformed LSOA (2021) code", key=pair)
        elif rec["chgind"] not in CHANGES:
            rows.reject(line, table.header[cols["chgind"]], rec["chgind"], "change indicator is not U, S, M or X",
                        key=pair)
        else:
            rows.keep(line, pair, tuple(values), rec)
    kept = rows.kept()
    to_temp_table(con, "lsoa_lookup", kept, SCHEMA)
    return Read("lsoa_lookup", rows.rows_in, rows.rejects, primary=(table.label,))
