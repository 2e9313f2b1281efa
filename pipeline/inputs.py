"""Expose a generation's tables to a step's SQL as views.

Tables made on the configured small-area vintage (``lsoa_areas``, ``postcodes``, the scores...)
are read with the neutral ``lsoa_code``/``lsoa_name`` names; national source tables keep their
own codes (``lsoa21cd`` in the Census and IoD 2025, ``lsoa11cd`` in IMD 2019 and the IUC) and
reach a vintage through ``lsoa_crosswalk``.
"""

from __future__ import annotations

import duckdb

from pipeline.geography import Vintage
from pipeline.paths import Paths
from pipeline.sqlfiles import quote, register_parquet


def use(con: duckdb.DuckDBPyConnection, paths: Paths, *names: str, vintage: Vintage | None = None) -> None:
    """Views of the named tables; with ``vintage``, its LSOA columns under the neutral names."""
    for name in names:
        register_parquet(con, name, paths.table_path(name), vintage)


def use_crosswalk(con: duckdb.DuckDBPyConnection, paths: Paths, vintage: Vintage) -> None:
    """``lsoa_crosswalk`` with ``lsoa_code``, the vintage's side of each pair, and ``in_study``."""
    path = quote(str(paths.table_path("lsoa_crosswalk")))
    in_study = "lsoa21_in_study" if vintage.year == 2021 else "true"
    con.execute(f"""CREATE OR REPLACE TEMP VIEW lsoa_crosswalk AS
        SELECT *, {vintage.code} AS lsoa_code, {in_study} AS in_study FROM read_parquet({path})""")
