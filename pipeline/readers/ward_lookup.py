"""ONS LSOA (2021) to electoral ward (May 2024) to LAD (2024) best-fit lookup: each 2021 LSOA's
ward and district, with their names."""

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
    "lsoa21cd": ("LSOA21CD", "lsoa21_code"),
    "lsoa21nm": ("LSOA21NM", "lsoa21_name"),
    "ward_code": ("WD24CD", "ward24_code"),
    "ward_name": ("WD24NM", "ward24_name"),
    "lad_code": ("LAD24CD", "ltla24_code"),
    "lad_name": ("LAD24NM", "ltla24_name"),
}


def read_ward_lookup(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """One row per LSOA (2021) into temp view ``ward_lookup``."""
    table = load_table_file(
        con,
        located.path,
        located.label,
        "ward_lookup_text",
        FIELDS,
        required={k: FIELDS[k] for k in ("lsoa21cd", "ward_code", "lad_code")},
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ward_lookup_checked AS " + sql("ward_lookup_checked"),
        {"columns": table.names(FIELDS)},
    )
    rejects = Rejects()
    reject_problems(con, rejects, "ward_lookup_checked", table.label)
    settle_copies(
        con,
        rejects,
        "ward_lookup_checked",
        key="lsoa21cd",
        values=tuple(FIELDS),
        field=table.names(FIELDS)["lsoa21cd"],
        label=table.label,
    )
    con.execute(f"""CREATE OR REPLACE TEMP VIEW ward_lookup AS
        SELECT {", ".join(FIELDS)}, row_number AS source_row FROM ward_lookup_checked WHERE problem IS NULL""")
    return Read("ward_lookup", table.rows_in(con), rejects, primary=(table.label,))
