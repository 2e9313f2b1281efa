"""GP sites' readiness for telehealth: broadband at the site and across its catchment, and the
inclusion need of the people in its catchment. Only sites the ranking compares (``gp_ranked_sites``)
have catchments, a score and a rank; the others are shown with the reason."""

from __future__ import annotations

import duckdb

from pipeline.analysis.nearest import RADII_M, nearest
from pipeline.columns import BROADBAND, column_sources
from pipeline.duck import exact
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, derived
from pipeline.paths import Paths
from pipeline.registry import CODEPOINT_OPEN, EBRANCHS, GP_IMD_SCORE
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import inherited, write_parquet

SCORE_DECIMALS = 2
"""Scores and catchment need are shown to two decimals; sites equal at that precision share a rank, as a difference
no reader can see is no ground for one site to come before another."""

LOCATIONS = """
SELECT row_number() OVER (ORDER BY easting, northing) AS location_id, easting, northing,
       ST_SetCRS(ST_Point(easting, northing), 'EPSG:27700') AS geom,
       count(*) AS sites_at_location, string_agg(site_code, ', ' ORDER BY site_code) AS site_codes
FROM gp_ranked_sites WHERE not_ranked_reason IS NULL GROUP BY easting, northing
"""


def nearest_location(con: duckdb.DuckDBPyConnection, cap: float) -> None:
    """Temp table ``nearest_location`` (postcode, location id, distance) within ``cap`` metres, on a grid
    (``pipeline.analysis.nearest``): pairing every postcode with every site in range cost England
    most of a minute. Ties go to the lower location id, as before."""
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _pc_xy AS SELECT postcode, ST_X(geom) AS x, ST_Y(geom) AS y FROM postcodes"
    )
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _loc_xy AS SELECT location_id, easting AS x, northing AS y FROM gp_locations"
    )
    radii = tuple(r for r in RADII_M if r < cap) + (cap,)
    nearest(
        con,
        "_pc_xy",
        "_loc_xy",
        "nearest_location",
        point_key="postcode",
        place_key="location_id",
        order="location_id",
        radii=radii,
    )


def _without_practice_imd(sources: dict[str, str]) -> dict[str, str]:
    """The practices' own IMD score (OHID Fingertips) is carried in gp_sites, but neither readiness nor
    catchments rest on it, so its licence line does not follow them onto the GP map."""
    return {k: v for k, v in sources.items() if k != GP_IMD_SCORE.key}


RANKING_COLUMNS = ("readiness_score", "readiness_rank", "readiness_parts")


def ranking_sources(con: duckdb.DuckDBPyConnection, available: list[str], column: str = "readiness_rank") -> list[str]:
    """The sources the ranked sites' ``column`` rests on (``_readiness``): broadband only when a ranked site's
    score has a broadband part, and the old branch list only when a branch it alone lists is ranked."""
    scored, branches = con.execute(
        """SELECT coalesce(bool_or(site_own_gigabit_known OR NOT coalesce(catchment_broadband_area_average, true)),
                           false),
                  coalesce(bool_or(site_type = 'branch'), false)
           FROM _readiness WHERE readiness_rank IS NOT NULL"""
    ).fetchone()
    left_out = (() if scored else BROADBAND) + (() if branches else (EBRANCHS.key, "ebranchs_2017"))
    return [k for k in column_sources(column, available) if k not in left_out]


def build_gp_readiness(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    exact(con)
    vintage = vintage_of(settings)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE gp_ranked_sites AS " + sql("gp_ranked_sites"),
        {"min_list_size": settings.gp_readiness.min_list_size},
    )
    con.execute("CREATE OR REPLACE TEMP TABLE gp_locations AS " + LOCATIONS)
    con.execute("CREATE OR REPLACE TEMP TABLE postcode_residents AS " + sql("postcode_residents"))
    cap = settings.gp_readiness.catchment_cap_m
    nearest_location(con, cap)
    con.execute("CREATE OR REPLACE TEMP TABLE catchment_postcodes AS " + sql("gp_catchment_postcodes"))
    w = settings.gp_readiness.weights
    sources = _without_practice_imd(
        inherited(paths.table_path("gp_sites"), paths.table_path("broadband_coverage"), paths.table_path("lsoa_need"))
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _readiness AS " + sql("gp_readiness"),
        {
            "w_site": w["site_gigabit"],
            "w_sfbb": w["catchment_superfast"],
            "w_gig": w["catchment_gigabit"],
            "w_need": w["catchment_need"],
            "decimals": SCORE_DECIMALS,
        },
    )
    readiness = write_parquet(
        con,
        "SELECT * FROM _readiness",
        paths.table_path("gp_readiness"),
        sources=sources,
        # a site's ward is its postcode's, as Code-Point Open gives it (not the LSOA-to-ward lookup)
        columns=dict.fromkeys(RANKING_COLUMNS, ranking_sources(con, list(sources)))
        | {"catchment_mean_need": ranking_sources(con, list(sources), "catchment_mean_need")}
        | {"ward_code": [CODEPOINT_OPEN.key]},
        vintage=vintage,
        notes="readiness_rank 1 = least ready (first in line for support); sites with a "
        "not_ranked_reason are shown but not ranked",
    )
    areas = write_parquet(
        con,
        sql("gp_catchment_areas"),
        paths.table_path("gp_catchments"),
        sources=_without_practice_imd(inherited(paths.table_path("gp_sites"))),
        params={"cap": cap},
    )
    total, assigned, residents, study_residents = con.execute("""
        SELECT (SELECT count(*) FROM postcodes), (SELECT count(*) FROM catchment_postcodes),
               (SELECT sum(r.residents) FROM catchment_postcodes c JOIN postcode_residents r USING (postcode)),
               (SELECT sum(residents) FROM postcode_residents)""").fetchone()
    area_average, own_unknown, unranked = con.execute(
        """SELECT count(*) FILTER (broadband_parts_area_average),
        count(*) FILTER (readiness_rank IS NOT NULL AND NOT site_own_gigabit_known),
        list(site_code || ': ' || not_ranked_reason ORDER BY site_code) FILTER (not_ranked_reason IS NOT NULL)
        FROM read_parquet($p)""",
        {"p": str(readiness.path)},
    ).fetchone()
    counts = {
        "sites": readiness.rows,
        "site_locations": con.execute("SELECT count(*) FROM gp_locations").fetchone()[0],
        "catchment_cap_m": cap,
        "postcodes_in_a_catchment": assigned,
        "postcodes_beyond_cap": total - assigned,
        "residents_in_catchments": round(residents or 0),
        "residents_in_study_postcodes": round(study_residents or 0),
        "readiness_weights": w,
        "sites_with_area_average_broadband": area_average,
        "min_list_size": settings.gp_readiness.min_list_size,
        "ranked_sites": readiness.rows - len(unranked or []),
        "ranked_sites_scored_without_own_gigabit": own_unknown,
        "not_ranked": unranked or [],
    }
    return [derived("gp_readiness", readiness, counts), derived("gp_catchments", areas, {"site_locations": areas.rows})]
