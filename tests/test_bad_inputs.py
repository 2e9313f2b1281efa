"""The bad-input corpus: every kind of broken or hostile source file we know of, built here.

Each case ends in one of two ways, and says which: a clear error naming the file (and the row
and field where there is one), or the offending rows in rejects with a reason while the rest is
kept (rows in = kept + rejected). ``docs/RELIABILITY.md`` lists every case by its id.
"""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from builders import (
    codepoint_line,
    codepoint_zip,
    csv_text,
    geojson,
    lookup_zip,
    ods_row,
    ofcom_postcode_zip,
    ofcom_row,
    square,
)

from pipeline.errors import DizError, SourceFormatError, UnsafeArchiveError
from pipeline.fetch import Located, extract_zip, locate, locate_each
from pipeline.ingest.broadband import build_ofcom_la_coverage, build_ofcom_postcode_coverage
from pipeline.ingest.postcodes import build_codepoint_open, build_ons_postcode_lookup
from pipeline.readers.boundaries import BoundaryFile, read_boundaries
from pipeline.readers.codepoint import read_codepoint
from pipeline.readers.imd import read_imd
from pipeline.readers.ods import read_epraccur
from pipeline.readers.ofcom_columns import METRICS, RELEASE_HEADERS, normalise_header
from pipeline.readers.ofcom_district import read_ofcom_district
from pipeline.readers.ofcom_postcode import read_ofcom_postcode
from pipeline.readers.ruc import read_ruc
from pipeline.registry import CODEPOINT_OPEN, OFCOM_POSTCODE_COVERAGE, OFCOM_POSTCODE_DISTRICT

CASES: dict[str, tuple[str, callable]] = {}


def settings(lads=None):
    from pipeline.settings import load_settings

    return load_settings(lad_codes=lads)


VALUES = {
    "all_premises": 12,
    "sfbb_pct": 91.5,
    "ufbb100_pct": 80,
    "ufbb_pct": 75.25,
    "full_fibre_pct": 60,
    "gigabit_pct": 70.5,
    "below_10_pct": 1.5,
    "below_30_pct": 8.5,
    "below_uso_pct": 0.5,
    "nga_pct": 99,
}
LA_FILE = "202407_fixed_laua_res_coverage_r01.csv"
POSTCODE_ZIP = "202407-fixed-coverage-postcodes-r01.zip"


def case(case_id: str, expected: str):
    def register(fn):
        CASES[case_id] = (expected, fn)
        return fn

    return register


def test_corpus_has_at_least_30_cases_and_reliability_doc_lists_each():
    from conftest import PROJECT_ROOT

    assert len(CASES) >= 30
    doc = (PROJECT_ROOT / "docs" / "RELIABILITY.md").read_text()
    missing = [c for c in CASES if f"`{c}`" not in doc]
    assert not missing, f"docs/RELIABILITY.md does not describe {missing}"


def accounted(result):
    assert result.rows_in == result.rows_kept + result.rows_rejected
    return result


def reasons(rejects) -> list[str]:
    return [r[4] for r in rejects.rows]


# --- Ofcom postcode and local-authority files -----------------------------------------------


def _field(column: str) -> str | None:
    return next((f for f, names in METRICS.items() if normalise_header(column) in map(normalise_header, names)), None)


def _release_header_case(year: str):
    def run(con, paths):
        ofcom_postcode_zip(paths.raw / f"{year}07-fixed-coverage-postcodes-r01.zip", year, {"CM20 1AA": VALUES})
        read = read_ofcom_postcode(con, locate_each(OFCOM_POSTCODE_COVERAGE, paths), paths)
        row = con.execute(f"SELECT * FROM {read.table}").fetchdf().iloc[0].to_dict()
        assert (row["key"], row["release"]) == ("CM20 1AA", f"{year}-07")
        published = {_field(c) for c in RELEASE_HEADERS[year]["postcode"]}
        for field, value in VALUES.items():
            if field in published:
                assert row[field] == pytest.approx(value), field
            else:  # not in that release: left empty, never filled in
                assert row[field] is None or row[field] != row[field], field
        assert len(read.rejects) == 0

    return run


for _year in sorted(RELEASE_HEADERS):
    case(
        f"ofcom-columns-{_year}",
        f"Ofcom's {_year} column names map to the common schema; fields that release lacks stay empty",
    )(_release_header_case(_year))


@case("ofcom-missing-column", "error naming the file, header row and the missing SFBB column")
def _(con, paths):
    header = [h for h in RELEASE_HEADERS["2024"]["local_authority"] if not h.startswith("SFBB")]
    (paths.raw / LA_FILE).write_text(csv_text(header, [ofcom_row(header, "E07000073", VALUES)]))
    with pytest.raises(SourceFormatError) as err:
        build_ofcom_la_coverage(con, paths, settings())
    assert (err.value.field, err.value.row) == ("SFBB availability (% premises)", 1) and LA_FILE in str(err.value)


@case("ofcom-extra-columns", "unknown extra columns are ignored; the row is kept")
def _(con, paths):
    header = RELEASE_HEADERS["2024"]["local_authority"] + ["Some new Ofcom column", "Another"]
    (paths.raw / LA_FILE).write_text(csv_text(header, [ofcom_row(header, "E07000073", VALUES)[:-2] + ["x", "y"]]))
    assert accounted(build_ofcom_la_coverage(con, paths, settings())).rows_kept == 1


@case("ofcom-semicolon-delimited", "error saying the file is ';'-delimited")
def _(con, paths):
    header = RELEASE_HEADERS["2024"]["local_authority"]
    (paths.raw / LA_FILE).write_text(csv_text(header, [ofcom_row(header, "E07000073", VALUES)], delimiter=";"))
    with pytest.raises(SourceFormatError, match="';'-delimited") as err:
        build_ofcom_la_coverage(con, paths, settings())
    assert err.value.row == 1


@case("ofcom-cp1252-encoding", "Windows cp1252 text (Ynys Môn) is read")
def _(con, paths):
    header = RELEASE_HEADERS["2024"]["local_authority"]
    row = ofcom_row(header, "W06000001", VALUES)
    row[header.index("laua_name")] = "Ynys Môn"
    (paths.raw / LA_FILE).write_bytes(csv_text(header, [row]).encode("cp1252"))
    assert accounted(build_ofcom_la_coverage(con, paths, settings())).rows_kept == 1


@case("ofcom-byte-order-mark", "a UTF-8 byte-order mark does not hide the first column")
def _(con, paths):
    header = RELEASE_HEADERS["2024"]["local_authority"]
    text = csv_text(header, [ofcom_row(header, "E07000073", VALUES)])
    (paths.raw / LA_FILE).write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert accounted(build_ofcom_la_coverage(con, paths, settings())).rows_kept == 1


@case("ofcom-empty-file", "error naming the file")
def _(con, paths):
    (paths.raw / LA_FILE).write_text("")
    with pytest.raises(SourceFormatError, match=LA_FILE):
        build_ofcom_la_coverage(con, paths, settings())


@case("ofcom-truncated-zip", "error: not a readable zip archive (truncated or corrupt)")
def _(con, paths):
    path = ofcom_postcode_zip(paths.raw / POSTCODE_ZIP, "2024", {f"CM20 1A{c}": VALUES for c in "ABDEFGHJ"})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceFormatError, match="truncated or corrupt") as err:
        build_ofcom_postcode_coverage(con, paths, settings())
    assert POSTCODE_ZIP in str(err.value)


@case("zip-member-path-traversal", "archive refused; nothing written outside the extraction folder")
def _(con, paths):
    with zipfile.ZipFile(paths.raw / POSTCODE_ZIP, "w") as zf:
        zf.writestr("ok.csv", "postcode\n")
        zf.writestr("../../escaped.csv", "pwned\n")
    with pytest.raises(UnsafeArchiveError, match=r"\.\./\.\./escaped\.csv"):
        build_ofcom_postcode_coverage(con, paths, settings())
    assert not list(paths.root.parent.rglob("escaped.csv"))


@case("zip-member-absolute-path", "archive refused")
def _(con, paths):
    with zipfile.ZipFile(paths.raw / "a.zip", "w") as zf:
        zf.writestr("/etc/passwd-copy", "x\n")
    with pytest.raises(UnsafeArchiveError):
        extract_zip(paths.raw / "a.zip", paths.raw / "_extracted")


@case("ofcom-duplicate-postcodes", "identical copies: one kept; conflicting copies: all rejected")
def _(con, paths):
    header = RELEASE_HEADERS["2024"]["postcode"]
    rows = [
        ofcom_row(header, "CM20 1AA", VALUES),
        ofcom_row(header, "CM20 1AA", VALUES),
        ofcom_row(header, "CM20 1AB", VALUES),
        ofcom_row(header, "CM20 1AB", VALUES | {"gigabit_pct": 10}),
    ]
    with zipfile.ZipFile(paths.raw / POSTCODE_ZIP, "w") as zf:
        zf.writestr("cm.csv", csv_text(header, rows))
    result = accounted(build_ofcom_postcode_coverage(con, paths, settings()))
    assert result.rows_kept == 1
    assert sorted((r[1], r[4].split(" (")[0]) for r in result.rejects.rows) == [
        (3, "duplicate"),
        (4, "duplicate with conflicting values"),
        (5, "duplicate with conflicting values"),
    ]


@case("ofcom-malformed-postcode", "row rejected: malformed postcode")
def _(con, paths):
    ofcom_postcode_zip(paths.raw / POSTCODE_ZIP, "2024", {"CM20 1AA": VALUES, "NOT A PC": VALUES})
    result = accounted(build_ofcom_postcode_coverage(con, paths, settings()))
    assert reasons(result.rejects) == ["malformed postcode"]


def _bad_percentage(value: str, reason: str):
    def run(con, paths):
        ofcom_postcode_zip(
            paths.raw / POSTCODE_ZIP, "2024", {"CM20 1AA": VALUES, "CM20 1AB": VALUES | {"gigabit_pct": value}}
        )
        result = accounted(build_ofcom_postcode_coverage(con, paths, settings()))
        ((file, row, field, shown, why, kind, key),) = result.rejects.rows
        assert (row, field, shown, why, kind) == (3, "Gigabit availability (% premises)", value, reason, "invalid")
        assert file.endswith(f"{POSTCODE_ZIP}!202407-fixed-coverage-postcodes-r01_cm.csv")

    return run


for _value, _reason, _slug in (
    ("101", "outside 0-100", "over-100"),
    ("-0.5", "outside 0-100", "negative"),
    ("n/a", "not a number", "n-a"),
    ("*", "not a number", "asterisk"),
    ("<3", "not a number", "less-than-3"),
    ("NaN", "not a number", "nan"),
    ("12.", "not a number", "trailing-point"),
):
    case(f"ofcom-percentage-{_slug}", f"row rejected: {_value!r} is {_reason}")(_bad_percentage(_value, _reason))


@case("ofcom-release-not-in-name", "error asking for Ofcom's file name, which carries the release")
def _(con, paths):
    ofcom_postcode_zip(paths.raw / "fixed-postcode-coverage.zip", "2024", {"CM20 1AA": VALUES})
    with pytest.raises(SourceFormatError, match="cannot tell the release"):
        build_ofcom_postcode_coverage(con, paths, settings())


@case(
    "district-means-bad-values", "rows rejected: non-numeric, out of range, malformed district, conflicting duplicate"
)
def _(con, paths):
    header = [
        "district",
        "postcodeArea",
        "sampleSize",
        "gigabitPercent",
        "superfastPercent",
        "ultrafastPercent",
        "belowUsoPercent",
        "ngaPercent",
    ]
    (paths.raw / "postcode_district_coverage_202407.csv").write_text(
        csv_text(
            header,
            [
                ["CM20", "CM", 415, 86.3, 96.5, 88.0, 0.0, 97.0],
                ["CM17", "CM", 496, "n/a", 97.5, 80.2, 0.0, 99.8],
                ["CM18", "CM", 397, 95.8, 199.4, 96.3, 0.0, 99.9],
                ["CM19", "CM", 329, 89.9, 94.6, 90.0, 0.2, 95.2],
                ["CM19", "CM", 329, 50.0, 94.6, 90.0, 0.2, 95.2],
                ["C M", "CM", 1, 1, 1, 1, 1, 1],
            ],
        )
    )
    read = read_ofcom_district(con, locate(OFCOM_POSTCODE_DISTRICT, paths, download=False))
    assert [r[0] for r in con.execute("SELECT key FROM ofcom_district").fetchall()] == ["CM20"]
    assert {(r[1], r[2], r[4]) for r in read.rejects.rows} >= {
        (3, "gigabitPercent", "not a number"),
        (4, "superfastPercent", "outside 0-100"),
        (5, "district", "duplicate with conflicting values"),
        (6, "district", "duplicate with conflicting values"),
        (7, "district", "malformed postcode district"),
    }


@case("district-means-broken-json", "error naming the JSON file and line")
def _(con, paths):
    (paths.raw / "postcode-district-coverage.json").write_text('[{"district": "CM20",\n "sampleSize": }]')
    with pytest.raises(SourceFormatError) as err:
        read_ofcom_district(con, locate(OFCOM_POSTCODE_DISTRICT, paths, download=False))
    assert err.value.row == 2 and "postcode-district-coverage.json" in str(err.value)


# --- Code-Point Open and the ONS lookup -----------------------------------------------------


def _codepoint(con, paths, lines):
    codepoint_zip(paths.raw / "codepo_gb.zip", {"cm": lines})
    return accounted(build_codepoint_open(con, paths, settings())[0])


@case("codepoint-no-position", "row rejected: Code-Point gives 0,0 for this postcode")
def _(con, paths):
    result = _codepoint(
        con, paths, [codepoint_line("CM20 1AA", 544000, 210000), codepoint_line("CM20 1AB", 0, 0, pq=90)]
    )
    assert [(r[1], r[2]) for r in result.rejects.rows] == [(2, "Eastings")] and "no position" in reasons(
        result.rejects
    )[0]


@case("codepoint-outside-great-britain", "row rejected: coordinates outside Great Britain")
def _(con, paths):
    result = _codepoint(
        con, paths, [codepoint_line("CM20 1AA", 544000, 210000), codepoint_line("CM20 1AB", 544000, 2_500_000)]
    )
    assert reasons(result.rejects) == ["northing outside Great Britain (1-1300000 m)"]


@case("codepoint-malformed-postcode", "row rejected: malformed postcode")
def _(con, paths):
    result = _codepoint(con, paths, [codepoint_line("CM20 1A", 544000, 210000)])
    assert reasons(result.rejects) == ["malformed postcode"]


@case("codepoint-duplicate-postcode", "exact repeat collapsed and counted; conflicting copies all rejected")
def _(con, paths):
    result = _codepoint(
        con,
        paths,
        [
            codepoint_line("CM20 1AA", 544000, 210000),
            codepoint_line("CM20 1AA", 544000, 210000),
            codepoint_line("CM20 1AB", 544000, 210000),
            codepoint_line("CM20 1AB", 544050, 210000),
        ],
    )
    assert sorted((r[1], r[3], r[5]) for r in result.rejects.rows) == [
        (2, "CM20 1AA", "duplicate"),
        (3, "CM20 1AB", "duplicate"),
        (4, "CM20 1AB", "duplicate"),
    ]
    assert result.rows_kept == 1 and "collapsed" in reasons(result.rejects)[0] + reasons(result.rejects)[1]


@case("codepoint-extra-field", "error naming the area file and the row")
def _(con, paths):
    codepoint_zip(
        paths.raw / "codepo_gb.zip",
        {"cm": [codepoint_line("CM20 1AA", 544000, 210000), codepoint_line("CM20 1AB", 544000, 210000) + ',"extra"']},
    )
    with pytest.raises(SourceFormatError) as err:
        read_codepoint(con, locate(CODEPOINT_OPEN, paths, download=False), paths)
    assert "codepo_gb.zip" in str(err.value) and err.value.row == 2


@case("codepoint-column-layout-changed", "error: the documented column layout is not Code-Point Open's")
def _(con, paths):
    with zipfile.ZipFile(paths.raw / "codepo_gb.zip", "w") as zf:
        zf.writestr("Doc/Code-Point_Open_Column_Headers.csv", "PC,PQ,EA,NO,CY\nPostcode,PQ,E,N,C\n")
        zf.writestr("Data/CSV/cm.csv", codepoint_line("CM20 1AA", 544000, 210000) + "\r\n")
    with pytest.raises(SourceFormatError, match="column layout changed"):
        read_codepoint(con, locate(CODEPOINT_OPEN, paths, download=False), paths)


@case("lookup-missing-column", "error naming the lookup CSV, header row and the missing lsoa11cd column")
def _(con, paths):
    lookup_zip(
        paths.raw / "PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.zip",
        [{"pcds": "CM20 1AA"}],
        header="pcd7,pcd8,pcds,dointr,doterm,usertype,oa11cd,msoa11cd,ladcd,lsoa11nm,msoa11nm,ladnm,ladnmw",
    )
    with pytest.raises(SourceFormatError) as err:
        build_ons_postcode_lookup(con, paths, settings())
    assert (err.value.field, err.value.row) == ("lsoa11cd", 1)
    assert "PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.zip!PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.csv" in str(err.value)


# --- Boundaries ---------------------------------------------------------------------------

BNG = "urn:ogc:def:crs:EPSG::27700"


def _lsoa(code, geometry):
    return ({"LSOA11CD": code, "LSOA11NM": f"Harlow {code[-3:]}"}, geometry)


class _Boundaries:
    """What the boundary reader made of a file: its read (rows, rejects) and the polygons kept."""

    def __init__(self, read, con):
        self.read, self.rejects = read, read.rejects
        self.rows_in, self.repaired = read.rows_in, read.repaired
        self.kept = con.execute("SELECT count(*) FROM b").fetchone()[0]


def _boundaries(con, paths, features, crs=BNG):
    path = geojson(paths.raw / "lsoa2011_E07000073.geojson", features, crs=crs)
    located = Located("lsoa2011_boundaries", path, "data/raw", "data/raw/lsoa2011_E07000073.geojson")
    result = _Boundaries(read_boundaries(con, [BoundaryFile(located, "E07000073")], "b", layer="lsoa2011"), con)
    assert result.rows_in == result.kept + result.rejects.row_count
    return result


def _extent(con):
    return con.execute("SELECT ST_XMin(geom), ST_YMin(geom), ST_Area(geom) / 1e6 FROM b").fetchone()


@case("boundary-self-intersecting", "polygon repaired with ST_MakeValid and counted; kept")
def _(con, paths):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[544000, 210000], [545000, 211000], [545000, 210000], [544000, 211000], [544000, 210000]]],
    }
    result = _boundaries(con, paths, [_lsoa("E01021820", bowtie)])
    assert result.kept == 1 and result.repaired == 1
    valid, area = con.execute("SELECT ST_IsValid(geom), ST_Area(geom) / 1e6 FROM b").fetchone()
    assert valid and area == pytest.approx(0.5)


@case("boundary-unrepairable", "feature rejected: polygon cannot be repaired into a valid area")
def _(con, paths):
    flat = {
        "type": "Polygon",
        "coordinates": [[[544000, 210000], [545000, 210000], [546000, 210000], [544000, 210000]]],
    }
    result = _boundaries(
        con,
        paths,
        [_lsoa("E01021819", {"type": "Polygon", "coordinates": square(544000, 210000, 500)}), _lsoa("E01021820", flat)],
    )
    assert reasons(result.rejects) == ["polygon cannot be repaired into a valid area"]


@case("boundary-missing-code-or-geometry", "features rejected: missing area code, missing geometry, duplicate code")
def _(con, paths):
    result = _boundaries(
        con,
        paths,
        [
            _lsoa("E01021819", {"type": "Polygon", "coordinates": square(544000, 210000, 500)}),
            _lsoa("", {"type": "Polygon", "coordinates": square(546000, 210000, 500)}),
            _lsoa("E01021821", None),
            _lsoa("E01021819", {"type": "Polygon", "coordinates": square(548000, 210000, 500)}),
        ],
    )
    assert sorted((r[1], r[4]) for r in result.rejects.rows) == [
        (2, "missing area code"),
        (3, "missing or empty geometry"),
        (4, "duplicate area code (first feature kept)"),
    ]


@case("boundary-other-crs", "a file declaring another CRS is reprojected to the same place")
def _(con, paths):
    from pyproj import Transformer

    to_wgs = Transformer.from_crs(27700, 4326, always_xy=True)
    ring = [list(to_wgs.transform(x, y)) for x, y in square(544000, 210000, 1000)[0]]
    _boundaries(con, paths, [_lsoa("E01021819", {"type": "Polygon", "coordinates": [ring]})], crs=None)
    wgs = _extent(con)
    _boundaries(con, paths, [_lsoa("E01021819", {"type": "Polygon", "coordinates": square(544000, 210000, 1000)})])
    bng = _extent(con)
    assert wgs == pytest.approx(bng, abs=0.01) and bng[:2] == (544000, 210000)


@case(
    "boundary-grid-metres-labelled-lonlat", "error: coordinates are not longitude/latitude and no other CRS is declared"
)
def _(con, paths):
    with pytest.raises(SourceFormatError, match="not longitude/latitude") as err:
        _boundaries(
            con, paths, [_lsoa("E01021819", {"type": "Polygon", "coordinates": square(544000, 210000, 100)})], crs=None
        )
    assert err.value.row == 1 and "lsoa2011_E07000073.geojson" in str(err.value)


# --- GP, deprivation, rurality, census, connectivity series ------------------------------------


@case("gp-wrong-field-count", "error naming the epraccur file, row and field count")
def _(con, paths):
    good = ods_row("F81027", "LISTER MEDICAL CENTRE", "CM18 6YJ")
    (paths.raw / "epraccur.csv").write_text(good + "\n" + good.rsplit(",", 1)[0] + "\n")
    with pytest.raises(SourceFormatError) as err:
        read_epraccur(con, Located("epraccur", paths.raw / "epraccur.csv", "data/raw", "data/raw/epraccur.csv"), paths)
    assert err.value.row == 2 and "expected 27 fields, found 26" in str(err.value)


@case("gp-malformed-postcode-and-duplicate-code", "rows rejected: malformed postcode; duplicate code")
def _(con, paths):
    lines = [
        ods_row("F81027", "LISTER MEDICAL CENTRE", "CM18 6YJ"),
        ods_row("F81047", "HAMILTON", "NOT A PC"),
        ods_row("F81027", "LISTER AGAIN", "CM18 6YJ"),
    ]
    (paths.raw / "epraccur.csv").write_text("\n".join(lines) + "\n")
    read = read_epraccur(con, Located("epraccur", paths.raw / "epraccur.csv", "data/raw", "epraccur.csv"), paths)
    assert [(r[1], r[2], r[4]) for r in read.rejects.rows] == [
        (2, "Postcode", "malformed postcode"),
        (3, "Organisation Code", "duplicate code (first row kept)"),
    ]


@case("gp-hostile-name", "kept verbatim in the table; outputs escape or defuse it where it is shown")
def _(con, paths):
    hostile = "<img src=x onerror=alert(1)>"
    (paths.raw / "epraccur.csv").write_text(ods_row("F81027", hostile, "CM18 6YJ") + "\n")
    read_epraccur(con, Located("epraccur", paths.raw / "epraccur.csv", "data/raw", "epraccur.csv"), paths)
    assert con.execute("SELECT name FROM epraccur").fetchone()[0] == hostile


IMD1 = [
    "LSOA code (2011)",
    "LSOA name (2011)",
    "Local Authority District code (2019)",
    "Local Authority District name (2019)",
    "Index of Multiple Deprivation (IMD) Rank",
    "Index of Multiple Deprivation (IMD) Decile",
]


def _imd_files(paths, file1_rows, file6_rows=None):
    from pipeline.readers.imd import DOMAINS

    file2_header = ["LSOA code (2011)", "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"]
    from pipeline.readers.iod_columns import MEASURES

    for label in (MEASURES[d] for d in DOMAINS):
        file2_header += [
            f"{label} Rank (where 1 is most deprived)",
            f"{label} Decile (where 1 is most deprived 10% of LSOAs)",
        ]
    file6_header = [
        "LSOA code (2011)",
        "Total population: mid 2015 (excluding prisoners)",
        "Dependent Children aged 0-15: mid 2015 (excluding prisoners)",
        "Population aged 16-59: mid 2015 (excluding prisoners)",
        "Older population aged 60 and over: mid 2015 (excluding prisoners)",
    ]
    codes = {r[0]: r[4] for r in file1_rows}
    files = []
    for name, header, rows in (
        ("f1.csv", IMD1, file1_rows),
        ("f2.csv", file2_header, [[c, rank] + ["100", "1"] * len(DOMAINS) for c, rank in codes.items()]),
        ("f6.csv", file6_header, file6_rows or [[c, "1,500", "300", "900", "300"] for c in codes]),
    ):
        (paths.raw / name).write_bytes(b"\xef\xbb\xbf" + csv_text(header, rows).encode())
        files.append(Located("imd2019", paths.raw / name, "data/raw", name))
    return files


@case("imd-bad-rank", "rows rejected: rank outside 1-32,844 or not a number (thousands separators are fine)")
def _(con, paths):
    files = _imd_files(
        paths,
        [
            ["E01021819", "Harlow 006A", "E07000073", "Harlow", "29,199", "9"],
            ["E01021820", "Harlow 006B", "E07000073", "Harlow", "40,000", "9"],
            ["E01021821", "Harlow 006C", "E07000073", "Harlow", "n/a", "9"],
        ],
    )
    read = read_imd(con, *files)
    assert con.execute("SELECT lsoa11cd, imd_rank, pop_total_2015 FROM imd").fetchall() == [("E01021819", 29199, 1500)]
    assert {(r[1], r[4]) for r in read.rejects.rows if r[0] == "f1.csv"} == {
        (3, "outside 1-32,844"),
        (4, "not a number"),
    }


@case("imd-lsoa-missing-from-file-6", "LSOA rejected: missing from File 6")
def _(con, paths):
    files = _imd_files(
        paths,
        [
            ["E01021819", "Harlow 006A", "E07000073", "Harlow", "29199", "9"],
            ["E01021820", "Harlow 006B", "E07000073", "Harlow", "10", "1"],
        ],
        file6_rows=[["E01021819", "1500", "300", "900", "300"]],
    )
    read = read_imd(con, *files)
    assert [(r[1], r[4]) for r in read.rejects.rows] == [(3, "LSOA has no valid row in File 6")]


@case("ruc-unknown-class", "row rejected: unknown rural-urban class")
def _(con, paths):
    (paths.raw / "ruc.csv").write_text(
        csv_text(
            ["LSOA11CD", "LSOA11NM", "RUC11CD", "RUC11"],
            [["E01021819", "Harlow 006A", "C1", "Urban city and town"], ["E01021820", "Harlow 006B", "Z9", "Made up"]],
        )
    )
    from pipeline.readers.ruc import RUC2011

    read = read_ruc(con, Located("ruc2011", paths.raw / "ruc.csv", "data/raw", "ruc.csv"), RUC2011)
    assert [(r[1], r[2]) for r in read.rejects.rows] == [(3, "RUC11CD")]


@case("census-missing-age-band", "error naming the nomis file and the missing age-band column")
def _(con, paths):
    from pipeline.ingest.people import build_census_age

    (paths.raw / "census2021-ts007a-lsoa.csv").write_text(
        csv_text(
            ["date", "geography", "geography code", "Age: Total", "Age: Aged 4 years and under"],
            [["2021", "Harlow 006A", "E01021819", "100", "5"]],
        )
    )
    with pytest.raises(
        SourceFormatError, match="census2021-ts007a-lsoa.csv, row 1, field 'Age: Aged .*required column"
    ):
        build_census_age(con, paths, settings())


# Census TS007A's header with the bands the reader needs (age 0-15, 65-74, 75+), for the cases below
CENSUS_AGE_HEADER = ["date", "geography", "geography code", "Age: Total"] + [
    f"Age: Aged {b}"
    for b in (
        "4 years and under",
        "5 to 9 years",
        "10 to 14 years",
        "65 to 69 years",
        "70 to 74 years",
        "75 to 79 years",
        "80 to 84 years",
        "85 years and over",
    )
]


@case("census-part-exceeds-total", "row rejected: the age bands add up to more than the total")
def _(con, paths):
    from pipeline.ingest.people import build_census_age

    header = CENSUS_AGE_HEADER
    (paths.raw / "census2021-ts007a-lsoa.csv").write_text(
        csv_text(
            header,
            [
                ["2021", "Harlow 006A", "E01021819", "100", "5", "5", "5", "5", "5", "5", "5", "5"],
                ["2021", "Harlow 006B", "E01021820", "10", "50", "5", "5", "5", "5", "5", "5", "5"],
            ],
        )
    )
    result = accounted(build_census_age(con, paths, settings()))
    assert result.rows_kept == 1 and result.rejects.rows[0][1] == 3


@case("census-count-decimal-comma", "row rejected: a band written '1,0' is not a number (no comma is deleted)")
def _(con, paths):
    from pipeline.ingest.people import build_census_age

    header = CENSUS_AGE_HEADER
    (paths.raw / "census2021-ts007a-lsoa.csv").write_text(
        csv_text(
            header,
            [
                ["2021", "Harlow 006A", "E01021819", "1,500", "5", "5", "5", "5", "5", "5", "5", "5"],
                ["2021", "Harlow 006B", "E01021820", "100", "1,0", "5", "5", "5", "5", "5", "5", "5"],
            ],
        )
    )
    result = accounted(build_census_age(con, paths, settings()))
    assert [(r[1], r[2], r[3], r[4]) for r in result.rejects.rows] == [
        (3, "Age: Aged 4 years and under", "1,0", "not a number")
    ]
    kept = con.execute(f"SELECT residents FROM read_parquet('{paths.table_path('census_age')}')").fetchall()
    assert kept == [(1500,)]


@case("csv-blank-lines-keep-line-numbers", "rows after blank lines are rejected under their own line number")
def _(con, paths):
    from pipeline.readers.ruc import RUC2011

    (paths.raw / "ruc.csv").write_text(
        "LSOA11CD,LSOA11NM,RUC11CD,RUC11\n\nE01021819,Harlow 006A,C1,Urban\n\n\nE01021820,Harlow 006B,Z9,Made up\n"
    )
    read = read_ruc(con, Located("ruc2011", paths.raw / "ruc.csv", "data/raw", "ruc.csv"), RUC2011)
    assert [(r[1], r[2], r[3]) for r in read.rejects.rows] == [(6, "RUC11CD", "Z9")]
    assert con.execute("SELECT lsoa_code, source_row FROM ruc").fetchall() == [("E01021819", 3)]


@case("csv-empty-file", "error naming the file and row 1: file is empty")
def _(con, paths):
    from pipeline.ingest.people import build_census_age

    (paths.raw / "census2021-ts007a-lsoa.csv").write_text("  \r\n")
    with pytest.raises(SourceFormatError, match=r"census2021-ts007a-lsoa.csv, row 1: file is empty"):
        build_census_age(con, paths, settings())


@case("csv-semicolon-delimited", "error naming the lookup file, its header row and the ';' delimiter")
def _(con, paths):
    from pipeline.readers.lsoa_lookup import read_lsoa_lookup

    (paths.raw / "lookup.csv").write_text("\nLSOA11CD;LSOA21CD;CHGIND\nE01021819;E01021819;U\n")
    with pytest.raises(SourceFormatError, match="';'-delimited") as err:
        read_lsoa_lookup(con, Located("lsoa_lookup", paths.raw / "lookup.csv", "data/raw", "lookup.csv"))
    assert err.value.row == 2 and "lookup.csv" in str(err.value)


def _iod2025_files(paths, file7_values: dict[str, dict[str, str]]):
    """IoD 2025 Files 1 and 3 (two LSOAs) and File 7 with the given values, in MHCLG's layout (as CSV)."""
    from pipeline.readers.iod2025 import CODE, FILE1, FILE3, FILE7

    national = {"E01021819": ("Harlow 006A", "1000", "1"), "E01021820": ("Harlow 006B", "20,000", "7")}
    files = []
    for name, fields in (("f1.csv", FILE1), ("f3.csv", FILE3), ("f7.csv", FILE7)):
        header = [CODE[0]] + [f.aliases[0] for f in fields.values()]
        rows = []
        for code, (lsoa_name, rank, decile) in national.items():
            if name == "f7.csv" and code not in file7_values:
                continue
            cells = {"lsoa21nm": lsoa_name, "lad_code": "E07000073", "lad_name": "Harlow"}
            for key, f in fields.items():
                if key not in cells:
                    cells[key] = {"rank": rank, "decile": decile, "count": "1,500"}.get(f.kind, "0.1")
            changed = file7_values.get(code, {}) if name == "f7.csv" else {}
            rows.append([code] + [changed.get(k, cells[k]) for k in fields])
        (paths.raw / name).write_text(csv_text(header, rows))
        files.append(Located("iod2025", paths.raw / name, "data/raw", name))
    return files


def _iod2025_bad_file7_value(field: str, value: str, column: str, reason: str):
    def run(con, paths):
        from pipeline.readers.iod2025 import read_iod2025

        file1, file3, file7 = _iod2025_files(paths, {"E01021819": {field: value}, "E01021820": {}})
        read = read_iod2025(con, file1, file3, file7)
        assert [(r[0], r[1], r[2], r[3], r[4]) for r in read.rejects.rows] == [("f7.csv", 2, column, value, reason)]
        rows = con.execute(f"SELECT lsoa21cd, imd_rank, {field}, scores_from FROM iod2025 ORDER BY 1").fetchall()
        # The LSOA stays, ranked from File 1, with no File 7 scores; the other keeps its scores.
        good = 1500 if field.startswith("pop_") else 0.1
        assert rows == [("E01021819", 1000, None, None), ("E01021820", 20000, good, "f7.csv")]
        assert read.rows_in == read.rows_kept + read.rejects.row_count

    return run


for _slug, _key, _bad, _column, _why in (
    ("decimal-comma", "income_score", "0,249", "Income Score", "not a number"),
    ("rate-over-1", "income_score", "1,249", "Income Score", "outside 0-1"),
    ("infinite-score", "imd_score", "1e999", "Index of Multiple Deprivation (IMD) Score", "not a finite number"),
    ("count-not-whole", "pop_total_2022", "1500.5", "Total population: mid 2022", "not a whole number >= 0"),
):
    case(
        f"iod2025-file7-{_slug}",
        f"File 7 row rejected: {_bad!r} in {_column!r} is {_why}; the LSOA keeps its File 1 rank and has no scores",
    )(_iod2025_bad_file7_value(_key, _bad, _column, _why))


@case(
    "iod2025-file7-rank-disagrees",
    "File 7 row rejected: its IMD rank differs from File 1's (another upload of "
    "the release); its scores are not used, the LSOA keeps File 1's rank",
)
def _(con, paths):
    from pipeline.readers.iod2025 import read_iod2025

    file1, file3, file7 = _iod2025_files(paths, {"E01021819": {"imd_rank": "999"}, "E01021820": {}})
    read = read_iod2025(con, file1, file3, file7)
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in read.rejects.rows] == [
        (
            "f7.csv",
            2,
            "imd_rank",
            "999",
            "imd_rank differs from File 1 (1000): not the same upload of the release; scores not used",
        )
    ]
    rows = con.execute("SELECT lsoa21cd, imd_rank, imd_score, scores_from FROM iod2025 ORDER BY 1").fetchall()
    assert rows == [("E01021819", 1000, None, None), ("E01021820", 20000, 0.1, "f7.csv")]
    assert (read.rows_in, read.rows_kept, read.notes["lsoas_with_scores"]) == (6, 5, 1)


@case(
    "outcome-infinite-or-decimal-comma",
    "rows rejected: '1e999' is not a finite number, '0,5' not a number; nothing is published as infinity or 5",
)
def _(con, paths):
    from pipeline.readers.outcomes import read_outcome_file

    path = paths.raw / "outcome.csv"
    path.write_text(
        "# source: synthetic test outcome\n"
        + csv_text(["lsoa21cd", "rate"], [["E01021819", "0.5"], ["E01021820", "1e999"], ["E01021821", "0,5"]])
    )
    outcome = read_outcome_file(con, Located("user_outcomes", path, "data/raw", "outcomes/outcome.csv"))
    assert outcome.values == {"E01021819": 0.5}
    assert [(r[1], r[2], r[3], r[4]) for r in outcome.rejects.rows] == [
        (4, "rate", "1e999", "not a finite number"),
        (5, "rate", "0,5", "not a number"),
    ]


def _series_folder(paths, rows, extra_files=()):
    folder = paths.raw / "ons-local-indicators"
    folder.mkdir(parents=True)
    header = ["AREACD", "AREANM", "Geography", "Indicator", "Period", "Observation"]
    (folder / "gigabit-capable-broadband_2024-07.csv").write_text(csv_text(header, rows))
    for name in extra_files:
        (folder / name).write_text("a,b\n1,2\n")
    _no_postcodes(paths)


def _no_postcodes(paths):
    """An empty codepoint_open table: the series step looks up the study districts' counties in it."""
    import duckdb

    paths.gen.mkdir(parents=True, exist_ok=True)
    duckdb.sql(f"""COPY (SELECT NULL::VARCHAR AS lad_code, NULL::VARCHAR AS county_code LIMIT 0)
                   TO '{paths.table_path("codepoint_open")}' (FORMAT parquet)""")


def series(con, paths, lads):
    """(la_connectivity_series, district_connectivity_series) results of the series step."""
    from pipeline.runner import call_builder
    from pipeline.steps import BY_NAME

    national, district = call_builder(BY_NAME["connectivity_series"], con, paths, settings(lads))
    return accounted(national), district


@case("series-non-numeric-value", "row rejected: not a percentage (not a number)")
def _(con, paths):
    _series_folder(
        paths,
        [
            ["E07000073", "Harlow", "Local Authority District", "Gigabit", "2024-07", "90.5"],
            ["E07000095", "Broxbourne", "Local Authority District", "Gigabit", "2024-07", "[c]"],
        ],
    )
    result, _ = series(con, paths, ["E07000073", "E07000095"])
    assert [(r[2], r[4]) for r in result.rejects.rows] == [("Observation", "not a percentage: not a number")]


@case("series-decimal-comma", "row rejected: a decimal comma is not read as a thousands separator")
def _(con, paths):
    _series_folder(paths, [["E07000073", "Harlow", "Local Authority District", "Gigabit", "2024-07", "90,5"]])
    result, _ = series(con, paths, ["E07000073"])
    assert result.rows_kept == 0 and result.rejects.rows[0][3] == "90,5"


@case("series-unknown-file", "unknown file listed in rejects as out of scope; the rest is read")
def _(con, paths):
    _series_folder(
        paths,
        [["E07000073", "Harlow", "Local Authority District", "Gigabit", "2024-07", "90.5"]],
        extra_files=["broadband-speeds-notes.csv"],
    )
    result, _ = series(con, paths, ["E07000073"])
    assert [(r[3], r[5]) for r in result.rejects.rows] == [("broadband-speeds-notes.csv", "out_of_scope")]
    assert result.rows_kept == 1


def _history(paths, files: dict[str, tuple[str, list]], manifest: dict[str, str] | None = None, national=None):
    """ONS's publisher layout: history/<indicator>__<label>__<commit>.csv (+ MANIFEST.csv) and national/."""
    root = paths.raw / "ons-explore-local-statistics"
    (root / "history").mkdir(parents=True)
    header = ["areacd", "areanm", "geography", "indicator", "period", "observation"]
    for name, (label, values) in files.items():
        (root / "history" / name).write_text(
            csv_text(header, [[c, n, "Lower Tier Local Authority", "Gigabit", label, v] for c, n, v in values])
        )
    if manifest:
        (root / "history" / "MANIFEST.csv").write_text(
            csv_text(["file", "commit", "commit_date"], [[f, f.split("__")[2][:-4], d] for f, d in manifest.items()])
        )
    if national:
        (root / "national").mkdir()
        values, as_of = national
        (root / "national" / "gigabit-capable-broadband.csv").write_text(
            csv_text(header, [[c, n, "Lower Tier Local Authority", "Gigabit", "2026-01-01", v] for c, n, v in values])
        )
        (root / "national" / "gigabit-capable-broadband.json").write_text(
            json.dumps(
                {
                    "ess-beta-metadata": {
                        "longDescription": f"... gigabit ..., in the UK, as of {as_of}.",
                        "sourceDate": "13/05/2026",
                    }
                }
            )
        )
    _no_postcodes(paths)


@case(
    "series-repeated-release-counted-once",
    "two files with identical values are one release, dated by the "
    "label of the copy committed last; the repeat is counted as a duplicate",
)
def _(con, paths):
    a = [("E07000073", "Harlow", "90.5"), ("E07000095", "Broxbourne", "91.0")]
    b = [("E07000073", "Harlow", "88.0"), ("E07000095", "Broxbourne", "89.5")]
    _history(
        paths,
        {
            "gigabit-capable-broadband__2025-01-15__aaaaaaa.csv": ("2025-01-15", a),
            "gigabit-capable-broadband__2025-07-01__bbbbbbb.csv": ("2025-07-01", a),
            "gigabit-capable-broadband__2025-01__ccccccc.csv": ("2025-01", b),
        },
        manifest={
            "gigabit-capable-broadband__2025-01-15__aaaaaaa.csv": "2026-01-12",
            "gigabit-capable-broadband__2025-07-01__bbbbbbb.csv": "2026-01-14",
            "gigabit-capable-broadband__2025-01__ccccccc.csv": "2025-07-15",
        },
    )
    result, district = series(con, paths, ["E07000073", "E07000095"])
    table = paths.table_path("la_connectivity_series")
    rows = con.execute(f"""SELECT release, dated_by, value FROM read_parquet('{table}')
                           WHERE area_code = 'E07000073' ORDER BY release""").fetchall()
    assert rows == [("2025-01", "ONS period label", 88.0), ("2025-07", "ONS period label", 90.5)]
    assert result.counts["releases_per_indicator"] == {"gigabit_capable_pct": 2}
    assert sorted(r[5] for r in result.rejects.rows) == ["duplicate", "duplicate"]
    assert district.rows_kept == 4


@case("series-dated-by-json", "the current file is dated by the 'as of' of its .json, not by a period label")
def _(con, paths):
    a = [("E07000073", "Harlow", "90.9")]
    _history(
        paths, {"gigabit-capable-broadband__2026-01-01__ddddddd.csv": ("2026-01-01", a)}, national=(a, "January 2026")
    )
    result, _ = series(con, paths, ["E07000073"])
    row = con.execute(f"""SELECT release, release_name, dated_by, release_basis
                          FROM read_parquet('{paths.table_path("la_connectivity_series")}')""").fetchall()
    assert row[0][:3] == ("2026-01", "January 2026", "ONS metadata") and "gigabit-capable-broadband.json" in row[0][3]
    assert [r[5] for r in result.rejects.rows] == ["duplicate"]


@case("config-bad-lad-code", "error naming the settings file and the bad code")
def _(con, paths):
    from pipeline.settings import load_settings

    config = paths.root / "diz.toml"
    config.write_text('[study_area]\nlad_codes = ["E07000073", "Harlow"]\n')
    with pytest.raises(DizError, match=re.escape(str(config))) as err:
        load_settings(config)
    assert "HARLOW" in str(err.value) and "[study_area] lad_codes" in str(err.value)


@case("config-unknown-weight", "error naming the weights file and the unknown indicator")
def _(con, paths):
    from pipeline.analysis.scores import load_weights

    bad = paths.root / "w.toml"
    bad.write_text("[components]\nage = 1\n[age]\npct_76_plus = 1\n")
    with pytest.raises(DizError, match="w.toml \\[age\\] pct_76_plus: not an indicator"):
        load_weights(bad, "need")


@case("ods-cp1252-name", "a cp1252 practice name (CAFÉ) is decoded, not rejected")
def _(con, paths):
    (paths.raw / "epraccur.csv").write_bytes((ods_row("F81027", "CAFÉ SURGERY", "CM18 6YJ") + "\n").encode("cp1252"))
    read_epraccur(con, Located("epraccur", paths.raw / "epraccur.csv", "data/raw", "epraccur.csv"), paths)
    assert con.execute("SELECT name FROM epraccur").fetchone()[0] == "CAFÉ SURGERY"


@case("la-file-in-zip-prefers-residential", "a multi-file Ofcom LA archive is read from its residential file")
def _(con, paths):
    header = RELEASE_HEADERS["2024"]["local_authority"]
    with zipfile.ZipFile(paths.raw / "202407-fixed-coverage-uk-nations-laua-pcon-r01.zip", "w") as zf:
        zf.writestr(
            "202407_fixed_laua_res_coverage_r01.csv", csv_text(header, [ofcom_row(header, "E07000073", VALUES)])
        )
        zf.writestr("202407_fixed_pcon_coverage_r01.csv", "pcon,x\n1,2\n")
    result = accounted(build_ofcom_la_coverage(con, paths, settings()))
    assert result.rows_kept == 1 and json.dumps(result.counts["releases"]) == '["2024-07"]'


# --- OS Open Names (settlement labels) -------------------------------------------------------

OPEN_NAMES_HEADER = [
    "fid",
    "ID",
    "NAMES_URI",
    "NAME1",
    "NAME1_LANG",
    "NAME2",
    "NAME2_LANG",
    "TYPE",
    "LOCAL_TYPE",
    "X",
    "Y",
    "MOST_DETAIL_VIEW_RES",
    "LEAST_DETAIL_VIEW_RES",
    "DISTRICT_BOROUGH",
]


def _place(fid, os_id, name, local_type, x, y, kind="populatedPlace"):
    """One row in the republished OS Open Names layout (synthetic test input)."""
    return [fid, os_id, "", name, "", "", "", kind, local_type, x, y, "20000", "2000000", "Harlow"]


def _open_names(con, paths, rows, header=OPEN_NAMES_HEADER):
    from pipeline.readers.open_names import read_open_names

    path = paths.raw / "gb_populated_places_all_BNG.csv"
    path.write_text(csv_text(header, rows), encoding="utf-8")
    return read_open_names(con, Located("os_open_names", path, "data/raw", "data/raw/" + path.name), paths)


@case(
    "open-names-bad-rows",
    "rows rejected with file, line, field and value: outside Great Britain, unknown type, "
    "not a populated place, no name; exact repeat collapsed, conflicting copies rejected",
)
def _(con, paths):
    from pipeline.ingest.result import account

    read = _open_names(
        con,
        paths,
        [
            _place(1, "osgb1", "Harlow", "Town", "544705", "209868"),
            _place(2, "osgb2", "Nowhere", "Village", "912000", "209868"),
            _place(3, "osgb3", "Somewhere", "Metropolis", "544000", "209000"),
            _place(4, "osgb4", "High Street", "Named Road", "544000", "209000", kind="transportNetwork"),
            _place(5, "osgb5", "", "Hamlet", "544000", "209000"),
            _place(6, "osgb6", "Old Harlow", "Suburban Area", "547000", "211000"),
            _place(7, "osgb6", "Old Harlow", "Suburban Area", "547000", "211000"),
            _place(8, "osgb7", "Potter Street", "Suburban Area", "547000", "208000"),
            _place(9, "osgb7", "Potters Street", "Village", "547100", "208000"),
        ],
    )
    got = {(r[1], r[2], r[3]): r[4] for r in read.rejects.rows}
    label = "data/raw/gb_populated_places_all_BNG.csv"
    assert all(r[0] == label for r in read.rejects.rows)
    assert got[(3, "X", "912000")] == "easting outside Great Britain (0-700000 m)"
    assert got[(4, "LOCAL_TYPE", "Metropolis")].startswith("unknown settlement type")
    assert got[(5, "TYPE", "transportNetwork")] == "not a populated place"
    assert got[(6, "NAME1", None)] == "missing name"  # an empty field has no value to show
    assert got[(8, "ID", "osgb6")] == "exact repeat of an earlier row (collapsed)"
    assert got[(9, "ID", "osgb7")] == got[(10, "ID", "osgb7")] == "2 rows for this ID with different values; none used"
    kept = [r[0] for r in con.execute("SELECT name FROM open_names ORDER BY source_row").fetchall()]
    assert kept == ["Harlow", "Old Harlow"]
    assert account(read, len(kept)) == (9, 2)


@case("open-names-missing-column", "error naming the file, header row and the missing LOCAL_TYPE column")
def _(con, paths):
    header = [h for h in OPEN_NAMES_HEADER if h != "LOCAL_TYPE"]
    with pytest.raises(SourceFormatError) as err:
        _open_names(
            con,
            paths,
            [_place(1, "osgb1", "Harlow", "Town", "544705", "209868")[:8] + ["544705", "209868", "1", "2", "Harlow"]],
            header,
        )
    assert (err.value.field, err.value.row) == ("LOCAL_TYPE", 1)
    assert "gb_populated_places_all_BNG.csv" in str(err.value)


# Registered above; one test per case, named by its id.
@pytest.mark.parametrize("case_id", list(CASES), ids=str)
def test_bad_input(case_id, con, paths):
    CASES[case_id][1](con, paths)
