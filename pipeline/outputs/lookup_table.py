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
from pipeline.store import inherited, read_provenance, write_parquet


def build_postcode_lookup_table(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    vintage = vintage_of(settings)
    # The nearest active practice: branch surgeries are listed only in an old file and may have closed, and a
    # practice with fewer registered patients than the readiness ranking needs is a specialist service (Y01924,
    # 70 patients), not a surgery a resident registers with.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE practices AS
           SELECT site_code, easting AS x, northing AS y FROM gp_sites
           WHERE site_type = 'practice' AND coalesce(list_size >= $least, true)""",
        {"least": settings.gp_readiness.min_list_size},
    )
    con.execute(
        "CREATE OR REPLACE TEMP VIEW postcode_points AS SELECT postcode, easting AS x, northing AS y FROM postcodes"
    )
    nearest(con, "postcode_points", "practices", "nearest_practice", point_key="postcode", place_key="site_code")
    nearest_venues(con, "postcode_points", "postcode", kinds=("library",))
    rank_sources = read_provenance(paths.table_path("gp_readiness")).get("columns", {}).get("readiness_rank")
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
        # the rank rests on what the readiness table recorded for it (no broadband where none is scored)
        columns={"nearest_gp_readiness_rank": rank_sources} if rank_sources else None,
    )
    placed = con.execute(
        f"SELECT count(*) FILTER ({vintage.code} IS NOT NULL) FROM read_parquet($p)", {"p": str(written.path)}
    ).fetchone()[0]
    return derived("postcode_lookup", written, {"postcodes": written.rows, "placed_in_an_lsoa": placed})
