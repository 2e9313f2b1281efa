"""IMD 2019 scores for English LSOAs (2011) from mySociety's composite_uk_imd (``GB_IMD_E.csv``).

For rows with ``nation = E`` the file carries MHCLG's official IMD 2019 score
(``overall_local_score``) and the income and employment domain rates multiplied by 100
(``income_score``, ``employment_score``); its ``GB_IMD_E_*`` columns are mySociety's own
composite and are not read. Scottish and Welsh rows are out of scope.
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
    "nation": ("nation",),
    "lsoa": ("lsoa",),
    "imd_score": ("overall_local_score",),
    "income": ("income_score",),
    "employment": ("employment_score",),
}


def read_imd2019_scores(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """English rows into temp view ``imd2019_scores``; income and employment back to rates (0-1)."""
    table = load_table_file(con, located.path, located.label, "imd2019_scores_text", FIELDS, required=FIELDS)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE imd2019_scores_checked AS " + sql("imd2019_scores_checked"),
        {"columns": table.names(FIELDS)},
    )
    rejects = Rejects()
    reject_problems(con, rejects, "imd2019_scores_checked", table.label)
    settle_copies(
        con,
        rejects,
        "imd2019_scores_checked",
        key="lsoa11cd",
        values=("imd_score", "income_score", "employment_score"),
        field="lsoa",
        label=table.label,
    )
    con.execute("""CREATE OR REPLACE TEMP VIEW imd2019_scores AS
        SELECT lsoa11cd, imd_score, income_score, employment_score, row_number AS source_row
        FROM imd2019_scores_checked WHERE problem IS NULL""")
    return Read("imd2019_scores", table.rows_in(con), rejects, primary=(table.label,))
