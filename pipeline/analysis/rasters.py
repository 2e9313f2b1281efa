"""250 m GeoTIFFs for GIS users: the gigabit gap and inclusion need, EPSG:27700.

Cells outside the study area are nodata; inside it, the gap raster is 0 where no postcode
lacks gigabit. Sources and licence lines are written as GeoTIFF tags. Where broadband is known
only per postcode district, the gap raster spreads each district's share evenly over its
postcodes (its unit says "postcode-equivalents" and its description says so).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import rasterio
from rasterio.features import rasterize
from rasterio.transform import from_origin
from shapely import from_wkb

from pipeline.duck import exact
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, made
from pipeline.paths import Paths
from pipeline.registry import licence_lines
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import replace_atomically, source_rows, temp_path

NODATA = -9999.0


def grid(con: duckdb.DuckDBPyConnection, res: int, snap: int) -> tuple[float, float, int, int]:
    """(x_min, y_max, width, height) covering the study LSOAs, snapped outward to ``snap`` metres."""
    x0, y0, x1, y1 = (
        con.execute("""SELECT min(ST_XMin(geom)), min(ST_YMin(geom)), max(ST_XMax(geom)), max(ST_YMax(geom))
        FROM lsoa_areas WHERE geom IS NOT NULL""").fetchone()
    )
    x_min, y_min = np.floor(x0 / snap) * snap, np.floor(y0 / snap) * snap
    x_max, y_max = np.ceil(x1 / snap) * snap, np.ceil(y1 / snap) * snap
    return float(x_min), float(y_max), int((x_max - x_min) // res), int((y_max - y_min) // res)


def write_geotiff(dest: Path, data: np.ndarray, transform, *, description: str, source_keys, unit: str) -> Path:
    tmp = temp_path(dest)
    profile = {
        "driver": "GTiff",
        "width": data.shape[1],
        "height": data.shape[0],
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:27700",
        "transform": transform,
        "nodata": NODATA,
        "compress": "deflate",
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
    }
    try:
        with rasterio.open(tmp, "w", **profile) as out:
            out.write(data.astype("float32"), 1)
            out.set_band_description(1, description)
            out.update_tags(DESCRIPTION=description, UNIT=unit, LICENCE=" ".join(licence_lines(source_keys)))
        replace_atomically(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def build_rasters(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    exact(con)
    vintage = vintage_of(settings)
    cfg = settings.fibre_gaps
    res = cfg.raster_m
    x_min, y_max, width, height = grid(con, res, cfg.grid_m)
    transform = from_origin(x_min, y_max, res, res)
    lsoas = con.execute("""SELECT ST_AsWKB(a.geom), n.need_score FROM lsoa_areas a
        JOIN lsoa_need n USING (lsoa_code) WHERE a.geom IS NOT NULL ORDER BY a.lsoa_code""").fetchall()
    shapes = [(from_wkb(bytes(g)), v) for g, v in lsoas]
    inside = rasterize(
        [(g, 1) for g, _ in shapes], out_shape=(height, width), transform=transform, fill=0, dtype="uint8"
    ).astype(bool)
    need = rasterize(shapes, out_shape=(height, width), transform=transform, fill=NODATA, dtype="float32")

    con.execute(
        "CREATE OR REPLACE TEMP TABLE gap_postcodes AS " + sql("fibre_gap_postcodes"),
        {"lads": list(settings.lad_codes), "lacking": cfg.lacking_below_pct, "served": cfg.served_min_pct},
    )
    # Cells include their lower and left edges, like the 1 km grid, so each grid cell is
    # exactly the sum of the raster cells inside it.
    y_min = y_max - height * res
    cells = con.execute(
        """SELECT floor((easting - $x) / $r)::INT AS col,
                                  $h - 1 - floor((northing - $y) / $r)::INT AS row,
                                  sum(est_without_gigabit) FROM gap_postcodes
                           WHERE est_without_gigabit IS NOT NULL GROUP BY 1, 2""",
        {"x": x_min, "y": y_min, "r": res, "h": height},
    ).fetchall()
    gap = np.where(inside, 0.0, NODATA).astype("float32")
    for col, row, value in cells:
        if 0 <= row < height and 0 <= col < width:
            gap[row, col] = value
    unit = (
        "premises"
        if con.execute("SELECT bool_and(premises_known) FROM gap_postcodes WHERE gigabit_pct IS NOT NULL").fetchone()[0]
        else "postcode-equivalents"
    )
    measured = con.execute("SELECT count(*) FROM gap_postcodes WHERE resolution = 'postcode'").fetchone()[0]
    gap_sources = [k for k, n in source_rows(paths.table_path("broadband_coverage")).items() if n]
    need_sources = [k for k, n in source_rows(paths.table_path("lsoa_need")).items() if n]
    need_tif = write_geotiff(
        paths.gen / "need_250m.tif",
        need,
        transform,
        source_keys=need_sources,
        unit="score 0-10",
        description=f"Inclusion need (0-10) of the {vintage.label} covering each {res} m cell",
    )
    if measured:
        averaged = " (area averages spread evenly over each area's postcodes)" if unit != "premises" else ""
        gap_tif = write_geotiff(
            paths.gen / "gigabit_gap_250m.tif",
            gap,
            transform,
            source_keys=gap_sources,
            unit=unit,
            description=f"Estimated {unit} without gigabit-capable broadband per {res} m cell{averaged}",
        )
        gap_result = made("gigabit_gap_250m", [gap_tif], {"written": True, "postcodes_measured": measured})
    else:
        # With area averages only, every cell would show its area's share spread over its postcodes: a
        # pattern of postcode density, not of where gigabit is missing. Not published as if it were.
        gap_result = made(
            "gigabit_gap_250m",
            [],
            {
                "written": False,
                "why": "no postcode has its own broadband figure (area averages only); Ofcom's "
                "postcode file brings this raster back",
            },
        )
    return [gap_result, made("need_250m", [need_tif])]
