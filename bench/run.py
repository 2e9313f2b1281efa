"""Benchmark the pipeline: five districts, all of England, a GeoPandas baseline and the scan floor.

    DIZ_SOURCE_MIRROR=../shared/sources .venv/bin/python bench/run.py
    ... bench/run.py --cases five,england --json bench-results.json --keep

Each case runs in a fresh process and is measured from outside: wall time, and peak resident
memory from the kernel's accounting of that process (``os.wait4``). Cases report their own
start-up and compute times. Numbers are for a warm page cache: the source files are read once
before the first case. The England case needs an Ofcom postcode-level file, which the mirror
lacks, so the benchmark generates a SYNTHETIC one in its temporary folder (bench/synthetic_ofcom.py);
nothing the benchmark makes is written under data/ or kept unless ``--keep`` is given.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GIB = 1024 ** 3
# name: (module with run(), label)
CASES = {
    "five": ("bench.five_districts_case", "1 Five districts, raw files to maps and tables"),
    "england": ("bench.england_case", "2 England, postcodes -> LSOAs -> indicators"),
    "england-engine": ("bench.england_engine_case", "2b England, the same steps without Dagster"),
    "geopandas": ("bench.geopandas_case", "3 GeoPandas baseline, same steps"),
    "floor": ("bench.scan_floor_case", "4 DuckDB scan floor, same input files"),
}
TARGETS = {"five_compute_s": 20.0, "england_s": 120.0, "england_rss_gib": 4.0, "speedup": 5.0, "floor_ratio": 3.0}


def child(name: str) -> None:
    result = importlib.import_module(CASES[name][0]).run()
    print("BENCH-RESULT " + json.dumps(result, default=str), flush=True)


def run_case(name: str, env: dict[str, str], log: Path) -> dict:
    """Run one case in a fresh interpreter; add its wall time and peak RSS."""
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--child", name],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in log.read_text().splitlines() if line.startswith("BENCH-RESULT ")]
    if proc.returncode or not lines:
        tail = "\n".join(log.read_text().splitlines()[-25:])
        raise SystemExit(f"case {name} failed (exit {proc.returncode}); last lines of {log}:\n{tail}")
    result = json.loads(lines[-1].removeprefix("BENCH-RESULT "))
    result.update(wall_s=wall, peak_rss_gib=usage.ru_maxrss * 1024 / GIB)  # ru_maxrss is in KiB on Linux
    return result


def machine() -> str:
    import dagster
    import duckdb
    import geopandas

    mem = next((int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return (f"{len(os.sched_getaffinity(0))} CPUs ({platform.processor() or platform.machine()}), "
            f"{mem / GIB:.1f} GiB RAM, Linux {platform.release()}; Python {platform.python_version()}, "
            f"duckdb {duckdb.__version__}, dagster {dagster.__version__}, geopandas {geopandas.__version__}")


def warm_cache(mirror: Path) -> None:
    for path in sorted(mirror.rglob("*")):
        if path.is_file():
            with path.open("rb") as fh:
                while fh.read(1 << 24):
                    pass


def prepare_england(mirror: Path, work: Path) -> tuple[Path, float]:
    """Extract Code-Point, write the SYNTHETIC Ofcom file; returns its path and the seconds taken."""
    from bench.synthetic_ofcom import write_synthetic_ofcom

    started = time.perf_counter()
    setup = work / "setup"
    with zipfile.ZipFile(mirror / "os-codepoint-open" / "codepo_gb.zip") as zf:
        zf.extractall(setup / "codepoint", [n for n in zf.namelist() if n.startswith("Data/CSV/")])
    synthetic = write_synthetic_ofcom(setup / "codepoint" / "Data" / "CSV", setup)
    shutil.rmtree(setup / "codepoint")
    return synthetic, time.perf_counter() - started


def case_env(base: dict[str, str], work: Path, name: str, **extra: str) -> dict[str, str]:
    root = work / name
    home = root / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {k: v for k, v in base.items() if k not in ("DIZ_CONFIG", "DIZ_LAD_CODES", "DIZ_DEPLOYMENT", "DIZ_EXECUTOR")}
    return env | {"DIZ_OUTPUT_ROOT": str(root), "DAGSTER_HOME": str(home), **extra}


def agreement(england: Path, baseline: Path) -> dict:
    """How closely the baseline's LSOA figures match the pipeline's (they do the same steps)."""
    import duckdb

    con = duckdb.connect()
    row = con.execute(f"""
        WITH p AS (SELECT lsoa11cd, value FROM read_parquet('{england}') WHERE indicator = 'pct_no_gigabit'),
             i AS (SELECT lsoa11cd, value FROM read_parquet('{england}') WHERE indicator = 'imd_rank')
        SELECT count(*) FILTER (p.value IS NOT NULL AND b.pct_no_gigabit IS NOT NULL),
               max(abs(p.value - b.pct_no_gigabit)),
               count(*) FILTER ((p.value IS NULL) <> (b.pct_no_gigabit IS NULL)),
               count(*) FILTER (i.value = b.imd_rank)
        FROM read_parquet('{baseline}') b LEFT JOIN p USING (lsoa11cd) LEFT JOIN i USING (lsoa11cd)""").fetchone()
    return {"lsoas_compared": row[0], "max_abs_diff_pct_no_gigabit": row[1], "lsoas_with_value_in_one_only": row[2],
            "imd_rank_equal": row[3]}


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def report(results: dict[str, dict], info: dict) -> str:
    lines = [f"DIZ pipeline benchmark, {time.strftime('%Y-%m-%d')}: {info['machine']}",
             f"setup (not timed in any case): synthetic Ofcom file for England in {info.get('setup_s', 0):.1f} s",
             "", f"{'case':<48} {'wall s':>7} {'start-up s':>10} {'compute s':>9} {'peak RSS GiB':>12}"]
    for name, (_, label) in CASES.items():
        if name in results:
            r = results[name]
            start = f"{r['startup_s']:.1f}" if "startup_s" in r else "-"
            lines.append(f"{label:<48} {r['wall_s']:>7.1f} {start:>10} {r['compute_s']:>9.1f} {r['peak_rss_gib']:>12.2f}")
    for name, r in results.items():
        if r.get("success") is False:
            lines.append(f"!! case {name}: the run FAILED: {'; '.join(r['failures'])}")
    lines += ["", "targets:"]
    if "five" in results:
        r = results["five"]
        lines.append(f"  five districts compute {r['compute_s']:.1f} s <= {TARGETS['five_compute_s']:.0f} s: "
                     f"{verdict(r['compute_s'] <= TARGETS['five_compute_s'])} (start-up {r['startup_s']:.1f} s apart; "
                     f"{r['assets']} assets; asset steps {r['asset_steps_s']:.1f} s, checks {r['check_steps_s']:.1f} s, "
                     f"orchestration {r['orchestration_s']:.1f} s)")
    if "england" in results:
        r = results["england"]
        lines.append(f"  England wall {r['wall_s']:.1f} s <= {TARGETS['england_s']:.0f} s: "
                     f"{verdict(r['wall_s'] <= TARGETS['england_s'])}; peak RSS {r['peak_rss_gib']:.2f} GiB <= "
                     f"{TARGETS['england_rss_gib']:.0f} GiB: {verdict(r['peak_rss_gib'] <= TARGETS['england_rss_gib'])}")
        lines.append(f"    {r['postcodes']:,} postcodes in {r['districts']} districts {r['postcodes_by_method']}; "
                     f"{r['lsoas']:,} LSOAs, {r['lsoas_with_imd']:,} with IMD, {r['lsoas_with_rurality']:,} with rurality, "
                     f"{r['lsoas_with_gigabit']:,} with broadband (SYNTHETIC values)")
        lines.append(f"    asset steps {r['asset_steps_s']:.1f} s, checks {r['check_steps_s']:.1f} s, "
                     f"orchestration {r['orchestration_s']:.1f} s; slowest: "
                     + ", ".join(f"{k} {v} s" for k, v in r["slowest_steps"]))
    pipelines = [n for n in ("england", "england-engine") if n in results]
    if "geopandas" in results:
        for name in pipelines:
            speedup = results["geopandas"]["compute_s"] / results[name]["compute_s"]
            lines.append(f"  {CASES[name][1].split(',')[0]} vs GeoPandas: {speedup:.2f}x as fast (target >= "
                         f"{TARGETS['speedup']:.0f}x): {verdict(speedup >= TARGETS['speedup'])}")
        if "agreement" in info:
            a = info["agreement"]
            lines.append(f"    same answer: {a['lsoas_compared']:,} LSOAs compared, max |difference| in % without "
                         f"gigabit {a['max_abs_diff_pct_no_gigabit']:.2g} pp, {a['lsoas_with_value_in_one_only']} with a "
                         f"value in one only, IMD rank equal for {a['imd_rank_equal']:,}")
    if "floor" in results:
        for name in pipelines:
            ratio = results[name]["compute_s"] / results["floor"]["compute_s"]
            lines.append(f"  {CASES[name][1].split(',')[0]} vs scan floor: {ratio:.1f}x the floor (target <= "
                         f"{TARGETS['floor_ratio']:.0f}x): {verdict(ratio <= TARGETS['floor_ratio'])}")
    if "england-engine" in results:
        lines.append("  England without Dagster, slowest steps: "
                     + ", ".join(f"{k} {v} s" for k, v in results["england-engine"]["slowest_steps"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, from {', '.join(CASES)}")
    parser.add_argument("--workdir", type=Path, help="working folder (default: a new temporary folder)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0

    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {unknown}; choose from {', '.join(CASES)}")
    if "floor" in cases and "england" not in cases:
        parser.error("the floor scans the files the England case extracts: include england")
    mirror = Path(os.environ.get("DIZ_SOURCE_MIRROR") or ROOT.parent / "shared" / "sources").resolve()
    if not (mirror / "PROVENANCE.md").is_file():
        parser.error(f"no source mirror at {mirror}; set DIZ_SOURCE_MIRROR")
    work = (args.workdir or Path(tempfile.mkdtemp(prefix="diz-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    base = dict(os.environ, DIZ_SOURCE_MIRROR=str(mirror), PYTHONUNBUFFERED="1")
    info: dict = {"machine": machine(), "workdir": str(work)}
    results: dict[str, dict] = {}
    try:
        print(f"working in {work}; warming the page cache", flush=True)
        warm_cache(mirror)
        synthetic = None
        if {"england", "england-engine", "geopandas"} & set(cases):
            synthetic, info["setup_s"] = prepare_england(mirror, work)
        for name in cases:
            extra = {}
            if name in ("england", "england-engine"):
                extra = {"DIZ_CONFIG": str(ROOT / "config" / "england.toml")}
            if name in ("england", "england-engine", "geopandas"):
                raw = work / name / "data" / "raw"
                raw.mkdir(parents=True, exist_ok=True)
                shutil.copy2(synthetic, raw / synthetic.name)
            if name == "floor":
                extra = {"BENCH_ENGLAND_RAW": str(work / "england" / "data" / "raw")}
            print(f"running case {name} ...", flush=True)
            results[name] = run_case(name, case_env(base, work, name, **extra), work / f"{name}.log")
            print(f"  {name}: {results[name]['wall_s']:.1f} s wall, {results[name]['peak_rss_gib']:.2f} GiB peak",
                  flush=True)
        if "england" in results and "geopandas" in results:
            info["agreement"] = agreement(work / "england" / "data" / "processed" / "lsoa_indicators.parquet",
                                          Path(results["geopandas"]["output"]))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    text = report(results, info)
    print("\n" + text)
    if args.json:
        args.json.write_text(json.dumps({"info": info, "results": results, "report": text}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
