"""Where things live. One place, so tests and benchmarks can point a run elsewhere.

A run writes everything it makes into its own *generation* folder
(``data/processed/generations/<id>/``). People and scripts open fixed paths —
``data/processed/diz.duckdb``, ``data/processed/tables/``, the XLSX, ``maps/*.html`` — which are
symbolic links through one pointer, ``data/processed/current``. Publishing a generation is one
atomic rename of that pointer (``pipeline/generations.py``), so the files people open always
come from one complete run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Outputs people open, as (path under the generation, path under the output root).
PUBLIC_LINKS = (
    ("diz.duckdb", "data/processed/diz.duckdb"),
    ("tables", "data/processed/tables"),
    ("diz_evidence_pack.xlsx", "data/processed/diz_evidence_pack.xlsx"),
    ("headlines.md", "data/processed/headlines.md"),
    ("headlines.html", "data/processed/headlines.html"),
    ("charts", "data/processed/charts"),
    ("briefings", "data/processed/briefings"),
    ("rejects", "data/processed/rejects"),
)


@dataclass(frozen=True)
class Paths:
    """Folders a run reads from and writes to.

    ``root`` holds ``data/raw``, ``data/processed`` and ``maps``; it is the project root unless
    ``DIZ_OUTPUT_ROOT`` says otherwise. ``mirror`` is the local copy of the official sources
    named by ``DIZ_SOURCE_MIRROR``. ``out`` is the generation folder the step reads its inputs
    from and writes its outputs to; by default the live one.
    """

    root: Path
    mirror: Path | None = None
    out: Path | None = None

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def generations(self) -> Path:
        return self.processed / "generations"

    @property
    def current(self) -> Path:
        """The pointer to the live generation."""
        return self.processed / "current"

    @property
    def gen(self) -> Path:
        """The generation this step reads and writes."""
        return self.out if self.out is not None else self.current

    @property
    def maps(self) -> Path:
        return self.gen / "maps"

    @property
    def public_maps(self) -> Path:
        return self.root / "maps"

    @property
    def kept_drawings(self) -> Path:
        """Drawings kept between runs (``pipeline.outputs.kept_drawings``): in no generation, opened by nobody."""
        return self.root / "data" / "cache"

    @property
    def tables(self) -> Path:
        return self.gen / "tables"

    @property
    def charts(self) -> Path:
        return self.gen / "charts"

    @property
    def briefings(self) -> Path:
        return self.gen / "briefings"

    @property
    def rejects(self) -> Path:
        return self.gen / "rejects"

    @property
    def catalog(self) -> Path:
        return self.gen / "diz.duckdb"

    @property
    def outcomes(self) -> Path:
        """Outcome tables a user drops in for ``index_validation``."""
        return self.raw / "outcomes"

    def table_path(self, name: str) -> Path:
        """Parquet file of one table in this generation."""
        return self.gen / f"{name}.parquet"

    def in_generation(self, folder: Path) -> Paths:
        return replace(self, out=folder)

    def ensure(self) -> Paths:
        """Create the folders a run writes to (never ``current``: only publishing makes that)."""
        folders = [self.raw, self.processed, self.public_maps]
        if self.out is not None:
            folders += [self.gen, self.rejects]
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
        return self

    @classmethod
    def from_env(cls) -> Paths:
        from pipeline.settings import environment

        env = environment()
        return cls(root=env.output_root, mirror=env.source_mirror)
