"""Boundaries: LSOA (2011) and district polygons, valid and in EPSG:27700."""


import dagster as dg

from assets.checks_support import count_check, query
from assets.metadata import table_metadata
from assets.resources import DuckDBResource, SettingsResource, StorageResource
from pipeline.ingest.boundaries import build_lad_boundaries, build_lsoa_boundaries


@dg.asset(group_name="ingest", kinds={"duckdb", "geoparquet"})
def lsoa_boundaries(settings: SettingsResource, storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """LSOA (December 2011) polygons of the study-area districts; invalid polygons repaired and counted."""
    with duckdb.connect() as con:
        result = build_lsoa_boundaries(con, storage.paths(), list(settings.get().lad_codes))
        meta = table_metadata(result, con)
    storage.refresh_catalog()
    return dg.MaterializeResult(metadata=meta)


@dg.asset(group_name="ingest", kinds={"duckdb", "geoparquet"})
def lad_boundaries(settings: SettingsResource, storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Study-area district polygons (December 2013, generalised), for maps."""
    with duckdb.connect() as con:
        result = build_lad_boundaries(con, storage.paths(), list(settings.get().lad_codes))
        meta = table_metadata(result, con)
    storage.refresh_catalog()
    return dg.MaterializeResult(metadata=meta)


@dg.asset_check(asset=lsoa_boundaries, blocking=True)
def lsoa_boundaries_valid(storage: StorageResource) -> dg.AssetCheckResult:
    """Every polygon is valid, non-empty and in EPSG:27700 (British National Grid)."""
    return count_check(storage, "lsoa_boundaries",
                       "NOT ST_IsValid(geom) OR ST_IsEmpty(geom) OR ST_XMin(geom) < 0 OR ST_XMax(geom) > 700000",
                       what="are invalid, empty or not in British National Grid metres")


@dg.asset_check(asset=lsoa_boundaries, additional_deps=["lsoa_districts"])
def every_lsoa_has_boundary(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Every study-area LSOA has a polygon.

    LSOAs without one still get neighbours (nearest centroids), so this warns rather than stops.
    """
    lads = list(settings.get().lad_codes)
    missing = query(storage, """SELECT lsoa11cd FROM lsoa_districts WHERE list_contains($lads, lad_code)
                                AND lsoa11cd NOT IN (SELECT lsoa11cd FROM lsoa_boundaries) ORDER BY 1""",
                    ("lsoa_districts", "lsoa_boundaries"), {"lads": lads})
    total = query(storage, "SELECT count(*) FROM lsoa_districts WHERE list_contains($lads, lad_code)", ("lsoa_districts",),
                  {"lads": lads})[0][0]
    return dg.AssetCheckResult(passed=not missing, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"study_area_lsoas": total, "without_boundary": len(missing),
                                         "examples": [m[0] for m in missing[:20]]})


@dg.asset_check(asset=lad_boundaries, blocking=True)
def lad_boundaries_all_districts(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Every study-area district has a polygon."""
    lads = list(settings.get().lad_codes)
    present = {r[0] for r in query(storage, "SELECT lad_code FROM lad_boundaries", ("lad_boundaries",))}
    missing = [lad for lad in lads if lad not in present]
    return dg.AssetCheckResult(passed=not missing, metadata={"missing": missing, "present": sorted(present)})
