"""Runs people can trust: identical bytes on a re-run, nothing broken by a killed run or by two
runs at once. Each run here is a real `python -m assets.run` subprocess, as `make run` starts it."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import MIRROR, PROJECT_ROOT

pytestmark = pytest.mark.slow
COMPARED = (".parquet", ".csv")


def visible(processed: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Output files, leaving out hidden temporary files and folders (``.name.tmp-<pid>``)."""
    return [p for p in sorted(processed.rglob("*")) if p.suffix in suffixes
            and not any(part.startswith(".") for part in p.relative_to(processed).parts)]


def outputs(root: Path) -> dict[str, str]:
    """sha256 of every Parquet and CSV output, by path relative to data/processed."""
    processed = root / "data" / "processed"
    return {str(p.relative_to(processed)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in visible(processed, COMPARED)}


def start_run(root: Path, home: Path) -> subprocess.Popen:
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = os.environ | {"DIZ_OUTPUT_ROOT": str(root), "DAGSTER_HOME": str(home), "DIZ_SOURCE_MIRROR": str(MIRROR)}
    return subprocess.Popen([sys.executable, "-m", "assets.run", "--log-level", "ERROR"], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def finish(proc: subprocess.Popen, timeout: float = 600) -> str:
    out, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, out[-3000:]
    return out


def all_readable(root: Path) -> None:
    con = duckdb.connect()
    for path in visible(root / "data" / "processed", (".parquet",)):
        con.execute("SELECT count(*) FROM read_parquet($p)", {"p": str(path)}).fetchone()
    con.close()
    catalog = duckdb.connect(str(root / "data" / "processed" / "diz.duckdb"), read_only=True)
    assert catalog.execute("SELECT count(*) FROM postcodes").fetchone()[0] == 15_499
    catalog.close()


@pytest.fixture(scope="module")
def second_run(real_run, tmp_path_factory):
    """A complete second run of everything, in a folder of its own, with unchanged inputs."""
    root = tmp_path_factory.mktemp("second_run")
    # Reuse the session run's extracted archives: same inputs, less time.
    shutil.copytree(real_run.paths.raw, root / "data" / "raw")
    finish(start_run(root, root / "dagster_home"))
    return root


def test_second_run_writes_byte_identical_parquet_and_csv(real_run, second_run):
    first, second = outputs(real_run.root), outputs(second_run)
    assert len(first) > 40 and first.keys() == second.keys()
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []


def file_ids(root: Path, pattern: str) -> dict[Path, tuple[int, int]]:
    return {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in root.glob(pattern)}


def wait_until_replaced(root: Path, pattern: str, proc: subprocess.Popen, timeout: float = 600) -> None:
    """Return as soon as the run replaces any file matching ``pattern`` (a new inode or mtime)."""
    before = file_ids(root, pattern)
    assert before, f"no {pattern} from the previous run"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = file_ids(root, pattern)
        if any(now.get(p) != ids for p, ids in before.items()):
            return
        assert proc.poll() is None, f"the run ended without replacing {pattern}"
        time.sleep(0.01)
    raise AssertionError(f"{pattern} not replaced within {timeout} s")


# Kill points are marked by an output being replaced, not by elapsed time, so the kill lands in
# the same phase however fast the machine is: early in ingest, mid-analysis, amid the outputs.
KILL_AFTER = {"ingest": "data/processed/codepoint_open.parquet", "analysis": "data/processed/lsoa_index.parquet",
              "outputs": "maps/*.html"}


@pytest.mark.parametrize("phase", list(KILL_AFTER))
def test_run_killed_mid_materialisation_leaves_previous_outputs_intact(second_run, phase):
    before = outputs(second_run)
    proc = start_run(second_run, second_run / f"dagster_home_killed_{phase}")
    try:
        wait_until_replaced(second_run, KILL_AFTER[phase], proc)
        assert proc.poll() is None, f"the run finished before it could be killed in {phase}"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # Every file is the previous one or a complete new one; a re-run writes identical bytes, so
    # both look the same. Half-written files may exist only under hidden temporary names.
    assert outputs(second_run) == before
    all_readable(second_run)


def test_two_runs_at_once_leave_whole_files_and_a_working_catalog(second_run):
    before = outputs(second_run)
    first = start_run(second_run, second_run / "dagster_home_a")
    time.sleep(1.5)
    second = start_run(second_run, second_run / "dagster_home_b")
    finish(first)
    finish(second)
    assert outputs(second_run) == before
    all_readable(second_run)
    leftovers = [p.name for p in (second_run / "data" / "processed").rglob(".*tmp-*")]
    assert leftovers == []


def test_catalog_held_by_another_run_gives_a_clear_message(tmp_path, monkeypatch):
    import multiprocessing

    from pipeline import catalog
    from pipeline.errors import CatalogBusyError
    from pipeline.paths import Paths

    paths = Paths(root=tmp_path).ensure()
    lock = paths.processed / ".catalog.lock"
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(lock, ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        monkeypatch.setattr(catalog, "LOCK_WAIT_S", 0.5)
        with pytest.raises(CatalogBusyError, match=f"held by another run \\(pid {holder.pid}\\)"):
            catalog.refresh(paths)
    finally:
        release.set()
        holder.join(10)
    assert catalog.refresh(paths) == paths.catalog


def _hold_lock(lock, ready, release):
    from pipeline.catalog import locked

    with locked(lock):
        ready.set()
        release.wait(20)
