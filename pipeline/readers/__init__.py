"""One reader per source. Each checks its file(s) into a DuckDB temp table and returns a ``Read``."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.rejects import Rejects


@dataclass
class Read:
    """What a reader loaded.

    ``rows_in`` counts rows of the ``primary`` files (the ones the table is made of); every
    primary row not kept has at least one record in ``rejects``. Records about secondary files
    (a lookup consulted along the way) are kept too, for people to read. ``counts`` are facts
    worth showing in asset metadata (features outside the study area, files read...).
    """

    table: str
    rows_in: int
    rejects: Rejects
    primary: tuple[str, ...]
    notes: dict = field(default_factory=dict)
    rows_kept: int | None = None  # input rows kept, when not one per table row (e.g. a pivot)
    counts: dict = field(default_factory=dict)
