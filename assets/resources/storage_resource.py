"""Where a run reads its sources and writes its staging generation."""

from pathlib import Path

import dagster as dg

from pipeline import generations
from pipeline.paths import Paths
from pipeline.steps import BY_NAME


class StorageResource(dg.ConfigurableResource):
    """``output_root`` holds data/raw, data/processed and maps (default: ``DIZ_OUTPUT_ROOT`` or the
    project); ``source_mirror`` is a local copy of the official sources (default: ``DIZ_SOURCE_MIRROR``).

    Every step of one Dagster run writes into that run's staging generation; the run publishes it
    whole when it succeeds (``make run``, or the sensor for runs launched from the UI).
    """

    output_root: str | None = None
    source_mirror: str | None = None

    def paths(self) -> Paths:
        base = Paths.from_env()
        root = Path(self.output_root).resolve() if self.output_root else base.root
        mirror = Path(self.source_mirror).resolve() if self.source_mirror else base.mirror
        return Paths(root=root, mirror=mirror).ensure()

    def staged(self, run_id: str) -> Paths:
        """The run's staging generation (created, from the live one, by the first step that asks)."""
        return generations.stage(self.paths(), run_id, set(BY_NAME))
