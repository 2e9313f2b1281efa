"""ONS LSOA (December 2021) population-weighted centroids: one point per LSOA, in metres (British
National Grid), where its people live. Columns ``LSOA21CD`` and ``x``/``y`` (the portal's CSV) or
``easting``/``northing``; an LSOA listed twice keeps an exact repeat once, disagreeing copies none."""

from __future__ import annotations

import duckdb

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.duckcsv import load_csv, reject_problems
from pipeline.readers.later_copies import settle_copies
from pipeline.rejects import Rejects
from pipeline.sqlfiles import sql

FIELDS = {"code": ("LSOA21CD", "lsoa21_code", "lsoa code"), "x": ("x", "easting"), "y": ("y", "northing")}


def read_lsoa_pwc(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Check the file into temp view ``lsoa_pwc`` (lsoa21cd, easting, northing, source_row)."""
    table = load_csv(con, located.path, located.label, "lsoa_pwc_text", FIELDS, required=FIELDS)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE lsoa_pwc_checked AS " + sql("lsoa_pwc_checked"), {"columns": table.names(FIELDS)}
    )
    rejects = Rejects()
    reject_problems(con, rejects, "lsoa_pwc_checked", located.label)
    settle_copies(
        con,
        rejects,
        "lsoa_pwc_checked",
        key="lsoa21cd",
        values=("easting", "northing"),
        field=table.names(FIELDS)["code"],
        label=located.label,
    )
    con.execute("""CREATE OR REPLACE TEMP VIEW lsoa_pwc AS SELECT lsoa21cd, easting, northing, row_number AS source_row
                   FROM lsoa_pwc_checked WHERE problem IS NULL""")
    return Read("lsoa_pwc", table.rows_in(con), rejects, primary=(located.label,))
