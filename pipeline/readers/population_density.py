"""ONS mid-2018 LSOA (2011) population density (SAPE21DT11), as the published workbook or a CSV."""

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
    "code": ("Code", "LSOA Code", "LSOA11CD"),
    "name": ("Name", "LSOA Name", "LSOA11NM"),
    "population": ("Mid-2018 population",),
    "area": ("Area Sq Km",),
    "density": ("People per Sq Km",),
}


def read_population_density(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Every valid LSOA into temp view ``population_density``."""
    table = load_table_file(
        con,
        located.path,
        located.label,
        "population_density_text",
        FIELDS,
        required={k: v for k, v in FIELDS.items() if k != "name"},
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE population_density_checked AS " + sql("population_density_checked"),
        {"columns": table.names(FIELDS)},
    )
    rejects = Rejects()
    reject_problems(con, rejects, "population_density_checked", table.label)
    settle_copies(
        con,
        rejects,
        "population_density_checked",
        key="lsoa11cd",
        values=("lsoa11nm", "population_2018", "area_km2", "people_per_km2"),
        field=table.names(FIELDS)["code"],
        label=table.label,
    )
    con.execute("""CREATE OR REPLACE TEMP VIEW population_density AS
        SELECT lsoa11cd, lsoa11nm, population_2018, area_km2, people_per_km2, row_number AS source_row
        FROM population_density_checked WHERE problem IS NULL""")
    return Read("population_density", table.rows_in(con), rejects, primary=(table.label,))
