"""The catalog ``data/processed/diz.duckdb``: one view per table, over its Parquet file(s).

The Parquet files are the contract between steps; the catalog is only a convenient way in
for people (``duckdb data/processed/diz.duckdb``, the notebook). It is rebuilt whole in a
temporary file and renamed into place under a lock, so concurrent runs never leave a
half-written catalog and DuckDB's one-writer rule is never tested.
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

from pipeline.errors import CatalogBusyError
from pipeline.paths import Paths
from pipeline.store import read_provenance, temp_path, write_text

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


def _tables(processed: Path) -> dict[str, Path]:
    """Table name -> Parquet file or folder of partition files."""
    found: dict[str, Path] = {}
    for entry in sorted(processed.iterdir()):
        if entry.name.startswith((".", "_")) or entry.name in ("rejects", "tables", "charts"):
            continue
        if entry.is_file() and entry.suffix == ".parquet":
            found[entry.stem] = entry
        elif entry.is_dir() and any(entry.glob("*.parquet")):
            found[entry.name] = entry
    return found


def _scan(path: Path) -> str:
    pattern = str(path / "*.parquet") if path.is_dir() else str(path)
    return f"read_parquet('{pattern}', union_by_name = true)"


def _contents(processed: Path, rejects: Path) -> dict:
    """What the catalog describes: each table's location and provenance, and whether rejects exist."""
    tables = {}
    for name, path in _tables(processed).items():
        first = path if path.is_file() else sorted(path.glob("*.parquet"))[0]
        tables[name] = {"path": str(path), "provenance": read_provenance(first)}
    return {"tables": tables, "rejects": any(rejects.rglob("*.parquet"))}


def refresh(paths: Paths) -> Path:
    """Rebuild the catalog from the Parquet files present now.

    Views read their files when queried, so the catalog needs rebuilding only when a table
    appears, moves or changes its sources; otherwise (most steps of a run) this returns at once.
    """
    processed = paths.processed
    processed.mkdir(parents=True, exist_ok=True)
    signature_path = processed / ".catalog.contents.json"
    with locked(processed / ".catalog.lock", wait_s=LOCK_WAIT_S):
        described = _contents(processed, paths.rejects)
        contents = json.dumps(described, sort_keys=True)
        if paths.catalog.exists() and signature_path.exists() and signature_path.read_text() == contents:
            return paths.catalog
        tmp = temp_path(paths.catalog)
        tmp.unlink(missing_ok=True)
        con = duckdb.connect(str(tmp))
        try:
            con.execute("CREATE TABLE _catalog (name VARCHAR, path VARCHAR, sources VARCHAR, licence VARCHAR)")
            for name, table in described["tables"].items():
                path = Path(table["path"])
                con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM {_scan(path)}')
                prov = table["provenance"]
                titles = "; ".join(f"{s['title']} ({s['release']})" for s in prov.get("sources", []))
                con.execute("INSERT INTO _catalog VALUES (?, ?, ?, ?)",
                            [name, str(path), titles, " ".join(prov.get("licence", []))])
            if described["rejects"]:
                con.execute(
                    "CREATE VIEW rejects AS SELECT "
                    "regexp_extract(filename, 'rejects/([^/]+?)(/[^/]+)?\\.parquet$', 1) AS asset, "
                    "nullif(regexp_extract(filename, 'rejects/[^/]+/([^/]+)\\.parquet$', 1), '') AS partition, "
                    "* EXCLUDE (filename) "
                    f"FROM read_parquet('{paths.rejects}/**/*.parquet', filename = true, union_by_name = true)"
                )
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, paths.catalog)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
        write_text(signature_path, contents)
    return paths.catalog
