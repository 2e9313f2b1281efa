"""Build every planner map and ``index.html`` from the published tables, into the generation's
``maps/`` folder. Each map cites the sources of the tables it draws, with their row counts."""

from __future__ import annotations

import duckdb

from pipeline.columns import DISTRICT_SERIES
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult
from pipeline.ingest.result import made as produced
from pipeline.lookup import district_cautions
from pipeline.outputs.map_access import build_access_map
from pipeline.outputs.map_fibre import build_fibre_map
from pipeline.outputs.map_gp import build_gp_map
from pipeline.outputs.map_inclusion import build_inclusion_map
from pipeline.outputs.map_index import build_index_page
from pipeline.outputs.map_need import build_need_map
from pipeline.outputs.map_triage import build_triage_map
from pipeline.outputs.mapkit import backdrop
from pipeline.outputs.side_by_side import draw_all
from pipeline.paths import Paths
from pipeline.settings import Settings
from pipeline.store import read_provenance, source_rows
from pipeline.wording import terms, triage_cuts_in


def sources_of(paths: Paths, *tables: str) -> dict[str, int]:
    """The sources behind the tables a map draws: for each, the most rows it gave any of them."""
    out: dict[str, int] = {}
    for table in tables:
        for key, rows in source_rows(paths.table_path(table)).items():
            out[key] = max(out.get(key, 0), rows)
    return out


def build_maps(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    folder = paths.maps
    folder.mkdir(parents=True, exist_ok=True)
    t = terms(settings, triage_cuts_in(con))  # one wording of every definition, with this run's ties
    base = ("lsoa_areas", "lad_boundaries", "ward_boundaries", "settlements")  # every map draws these
    # the maps that caution a district's gap quote Ofcom's own district figures: they name that source too
    quoted = (
        {k: n for k, n in sources_of(paths, "postcode_lookup").items() if k in DISTRICT_SERIES}
        if district_cautions(con)
        else {}
    )
    drawn = backdrop(con, paths)  # the same for every page: made (or read where kept) once
    made = draw_all(
        "maps",
        con,
        paths,
        settings,
        {
            "need_map": (
                build_need_map,
                (
                    drawn,
                    folder / "need.html",
                    sources_of(paths, "lsoa_need", "hotspots", *base),
                    t,
                    settings.uncertainty.draws,
                ),
            ),
            "triage_map": (
                build_triage_map,
                (
                    drawn,
                    folder / "triage.html",
                    sources_of(paths, "lsoa_triage", "rank_uncertainty", *base) | quoted,
                    t,
                ),
            ),
            "fibre_planning_map": (
                build_fibre_map,
                (
                    drawn,
                    folder / "fibre_planning.html",
                    sources_of(paths, "lsoa_triage", "fibre_gap_cells", "gp_readiness", *base) | quoted,
                    read_provenance(paths.table_path("fibre_gap_cells")).get("notes"),
                ),
            ),
            "gp_readiness_map": (
                build_gp_map,
                (
                    drawn,
                    folder / "gp_readiness.html",
                    sources_of(paths, "gp_readiness", "gp_catchments", "subicb_boundaries", *base) | quoted,
                    settings.gp_readiness.catchment_cap_m,
                ),
            ),
            "inclusion_targeting_map": (
                build_inclusion_map,
                (
                    drawn,
                    folder / "inclusion_targeting.html",
                    sources_of(paths, "inclusion_priorities", *base),
                    settings.inclusion.top_need_deciles,
                    t,
                ),
            ),
            "access_map": (
                build_access_map,
                (
                    drawn,
                    folder / "access.html",
                    sources_of(paths, "lsoa_access", "venues", "venue_siting", *base),
                    settings.access.reach_km,
                    settings.access.map_k,
                    t,
                ),
            ),
        },
        first=("access_map", "triage_map"),  # the slowest, so the two processes finish together
    )
    return [produced(name, [r["path"]], {k: v for k, v in r.items() if k != "path"}) for name, r in made.items()]


def build_map_index(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """maps/index.html and maps/method.html."""
    paths.maps.mkdir(parents=True, exist_ok=True)
    index = build_index_page(con, paths, settings, vintage_of(settings))
    return produced("maps_index", index["files"], {k: v for k, v in index.items() if k != "files"})
