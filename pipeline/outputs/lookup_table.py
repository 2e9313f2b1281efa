"""``postcode_lookup``: the study area's postcodes with everything a frontline worker needs to
answer one address (``python -m pipeline.lookup``, and the search box in ``maps/index.html``)."""

from __future__ import annotations

import duckdb

from pipeline.analysis.access import nearest_venues
from pipeline.analysis.nearest import nearest
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, derived
from pipeline.paths import Paths
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import inherited, write_parquet


def build_postcode_lookup_table(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    vintage = vintage_of(settings)
    # The nearest active practice: branch surgeries are listed only in an old file and may have closed.
    con.execute("""CREATE OR REPLACE TEMP VIEW practices AS
                   SELECT site_code, easting AS x, northing AS y FROM gp_sites WHERE site_type = 'practice'""")
    con.execute(
        "CREATE OR REPLACE TEMP VIEW postcode_points AS SELECT postcode, easting AS x, northing AS y FROM postcodes"
    )
    nearest(con, "postcode_points", "practices", "nearest_practice", point_key="postcode", place_key="site_code")
    nearest_venues(con, "postcode_points", "postcode", kinds=("library",))
    written = write_parquet(
        con,
        sql("postcode_lookup"),
        paths.table_path("postcode_lookup"),
        vintage=vintage,
        sources=inherited(
            paths.table_path("postcodes"),
            paths.table_path("lsoa_triage"),
            paths.table_path("gp_readiness"),
            paths.table_path("district_connectivity_series"),
            paths.table_path("venues"),
        ),
    )
    placed = con.execute(
        f"SELECT count(*) FILTER ({vintage.code} IS NOT NULL) FROM read_parquet($p)", {"p": str(written.path)}
    ).fetchone()[0]
    return derived("postcode_lookup", written, {"postcodes": written.rows, "placed_in_an_lsoa": placed})
