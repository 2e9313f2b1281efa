"""Ofcom coverage readers (postcode, local authority, postcode district) and the per-postcode table."""

from __future__ import annotations

import json


from pipeline.fetch import locate
from pipeline.ingest.broadband import (build_broadband_coverage, build_ofcom_la_coverage, build_ofcom_postcode_coverage,
                                       build_ofcom_postcode_district)
from pipeline.readers.ofcom_district import read_ofcom_district
from pipeline.registry import OFCOM_POSTCODE_DISTRICT
from tests.builders import csv_text, ofcom_la_csv, ofcom_postcode_zip

VALUES = {"all_premises": 12, "sfbb_pct": 91.5, "ufbb100_pct": 80, "ufbb_pct": 75.25, "full_fibre_pct": 60,
          "gigabit_pct": 70.5, "below_10_pct": 1.5, "below_30_pct": 8.5, "below_uso_pct": 0.5, "nga_pct": 99}


def _district_file(paths, rows, name="postcode_district_coverage_202407.csv"):
    header = ["district", "postcodeArea", "sampleSize", "gigabitPercent", "superfastPercent", "ultrafastPercent",
              "belowUsoPercent", "ngaPercent"]
    (paths.raw / name).write_text(csv_text(header, rows))


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
