"""The planner maps: one asset per self-contained HTML file in maps/."""

import re

import dagster as dg

from assets.resources import DuckDBResource, SettingsResource, StorageResource
from pipeline.outputs.maps import MAP_BUILDERS, index_page

MAP_DEPS = {
    "exclusion_hotspots": ["lsoa_index", "hotspots", "lsoa_boundaries", "lad_boundaries"],
    "fibre_planning": ["fibre_gap_cells", "gp_readiness", "postcodes", "broadband_coverage", "lsoa_index",
                       "lsoa_boundaries", "lad_boundaries"],
    "gp_readiness": ["gp_readiness", "gp_catchments", "lsoa_index", "lsoa_boundaries", "lad_boundaries"],
    "inclusion_targeting": ["inclusion_priorities", "lsoa_index", "lsoa_boundaries", "lad_boundaries"],
}


def _map_asset(name: str) -> dg.AssetsDefinition:
    @dg.asset(name=f"{name}_map", group_name="outputs", kinds={"folium", "html"}, deps=MAP_DEPS[name],
              description=f"maps/{name}.html: self-contained Folium map (renders with no network).")
    def build(settings: SettingsResource, storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
        with duckdb.connect() as con:
            result = MAP_BUILDERS[name](con, storage.paths(), settings.get())
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(result.pop("path")),
                                              **{k: v for k, v in result.items()}})

    return build


MAP_ASSETS = [_map_asset(name) for name in MAP_BUILDERS]


@dg.asset(group_name="outputs", kinds={"html"}, deps=[a.key for a in MAP_ASSETS] + ["connectivity_charts"])
def maps_index(settings: SettingsResource, storage: StorageResource) -> dg.MaterializeResult:
    """maps/index.html: links to every map and chart, with data releases and licence lines."""
    result = index_page(storage.paths(), settings.get())
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(result.pop("path")), **result})


REMOTE = re.compile(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(?:https?:)?//', re.I)


@dg.asset_check(asset=maps_index, blocking=True, additional_deps=[a.key for a in MAP_ASSETS])
def maps_load_nothing_from_the_network(storage: StorageResource) -> dg.AssetCheckResult:
    """Every map file exists and references no remote script, stylesheet or image (tiles aside)."""
    folder = storage.paths().maps
    problems = {}
    for name in [*MAP_BUILDERS, "index"]:
        path = folder / f"{name}.html"
        if not path.exists():
            problems[path.name] = "missing"
        elif REMOTE.search(path.read_text(encoding="utf-8")):
            problems[path.name] = "loads a remote resource"
    return dg.AssetCheckResult(passed=not problems, metadata={"problems": problems})
