"""The benchmark's cases. Each runs in a fresh process (bench/run.py) and returns its timings.

Dagster cases run ``make run``'s own code (``assets.run.main``); engine cases run the same steps
through ``pipeline.runner`` without Dagster. Start-up (importing the entry point) is timed apart from
compute. Warm and weight-change cases re-run in the folder the cold case left.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UPTO = "lsoa_indicators"  # the England cases: postcodes -> LSOAs -> indicators


def _generation_steps(since: float) -> dict[str, float]:
    """Seconds of each step re-computed in this run (manifest entries written since ``since``)."""
    from pipeline import generations
    from pipeline.paths import Paths

    folder = generations.live_folder(Paths.from_env())
    out = {}
    if folder is None:
        return out
    for entry_path in sorted((folder / "_manifest").glob("*.json")):
        if entry_path.stat().st_mtime >= since:
            out[entry_path.stem] = json.loads(entry_path.read_text()).get("seconds", 0.0)
    return out


def dagster_run(*args: str) -> dict:
    """``make run`` (through Dagster) in this process; compute timed apart from start-up (importing
    ``assets.run``). ``make run`` loads Dagster and the definitions only when there is something to
    re-compute, so that loading is in compute, as a person running it waits for it."""
    started = time.perf_counter()
    import assets.run as make_run

    ready = time.perf_counter()
    wall_start = time.time()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = make_run.main(list(args))
    finished = time.perf_counter()
    steps = _generation_steps(wall_start)
    text = out.getvalue()
    recomputed = next((line for line in text.splitlines() if line.startswith("Run ") or "Nothing changed" in line), "")
    return {
        "startup_s": ready - started,
        "compute_s": finished - ready,
        "exit": code,
        "summary": recomputed,
        "steps_recomputed": len(steps),
        "step_s": round(sum(steps.values()), 2),
        "orchestration_s": round(finished - ready - sum(steps.values()), 2),
        "slowest_steps": sorted(steps.items(), key=lambda kv: -kv[1])[:6],
        "success": code == 0 or "Published generation" in text or "Nothing changed" in text,
        "failures": [line for line in text.splitlines() if line.startswith(("FAILED", "NOT published"))],
    }


def engine_run(only: set[str] | None = None) -> dict:
    """The same steps through ``pipeline.runner``, no Dagster."""
    started = time.perf_counter()
    from pipeline.paths import Paths
    from pipeline.runner import run
    from pipeline.settings import load_settings

    ready = time.perf_counter()
    report = run(Paths.from_env(), load_settings(), only=only)
    steps = {s.name: round(s.seconds, 2) for s in report.steps if s.status == "re-computed"}
    return {
        "startup_s": ready - started,
        "compute_s": time.perf_counter() - ready,
        "success": report.published is not None,
        "failures": [f"{s.name}: {s.error}" for s in report.failed]
        + ([report.not_published] if report.published is None else []),
        "steps_recomputed": len(steps),
        "step_s": round(sum(steps.values()), 2),
        "slowest_steps": sorted(steps.items(), key=lambda kv: -kv[1])[:6],
    }


def five() -> dict:
    return dagster_run()


def five_warm() -> dict:
    return dagster_run()


def five_weight() -> dict:
    return dagster_run()  # DIZ_CONFIG points at a copy of config/ with one need weight moved


def five_engine() -> dict:
    return engine_run()


def england() -> dict:
    return dagster_run("--upto", UPTO)


def england_warm() -> dict:
    return dagster_run("--upto", UPTO)


def england_postgres() -> dict:
    return dagster_run("--upto", UPTO)


def england_full() -> dict:
    """``make run`` for all of England, every step and output, with the synthetic national stand-ins."""
    from pipeline import generations
    from pipeline.paths import Paths

    result = dagster_run()
    live = generations.live_folder(Paths.from_env())
    result["published_files"] = (
        sum(1 for p in live.rglob("*") if p.is_file() and "_manifest" not in p.parts) if live else 0
    )
    return result


def england_engine() -> dict:
    from pipeline.steps import closure

    return engine_run(closure(UPTO))


def geopandas() -> dict:
    from bench.geopandas_case import run

    return run()


def floor() -> dict:
    from bench.scan_floor_case import run

    return run()


def siting() -> dict:
    """The siting model alone on the five districts' tables (the folder ``five`` left): the sparse MCLP solved
    for k = 1 .. 10, as venue_siting does; start-up is the imports and reading the two tables."""
    started = time.perf_counter()
    import duckdb
    import numpy as np

    from pipeline.analysis.siting import Instance, solve
    from pipeline.paths import Paths

    live = Paths.from_env().current
    con = duckdb.connect()
    demand = con.execute(
        f"SELECT easting, northing, need_weighted_residents FROM '{live / 'lsoa_access.parquet'}' ORDER BY 1, 2"
    ).fetchall()
    venues = con.execute(f"SELECT easting, northing, role FROM '{live / 'venues.parquet'}' ORDER BY 1, 2").fetchall()
    inst = Instance(
        np.array([d[:2] for d in demand], dtype=float),
        np.array([d[2] for d in demand], dtype=float),
        np.array([v[:2] for v in venues if v[2] == "existing"], dtype=float),
        np.array([v[:2] for v in venues if v[2] == "candidate"], dtype=float),
        2_000,
    )
    ready = time.perf_counter()
    covered = [solve(inst, k)[1] for k in range(1, 11)]
    finished = time.perf_counter()
    return {
        "startup_s": ready - started,
        "compute_s": finished - ready,
        "success": True,
        "summary": f"{len(demand)} demand points, {len(inst.existing_xy)} existing venues, "
        f"{len(inst.candidate_xy)} candidates; covered at k=10: {covered[-1]:.0f}",
    }


CASES = {
    "five": (five, "1  five districts, cold, make run (Dagster)"),
    "five-engine": (five_engine, "1b five districts, cold, engine only"),
    "five-warm": (five_warm, "1c five districts, warm (nothing changed)"),
    "five-weight": (five_weight, "1d five districts, after a weight change"),
    "england": (england, "2  England indicators, cold (Dagster, SQLite)"),
    "england-engine": (england_engine, "2b England indicators, cold, engine only"),
    "england-warm": (england_warm, "2c England indicators, warm"),
    "england-postgres": (england_postgres, "2d England indicators, cold (Dagster, Postgres)"),
    "england-full": (england_full, "2e England, every step and output, cold (make run)"),
    "geopandas": (geopandas, "3  GeoPandas baseline, England, same steps"),
    "floor": (floor, "4  DuckDB scan floor, same input files"),
    "siting": (siting, "5  siting model, k = 1..10 (sparse MCLP, CBC)"),
}


def child(name: str) -> dict:
    os.chdir(ROOT)
    return CASES[name][0]()
