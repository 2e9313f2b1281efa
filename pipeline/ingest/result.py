"""What an ingest step produced, and the accounting rule every step must satisfy."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.rejects import Rejects
from pipeline.store import Written


class AccountingError(AssertionError):
    """Rows went missing without a reject record: a bug in a reader, never a data problem."""


@dataclass
class TableResult:
    name: str
    outputs: list[Written]
    rows_in: int
    rows_kept: int
    rejects: Rejects
    inputs: list[Located]
    source_keys: tuple[str, ...]
    counts: dict = field(default_factory=dict)

    @property
    def rows_rejected(self) -> int:
        return self.rows_in - self.rows_kept

    @property
    def rows_written(self) -> int:
        return sum(w.rows for w in self.outputs)

    def metadata(self) -> dict:
        """Plain values for asset metadata."""
        return {
            "rows_in": self.rows_in,
            "rows_kept": self.rows_kept,
            "rows_rejected": self.rows_rejected,
            "reject_records": len(self.rejects),
            "rows_written": self.rows_written,
            "inputs": [f"{i.label} ({i.origin}, sha256 {i.sha256[:12]})" for i in self.inputs],
            **self.counts,
        }


def account(read: Read, rows_kept: int | None = None) -> tuple[int, int]:
    """(rows in, rows kept) after checking that every dropped primary row has a reject record."""
    kept = read.rows_kept if read.rows_kept is not None else rows_kept
    if kept is None:
        raise ValueError("rows kept unknown")
    # A reject belongs to a primary file when it names that file or a member of it ("a.zip!b.csv").
    rejected_rows = {(r[0], r[1]) for r in read.rejects.rows
                     if r[0] and any(r[0] == p or r[0].startswith(p + "!") for p in read.primary)}
    dropped = read.rows_in - kept
    if dropped != len(rejected_rows):
        raise AccountingError(f"{read.table}: {read.rows_in} rows in, {kept} kept, but {len(rejected_rows)} "
                              f"rows have reject records (expected {dropped})")
    return read.rows_in, kept
