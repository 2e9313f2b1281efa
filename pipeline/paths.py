"""Where things live. One place, so tests and benchmarks can point a run elsewhere."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Paths:
    """Folders a run reads from and writes to.

    ``root`` holds ``data/raw``, ``data/processed`` and ``maps``; it is the project
    root unless ``DIZ_OUTPUT_ROOT`` says otherwise (tests and benchmarks use a
    temporary folder). ``mirror`` is the local copy of the official sources named by
    ``DIZ_SOURCE_MIRROR``.
    """

    root: Path
    mirror: Path | None = None

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def maps(self) -> Path:
        return self.root / "maps"

    @property
    def tables(self) -> Path:
        return self.processed / "tables"

    @property
    def rejects(self) -> Path:
        return self.processed / "rejects"

    @property
    def catalog(self) -> Path:
        return self.processed / "diz.duckdb"

    def table_path(self, name: str, partition: str | None = None) -> Path:
        """Parquet file of one table, or of one partition of a partitioned table."""
        if partition is None:
            return self.processed / f"{name}.parquet"
        return self.processed / name / f"{partition}.parquet"

    def ensure(self) -> "Paths":
        for folder in (self.raw, self.processed, self.maps, self.rejects):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    @classmethod
    def from_env(cls) -> "Paths":
        root = Path(os.environ.get("DIZ_OUTPUT_ROOT", PROJECT_ROOT)).resolve()
        mirror_env = os.environ.get("DIZ_SOURCE_MIRROR", "").strip()
        mirror = Path(mirror_env).expanduser().resolve() if mirror_env else None
        return cls(root=root, mirror=mirror)
