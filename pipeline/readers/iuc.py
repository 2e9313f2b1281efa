"""CDRC Internet User Classification 2018: each LSOA (2011) / Data Zone of Great Britain in one of
ten groups of internet engagement. Groups are checked against their published labels, so a file
whose codes and labels disagree is not silently misread."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.keyed import KeyedRows
from pipeline.readers.sheets import read_table_file, to_temp_table
from pipeline.readers.textcsv import column_lookup, is_lsoa_code

# Group codes and labels as published, in the author's order from most to least engaged
# (alexsingleton/IUC_IMD, Code.R).
GROUPS = {
    1: "e-Cultural Creators", 2: "e-Professionals", 3: "e-Veterans", 4: "Youthful Urban Fringe",
    5: "e-Rational Utilitarians", 6: "e-Mainstream", 7: "Passive and Uncommitted Users", 8: "Digital Seniors",
    9: "Settled Offline Communities", 10: "e-Withdrawn",
}
ALIASES = {"lsoa11cd": ("LSOA11_CD", "LSOA11CD", "LSOA_CODE"), "lsoa11nm": ("LSOA11_NM", "LSOA11NM"),
           "group": ("GRP_CD", "Group Code", "GRP"), "label": ("GRP_LABEL", "Group Name", "Group Label")}
SCHEMA = pa.schema([("lsoa11cd", pa.string()), ("lsoa11nm", pa.string()), ("iuc_group", pa.int32()),
                    ("iuc_label", pa.string()), ("source_row", pa.int64())])


def read_iuc(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """English and Welsh LSOAs into temp table ``iuc``; Scottish Data Zones are out of scope."""
    table = read_table_file(located.path, located.label, any_of={"LSOA11_CD": ALIASES["lsoa11cd"],
                                                                "GRP_CD": ALIASES["group"]})
    cols = column_lookup(table, ALIASES)
    rows = KeyedRows(table.label, table.header[cols["lsoa11cd"]])
    for line, values in table.rows:
        rows.seen()
        rec = {k: (values[i].strip() if i is not None and i < len(values) else "") for k, i in cols.items()}
        code, raw_group = rec["lsoa11cd"], rec["group"]
        if code[:1] == "S":
            rows.reject(line, table.header[cols["lsoa11cd"]], code, "Scottish Data Zone (no LSOA)", key=code,
                        kind="out_of_scope")
            continue
        if not is_lsoa_code(code):
            rows.reject(line, table.header[cols["lsoa11cd"]], code, "malformed LSOA code", key=code or None)
            continue
        group = int(raw_group) if raw_group.isdigit() else None
        if group not in GROUPS:
            rows.reject(line, table.header[cols["group"]], raw_group, "not an IUC group code (1-10)", key=code)
            continue
        if cols["label"] is not None and rec["label"] and rec["label"] != GROUPS[group]:
            rows.reject(line, table.header[cols["label"]], rec["label"],
                        f"label does not match group {group} ({GROUPS[group]})", key=code)
            continue
        rows.keep(line, code, tuple(values), {"lsoa11cd": code, "lsoa11nm": rec["lsoa11nm"], "iuc_group": group,
                                              "iuc_label": GROUPS[group]})
    to_temp_table(con, "iuc", rows.kept(), SCHEMA)
    return Read("iuc", rows.rows_in, rows.rejects, primary=(table.label,))
