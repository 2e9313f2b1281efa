"""GP sites' readiness for telehealth: broadband at the site and across its catchment."""

from __future__ import annotations

import duckdb

from pipeline.analysis.indicators import register_inputs
from pipeline.ingest.result import TableResult
from pipeline.paths import Paths
from pipeline.registry import (CENSUS2021_AGE, CODEPOINT_OPEN, EBRANCHS, EPRACCUR, GP_LIST_SIZES, GP_PCN_MAPPING,
                               IMD2019, OFCOM_LA_COVERAGE, OFCOM_POSTCODE_COVERAGE, OFCOM_POSTCODE_DISTRICT,
                               ONS_POSTCODE_LOOKUP, LSOA_BOUNDARIES)
from pipeline.rejects import Rejects
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.duck import exact
from pipeline.store import write_parquet

SOURCE_KEYS = (EPRACCUR.key, EBRANCHS.key, GP_LIST_SIZES.key, GP_PCN_MAPPING.key, CODEPOINT_OPEN.key,
               ONS_POSTCODE_LOOKUP.key, OFCOM_POSTCODE_COVERAGE.key, OFCOM_POSTCODE_DISTRICT.key, OFCOM_LA_COVERAGE.key,
               CENSUS2021_AGE.key, IMD2019.key, LSOA_BOUNDARIES.key)

LOCATIONS = """
SELECT row_number() OVER (ORDER BY easting, northing) AS location_id, easting, northing,
       ST_SetCRS(ST_Point(easting, northing), 'EPSG:27700') AS geom,
       count(*) AS sites_at_location, string_agg(site_code, ', ' ORDER BY site_code) AS site_codes
FROM gp_sites GROUP BY easting, northing
"""


def build_gp_readiness(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[TableResult]:
    exact(con)
    register_inputs(con, paths, ("gp_sites", "postcodes", "broadband_coverage", "lsoa_index", "census_age",
                                 "imd2019", "lsoa_boundaries"))
    con.execute("CREATE OR REPLACE TEMP TABLE gp_locations AS " + LOCATIONS)
    con.execute("CREATE OR REPLACE TEMP TABLE postcode_residents AS " + sql("postcode_residents"))
    con.execute("CREATE OR REPLACE TEMP TABLE catchment_postcodes AS " + sql("gp_catchment_postcodes"),
                {"cap": settings.catchment_cap_m})
    w = dict(settings.readiness_weights)
    readiness = write_parquet(con, sql("gp_readiness"), paths.table_path("gp_readiness"), source_keys=SOURCE_KEYS,
                              params={"w_site": w["site_gigabit"], "w_sfbb": w["catchment_superfast"],
                                      "w_gig": w["catchment_gigabit"], "w_index": w["catchment_index"]},
                              notes="readiness_rank 1 = least ready (first in line for support)")
    areas = write_parquet(con, sql("gp_catchment_areas"), paths.table_path("gp_catchments"), source_keys=SOURCE_KEYS,
                          params={"cap": settings.catchment_cap_m})
    total, assigned, residents, study_residents = con.execute("""
        SELECT (SELECT count(*) FROM postcodes), (SELECT count(*) FROM catchment_postcodes),
               (SELECT sum(r.residents) FROM catchment_postcodes c JOIN postcode_residents r USING (postcode)),
               (SELECT sum(residents) FROM postcode_residents)""").fetchone()
    counts = {
        "sites": readiness.rows, "site_locations": con.execute("SELECT count(*) FROM gp_locations").fetchone()[0],
        "catchment_cap_m": settings.catchment_cap_m, "postcodes_in_a_catchment": assigned,
        "postcodes_beyond_cap": total - assigned,
        "residents_in_catchments": round(residents or 0), "residents_in_study_postcodes": round(study_residents or 0),
        "readiness_weights": w,
    }
    return [TableResult("gp_readiness", [readiness], readiness.rows, readiness.rows, Rejects(), [], SOURCE_KEYS, counts),
            TableResult("gp_catchments", [areas], areas.rows, areas.rows, Rejects(), [], SOURCE_KEYS,
                        {"site_locations": areas.rows})]
