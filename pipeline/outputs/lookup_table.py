"""``postcode_lookup``: the study area's postcodes with everything a frontline worker needs to
answer one address (``python -m pipeline.lookup``, and the search box in ``maps/index.html``)."""

from __future__ import annotations

import duckdb

from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, derived
from pipeline.paths import Paths
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import inherited, write_parquet


def build_postcode_lookup_table(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    vintage = vintage_of(settings)
    written = write_parquet(con, sql("postcode_lookup"), paths.table_path("postcode_lookup"), vintage=vintage,
                            sources=inherited(paths.table_path("postcodes"), paths.table_path("lsoa_triage"),
                                              paths.table_path("gp_readiness"),
                                              paths.table_path("district_connectivity_series")))
    placed = con.execute(f"SELECT count(*) FILTER ({vintage.code} IS NOT NULL) FROM read_parquet($p)",
                         {"p": str(written.path)}).fetchone()[0]
    return derived("postcode_lookup", written, {"postcodes": written.rows, "placed_in_an_lsoa": placed})
