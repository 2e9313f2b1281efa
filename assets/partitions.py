"""Per-district work is partitioned by LAD code, from the configured study area.

With the single-run backfill policy a run can take every district at once (DuckDB does them in
one pass); a backfill with a multi-run policy fans districts out to separate runs instead.
"""


import os
import warnings

import dagster as dg

from pipeline.settings import load_settings

LAD_PARTITIONS = dg.StaticPartitionsDefinition(list(load_settings().lad_codes))


# backfill_policy is marked beta in Dagster 1.13; we rely on it knowingly.
warnings.filterwarnings("ignore", category=dg.BetaWarning, message=".*backfill_policy.*")


def backfill_policy() -> dg.BackfillPolicy:
    """``DIZ_LADS_PER_RUN=N`` splits backfills into runs of N districts; unset, one run takes all."""
    per_run = os.environ.get("DIZ_LADS_PER_RUN", "").strip()
    if per_run:
        return dg.BackfillPolicy.multi_run(max_partitions_per_run=int(per_run))
    return dg.BackfillPolicy.single_run()


def lads_for(context: dg.AssetExecutionContext) -> list[str]:
    """The districts this step covers: its partitions, in configured order."""
    keys = set(context.partition_keys)
    lads = [lad for lad in LAD_PARTITIONS.get_partition_keys() if lad in keys]
    if not lads:  # e.g. a partition range given end-first, which Dagster resolves to nothing
        raise ValueError(f"this run covers no study-area district (partitions {sorted(keys)}); the configured "
                         f"districts, in order, are {', '.join(LAD_PARTITIONS.get_partition_keys())}")
    return lads
