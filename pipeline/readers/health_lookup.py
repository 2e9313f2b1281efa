"""ONS LSOA (2011) to Clinical Commissioning Group to LAD (April 2021) lookup.

In July 2022 each CCG became a Sub-ICB location under the same codes (E38000049 = 06K...), so the
lookup gives a neighbourhood's Sub-ICB location from an official best-fit table rather than from
a point in a generalised polygon.
"""

from __future__ import annotations

import duckdb

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.duckcsv import reject_problems
from pipeline.readers.later_copies import settle_copies
from pipeline.readers.sheets import load_table_file
from pipeline.rejects import Rejects
from pipeline.sqlfiles import sql

FIELDS = {
    "lsoa11cd": ("LSOA11CD",),
    "ccg_code": ("CCG21CD",),
    "ccg_ods_code": ("CCG21CDH",),
    "ccg_name": ("CCG21NM",),
    "lad_code": ("LAD21CD",),
}


def read_lsoa_ccg_lookup(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Every valid row into temp view ``lsoa_ccg`` (one CCG per 2011 LSOA)."""
    table = load_table_file(
        con,
        located.path,
        located.label,
        "lsoa_ccg_text",
        FIELDS,
        required={k: FIELDS[k] for k in ("lsoa11cd", "ccg_code")},
    )
    con.execute("CREATE OR REPLACE TEMP TABLE lsoa_ccg_checked AS " + sql("lsoa_ccg_checked"))
    rejects = Rejects()
    reject_problems(con, rejects, "lsoa_ccg_checked", table.label)
    settle_copies(
        con, rejects, "lsoa_ccg_checked", key="lsoa11cd", values=tuple(FIELDS), field="LSOA11CD", label=table.label
    )
    con.execute(f"""CREATE OR REPLACE TEMP VIEW lsoa_ccg AS
        SELECT {", ".join(FIELDS)}, row_number AS source_row FROM lsoa_ccg_checked WHERE problem IS NULL""")
    return Read("lsoa_ccg", table.rows_in(con), rejects, primary=(table.label,))
