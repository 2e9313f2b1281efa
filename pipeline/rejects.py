"""Rows that fail validation: where they were, which field, and why.

Every ingest step returns its rejects with its output. They are written per table (and
per partition) to ``data/processed/rejects/`` and shown together as the ``rejects`` view
of the catalog, so a count in asset metadata can always be traced to rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.store import Written, write_parquet

# kind: "invalid" (fails validation), "duplicate", or "out_of_scope" (valid, but not
# what the table holds: a closed practice, a branch of a closed practice).
KINDS = ("invalid", "duplicate", "out_of_scope")

SCHEMA = pa.schema([
    ("source_file", pa.string()),
    ("row_number", pa.int64()),
    ("field", pa.string()),
    ("value", pa.string()),
    ("reason", pa.string()),
    ("kind", pa.string()),
])


@dataclass
class Rejects:
    rows: list[tuple] = field(default_factory=list)

    def add(self, source_file: str, row_number: int | None, field_name: str | None, value, reason: str,
            kind: str = "invalid") -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown reject kind {kind!r}")
        shown = None if value is None else str(value)[:200]
        self.rows.append((source_file, row_number, field_name, shown, reason, kind))

    def extend_from(self, con: duckdb.DuckDBPyConnection, query: str, params: dict | None = None) -> None:
        """Append rejects produced by SQL (columns as in ``SCHEMA``)."""
        for row in con.execute(query, params or {}).fetchall():
            self.add(*row)

    @property
    def row_count(self) -> int:
        """Distinct input rows rejected (one row can fail on several fields)."""
        return len({(r[0], r[1]) for r in self.rows})

    def __len__(self) -> int:
        return len(self.rows)

    def table(self) -> pa.Table:
        ordered = sorted(self.rows, key=lambda r: (r[0] or "", r[1] or 0, r[2] or "", r[4]))
        return pa.Table.from_pylist([dict(zip(SCHEMA.names, r)) for r in ordered], schema=SCHEMA)

    def write(self, con: duckdb.DuckDBPyConnection, dest: Path, source_keys: list[str]) -> Written:
        """Write the rejects (possibly none) so a re-run replaces the previous run's file."""
        con.register("_rejects_out", self.table())
        try:
            return write_parquet(con, "SELECT * FROM _rejects_out", dest, source_keys=source_keys)
        finally:
            con.unregister("_rejects_out")
