"""GP-site telehealth readiness, fibre gaps and the 250 m GeoTIFFs."""

import dagster as dg
import rasterio

from assets.checks_support import count_check, query
from assets.metadata import materialize_each, specs
from assets.resources import DuckDBResource, SettingsResource, StorageResource
from pipeline.analysis.fibre_gaps import build_fibre_gaps
from pipeline.analysis.gp_readiness import build_gp_readiness
from pipeline.analysis.rasters import build_rasters


@dg.multi_asset(group_name="analysis", specs=specs(
    ["gp_sites", "postcodes", "broadband_coverage", "lsoa_index", "census_age", "imd2019", "lsoa_boundaries"],
    {"duckdb", "geoparquet"},
    gp_readiness="Each GP site's broadband, catchment and telehealth-readiness rank.",
    gp_catchments="Catchment area of each GP site location (nearest site, capped)."))
def gp_readiness(settings: SettingsResource, storage: StorageResource, duckdb: DuckDBResource):
    """Broadband at each practice and branch and across its nearest-site catchment, ranked for telehealth readiness."""
    with duckdb.connect() as con:
        yield from materialize_each(build_gp_readiness(con, storage.paths(), settings.get()), con)
    storage.refresh_catalog()


@dg.multi_asset(group_name="analysis", specs=specs(
    ["postcodes", "broadband_coverage", "lsoa_index"], {"duckdb", "geoparquet"},
    fibre_gap_cells="1 km cells with postcodes lacking gigabit, ranked for build planning.",
    fibre_gap_lsoas="Gigabit gap per LSOA, ranked for build planning."))
def fibre_gaps(settings: SettingsResource, storage: StorageResource, duckdb: DuckDBResource):
    """Postcodes lacking gigabit, on a 1 km grid and per LSOA, with distance to the nearest served postcode."""
    with duckdb.connect() as con:
        yield from materialize_each(build_fibre_gaps(con, storage.paths(), settings.get()), con)
    storage.refresh_catalog()


@dg.multi_asset(group_name="analysis", specs=specs(
    ["postcodes", "broadband_coverage", "lsoa_index", "lsoa_boundaries"], {"geotiff"},
    gigabit_gap_250m="Estimated premises (or postcode-equivalents) without gigabit per 250 m cell.",
    exclusion_index_250m="Exclusion index of the LSOA covering each 250 m cell."))
def rasters(settings: SettingsResource, storage: StorageResource, duckdb: DuckDBResource):
    """GeoTIFFs in EPSG:27700 for QGIS users."""
    with duckdb.connect() as con:
        written = build_rasters(con, storage.paths(), settings.get())
    for key, path in written.items():
        with rasterio.open(path) as tif:
            meta = {"path": dg.MetadataValue.path(str(path)), "crs": str(tif.crs), "width": tif.width,
                    "height": tif.height, "cell_size_m": tif.res[0], "nodata": tif.nodata,
                    "description": tif.tags().get("DESCRIPTION", ""), "licence": tif.tags().get("LICENCE", "")}
        yield dg.MaterializeResult(asset_key=key, metadata=meta)


@dg.asset_check(asset="gp_readiness", blocking=True, additional_deps=["gp_sites"])
def every_gp_site_has_a_readiness_row(storage: StorageResource) -> dg.AssetCheckResult:
    sites, rows, scored = query(storage, """SELECT (SELECT count(*) FROM gp_sites),
        (SELECT count(DISTINCT site_code) FROM gp_readiness WHERE site_code IN (SELECT site_code FROM gp_sites)),
        (SELECT count(*) FROM gp_readiness WHERE readiness_score BETWEEN 0 AND 10)""", ("gp_sites", "gp_readiness"))[0]
    return dg.AssetCheckResult(passed=sites == rows == scored, metadata={"gp_sites": sites, "readiness_rows": rows,
                                                                         "scored_0_to_10": scored})


@dg.asset_check(asset="fibre_gap_cells", blocking=True)
def gap_estimates_are_bounded(storage: StorageResource) -> dg.AssetCheckResult:
    """Estimated units without gigabit are never negative nor more than the cell has."""
    return count_check(storage, "fibre_gap_cells", "est_without_gigabit < 0 OR (est_unit = 'postcode-equivalents' "
                       "AND est_without_gigabit > postcodes_with_coverage + 1e-9)", what="have an impossible estimate")


def _raster_check(storage: StorageResource, name: str) -> dg.AssetCheckResult:
    path = storage.paths().processed / f"{name}.tif"
    with rasterio.open(path) as tif:
        data = tif.read(1, masked=True)
        ok = tif.crs.to_epsg() == 27700 and tif.nodata is not None and tif.res == (tif.res[0], tif.res[0]) \
            and data.count() > 0
        return dg.AssetCheckResult(passed=bool(ok), metadata={"crs": str(tif.crs), "nodata": tif.nodata,
                                                              "valid_cells": int(data.count()),
                                                              "transform": str(tuple(tif.transform)[:6])})


@dg.asset_check(asset="gigabit_gap_250m", blocking=True)
def gigabit_gap_raster_readable(storage: StorageResource) -> dg.AssetCheckResult:
    """Opens with rasterio, EPSG:27700, nodata set, some valid cells."""
    return _raster_check(storage, "gigabit_gap_250m")


@dg.asset_check(asset="exclusion_index_250m", blocking=True)
def exclusion_index_raster_readable(storage: StorageResource) -> dg.AssetCheckResult:
    """Opens with rasterio, EPSG:27700, nodata set, some valid cells."""
    return _raster_check(storage, "exclusion_index_250m")
