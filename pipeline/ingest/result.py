"""What a step produced, and the accounting rule every ingest step must satisfy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.fetch import Located
from pipeline.geography import Vintage
from pipeline.paths import Paths
from pipeline.readers import Read
from pipeline.registry import Source
from pipeline.rejects import Rejects
from pipeline.store import Written, write_parquet


class AccountingError(AssertionError):
    """Rows went missing without a reject record: a bug in a reader, never a data problem."""


@dataclass
class AssetResult:
    """What a step made for one of its assets: the one shape every builder returns (a list of them).

    A table has ``outputs`` (its Parquet file) and, when read from a source, the accounting of rows in,
    kept and rejected; any other asset (maps, PDFs, CSVs, charts, GeoTIFFs) has ``files``. ``counts``
    are facts worth showing in Dagster's metadata and the run's manifest.
    """

    name: str
    outputs: list[Written] = field(default_factory=list)
    rows_in: int | None = None
    rows_kept: int | None = None
    rejects: Rejects = field(default_factory=Rejects)
    inputs: list[Located] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return (self.rows_in or 0) - (self.rows_kept or 0)

    @property
    def rows_written(self) -> int:
        return sum(w.rows for w in self.outputs)

    @property
    def all_files(self) -> list[Path]:
        return [w.path for w in self.outputs] + list(self.files)

    @property
    def sources(self) -> dict[str, int]:
        """Sources that contributed rows to this table, with their row counts."""
        out: dict[str, int] = {}
        for written in self.outputs:
            for key, rows in written.sources.items():
                if rows:
                    out[key] = out.get(key, 0) + rows
        return out

    def metadata(self) -> dict:
        """Plain values for asset metadata and the run's manifest."""
        if not self.outputs:
            return {"files": len(self.files), **self.counts}
        meta = {
            "rows_in": self.rows_in,
            "rows_kept": self.rows_kept,
            "rows_rejected": self.rows_rejected,
            "reject_records": len(self.rejects),
            "rows_written": self.rows_written,
            "sources": self.sources,
            "inputs": [f"{i.label} ({i.origin}, sha256 {i.sha256[:12]})" for i in self.inputs],
            **self.counts,
        }
        if self.outputs[0].columns:
            meta["columns"] = self.outputs[0].columns
        return meta


def made(name: str, files, counts: dict | None = None) -> AssetResult:
    """An asset made of files other than one table (maps, PDFs, CSVs, charts, GeoTIFFs)."""
    return AssetResult(name, files=[Path(f) for f in files], counts=counts or {})


def derived(name: str, written: Written, counts: dict | None = None) -> AssetResult:
    """A table computed from other tables: every row in is a row out, nothing rejected."""
    return AssetResult(name, [written], written.rows, written.rows, Rejects(), [], counts or {})


def account(read: Read, rows_kept: int | None = None) -> tuple[int, int]:
    """(rows in, rows kept) after checking that every dropped primary row has a reject record."""
    kept = read.rows_kept if read.rows_kept is not None else rows_kept
    if kept is None:
        raise ValueError("rows kept unknown")
    # A reject belongs to a primary file when it names that file or a member of it ("a.zip!b.csv").
    rejected_rows = {
        (r[0], r[1])
        for r in read.rejects.rows
        if r[0] and any(r[0] == p or r[0].startswith(p + "!") for p in read.primary)
    }
    dropped = read.rows_in - kept
    if dropped != len(rejected_rows):
        raise AccountingError(
            f"{read.table}: {read.rows_in} rows in, {kept} kept, but {len(rejected_rows)} "
            f"rows have reject records (expected {dropped})"
        )
    return read.rows_in, kept


def publish_read(
    con: duckdb.DuckDBPyConnection,
    paths: Paths,
    name: str,
    read: Read,
    inputs: list[Located],
    source: Source,
    order: str | None,
    *,
    counts: dict | None = None,
    vintage: Vintage | None = None,
    notes: str | None = None,
) -> AssetResult:
    """Write a reader's table and its rejects, check the accounting, and describe the result. ``order`` sorts
    the rows; None keeps them in the order the files were read (a reader that keeps file order: the same input
    writes the same bytes, and millions of rows are not sorted)."""
    query = f'SELECT * FROM "{read.table}"' + (f" ORDER BY {order}" if order else "")
    rows = con.execute(f'SELECT count(*) FROM "{read.table}"').fetchone()[0]
    written = write_parquet(
        con,
        query,
        paths.table_path(name),
        sources={source.key: rows},
        vintage=vintage,
        notes=notes or (source.notes or None),
    )
    read.rejects.write(con, paths.rejects / f"{name}.parquet", [source.key])
    rows_in, kept = account(read, written.rows)
    return AssetResult(name, [written], rows_in, kept, read.rejects, inputs, (counts or {}) | read.counts)
