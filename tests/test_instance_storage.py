"""The Dagster instance a run uses: a new DAGSTER_HOME gets the repository's settings, and the event log that
keeps one connection per file stores and reads back events as Dagster's own does."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_a_new_dagster_home_gets_the_repositorys_instance_settings(tmp_path):
    from assets.run import ensure_instance_config

    ensure_instance_config(str(tmp_path))
    written = yaml.safe_load((tmp_path / "dagster.yaml").read_text(encoding="utf-8"))
    ours = yaml.safe_load((ROOT / "dagster_home" / "dagster.yaml").read_text(encoding="utf-8"))
    for key in ("telemetry", "compute_logs", "event_log_storage"):
        assert written[key] == ours[key], key


def test_the_kept_connection_event_log_stores_and_reads_back_events_on_one_engine_per_file(tmp_path, monkeypatch):
    from dagster import DagsterInstance
    from dagster._core.events.log import EventLogEntry

    from assets.instance_storage import KeptConnectionSqliteEventLogStorage
    from assets.run import ensure_instance_config

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    ensure_instance_config(str(tmp_path))
    instance = DagsterInstance.get()
    storage = instance.event_log_storage
    assert isinstance(storage, KeptConnectionSqliteEventLogStorage)
    assert Path(storage._base_dir) == tmp_path / "history" / "runs"  # where Dagster's own storage keeps them
    run_id = str(uuid.uuid4())
    for i in range(5):
        storage.store_event(
            EventLogEntry(error_info=None, level=20, user_message=f"event {i}", run_id=run_id, timestamp=time.time())
        )
    logs = storage.get_logs_for_run(run_id)
    assert [e.user_message for e in logs] == [f"event {i}" for i in range(5)]
    assert run_id in storage._engines and len(storage._engines) == 2  # the run's file and the index, once each
    instance.dispose()
    assert storage._engines == {}


def test_a_runs_events_reach_its_own_file_at_once_so_the_ui_can_follow_a_live_run(tmp_path, monkeypatch):
    """``make dev`` follows a live run by watching the run's .db file: with a connection kept open, Dagster's WAL
    journal would hold the events apart from that file until the run ends, unless each commit checkpoints."""
    from dagster import DagsterInstance
    from dagster._core.events.log import EventLogEntry

    from assets.run import ensure_instance_config

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    ensure_instance_config(str(tmp_path))
    instance = DagsterInstance.get()
    storage = instance.event_log_storage
    run_id = str(uuid.uuid4())

    def store(n: int) -> None:
        for _ in range(n):
            storage.store_event(
                EventLogEntry(error_info=None, level=20, user_message="x" * 1000, run_id=run_id, timestamp=time.time())
            )

    store(1)
    db = Path(storage.path_for_shard(run_id))
    before = db.stat().st_size
    store(200)
    assert db.stat().st_size > before + 100_000  # the events are in the run's own file, not only in its WAL
    instance.dispose()
