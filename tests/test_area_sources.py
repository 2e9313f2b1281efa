"""Boundaries, IMD, rurality, Census ages and GP files, on small files built here."""

from __future__ import annotations

import pytest

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located
from pipeline.ingest.boundaries import build_lsoa_boundaries
from pipeline.readers.census import read_census_age
from pipeline.readers.imd import read_imd
from pipeline.readers.ods import read_epraccur
from pipeline.readers.ruc import read_ruc
from tests.builders import csv_text, geojson, ods_row, square

BNG = "urn:ogc:def:crs:EPSG::27700"


def _lsoa(code, geometry):
    return ({"LSOA11CD": code, "LSOA11NM": f"Harlow {code[-3:]}"}, geometry)


def _boundaries(con, paths, features, crs=BNG):
    geojson(paths.raw / "lsoa2011_E07000073.geojson", features, crs=crs)
    return build_lsoa_boundaries(con, paths, ["E07000073"])


def test_self_intersecting_polygon_is_repaired_and_counted(con, paths):
    bowtie = {"type": "Polygon", "coordinates": [[[544000, 210000], [545000, 211000], [545000, 210000],
                                                  [544000, 211000], [544000, 210000]]]}
    result = _boundaries(con, paths, [_lsoa("E01021819", {"type": "Polygon", "coordinates": square(540000, 210000, 500)}),
                                      _lsoa("E01021820", bowtie)])
    assert result.rows_kept == 2 and result.counts["polygons_repaired"] == 1
    valid, area = con.execute(f"""SELECT bool_and(ST_IsValid(geom)), sum(area_km2) FILTER (lsoa11cd = 'E01021820')
        FROM read_parquet('{paths.table_path("lsoa_boundaries")}')""").fetchone()
    assert valid and area == pytest.approx(0.5)  # two triangles of 0.25 km2


def test_unrepairable_empty_and_uncoded_polygons_go_to_rejects(con, paths):
    flat = {"type": "Polygon", "coordinates": [[[544000, 210000], [545000, 210000], [546000, 210000], [544000, 210000]]]}
    result = _boundaries(con, paths, [
        _lsoa("E01021819", {"type": "Polygon", "coordinates": square(544000, 210000, 500)}),
        _lsoa("E01021820", flat),
        _lsoa("", {"type": "Polygon", "coordinates": square(546000, 210000, 500)}),
        _lsoa("E01021821", None),
        _lsoa("E01021819", {"type": "Polygon", "coordinates": square(548000, 210000, 500)}),
    ])
    reasons = sorted((r[1], r[4]) for r in result.rejects.rows)
    assert reasons == [(2, "polygon cannot be repaired into a valid area"), (3, "missing area code"),
                       (4, "missing or empty geometry"), (5, "duplicate area code (first feature kept)")]
    assert (result.rows_in, result.rows_kept) == (5, 1)


def test_boundary_in_another_crs_lands_in_the_same_place(con, paths):
    # The same 1 km square, declared once in British National Grid and once in WGS84.
    from pyproj import Transformer

    to_wgs = Transformer.from_crs(27700, 4326, always_xy=True)
    ring = [list(to_wgs.transform(x, y)) for x, y in square(544000, 210000, 1000)[0]]
    _boundaries(con, paths, [_lsoa("E01021819", {"type": "Polygon", "coordinates": [ring]})], crs=None)
    wgs = con.execute(f"SELECT ST_XMin(geom), ST_YMin(geom), area_km2 FROM read_parquet('{paths.table_path('lsoa_boundaries')}')").fetchone()
    _boundaries(con, paths, [_lsoa("E01021819", {"type": "Polygon", "coordinates": square(544000, 210000, 1000)})])
    bng = con.execute(f"SELECT ST_XMin(geom), ST_YMin(geom), area_km2 FROM read_parquet('{paths.table_path('lsoa_boundaries')}')").fetchone()
    assert wgs == pytest.approx(bng, abs=0.01) and bng[:2] == (544000, 210000)


def test_grid_coordinates_labelled_as_longitude_latitude_are_refused(con, paths):
    with pytest.raises(SourceFormatError, match="not longitude/latitude") as err:
        _boundaries(con, paths, [_lsoa("E01021819", {"type": "Polygon", "coordinates": square(544000, 210000, 100)})],
                    crs=None)
    assert err.value.row == 1 and "lsoa2011_E07000073.geojson" in str(err.value)


IMD1 = ["LSOA code (2011)", "LSOA name (2011)", "Local Authority District code (2019)",
        "Local Authority District name (2019)", "Index of Multiple Deprivation (IMD) Rank",
        "Index of Multiple Deprivation (IMD) Decile"]


def _imd_files(tmp_path, file1_rows, file2_rows=None, file6_rows=None):
    from pipeline.readers.imd import DOMAINS

    file2_header = ["LSOA code (2011)", "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"]
    for label in DOMAINS.values():
        file2_header += [f"{label} Rank (where 1 is most deprived)",
                         f"{label} Decile (where 1 is most deprived 10% of LSOAs)"]
    file6_header = ["LSOA code (2011)", "Total population: mid 2015 (excluding prisoners)",
                    "Dependent Children aged 0-15: mid 2015 (excluding prisoners)",
                    "Population aged 16-59: mid 2015 (excluding prisoners)",
                    "Older population aged 60 and over: mid 2015 (excluding prisoners)"]
    codes = [r[0] for r in file1_rows]
    ranks = {r[0]: r[4] for r in file1_rows}
    file2_rows = file2_rows or [[c, ranks[c]] + ["100", "1"] * len(DOMAINS) for c in codes]
    file6_rows = file6_rows or [[c, "1,500", "300", "900", "300"] for c in codes]
    files = []
    for name, header, rows in (("f1.csv", IMD1, file1_rows), ("f2.csv", file2_header, file2_rows),
                               ("f6.csv", file6_header, file6_rows)):
        (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + csv_text(header, rows).encode())
        files.append(Located("imd2019", tmp_path / name, "data/raw", name))
    return files


def test_imd_reads_thousands_separators_and_rejects_bad_ranks(con, tmp_path):
    files = _imd_files(tmp_path, [["E01021819", "Harlow 006A", "E07000073", "Harlow", "29,199", "9"],
                                  ["E01021820", "Harlow 006B", "E07000073", "Harlow", "40,000", "9"],
                                  ["E01021821", "Harlow 006C", "E07000073", "Harlow", "n/a", "9"]])
    read = read_imd(con, *files)
    assert con.execute("SELECT lsoa11cd, imd_rank, pop_total_2015 FROM imd").fetchall() == [("E01021819", 29199, 1500)]
    assert {(r[1], r[2], r[4]) for r in read.rejects.rows if r[0] == "f1.csv"} == {
        (3, "Index of Multiple Deprivation (IMD) Rank", "not a whole number from 1 to 32,844"),
        (4, "Index of Multiple Deprivation (IMD) Rank", "not a whole number from 1 to 32,844"),
    }


def test_imd_lsoa_missing_from_file_6_is_rejected_with_the_reason(con, tmp_path):
    files = _imd_files(tmp_path, [["E01021819", "Harlow 006A", "E07000073", "Harlow", "29199", "9"],
                                  ["E01021820", "Harlow 006B", "E07000073", "Harlow", "10", "1"]],
                       file6_rows=[["E01021819", "1500", "300", "900", "300"]])
    read = read_imd(con, *files)
    assert [r[0] for r in con.execute("SELECT lsoa11cd FROM imd").fetchall()] == ["E01021819"]
    assert [(r[1], r[4]) for r in read.rejects.rows] == [(3, "LSOA is missing from File 6")]


def test_ruc_unknown_class_is_rejected(con, tmp_path):
    (tmp_path / "ruc.csv").write_text(csv_text(["LSOA11CD", "LSOA11NM", "RUC11CD", "RUC11"],
                                               [["E01021819", "Harlow 006A", "C1", "Urban city and town"],
                                                ["E01021820", "Harlow 006B", "Z9", "Made up"]]))
    read = read_ruc(con, Located("ruc2011", tmp_path / "ruc.csv", "data/raw", "ruc.csv"))
    assert con.execute("SELECT lsoa11cd, is_rural, rural_class FROM ruc").fetchall() == [("E01021819", False, 0.0)]
    assert [(r[1], r[2]) for r in read.rejects.rows] == [(3, "RUC11CD")]


def test_census_lsoa_missing_an_age_band_is_rejected_whole(con, tmp_path):
    from pipeline.readers.census import BANDS

    rows = [["E01021819", "Harlow 006A", band, "100"] for band in BANDS]
    rows += [["E01021820", "Harlow 006B", band, "100"] for band in list(BANDS)[:5]]
    (tmp_path / "age.csv").write_text(csv_text(["lsoa21_code", "lsoa21_name", "age_group", "usual_residents"], rows))
    read = read_census_age(con, Located("census2021_age", tmp_path / "age.csv", "data/raw", "age.csv"))
    assert [r[0] for r in con.execute("SELECT lsoa21cd FROM census_age21").fetchall()] == ["E01021819"]
    assert len(read.rejects.rows) == 5 and all("lacks age bands age_65_plus" in r[4] for r in read.rejects.rows)
    assert read.rows_in == read.rows_kept + 5


def test_epraccur_row_with_wrong_field_count_names_file_and_row(con, tmp_path, paths):
    good = ods_row("F81027", "LISTER MEDICAL CENTRE", "CM18 6YJ")
    (tmp_path / "epraccur.csv").write_text(good + "\n" + good.rsplit(",", 1)[0] + "\n")
    with pytest.raises(SourceFormatError) as err:
        read_epraccur(con, Located("epraccur", tmp_path / "epraccur.csv", "data/raw", "data/raw/epraccur.csv"), paths)
    assert err.value.row == 2 and "expected 27 fields, found 26" in str(err.value)


def test_epraccur_malformed_postcode_and_duplicate_code_are_rejected(con, tmp_path, paths):
    lines = [ods_row("F81027", "LISTER MEDICAL CENTRE", "CM18 6YJ"), ods_row("F81047", "HAMILTON", "NOT A PC"),
             ods_row("F81027", "LISTER AGAIN", "CM18 6YJ")]
    (tmp_path / "epraccur.csv").write_text("\n".join(lines) + "\n")
    read = read_epraccur(con, Located("epraccur", tmp_path / "epraccur.csv", "data/raw", "epraccur.csv"), paths)
    assert [(r[1], r[2], r[4]) for r in read.rejects.rows] == [
        (2, "Postcode", "malformed postcode"), (3, "Organisation Code", "duplicate code (first row kept)")]
