"""ONS LSOA (2021) to electoral ward (May 2024) to LAD (2024) best-fit lookup: each 2021 LSOA's
ward and district, with their names."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.keyed import KeyedRows
from pipeline.readers.sheets import read_table_file, to_temp_table
from pipeline.readers.textcsv import column_lookup, is_gss_code, is_lsoa_code

ALIASES = {
    "lsoa21cd": ("LSOA21CD", "lsoa21_code"), "lsoa21nm": ("LSOA21NM", "lsoa21_name"),
    "ward_code": ("WD24CD", "ward24_code"), "ward_name": ("WD24NM", "ward24_name"),
    "lad_code": ("LAD24CD", "ltla24_code"), "lad_name": ("LAD24NM", "ltla24_name"),
}
SCHEMA = pa.schema([(k, pa.string()) for k in ALIASES] + [("source_row", pa.int64())])


def read_ward_lookup(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """One row per LSOA (2021) into temp table ``ward_lookup``."""
    table = read_table_file(located.path, located.label, required=(), any_of={
        "LSOA21CD": ALIASES["lsoa21cd"], "WD24CD": ALIASES["ward_code"], "LAD24CD": ALIASES["lad_code"]})
    cols = column_lookup(table, ALIASES)
    rows = KeyedRows(table.label, table.header[cols["lsoa21cd"]])
    for line, values in table.rows:
        rows.seen()
        rec = {k: (" ".join(values[i].split()) if i is not None and i < len(values) else "") for k, i in cols.items()}
        code = rec["lsoa21cd"]
        if not is_lsoa_code(code):
            rows.reject(line, table.header[cols["lsoa21cd"]], code, "malformed LSOA (2021) code", key=code)
        elif not is_gss_code(rec["ward_code"]):
            rows.reject(line, table.header[cols["ward_code"]], rec["ward_code"], "malformed ward code", key=code)
        elif not is_gss_code(rec["lad_code"]):
            rows.reject(line, table.header[cols["lad_code"]], rec["lad_code"], "malformed district code", key=code)
        else:
            rows.keep(line, code, tuple(values), rec)
    to_temp_table(con, "ward_lookup", rows.kept(), SCHEMA)
    return Read("ward_lookup", rows.rows_in, rows.rejects, primary=(table.label,))
