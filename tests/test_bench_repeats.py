"""The benchmark's repeated cases: a repeat starts cold, and the median run is the one reported."""

from __future__ import annotations

from bench.run import median_run, reset_cold


def test_the_reported_run_of_repeats_is_the_median_by_compute_time_with_every_time_beside_it():
    runs = [{"compute_s": 25.0, "n": 1}, {"compute_s": 21.0, "n": 2}, {"compute_s": 23.0, "n": 3}]
    assert median_run(runs) == {"compute_s": 23.0, "n": 3, "compute_s_runs": [25.0, 21.0, 23.0]}
    assert median_run(runs[:2])["n"] == 2  # the lower middle of an even number: never flattering the slower case
    assert median_run(runs[:1]) == runs[0]  # one run: as it was, no list


def test_a_repeat_starts_with_nothing_built_or_unpacked_and_keeps_the_copied_inputs(tmp_path):
    for made in ("data/processed/current/x.parquet", "data/raw/_extracted/a/b.csv", "dagster_home/x", "data/cache/k"):
        (tmp_path / made).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / made).write_text("x")
    (tmp_path / "data/raw/synthetic.zip").write_text("kept")
    reset_cold(tmp_path)
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["data/raw/synthetic.zip"]
