"""Write tables atomically: Parquet to a temporary name in the same folder, fsync, rename.

A run killed half-way leaves the previous file in place and readable; two runs writing the
same table at once each rename a complete file, so the survivor is always whole. Sources
and licence lines travel inside each file as Parquet key-value metadata (``diz:sources``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.registry import SOURCES, licence_lines


@dataclass(frozen=True)
class Written:
    path: Path
    rows: int
    columns: list[tuple[str, str]] = field(default_factory=list)


def provenance(source_keys: list[str] | tuple[str, ...], notes: str | None = None) -> dict:
    """Sources, releases and licence lines of a table, as stored with it."""
    record: dict = {
        "sources": [{k: v for k, v in SOURCES[key].as_record().items() if k != "notes"} for key in source_keys],
        "licence": licence_lines(source_keys),
    }
    if notes:
        record["notes"] = notes
    return record


def temp_path(dest: Path) -> Path:
    """A temporary name beside ``dest`` private to this process.

    Temporary files left by a killed run (its process gone) are removed first; another live
    run's temporary file is left alone.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    for stale in dest.parent.glob(f".{dest.name}.tmp-*"):  # also DuckDB's "<name>.wal" beside a temp catalog
        pid = re.match(r"\d+", stale.name[len(dest.name) + 6:])
        if pid and not _alive(int(pid.group())):
            if stale.is_dir():  # a staging folder (write_partitions)
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)
    return dest.with_name(f".{dest.name}.tmp-{os.getpid()}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_atomically(tmp: Path, dest: Path) -> None:
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, dest)
    _fsync_dir(dest.parent)


def _parquet_options(source_keys: list[str] | tuple[str, ...], notes: str | None) -> str:
    """COPY options for every Parquet table: zstd, fixed row groups, provenance as key-value metadata."""
    meta = json.dumps(provenance(source_keys, notes), ensure_ascii=False, sort_keys=True).replace("'", "''")
    return f"FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000, KV_METADATA {{'diz:sources': '{meta}'}}"


def write_parquet(con: duckdb.DuckDBPyConnection, query: str, dest: Path, *, source_keys: list[str] | tuple[str, ...],
                  params: dict | None = None, notes: str | None = None) -> Written:
    """Run ``query`` and write its result to ``dest`` atomically, with provenance metadata.

    The query must fix its own row order (ORDER BY) so a re-run writes the same bytes.
    Geometry columns should carry their CRS (``ST_SetCRS``) so the GeoParquet metadata
    names it.
    """
    tmp = temp_path(dest)
    try:
        con.execute(f"COPY ({query}) TO '{tmp}' ({_parquet_options(source_keys, notes)})", params or {})
        replace_atomically(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    rows = con.execute("SELECT count(*) FROM read_parquet($p)", {"p": str(dest)}).fetchone()[0]
    columns = [(r[0], r[1]) for r in con.execute("DESCRIBE SELECT * FROM read_parquet($p)", {"p": str(dest)}).fetchall()]
    return Written(dest, rows, columns)


def write_partitions(con: duckdb.DuckDBPyConnection, table: str, folder: Path, column: str, keys: list[str], *,
                     source_keys: list[str] | tuple[str, ...], notes: str | None = None) -> list[Written]:
    """One Parquet file per key (``folder/<key>.parquet``) from ``table``, in the table's order.

    One partitioned COPY writes every key's file into a staging folder (one thread, so each
    file's rows keep the table's order and a re-run writes the same bytes); each file is then
    renamed into place. A key with no rows gets an empty file, so every partition exists.
    """
    staging = temp_path(folder / "partitions")
    shutil.rmtree(staging, ignore_errors=True)
    options = _parquet_options(source_keys, notes)
    counts = dict(con.execute(f'SELECT "{column}", count(*) FROM "{table}" GROUP BY 1').fetchall())
    columns = [(r[0], r[1]) for r in con.execute(f'DESCRIBE "{table}"').fetchall()]
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    written = []
    try:
        con.execute("SET threads = 1")
        try:
            con.execute(f"""COPY (SELECT * FROM "{table}" WHERE list_contains($keys, "{column}")) TO '{staging}'
                            ({options}, PARTITION_BY ("{column}"), WRITE_PARTITION_COLUMNS true,
                             FILENAME_PATTERN 'part_{{i}}')""", {"keys": keys})
        finally:
            con.execute(f"SET threads = {int(threads)}")
        for key in keys:
            parts = sorted((staging / f"{column}={key}").glob("part_*.parquet"))
            if len(parts) > 1:
                raise RuntimeError(f"DuckDB split partition {key} of {table} into {len(parts)} files; expected one")
            part = parts[0] if parts else staging / f"{column}={key}" / "part_0.parquet"
            if not parts:
                part.parent.mkdir(parents=True, exist_ok=True)
                con.execute(f"""COPY (SELECT * FROM "{table}" LIMIT 0) TO '{part}' ({options})""")
            with open(part, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(part, folder / f"{key}.parquet")
            written.append(Written(folder / f"{key}.parquet", counts.get(key, 0), columns))
        _fsync_dir(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def write_text(dest: Path, text: str | bytes) -> Path:
    """Write a text or binary file atomically (maps, markdown, JSON sidecars)."""
    tmp = temp_path(dest)
    try:
        if isinstance(text, bytes):
            tmp.write_bytes(text)
        else:
            tmp.write_text(text, encoding="utf-8")
        replace_atomically(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def read_provenance(path: Path) -> dict:
    import pyarrow.parquet as pq

    meta = pq.read_metadata(path).metadata or {}
    raw = meta.get(b"diz:sources")
    return json.loads(raw) if raw else {}
