"""The benchmark's report: verdicts follow the targets, and PERFORMANCE.md quotes a recorded run."""

from __future__ import annotations

import json
import re

from bench.run import CASES, report
from tests.conftest import PROJECT_ROOT

RECORDED = sorted((PROJECT_ROOT / "docs" / "benchmarks").glob("*.json"))


def _results(england_compute: float, geopandas_compute: float, floor_compute: float) -> dict:
    """Made-up timings for the report logic only (not measurements)."""
    common = {"wall_s": england_compute + 3, "peak_rss_gib": 1.0, "startup_s": 3.0, "success": True, "failures": []}
    england = common | {"compute_s": england_compute, "assets": 14, "asset_steps_s": 1.0, "check_steps_s": 1.0,
                        "orchestration_s": 1.0, "slowest_steps": [], "postcodes": 10, "districts": 2,
                        "postcodes_by_method": {}, "lsoas": 5, "lsoas_with_imd": 5, "lsoas_with_rurality": 5,
                        "lsoas_with_gigabit": 5}
    return {"england": england,
            "geopandas": {"compute_s": geopandas_compute, "wall_s": geopandas_compute, "peak_rss_gib": 1.0},
            "floor": {"compute_s": floor_compute, "wall_s": floor_compute, "peak_rss_gib": 1.0}}


def test_report_says_misses_when_slower_than_five_times_the_baseline_or_three_times_the_floor():
    text = report(_results(england_compute=10.0, geopandas_compute=20.0, floor_compute=2.0), {"machine": "test"})
    assert "2.00x as fast (target >= 5x): MISSES" in text
    assert "5.0x the floor (target <= 3x): MISSES" in text


def test_report_says_meets_when_inside_both_ratio_targets():
    text = report(_results(england_compute=4.0, geopandas_compute=40.0, floor_compute=2.0), {"machine": "test"})
    assert "10.00x as fast (target >= 5x): meets" in text
    assert "2.0x the floor (target <= 3x): meets" in text


def test_performance_doc_table_quotes_the_latest_recorded_benchmark():
    assert RECORDED, "docs/benchmarks/ holds no recorded run"
    recorded = json.loads(RECORDED[-1].read_text())
    doc = (PROJECT_ROOT / "docs" / "PERFORMANCE.md").read_text()
    for name, (_, label) in CASES.items():
        r = recorded["results"][name]
        number = label.split()[0]
        row = next((line for line in doc.splitlines() if re.match(rf"\| {re.escape(number)} ", line)), None)
        assert row, f"PERFORMANCE.md has no table row for case {number}"
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == f"{r['wall_s']:.1f}", (name, cells)
        assert cells[3] == f"{r['compute_s']:.1f}", (name, cells)
        assert cells[4] == f"{r['peak_rss_gib']:.2f}", (name, cells)
        if "startup_s" in r and name != "england-engine":
            assert cells[2] == f"{r['startup_s']:.1f}", (name, cells)
