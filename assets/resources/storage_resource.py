"""Where a run reads sources from and writes tables, maps and the catalog."""


from pathlib import Path

import dagster as dg

from pipeline import catalog
from pipeline.paths import Paths


class StorageResource(dg.ConfigurableResource):
    """``output_root`` holds data/raw, data/processed and maps (default: ``DIZ_OUTPUT_ROOT`` or the
    project); ``source_mirror`` is a local copy of the official sources (default: ``DIZ_SOURCE_MIRROR``)."""

    output_root: str | None = None
    source_mirror: str | None = None

    def paths(self) -> Paths:
        base = Paths.from_env()
        root = Path(self.output_root).resolve() if self.output_root else base.root
        mirror = Path(self.source_mirror).resolve() if self.source_mirror else base.mirror
        return Paths(root=root, mirror=mirror).ensure()

    def refresh_catalog(self) -> Path:
        return catalog.refresh(self.paths())
