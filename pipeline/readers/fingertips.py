"""OHID Fingertips indicator 93553: IMD 2019 score attributed to each GP practice's registered list."""

from __future__ import annotations

import duckdb

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.duckcsv import load_csv, reject_problems
from pipeline.readers.later_copies import keep_first_copy
from pipeline.rejects import Rejects
from pipeline.sqlfiles import sql

FIELDS = {
    "indicator_id": ("Indicator ID",),
    "area_code": ("Area Code",),
    "area_type": ("Area Type",),
    "period": ("Time period",),
    "value": ("Value",),
}
INDICATOR = "93553"


def read_gp_imd_score(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Practice rows into temp view ``gp_imd_score``; a practice listed twice keeps its first row."""
    table = load_csv(
        con,
        located.path,
        located.label,
        "gp_imd_score_text",
        FIELDS,
        required={k: FIELDS[k] for k in ("indicator_id", "area_code", "area_type", "value")},
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE gp_imd_score_checked AS " + sql("gp_imd_score_checked"), {"indicator": INDICATOR}
    )
    rejects = Rejects()
    reject_problems(con, rejects, "gp_imd_score_checked", table.label)
    keep_first_copy(
        con,
        rejects,
        "gp_imd_score_checked",
        key="practice_code",
        field="Area Code",
        label=table.label,
        reason="duplicate practice (first row kept)",
    )
    con.execute("""CREATE OR REPLACE TEMP VIEW gp_imd_score AS
        SELECT practice_code, imd2019_score, period, row_number AS source_row
        FROM gp_imd_score_checked WHERE problem IS NULL""")
    return Read("gp_imd_score", table.rows_in(con), rejects, primary=(table.label,))
