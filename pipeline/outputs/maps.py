"""Build each planner map from the processed tables (one function per map file)."""

from __future__ import annotations

import duckdb

from pipeline.analysis.indicators import register_inputs
from pipeline.outputs.map_exclusion import build_exclusion_map
from pipeline.outputs.map_fibre import build_fibre_map
from pipeline.outputs.map_gp import build_gp_map
from pipeline.outputs.map_inclusion import build_inclusion_map
from pipeline.outputs.map_index import build_index_page
from pipeline.paths import Paths
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import read_provenance

COMMON = ("lsoa_index", "lsoa_boundaries", "lad_boundaries")


def exclusion_hotspots(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> dict:
    register_inputs(con, paths, (*COMMON, "hotspots"))
    return build_exclusion_map(con, paths.maps / "exclusion_hotspots.html", settings.index_mode)


def fibre_planning(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> dict:
    register_inputs(con, paths, (*COMMON, "fibre_gap_cells", "gp_readiness", "postcodes", "broadband_coverage"))
    con.execute("CREATE OR REPLACE TEMP TABLE gap_points AS " + sql("fibre_gap_postcodes"),
                {"lads": list(settings.lad_codes), "lacking": settings.lacking_below_pct,
                 "served": settings.served_min_pct})
    note = read_provenance(paths.table_path("fibre_gap_cells")).get("notes")
    return build_fibre_map(con, paths.maps / "fibre_planning.html", note)


def gp_readiness(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> dict:
    register_inputs(con, paths, (*COMMON, "gp_readiness", "gp_catchments"))
    return build_gp_map(con, paths.maps / "gp_readiness.html")


def inclusion_targeting(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> dict:
    register_inputs(con, paths, (*COMMON, "inclusion_priorities"))
    return build_inclusion_map(con, paths.maps / "inclusion_targeting.html", settings.inclusion_top_deciles,
                               settings.inclusion_factor_share)


def index_page(paths: Paths, settings: Settings) -> dict:
    notes = ["Broadband figures come from Ofcom's July 2024 data as postcode-district averages: they describe "
             "the district a neighbourhood sits in, not the neighbourhood itself (docs/METHOD.md).",
             "Snapshot dates of the connectivity series follow the published metadata where it is consistent; "
             "each value's basis is in district_connectivity_series."]
    return build_index_page(paths.maps / "index.html", settings.study_area_name, settings.index_mode, notes=notes)


MAP_BUILDERS = {
    "exclusion_hotspots": exclusion_hotspots,
    "fibre_planning": fibre_planning,
    "gp_readiness": gp_readiness,
    "inclusion_targeting": inclusion_targeting,
}
