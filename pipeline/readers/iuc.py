"""CDRC Internet User Classification 2018: each LSOA (2011) / Data Zone of Great Britain in one of
ten groups of internet engagement. Groups are checked against their published labels, so a file
whose codes and labels disagree is not silently misread."""

from __future__ import annotations

import duckdb

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.duckcsv import reject_problems
from pipeline.readers.later_copies import settle_copies
from pipeline.readers.sheets import load_table_file
from pipeline.rejects import Rejects
from pipeline.sqlfiles import sql

# Group codes and labels as published, in the author's order from most to least engaged
# (alexsingleton/IUC_IMD, Code.R).
GROUPS = {
    1: "e-Cultural Creators",
    2: "e-Professionals",
    3: "e-Veterans",
    4: "Youthful Urban Fringe",
    5: "e-Rational Utilitarians",
    6: "e-Mainstream",
    7: "Passive and Uncommitted Users",
    8: "Digital Seniors",
    9: "Settled Offline Communities",
    10: "e-Withdrawn",
}
FIELDS = {
    "lsoa11cd": ("LSOA11_CD", "LSOA11CD", "LSOA_CODE"),
    "lsoa11nm": ("LSOA11_NM", "LSOA11NM"),
    "group_code": ("GRP_CD", "Group Code", "GRP"),
    "group_label": ("GRP_LABEL", "Group Name", "Group Label"),
}


def read_iuc(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """English and Welsh LSOAs into temp view ``iuc``; Scottish Data Zones are out of scope."""
    table = load_table_file(
        con,
        located.path,
        located.label,
        "iuc_text",
        FIELDS,
        required={k: FIELDS[k] for k in ("lsoa11cd", "group_code")},
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE iuc_checked AS " + sql("iuc_checked"),
        {"groups": list(GROUPS), "labels": list(GROUPS.values()), "columns": table.names(FIELDS)},
    )
    rejects = Rejects()
    reject_problems(con, rejects, "iuc_checked", table.label)
    settle_copies(
        con,
        rejects,
        "iuc_checked",
        key="lsoa11cd",
        values=("lsoa11nm", "iuc_group"),
        field=table.names(FIELDS)["lsoa11cd"],
        label=table.label,
    )
    con.execute("""CREATE OR REPLACE TEMP VIEW iuc AS
        SELECT lsoa11cd, lsoa11nm, iuc_group, iuc_label, row_number AS source_row
        FROM iuc_checked WHERE problem IS NULL""")
    return Read("iuc", table.rows_in(con), rejects, primary=(table.label,))
