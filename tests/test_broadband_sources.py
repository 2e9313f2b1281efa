"""Ofcom coverage readers (postcode, local authority, postcode district) and the per-postcode table."""

from __future__ import annotations

import json

import pytest

from pipeline.errors import SourceFormatError
from pipeline.fetch import locate, locate_each
from pipeline.ingest.broadband import (build_broadband_coverage, build_ofcom_la_coverage, build_ofcom_postcode_coverage,
                                       build_ofcom_postcode_district)
from pipeline.readers.ofcom_columns import RELEASE_HEADERS
from pipeline.readers.ofcom_district import read_ofcom_district
from pipeline.readers.ofcom_postcode import read_ofcom_postcode
from pipeline.registry import OFCOM_POSTCODE_COVERAGE, OFCOM_POSTCODE_DISTRICT
from tests.builders import csv_text, ofcom_la_csv, ofcom_postcode_zip

VALUES = {"all_premises": 12, "sfbb_pct": 91.5, "ufbb100_pct": 80, "ufbb_pct": 75.25, "full_fibre_pct": 60,
          "gigabit_pct": 70.5, "below_10_pct": 1.5, "below_30_pct": 8.5, "below_uso_pct": 0.5, "nga_pct": 99}


@pytest.mark.parametrize("year", sorted(RELEASE_HEADERS))
def test_every_release_header_maps_to_the_same_schema(con, paths, year):
    ofcom_postcode_zip(paths.raw / f"{year}07-fixed-coverage-postcodes-r01.zip", year, {"CM20 1AA": VALUES})
    read = read_ofcom_postcode(con, locate_each(OFCOM_POSTCODE_COVERAGE, paths), paths)
    row = con.execute(f"SELECT * FROM {read.table}").fetchdf().iloc[0].to_dict()
    assert row["key"] == "CM20 1AA" and row["release"] == f"{year}-07"
    header = RELEASE_HEADERS[year]["postcode"]
    for field, value in VALUES.items():
        published = any(field_name(col) == field for col in header)
        if published:
            assert row[field] == pytest.approx(value), field
        else:
            assert row[field] is None or row[field] != row[field], f"{field} is not in the {year} file"
    assert len(read.rejects) == 0


def field_name(column: str) -> str | None:
    from pipeline.readers.ofcom_columns import METRICS, normalise_header

    return next((f for f, names in METRICS.items() if normalise_header(column) in map(normalise_header, names)), None)


def test_gigabit_is_missing_not_invented_for_2019(con, paths):
    ofcom_postcode_zip(paths.raw / "201909-fixed-coverage-postcodes-r01.zip", "2019", {"CM20 1AA": VALUES})
    read = read_ofcom_postcode(con, locate_each(OFCOM_POSTCODE_COVERAGE, paths), paths)
    gigabit, full_fibre = con.execute(f"SELECT gigabit_pct, full_fibre_pct FROM {read.table}").fetchone()
    assert gigabit is None and full_fibre == 60


@pytest.mark.parametrize("bad", ["n/a", "*", "<3", "101", "-0.5", "NaN"])
def test_unusable_percentage_rejects_the_row_naming_the_published_column(con, paths, bad):
    ofcom_postcode_zip(paths.raw / "202407-fixed-coverage-postcodes-r01.zip", "2024",
                       {"CM20 1AA": VALUES, "CM20 1AB": VALUES | {"gigabit_pct": bad}})
    result = build_ofcom_postcode_coverage(con, paths)
    assert (result.rows_in, result.rows_kept, result.rows_rejected) == (2, 1, 1)
    (file, row, field, value, reason, kind), = result.rejects.rows
    assert file.endswith("202407-fixed-coverage-postcodes-r01.zip!202407-fixed-coverage-postcodes-r01_cm.csv")
    assert (row, field, value) == (3, "Gigabit availability (% premises)", bad)
    assert reason in ("not a number", "outside 0-100") and kind == "invalid"


def test_duplicate_postcodes_keep_one_copy_unless_they_conflict(con, paths):
    import zipfile

    header = RELEASE_HEADERS["2024"]["postcode"]
    from tests.builders import ofcom_row

    rows = [ofcom_row(header, "CM20 1AA", VALUES), ofcom_row(header, "CM20 1AA", VALUES),
            ofcom_row(header, "CM20 1AB", VALUES), ofcom_row(header, "CM20 1AB", VALUES | {"gigabit_pct": 10})]
    with zipfile.ZipFile(paths.raw / "202407-fixed-coverage-postcodes-r01.zip", "w") as zf:
        zf.writestr("cm.csv", csv_text(header, rows))
    result = build_ofcom_postcode_coverage(con, paths)
    kept = [r[0] for r in con.execute(f"SELECT key FROM read_parquet('{paths.table_path('ofcom_postcode_coverage')}')").fetchall()]
    assert kept == ["CM20 1AA"]
    reasons = sorted((r[1], r[4].split(" (")[0]) for r in result.rejects.rows)
    assert reasons == [(3, "duplicate"), (4, "duplicate with conflicting values"), (5, "duplicate with conflicting values")]
    assert result.rows_in == result.rows_kept + result.rows_rejected


def test_windows_cp1252_local_authority_file_is_read(con, paths):
    header = RELEASE_HEADERS["2024"]["local_authority"]
    from tests.builders import ofcom_row

    row = ofcom_row(header, "W06000001", VALUES)
    row[header.index("laua_name")] = "Ynys Môn"
    (paths.raw / "202407_fixed_laua_res_coverage_r01.csv").write_bytes(csv_text(header, [row]).encode("cp1252"))
    result = build_ofcom_la_coverage(con, paths)
    assert result.rows_kept == 1 and result.counts["releases"] == ["2024-07"]


def test_byte_order_mark_does_not_hide_the_first_column(con, paths):
    header = RELEASE_HEADERS["2024"]["local_authority"]
    from tests.builders import ofcom_row

    text = csv_text(header, [ofcom_row(header, "E07000073", VALUES)])
    (paths.raw / "202407_fixed_laua_res_coverage_r01.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert build_ofcom_la_coverage(con, paths).rows_kept == 1


def test_semicolon_delimited_file_is_an_error_saying_so(con, paths):
    header = RELEASE_HEADERS["2024"]["local_authority"]
    from tests.builders import ofcom_row

    (paths.raw / "202407_fixed_laua_res_coverage_r01.csv").write_text(
        csv_text(header, [ofcom_row(header, "E07000073", VALUES)], delimiter=";"))
    with pytest.raises(SourceFormatError, match="';'-delimited") as err:
        build_ofcom_la_coverage(con, paths)
    assert "202407_fixed_laua_res_coverage_r01.csv" in str(err.value) and err.value.row == 1


def test_missing_superfast_column_is_an_error_naming_it(con, paths):
    header = [h for h in RELEASE_HEADERS["2024"]["local_authority"] if not h.startswith("SFBB")]
    from tests.builders import ofcom_row

    (paths.raw / "202407_fixed_laua_res_coverage_r01.csv").write_text(
        csv_text(header, [ofcom_row(header, "E07000073", VALUES)]))
    with pytest.raises(SourceFormatError) as err:
        build_ofcom_la_coverage(con, paths)
    assert err.value.field == "SFBB availability (% premises)" and err.value.row == 1


def test_empty_file_is_an_error(con, paths):
    (paths.raw / "202407_fixed_laua_res_coverage_r01.csv").write_text("")
    with pytest.raises(SourceFormatError, match="202407_fixed_laua_res_coverage_r01.csv"):
        build_ofcom_la_coverage(con, paths)


def test_release_must_be_readable_from_the_file_name(con, paths):
    ofcom_postcode_zip(paths.raw / "fixed-postcode-coverage.zip", "2024", {"CM20 1AA": VALUES})
    with pytest.raises(SourceFormatError, match="cannot tell the release"):
        build_ofcom_postcode_coverage(con, paths)


def _district_file(paths, rows, name="postcode_district_coverage_202407.csv"):
    header = ["district", "postcodeArea", "sampleSize", "gigabitPercent", "superfastPercent", "ultrafastPercent",
              "belowUsoPercent", "ngaPercent"]
    (paths.raw / name).write_text(csv_text(header, rows))


def test_district_means_reject_bad_values_and_conflicting_duplicates(con, paths):
    _district_file(paths, [["CM20", "CM", 415, 86.3, 96.5, 88.0, 0.0, 97.0],
                           ["CM17", "CM", 496, "n/a", 97.5, 80.2, 0.0, 99.8],
                           ["CM18", "CM", 397, 95.8, 199.4, 96.3, 0.0, 99.9],
                           ["cm19", "CM", 329, 89.9, 94.6, 90.0, 0.2, 95.2],
                           ["CM19", "CM", 329, 50.0, 94.6, 90.0, 0.2, 95.2],
                           ["C M", "CM", 1, 1, 1, 1, 1, 1]])
    read = read_ofcom_district(con, locate(OFCOM_POSTCODE_DISTRICT, paths, download=False))
    kept = [r[0] for r in con.execute("SELECT key FROM ofcom_district").fetchall()]
    assert kept == ["CM20"]
    reasons = {(r[1], r[2], r[4]) for r in read.rejects.rows}
    assert (3, "gigabitPercent", "not a number") in reasons
    assert (4, "superfastPercent", "outside 0-100") in reasons
    assert (5, "district", "duplicate with conflicting values") in reasons
    assert (6, "district", "duplicate with conflicting values") in reasons
    assert (7, "district", "malformed postcode district") in reasons


def test_district_means_read_from_the_repository_json_too(con, paths):
    data = [{"district": "CM20", "postcodeArea": "CM", "sampleSize": 415, "gigabitPercent": 86.3,
             "superfastPercent": 96.5, "ultrafastPercent": 88.0, "belowUsoPercent": 0.0, "ngaPercent": 97.0}]
    (paths.raw / "postcode-district-coverage.json").write_text(json.dumps(data))
    read = read_ofcom_district(con, locate(OFCOM_POSTCODE_DISTRICT, paths, download=False))
    assert con.execute("SELECT key, gigabit_pct, sample_postcodes FROM ofcom_district").fetchall() == [("CM20", 86.3, 415)]
    assert read.rows_in == 1


def test_finest_resolution_wins_and_every_row_says_which(con, paths):
    from tests.test_postcode_sources import _harlow_sources
    from pipeline.ingest.boundaries import build_lsoa_boundaries
    from pipeline.ingest.postcodes import build_codepoint_open, build_ons_postcode_lookup, build_postcodes

    _harlow_sources(paths, [{"pcds": "CM20 1AA"}])
    for step in (build_codepoint_open, build_ons_postcode_lookup):
        step(con, paths)
    build_lsoa_boundaries(con, paths, ["E07000073"])
    build_postcodes(con, paths, ["E07000073"])
    # Postcode-level for CM20 1AA in two releases; district means for CM20; LA figure for Harlow.
    ofcom_postcode_zip(paths.raw / "202307-fixed-coverage-postcodes-r01.zip", "2023", {"CM20 1AA": VALUES | {"gigabit_pct": 10}})
    ofcom_postcode_zip(paths.raw / "202407-fixed-coverage-postcodes-r01.zip", "2024", {"CM20 1AA": VALUES})
    _district_file(paths, [["CM20", "CM", 415, 86.3, 96.5, 88.0, 0.0, 97.0]])
    ofcom_la_csv(paths.raw / "202407_fixed_laua_res_coverage_r01.csv", "2024", {"E07000073": VALUES | {"gigabit_pct": 90.9}})
    for step in (build_ofcom_postcode_coverage, build_ofcom_postcode_district, build_ofcom_la_coverage):
        step(con, paths)
    result = build_broadband_coverage(con, paths, ["E07000073"])
    rows = {r[0]: r[1:] for r in con.execute(f"""SELECT postcode, resolution, release, gigabit_pct, all_premises
        FROM read_parquet('{paths.table_path("broadband_coverage", "E07000073")}')""").fetchall()}
    assert rows["CM20 1AA"] == ("postcode", "2024-07", 70.5, 12)
    assert rows["CM20 1AB"] == ("postcode_district", "2024-07", 86.3, None)
    assert rows["CM20 9ZZ"] == ("postcode_district", "2024-07", 86.3, None)
    assert result.counts["postcodes_by_resolution"] == {"postcode": 1, "postcode_district": 3}


def test_postcode_no_source_covers_is_kept_empty_not_filled(con, paths):
    from tests.test_postcode_sources import _harlow_sources
    from pipeline.ingest.boundaries import build_lsoa_boundaries
    from pipeline.ingest.postcodes import build_codepoint_open, build_ons_postcode_lookup, build_postcodes

    _harlow_sources(paths, [{"pcds": "CM20 1AA"}])
    for step in (build_codepoint_open, build_ons_postcode_lookup):
        step(con, paths)
    build_lsoa_boundaries(con, paths, ["E07000073"])
    build_postcodes(con, paths, ["E07000073"])
    _district_file(paths, [["CM17", "CM", 415, 86.3, 96.5, 88.0, 0.0, 97.0]])
    for step in (build_ofcom_postcode_coverage, build_ofcom_postcode_district, build_ofcom_la_coverage):
        step(con, paths)
    result = build_broadband_coverage(con, paths, ["E07000073"])
    assert result.counts["postcodes_without_coverage"] == 4
    assert result.counts["districts_without_coverage"] == ["CM20"]
    assert con.execute(f"""SELECT count(*) FROM read_parquet('{paths.table_path("broadband_coverage", "E07000073")}')
        WHERE resolution = 'none' AND gigabit_pct IS NULL AND sfbb_pct IS NULL""").fetchone()[0] == 4
