"""Dagster's SQLite event log, with one connection kept per database file for the process.

Dagster's own ``SqliteEventLogStorage`` builds a new SQLAlchemy engine, opens a new SQLite connection and
throws both away for every event it stores (each step's start, output, checks and materialisations; an
asset event is written twice, to the run's file and to the index). A re-run after a weight change stores
about 400 events, and that cost about 5 s of the run's main thread, between the steps. Keeping each file's
engine (and its pooled connection) makes an event about five times cheaper (``bench/``, ``docs/PERFORMANCE.md``).

Nothing else changes: the same files in the same place (``DAGSTER_HOME/history/runs``), the same schema and
Dagster's own WAL journal with full sync. A run's file is checkpointed at every commit
(``wal_autocheckpoint=1``), as closing the last connection did: ``make dev`` follows a live run by watching
that ``.db`` file, which a connection kept open would otherwise leave untouched until the run ends. With that
checkpoint an event costs about a third of Dagster's own (1.4 against 4.9 ms in a micro-benchmark).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine


def _checkpoint_every_commit(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=1")
    cursor.close()


class KeptConnectionSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with each shard's engine kept. ``base_dir`` may be relative: it is then
    under ``DAGSTER_HOME`` (the instance file cannot join paths)."""

    def __init__(self, base_dir: str, inst_data=None):
        if not os.path.isabs(base_dir):
            home = os.environ.get("DAGSTER_HOME")
            if not home:  # make run, make dev and the benchmark set it: without it the history would be elsewhere
                raise ValueError(
                    f"DAGSTER_HOME is not set: dagster.yaml's event_log_storage base_dir {base_dir!r} is relative to it"
                )
            base_dir = os.path.join(home, base_dir)
        self._engines: dict[str, Engine] = {}  # before Dagster's own set-up, which opens the index
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> KeptConnectionSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:  # one writer at a time in this process, as Dagster's own storage has it
            engine = self._engines.get(shard)
            if engine is None:
                engine = self._engines[shard] = create_engine(
                    self.conn_string_for_shard(shard),
                    # the pooled connection is used from whichever thread holds the lock
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                )
                if shard != INDEX_SHARD_NAME:  # a run's file is watched: written through at every commit
                    event.listen(engine, "connect", _checkpoint_every_commit)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
