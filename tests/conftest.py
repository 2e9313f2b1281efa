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
os.environ.setdefault("DIZ_SOURCE_MIRROR", str((PROJECT_ROOT.parent / "shared" / "sources").resolve()))
MIRROR = Path(os.environ["DIZ_SOURCE_MIRROR"])
STUDY_LADS = ["E07000095", "E07000242", "E07000072", "E07000073", "E07000077"]


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
    """Outputs of one Dagster run of every asset on the real sources."""

    def __init__(self, root: Path, result):
        from pipeline import duck
        from pipeline.paths import Paths

        self.root = root
        self.result = result
        self.paths = Paths(root=root, mirror=MIRROR)
        self.con = duck.connect()

    def table(self, name: str) -> str:
        """A FROM-clause for a table's Parquet file(s)."""
        single = self.paths.table_path(name)
        pattern = single if single.exists() else self.paths.processed / name / "*.parquet"
        return f"read_parquet('{pattern}', union_by_name = true)"

    def sql(self, query: str, params: dict | None = None) -> list[tuple]:
        return self.con.execute(query, params or {}).fetchall()

    def scalar(self, query: str, params: dict | None = None):
        return self.sql(query, params)[0][0]

    def metadata(self, asset: str) -> dict:
        events = [e for e in self.result.get_asset_materialization_events()
                  if e.asset_key.to_user_string() == asset]
        assert events, f"{asset} was not materialised"
        return {k: v.value for k, v in events[-1].materialization.metadata.items()}

    def checks(self) -> dict[str, tuple[bool, str]]:
        return {f"{e.asset_key.to_user_string()}.{e.check_name}": (e.passed, e.severity.value)
                for e in self.result.get_asset_check_evaluations()}


@pytest.fixture(scope="session")
def real_run(tmp_path_factory, mirror) -> RealRun:
    """Materialise everything once, on the real sources, into a temporary output root."""
    import dagster as dg

    root = tmp_path_factory.mktemp("real_run")
    previous = {k: os.environ.get(k) for k in ("DIZ_OUTPUT_ROOT", "DAGSTER_HOME")}
    os.environ["DIZ_OUTPUT_ROOT"] = str(root)
    try:
        from assets.definitions import defs
        from assets.run import partition_tags

        job = defs.resolve_job_def("everything")
        result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), tags=partition_tags(),
                                        raise_on_error=True)
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    run = RealRun(root, result)
    yield run
    run.con.close()


def copy_source(mirror: Path, relative: str, dest_root: Path) -> Path:
    """Copy one mirror file into a test's data/raw, keeping its mirror-relative path."""
    dest = dest_root / relative
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(mirror / relative, dest)
    return dest
