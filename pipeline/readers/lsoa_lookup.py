"""ONS LSOA (2011) to LSOA (2021) to LAD (2022) best-fit lookup, with its change indicator.

Accepts the geoportal's column names (``LSOA11CD``/``F_LSOA11CD``, ``LSOA21CD``, ``CHGIND``,
``LAD22CD``) and the names a republisher gave them (``lsoa11_code``, ``change_code``...). One
row per pair of 2011 and 2021 LSOAs: U unchanged, S split (one 2011 LSOA, several 2021), M
merged (several 2011, one 2021), X irregular (redrawn across).
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
    "lsoa11cd": ("LSOA11CD", "F_LSOA11CD", "lsoa11_code"),
    "lsoa11nm": ("LSOA11NM", "lsoa11_name"),
    "lsoa21cd": ("LSOA21CD", "lsoa21_code"),
    "lsoa21nm": ("LSOA21NM", "lsoa21_name"),
    "chgind": ("CHGIND", "change_code"),
    "lad22cd": ("LAD22CD", "ltla22_code"),
    "lad22nm": ("LAD22NM", "ltla22_name"),
}


def read_lsoa_lookup(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Every valid pair into temp view ``lsoa_lookup``."""
    table = load_table_file(
        con,
        located.path,
        located.label,
        "lsoa_lookup_text",
        FIELDS,
        required={k: FIELDS[k] for k in ("lsoa11cd", "lsoa21cd", "chgind")},
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE lsoa_lookup_checked AS " + sql("lsoa_lookup_checked"),
        {"columns": table.names(FIELDS)},
    )
    rejects = Rejects()
    reject_problems(con, rejects, "lsoa_lookup_checked", table.label)
    settle_copies(
        con, rejects, "lsoa_lookup_checked", key="pair", values=tuple(FIELDS), field="LSOA21CD", label=table.label
    )
    con.execute(f"""CREATE OR REPLACE TEMP VIEW lsoa_lookup AS
        SELECT {", ".join(FIELDS)}, row_number AS source_row FROM lsoa_lookup_checked WHERE problem IS NULL""")
    return Read("lsoa_lookup", table.rows_in(con), rejects, primary=(table.label,))
