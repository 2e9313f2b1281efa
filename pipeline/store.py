"""Write tables atomically: Parquet to a temporary name in the same folder, fsync, rename.

A run killed half-way leaves the previous file in place and readable; two runs writing the
same table at once each rename a complete file, so the survivor is always whole. Sources and
licence lines travel inside each file as Parquet key-value metadata (``diz:sources``), listing
only the sources that contributed rows to that table, with their row counts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.geography import Vintage
from pipeline.registry import SOURCES, licence_lines

# Sources of a table: {source key: rows it contributed}, or a SQL aggregate over the table
# (e.g. "count(*) FILTER (imd IS NOT NULL)") that counts them.
Contributions = Mapping[str, int | str]


@dataclass(frozen=True)
class Written:
    path: Path
    rows: int
    columns: list[tuple[str, str]] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)


# Where a column's sources differ from row to row: per column, (where, source keys) pairs; the first ``where``
# a row matches (each named column holding one of the listed values; ``{}`` matches every row) gives that
# row's sources. A zone's estimate rests on its weights and a district's own figure does not; a count with
# no new venue does not rest on what chose the new ones.
RowSources = Mapping[str, Sequence[tuple[Mapping[str, Sequence[str]], Iterable[str]]]]


def provenance(
    contributions: Mapping[str, int],
    notes: str | None = None,
    columns: Mapping[str, Iterable[str]] | None = None,
    rows: RowSources | None = None,
) -> dict:
    """Sources (with their row counts), releases and licence lines of a table, as stored with it; with
    ``columns``, which of those sources fed each named column (a column left out draws on them all); with
    ``rows``, which fed the column in the rows each ``where`` picks (``RowSources``)."""
    used = [k for k, n in contributions.items() if n]
    record: dict = {
        "sources": [
            {**{k: v for k, v in SOURCES[key].as_record().items() if k != "notes"}, "rows": int(contributions[key])}
            for key in used
        ],
        "licence": licence_lines(used),
    }
    if notes:
        record["notes"] = notes
    if columns:
        record["columns"] = {c: [k for k in dict.fromkeys(keys) if k in used] for c, keys in columns.items()}
    if rows:
        record["column_rows"] = {
            c: [
                {
                    "where": {k: [_as_text(v) for v in values] for k, values in where.items()},
                    "sources": [k for k in dict.fromkeys(keys) if k in used],
                }
                for where, keys in pairs
            ]
            for c, pairs in rows.items()
        }
    return record


def row_sources(entries: Sequence[Mapping] | None, row: Mapping[str, object]) -> list[str] | None:
    """The sources of one row's cell from a column's ``column_rows`` entries (None: the column's own apply)."""
    for entry in entries or ():
        if all(_as_text(row.get(k)) in values for k, values in entry["where"].items()):
            return list(entry["sources"])
    return None


def _as_text(value: object) -> str:
    """A cell as the published CSV writes it (true/false for a boolean), so a ``where`` matches either."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def temp_path(dest: Path) -> Path:
    """A temporary name beside ``dest`` private to this process.

    Temporary files left by a killed run (its process gone) are removed first; another live
    run's temporary file is left alone.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    for stale in dest.parent.glob(f".{dest.name}.tmp-*"):
        pid = re.match(r"\d+", stale.name[len(dest.name) + 6 :])
        if pid and not alive(int(pid.group())):
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)
    return dest.with_name(f".{dest.name}.tmp-{os.getpid()}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_atomically(tmp: Path, dest: Path) -> None:
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, dest)
    fsync_dir(dest.parent)


def _parquet_options(record: dict, vintage: Vintage | None) -> str:
    """COPY options for every Parquet table: zstd, fixed row groups, provenance as key-value metadata,
    and, for a table written on a small-area vintage, which one (so it is read back under the neutral
    names without anyone saying so)."""
    meta = json.dumps(record, ensure_ascii=False, sort_keys=True).replace("'", "''")
    kv = f"'diz:sources': '{meta}'" + (f", 'diz:vintage': '{vintage.key}'" if vintage else "")
    return f"FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000, KV_METADATA {{{kv}}}"


def count_contributions(con: duckdb.DuckDBPyConnection, table: str, sources: Contributions) -> dict[str, int]:
    """Evaluate each source's row count over ``table`` (literal counts pass through)."""
    counts: dict[str, int] = {}
    for key, how in sources.items():
        if key not in SOURCES:
            raise KeyError(f"unknown source {key!r}")
        counts[key] = (
            int(how) if isinstance(how, int) else int(con.execute(f'SELECT {how} FROM "{table}"').fetchone()[0] or 0)
        )
    return counts


def write_parquet(
    con: duckdb.DuckDBPyConnection,
    query: str,
    dest: Path,
    *,
    sources: Contributions,
    params: dict | None = None,
    notes: str | None = None,
    vintage: Vintage | None = None,
    columns: Mapping[str, Iterable[str]] | None = None,
    rows: RowSources | None = None,
) -> Written:
    """Run ``query`` and write its result to ``dest`` atomically, with provenance metadata.

    ``columns`` names, for columns fed by fewer than all of ``sources``, the source keys that fed them
    (``drawn_from`` reads them back for a table derived from these columns only); ``rows``, where that
    differs from row to row (``RowSources``).

    The query must fix its own row order (ORDER BY, or a table kept in the order its files were read) so a
    re-run writes the same bytes. With a ``vintage``, the neutral ``lsoa_code``/``lsoa_name`` columns are
    written under that vintage's names. Geometry columns should carry their CRS (``ST_SetCRS``).
    """
    # The result is made once here only when a source's count is SQL over the rows written; a whole table
    # already made, or a query whose counts are given as numbers, is streamed straight into the file.
    whole = re.fullmatch(r'\s*SELECT \* FROM ("?)(\w+)\1\s*', query)
    counted = any(not isinstance(how, int) for how in sources.values())
    kind = "VIEW" if (whole or not counted) and not params else "TABLE"
    con.execute(f"CREATE OR REPLACE TEMP {kind} _written AS {query}", params or {})
    try:
        names = [r[0] for r in con.execute("DESCRIBE _written").fetchall()]
        select = vintage.write_columns(names) if vintage else "*"
        counts = count_contributions(con, "_written", sources)
        tmp = temp_path(dest)
        try:
            options = _parquet_options(provenance(counts, notes, columns, rows), vintage)
            rows = con.execute(f"COPY (SELECT {select} FROM _written) TO '{tmp}' ({options})").fetchone()[0]
            replace_atomically(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
        described = [(r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT {select} FROM _written").fetchall()]
    finally:
        con.execute(f"DROP {kind} IF EXISTS _written")
    return Written(dest, rows, described, counts)


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


def written_vintage(path: Path) -> str | None:
    """The small-area vintage a table was written on (``None`` for national and other tables)."""
    import pyarrow.parquet as pq

    raw = (pq.read_metadata(path).metadata or {}).get(b"diz:vintage")
    return raw.decode() if raw else None


def source_rows(path: Path) -> dict[str, int]:
    """{source key: rows} recorded in a table's Parquet file."""
    return {s["source"]: s.get("rows", 0) for s in read_provenance(path).get("sources", [])}


def inherited(*paths: Path) -> dict[str, str]:
    """Sources of a table derived row by row from the given tables: every source that contributed
    to any of them, counted over the derived table's own rows."""
    keys: list[str] = []
    for path in paths:
        for key, rows in source_rows(path).items():
            if rows and key not in keys:
                keys.append(key)
    return {key: "count(*)" for key in keys}


def sources_of(path: Path, *columns: str) -> list[str]:
    """Source keys behind ``columns`` of a written table (all its sources when none are named, or where a
    column has no record of its own), in the table's order."""
    record = read_provenance(path)
    keys = [s["source"] for s in record.get("sources", []) if s.get("rows")]
    if not columns:
        return keys
    per_column = record.get("columns", {})
    wanted = {k for c in columns for k in per_column.get(c, keys)}
    return [k for k in keys if k in wanted]


def drawn_from(*parts: Path | tuple[Path, Iterable[str]]) -> dict[str, str]:
    """Sources of a table derived from the given tables, or from only some columns of one (``(path,
    columns)``): the sources that fed those columns, counted over the derived table's own rows. Unlike
    ``inherited``, a table reading two columns of a wide table does not take on every source of it."""
    keys: list[str] = []
    for part in parts:
        path, columns = (part, ()) if isinstance(part, Path) else (part[0], tuple(part[1]))
        keys += [k for k in sources_of(path, *columns) if k not in keys]
    return {key: "count(*)" for key in keys}
