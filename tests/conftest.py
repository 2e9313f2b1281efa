"""Shared fixtures: the real source mirror, a real Dagster run into a temporary folder, and
a fresh DuckDB connection.

The mirror defaults to ``../shared/sources`` beside the project (as in CI). The real run
materialises every asset once per test session; tests that check real numbers read its
outputs instead of re-reading the national files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def absolute_mirror(value: str | None) -> Path:
    """The mirror as an absolute path: README's ``DIZ_SOURCE_MIRROR=../shared/sources`` is relative to the
    project root, so it must not be read against whatever folder a test or its subprocess runs in (links
    made to a relative path would point nowhere)."""
    path = Path(value or PROJECT_ROOT.parent / "shared" / "sources").expanduser()
    return (path if path.is_absolute() else PROJECT_ROOT / path).resolve()


MIRROR = absolute_mirror(os.environ.get("DIZ_SOURCE_MIRROR"))
os.environ["DIZ_SOURCE_MIRROR"] = str(MIRROR)
STUDY_LADS = ["E07000095", "E07000242", "E07000072", "E07000073", "E07000077"]


def pytest_collection_modifyitems(config, items):
    """Tests that need the real run (directly or through a fixture built on it) are marked ``real_run``, so
    ``make test-fast`` can leave them out with the browser and slow ones."""
    for item in items:
        if "real_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.real_run)


@pytest.fixture(scope="session")
def mirror() -> Path:
    if not (MIRROR / "PROVENANCE.md").exists():
        pytest.fail(f"source mirror not found at {MIRROR}; set DIZ_SOURCE_MIRROR to the shared sources folder")
    return MIRROR


@pytest.fixture()
def con():
    from pipeline import duck

    connection = duck.connect()
    yield connection
    connection.close()


@pytest.fixture()
def paths(tmp_path):
    """An empty output root with no mirror: tests put exactly the files they want in data/raw."""
    from pipeline.paths import Paths

    return Paths(root=tmp_path, mirror=None).ensure()


class RealRun:
    """The published outputs of one ``make run`` (assets.run, through Dagster) on the real sources."""

    def __init__(self, root: Path, exit_code: int, output: str):
        from pipeline import duck
        from pipeline.paths import Paths

        self.root = root
        self.exit_code = exit_code
        self.output = output
        self.paths = Paths(root=root, mirror=MIRROR)
        self.con = duck.connect()

    @property
    def live(self) -> Path:
        return self.paths.current.resolve()

    def table(self, name: str) -> str:
        """A FROM-clause for a published table's Parquet file."""
        return f"read_parquet('{self.live / (name + '.parquet')}')"

    def sql(self, query: str, params: dict | None = None) -> list[tuple]:
        return self.con.execute(query, params or {}).fetchall()

    def scalar(self, query: str, params: dict | None = None):
        return self.sql(query, params)[0][0]

    def manifest(self, step: str) -> dict:
        from pipeline import generations

        return generations.manifest(self.live)[step]

    def metadata(self, asset: str) -> dict:
        from pipeline.steps import PRODUCER

        return self.manifest(PRODUCER[asset])["metadata"][asset]

    def checks(self) -> dict[str, dict]:
        from pipeline import generations

        return generations.check_results(self.live)


def make_run(root: Path, home: Path, *args: str, env: dict | None = None) -> tuple[int, str]:
    """``make run`` in this process, into ``root``; (exit status, what it printed)."""
    import contextlib
    import io

    from assets.run import main

    keys = {"DIZ_OUTPUT_ROOT": str(root), "DAGSTER_HOME": str(home), **(env or {})}
    previous = {k: os.environ.get(k) for k in keys}
    os.environ.update(keys)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            code = main(list(args))
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return code, out.getvalue()


@pytest.fixture(scope="session")
def real_run(tmp_path_factory, mirror) -> RealRun:
    """``make run`` once, on the real sources, into a temporary output root.

    ``DIZ_TEST_RUN_ROOT`` names a folder to keep between sessions instead (for development):
    a second session's run then finds nothing changed and takes seconds.
    """
    kept = os.environ.get("DIZ_TEST_RUN_ROOT")
    root = Path(kept) if kept else tmp_path_factory.mktemp("real_run")
    code, output = make_run(root, root / "dagster_home")
    run = RealRun(root, code, output)
    assert run.paths.current.exists(), output
    yield run
    run.con.close()


def published_files(root: Path) -> dict[str, str]:
    """sha256 of every file people open (through the public links), by public path."""
    import hashlib

    from pipeline.paths import PUBLIC_LINKS

    out = {}
    for _, public in PUBLIC_LINKS:
        base = root / public
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file()) if base.exists() else []
        for f in files:
            out[str(f.relative_to(root))] = hashlib.sha256(f.read_bytes()).hexdigest()
    for f in sorted((root / "maps").glob("*.html")):
        out[f"maps/{f.name}"] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def clone_run(real_run: RealRun, dest: Path) -> Path:
    """A copy of the real run's output root: hard links (cheap; the pipeline only ever replaces
    files), except Dagster's instance, whose SQLite files are written in place and so are copied."""
    import subprocess

    subprocess.run(["cp", "-al", str(real_run.root), str(dest)], check=True)
    home = dest / "dagster_home"
    if home.exists():
        shutil.rmtree(home)
        shutil.copytree(real_run.root / "dagster_home", home)
    return dest


def broken_mirror(mirror: Path, dest: Path, relative: str, change) -> Path:
    """A mirror like the real one (links) with one file replaced by ``change(original bytes)``."""
    dest.mkdir(parents=True, exist_ok=True)
    for item in mirror.iterdir():
        (dest / item.name).symlink_to(item)
    parts = Path(relative).parts
    folder = dest
    for part in parts[:-1]:  # replace linked folders on the way with real ones
        link = folder / part
        real = link.resolve()
        link.unlink()
        link.mkdir()
        for item in real.iterdir():
            (link / item.name).symlink_to(item)
        folder = link
    target = folder / parts[-1]
    original = target.resolve().read_bytes() if target.exists() else b""
    target.unlink(missing_ok=True)
    target.write_bytes(change(original))
    return dest


def copy_source(mirror: Path, relative: str, dest_root: Path) -> Path:
    """Copy one mirror file into a test's data/raw, keeping its mirror-relative path."""
    dest = dest_root / relative
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(mirror / relative, dest)
    return dest


HARLOW_LSOA = "E01021819"  # Harlow 006A


class OutcomeRun:
    """One re-run of a copy of the real run with three SYNTHETIC outcome files added, shared by the tests of
    what outcome files do (a re-run costs about a minute; each test reads its own part of the one result):
    ``synthetic_residents.csv`` (every LSOA's residents), ``synthetic_infinite.csv`` (the same, Harlow 006A's
    value ``1e999``) and ``synthetic_elsewhere.csv`` (12 City of London LSOAs, outside the study area)."""

    def __init__(self, root: Path, rows: list[tuple[str, int]], stale: dict[str, str], code: int, output: str):
        self.root, self.rows, self.stale, self.code, self.output = root, rows, stale, code, output

    @property
    def live(self) -> Path:
        return (self.root / "data/processed/current").resolve()


@pytest.fixture(scope="session")
def outcome_run(real_run, tmp_path_factory) -> OutcomeRun:
    import duckdb

    from pipeline import generations
    from pipeline.paths import Paths
    from pipeline.plan import make_plan
    from pipeline.settings import load_settings

    root = clone_run(real_run, tmp_path_factory.mktemp("outcomes") / "root")
    live = (root / "data/processed/current").resolve()
    rows = duckdb.sql(f"SELECT lsoa21cd, residents_2021 FROM '{live}/lsoa_need.parquet' ORDER BY 1").fetchall()
    folder = root / "data" / "raw" / "outcomes"
    folder.mkdir(parents=True)
    header = "# source: synthetic test outcome made by tests/conftest.py ({what}, not a real outcome)\n"
    (folder / "synthetic_residents.csv").write_text(
        header.format(what="residents") + "lsoa21cd,residents\n" + "".join(f"{c},{n}\n" for c, n in rows)
    )
    (folder / "synthetic_infinite.csv").write_text(
        header.format(what="residents, one set to 1e999")
        + "lsoa21cd,residents\n"
        + "".join(f"{c},{'1e999' if c == HARLOW_LSOA else n}\n" for c, n in rows)
    )
    (folder / "synthetic_elsewhere.csv").write_text(
        header.format(what="another area's LSOAs: real City of London codes, synthetic values")
        + "lsoa21cd,rate\n"
        + "".join(f"E0100{n:04d},{n}\n" for n in range(1, 13))
    )
    paths = Paths(root=root, mirror=real_run.paths.mirror)
    plans = make_plan(paths, load_settings(), generations.manifest(generations.live_folder(paths)))
    stale = {p.step.name: p.reason for p in plans if p.stale}
    code, output = make_run(root, root / "dagster_home")
    return OutcomeRun(root, rows, stale, code, output)
