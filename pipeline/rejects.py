"""Rows that fail validation: where they were, which field, why, and whose row it was.

Every ingest step returns its rejects with its output. They are written per table to
``rejects/<table>.parquet`` in the generation and shown together as the ``rejects`` view of the
catalog, so a count in asset metadata can always be traced to rows. ``key`` is the entity the
row was about (an LSOA, a postcode, a practice) where it is known, so a gap in an output can be
traced back to the source rows behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.store import Written, write_parquet

# kind: "invalid" (fails validation), "duplicate", or "out_of_scope" (valid, but not
# what the table holds: a closed practice, a row for another nation).
KINDS = ("invalid", "duplicate", "out_of_scope")

SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("row_number", pa.int64()),
        ("field", pa.string()),
        ("value", pa.string()),
        ("reason", pa.string()),
        ("kind", pa.string()),
        ("key", pa.string()),
    ]
)


@dataclass
class Rejects:
    rows: list[tuple] = field(default_factory=list)

    def add(
        self,
        source_file: str,
        row_number: int | None,
        field_name: str | None,
        value,
        reason: str,
        kind: str = "invalid",
        key: str | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown reject kind {kind!r}")
        shown = None if value is None else str(value)[:200]
        self.rows.append((source_file, row_number, field_name, shown, reason, kind, key or None))

    def extend_from(self, con: duckdb.DuckDBPyConnection, query: str, params: dict | None = None) -> None:
        """Append rejects produced by SQL (columns as in ``SCHEMA``; ``key`` may be left out)."""
        for row in con.execute(query, params or {}).fetchall():
            self.add(*row)

    def __add__(self, other: Rejects) -> Rejects:
        return Rejects(self.rows + other.rows)

    @property
    def row_count(self) -> int:
        """Distinct input rows rejected (one row can fail on several fields)."""
        return len({(r[0], r[1]) for r in self.rows})

    def __len__(self) -> int:
        return len(self.rows)

    def table(self) -> pa.Table:
        ordered = sorted(self.rows, key=lambda r: (r[0] or "", r[1] or 0, r[2] or "", r[4]))
        return pa.Table.from_pylist([dict(zip(SCHEMA.names, r, strict=False)) for r in ordered], schema=SCHEMA)

    def by_reason(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.rows:
            counts[r[4]] = counts.get(r[4], 0) + 1
        return dict(sorted(counts.items()))

    def write(self, con: duckdb.DuckDBPyConnection, dest: Path, source_keys: list[str] | tuple[str, ...]) -> Written:
        """Write the rejects (possibly none) so a re-run replaces the previous run's file."""
        con.register("_rejects_out", self.table())
        try:
            sources: Mapping[str, int] = {k: len(self.rows) for k in source_keys}
            return write_parquet(con, "SELECT * FROM _rejects_out", dest, sources=sources)
        finally:
            con.unregister("_rejects_out")


def show(paths, table: str | None = None, limit: int = 20) -> str:
    """Rejected rows of the published generation: counts per table and reason, then the first rows."""
    folder = paths.current / "rejects"
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    if table:
        files = [f for f in files if f.stem == table]
        if not files:
            return f"no rejects file for table {table!r} in {folder}"
    con = duckdb.connect()
    try:
        lines = []
        for path in files:
            counts = con.execute(
                "SELECT kind, reason, count(*) FROM read_parquet($p) GROUP BY ALL ORDER BY 3 DESC, 2", {"p": str(path)}
            ).fetchall()
            if not counts:
                continue
            lines.append(f"{path.stem}: {sum(c for _, _, c in counts):,} rejected rows")
            lines += [f"  {n:>9,}  {kind:<12} {reason}" for kind, reason, n in counts]
            if table:
                rows = con.execute(
                    f"SELECT source_file, row_number, field, value, reason FROM read_parquet($p) "
                    f"ORDER BY source_file, row_number LIMIT {int(limit)}",
                    {"p": str(path)},
                ).fetchall()
                lines.append(f"  first {len(rows)}:")
                lines += [f"    {f} row {r} field {fld!r} = {v!r}: {why}" for f, r, fld, v, why in rows]
        return "\n".join(lines) or "no rejected rows"
    finally:
        con.close()


if __name__ == "__main__":
    import sys

    from pipeline.paths import Paths

    print(show(Paths.from_env(), sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] else None))
