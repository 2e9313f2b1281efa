"""The catalog ``data/processed/diz.duckdb``: one view per table of a generation.

The Parquet files are the contract between steps; the catalog is only a convenient way in for
people (``duckdb data/processed/diz.duckdb``, the notebook). Each generation gets its own,
built once when it is published (``pipeline/generations.py``), so a catalog never mixes runs
and no run ever writes to a catalog someone has open.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from pipeline.errors import CatalogBusyError
from pipeline.store import read_provenance, temp_path

LOCK_WAIT_S = 60.0


@contextlib.contextmanager
def locked(lock_path: Path, wait_s: float = LOCK_WAIT_S):
    """Hold an exclusive advisory lock; after ``wait_s`` give up with a clear message."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as fh:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "unknown"
                    raise CatalogBusyError(
                        f"{lock_path} is held by another run (pid {holder}) for over {wait_s:.0f} s; "
                        "wait for it to finish, or remove the lock file if that process is gone"
                    ) from exc
                time.sleep(0.1)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _tables(folder: Path) -> dict[str, Path]:
    """Table name -> Parquet file, for every table of a generation."""
    return {p.stem: p for p in sorted(folder.glob("*.parquet"))}


def build_catalog(folder: Path) -> Path:
    """Write ``diz.duckdb`` in a generation folder: a view per table over its Parquet file (by
    absolute path, so the catalog always reads its own generation), ``_catalog`` with each
    table's sources and licence, and ``rejects`` over every reject file."""
    dest = folder / "diz.duckdb"
    tmp = temp_path(dest)
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        con.execute("CREATE TABLE _catalog (name VARCHAR, path VARCHAR, rows BIGINT, sources VARCHAR, licence VARCHAR)")
        for name, path in _tables(folder).items():
            con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet({_literal(path)})')
            prov = read_provenance(path)
            titles = "; ".join(
                f"{s['title']} ({s['release']}): {s.get('rows', 0):,} rows" for s in prov.get("sources", [])
            )
            rows = pq.read_metadata(path).num_rows
            con.execute(
                "INSERT INTO _catalog VALUES (?, ?, ?, ?, ?)",
                [name, str(path), rows, titles, " ".join(prov.get("licence", []))],
            )
        rejects = folder / "rejects"
        if any(rejects.glob("*.parquet")):
            con.execute(
                "CREATE VIEW rejects AS SELECT regexp_extract(filename, '([^/]+)\\.parquet$', 1) AS table_name, "
                f"* EXCLUDE (filename) FROM read_parquet({_literal(rejects / '*.parquet')}, filename = true, "
                "union_by_name = true)"
            )
        info = folder / "_generation.json"
        if info.exists():
            record = json.loads(info.read_text(encoding="utf-8"))
            con.execute(
                "CREATE TABLE _generation AS SELECT ? AS generation, ? AS run_id, ? AS published_utc",
                [record.get("generation"), record.get("run_id"), record.get("published_utc")],
            )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp, dest)
    Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return dest


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
