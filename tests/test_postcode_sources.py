"""Code-Point Open, the ONS lookup and the study-area postcodes table, on small built files."""

from __future__ import annotations


from pipeline.ingest.boundaries import build_lsoa_boundaries
from pipeline.ingest.postcodes import build_codepoint_open, build_ons_postcode_lookup, build_postcodes
from tests.builders import codepoint_line, codepoint_zip, geojson, lookup_zip, square


def _rejects(result):
    return {(r[1], r[2], r[4]) for r in result.rejects.rows}


def _harlow_sources(paths, lookup_rows):
    codepoint_zip(paths.raw / "codepo_gb.zip", {"cm": [
        codepoint_line("CM20 1AA", 544100, 210100),   # in the lookup
        codepoint_line("CM20 1AB", 544200, 210200),   # newer than the lookup: point in polygon
        codepoint_line("CM20 1AD", 544300, 210300),   # terminated in the lookup, live in Code-Point
        codepoint_line("CM20 9ZZ", 560000, 230000),   # outside every polygon: unmatched
        codepoint_line("CM19 5AA", 541000, 209000, lad="E07000072"),  # another district
    ]})
    lookup_zip(paths.raw / "PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.zip", lookup_rows)
    geojson(paths.raw / "lsoa2011_E07000073.geojson",
            [({"LSOA11CD": "E01021819", "LSOA11NM": "Harlow 006A"}, {"type": "Polygon", "coordinates": square(544000, 210000, 1000)})],
            crs="urn:ogc:def:crs:EPSG::27700")


def test_postcodes_take_lsoa_from_lookup_else_polygon_else_count_as_unmatched(con, paths):
    _harlow_sources(paths, [
        {"pcds": "CM20 1AA", "lsoa11cd": "E01021820"},
        {"pcds": "CM20 1AD", "doterm": "202001", "lsoa11cd": "E01021821"},
        {"pcds": "CM20 1ZZ", "doterm": "201001"},
    ])
    build_codepoint_open(con, paths)
    build_ons_postcode_lookup(con, paths)
    build_lsoa_boundaries(con, paths, ["E07000073"])
    result = build_postcodes(con, paths, ["E07000073"])
    rows = dict(con.execute(f"""SELECT postcode, [lsoa11cd, lsoa_method] FROM
        read_parquet('{paths.table_path("postcodes", "E07000073")}')""").fetchall())
    assert rows == {
        "CM20 1AA": ["E01021820", "ons_lookup"],
        "CM20 1AB": ["E01021819", "point_in_polygon"],
        "CM20 1AD": ["E01021819", "point_in_polygon"],
        "CM20 9ZZ": [None, "unmatched"],
    }
    assert (result.rows_in, result.rows_kept) == (4, 4)
    assert result.counts["unmatched"] == 1
    assert result.counts["lookup_terminated_rows_dropped"] == 2
    assert result.counts["codepoint_postcodes_terminated_in_lookup"] == 1


def test_postcodes_geometry_is_british_national_grid_with_wgs84_lat_lon(con, paths):
    _harlow_sources(paths, [{"pcds": "CM20 1AA"}])
    build_codepoint_open(con, paths)
    build_ons_postcode_lookup(con, paths)
    build_lsoa_boundaries(con, paths, ["E07000073"])
    build_postcodes(con, paths, ["E07000073"])
    import geopandas

    frame = geopandas.read_parquet(paths.table_path("postcodes", "E07000073"))
    assert frame.crs.to_epsg() == 27700
    row = frame.set_index("postcode").loc["CM20 1AA"]
    assert (row["geom"].x, row["geom"].y) == (544100, 210100)
    # Harlow is at about 51.77 N, 0.10 E: lat/lon not swapped.
    assert 51.7 < row["lat"] < 51.9 and 0.0 < row["lon"] < 0.2
