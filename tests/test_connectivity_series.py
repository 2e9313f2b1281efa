"""The ONS connectivity series: collapsing repeats, dating by metadata, new files, reconciliation."""

from __future__ import annotations

import pytest

from pipeline.ingest.connectivity_series import build_district_connectivity_series
from pipeline.paths import Paths
from tests.builders import csv_text

HEADER = ["AREACD", "AREANM", "Geography", "Variable Name", "Indicator", "Period", "Observation", "Measure", "Unit"]
PERIODS = ["file", "source_path", "source_commit", "commit_date", "ons_period_label", "ofcom_source_date", "ons_description"]
LADS = ["E07000073", "E07000095"]


def _file(folder, name, values, label):
    rows = [[code, name_, geo, "Gigabit", "Gigabit", label, value, "Percentage", "%"]
            for (code, name_, geo), value in zip(
                [("E07000073", "Harlow", "Local Authority District"), ("E07000095", "Broxbourne", "Local Authority District"),
                 ("E92000001", "England", "Nation")], values)]
    (folder / name).write_text(csv_text(HEADER, rows))


def _periods(folder, rows):
    (folder / "periods.csv").write_text(csv_text(PERIODS, [
        [f, "x", f"commit{i}", commit, f.rsplit("_", 1)[1][:-4], "01/01/2025",
         f"This indicator shows ... in the UK, as of {as_of}." if as_of else ""]
        for i, (f, commit, as_of) in enumerate(rows)]))


@pytest.fixture()
def series_paths(tmp_path):
    mirror = tmp_path / "mirror"
    folder = mirror / "ons-local-indicators"
    folder.mkdir(parents=True)
    return Paths(root=tmp_path / "out", mirror=mirror).ensure(), folder


def _snapshots(con, paths, area="E07000073"):
    return con.execute(f"""SELECT snapshot, value, snapshot_basis FROM
        read_parquet('{paths.table_path("district_connectivity_series")}') WHERE area_code = '{area}' ORDER BY 1""").fetchall()


def test_files_repeating_a_snapshot_are_collapsed_and_counted(con, series_paths):
    paths, folder = series_paths
    _file(folder, "gigabit-capable-broadband_2025-01.csv", (90.5, 91.0, 84.4), "2025-01")
    _file(folder, "gigabit-capable-broadband_2025-01-15.csv", (90.5, 91.0, 84.4), "2025-01-15")
    _periods(folder, [("gigabit-capable-broadband_2025-01.csv", "2025-07-15", "January 2025"),
                      ("gigabit-capable-broadband_2025-01-15.csv", "2026-01-12", "January 2025")])
    result = build_district_connectivity_series(con, paths, LADS)
    assert _snapshots(con, paths) == [("2025-01", 90.5, "metadata: as of 2025-01")]
    assert result.counts["files_collapsed_as_repeats"] == {"gigabit_capable_pct": 1}
    repeats = [r for r in result.rejects.rows if r[5] == "duplicate"]
    assert len(repeats) == 3 and all("gigabit-capable-broadband_2025-01-15.csv" in r[0] for r in repeats)
    assert result.rows_in == result.rows_kept + result.rows_rejected


def test_snapshots_are_dated_by_metadata_not_by_label(con, series_paths):
    paths, folder = series_paths
    _file(folder, "gigabit-capable-broadband_2025-01-15.csv", (89.5, 91.5, 85.9), "2025-01-15")
    _periods(folder, [("gigabit-capable-broadband_2025-01-15.csv", "2026-01-12", "July 2025")])
    build_district_connectivity_series(con, paths, LADS)
    assert _snapshots(con, paths) == [("2025-07", 89.5, "metadata: as of 2025-07")]


def test_stale_metadata_on_new_values_falls_back_to_the_label(con, series_paths):
    paths, folder = series_paths
    _file(folder, "gigabit-capable-broadband_2025-07-01.csv", (89.5, 91.5, 85.9), "2025-07-01")
    _file(folder, "gigabit-capable-broadband_2026-01-01.csv", (90.9, 92.1, 88.4), "2026-01-01")
    _periods(folder, [("gigabit-capable-broadband_2025-07-01.csv", "2026-01-14", "July 2025"),
                      ("gigabit-capable-broadband_2026-01-01.csv", "2026-05-19", "July 2025")])
    build_district_connectivity_series(con, paths, LADS)
    rows = _snapshots(con, paths)
    assert [r[:2] for r in rows] == [("2025-07", 89.5), ("2026-01", 90.9)]
    assert "metadata repeats the date of an earlier, different snapshot" in rows[1][2]


def test_a_new_file_dropped_into_the_folder_is_picked_up(con, series_paths):
    paths, folder = series_paths
    _file(folder, "gigabit-capable-broadband_2025-07-01.csv", (89.5, 91.5, 85.9), "2025-07-01")
    _periods(folder, [("gigabit-capable-broadband_2025-07-01.csv", "2026-01-14", "July 2025")])
    dropped = paths.raw / "ons-local-indicators"
    dropped.mkdir(parents=True)
    _file(dropped, "gigabit-capable-broadband_2026-07-01.csv", (93.0, 94.0, 90.0), "2026-07-01")
    result = build_district_connectivity_series(con, paths, LADS)
    rows = _snapshots(con, paths)
    assert rows[-1] == ("2026-07", 93.0, "ONS label 2026-07-01 (no metadata)")
    assert result.counts["snapshots"]["gigabit_capable_pct"] == ["2025-07", "2026-07"]


def test_comparators_are_kept_and_other_districts_counted_out(con, series_paths):
    paths, folder = series_paths
    _file(folder, "gigabit-capable-broadband_2024-07.csv", (90.5, 86.7, 82.1), "2024-07")
    _periods(folder, [("gigabit-capable-broadband_2024-07.csv", "2024-12-19", "July 2024")])
    result = build_district_connectivity_series(con, paths, ["E07000073"])
    kinds = dict(con.execute(f"""SELECT area_code, area_type FROM
        read_parquet('{paths.table_path("district_connectivity_series")}')""").fetchall())
    assert kinds == {"E07000073": "study district", "E92000001": "comparator"}
    assert [r[4] for r in result.rejects.rows] == ["district outside the study area"]


def test_reconciliation_check_warns_on_a_built_mismatch(tmp_path, con, series_paths, monkeypatch):
    import dagster as dg

    from assets.ingest.connectivity import gigabit_reconciles_with_postcode_data
    from assets.resources import SettingsResource, StorageResource
    from tests.builders import parquet_table

    paths, folder = series_paths
    _file(folder, "gigabit-capable-broadband_2024-07.csv", (90.5, 86.7, 82.1), "2024-07")
    _periods(folder, [("gigabit-capable-broadband_2024-07.csv", "2024-12-19", "July 2024")])
    build_district_connectivity_series(con, paths, LADS)
    # Our own input says 50% for Harlow and 86% for Broxbourne.
    for lad, pct in (("E07000073", 50.0), ("E07000095", 86.0)):
        parquet_table(con, paths, "broadband_coverage", f"""SELECT 'X' AS postcode, '{lad}' AS lad_code,
            'postcode_district' AS resolution, '2024-07' AS release, NULL::BIGINT AS all_premises,
            {pct} AS gigabit_pct""", partition=lad)
    monkeypatch.setenv("DIZ_LAD_CODES", ",".join(LADS))
    result = gigabit_reconciles_with_postcode_data(
        settings=SettingsResource(), storage=StorageResource(output_root=str(paths.root), source_mirror=str(paths.mirror)))
    assert isinstance(result, dg.AssetCheckResult)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["over_threshold"].value == ["E07000073"]
    assert result.metadata["difference_pp"].value == {"E07000073": -40.5, "E07000095": -0.7}
