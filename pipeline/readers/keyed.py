"""Rows of a file keyed by an entity code (an LSOA, a practice), with the duplicate rule every
reader applies: an exact repeat of an earlier row is collapsed (kept once, the repeat counted as
a duplicate); rows that repeat a key with different values are all rejected, since there is no
way to tell which is right.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.rejects import Rejects


@dataclass
class KeyedRows:
    label: str
    key_field: str  # the publisher's column name of the key, for reject records
    rejects: Rejects = field(default_factory=Rejects)
    _rows: dict[str, tuple[int, tuple, dict]] = field(default_factory=dict)
    _conflicts: dict[str, list[int]] = field(default_factory=dict)
    rows_in: int = 0

    def seen(self) -> None:
        """Count one input row (call once per data row, whatever becomes of it)."""
        self.rows_in += 1

    def reject(self, line: int, field_name: str, value, reason: str, *, key: str | None = None,
               kind: str = "invalid") -> None:
        self.rejects.add(self.label, line, field_name, value, reason, kind, key)

    def keep(self, line: int, key: str, raw: tuple, record: dict) -> None:
        """Keep a valid row; ``raw`` is its published values, compared for exact repeats."""
        if key in self._conflicts:
            self._conflicts[key].append(line)
            return
        if key in self._rows:
            first_line, first_raw, _ = self._rows[key]
            if raw == first_raw:
                self.reject(line, self.key_field, key, f"exact repeat of row {first_line} (collapsed)",
                            key=key, kind="duplicate")
            else:
                self._conflicts[key] = [first_line, line]
                del self._rows[key]
            return
        self._rows[key] = (line, raw, record)

    def by_key(self) -> dict[str, dict]:
        """Kept records by key (with ``source_row``), in key order."""
        self._settle()
        return {key: rec | {"source_row": line} for key, (line, _, rec) in sorted(self._rows.items())}

    def _settle(self) -> bool:
        """Reject every row of a conflicting key (once)."""
        for key, lines in self._conflicts.items():
            for line in lines:
                self.reject(line, self.key_field, key,
                            f"{len(lines)} rows for this {self.key_field} with different values; none used",
                            key=key, kind="duplicate")
        self._conflicts = {k: [] for k in self._conflicts}
        return True

    def kept(self) -> list[dict]:
        """The kept records in key order, after rejecting every row of a conflicting key."""
        self._settle()
        return [rec | {"source_row": line} for key, (line, _, rec) in sorted(self._rows.items())]
