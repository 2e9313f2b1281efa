"""Jobs. Each selects the source assets too, so a run observes the files it reads first and
Dagster's stale view matches what the run re-computes."""

import dagster as dg

from assets.factory import applies
from pipeline.steps import BY_NAME, closure

SOURCES = dg.AssetSelection.groups("sources")

everything_job = dg.define_asset_job(
    "everything",
    selection=dg.AssetSelection.all(include_sources=True),
    description="Every step: ingest, analysis and outputs (make run runs the stale part of this).",
)

ingest_job = dg.define_asset_job(
    "ingest",
    selection=dg.AssetSelection.groups("ingest") | SOURCES,
    description="Re-read every source into validated tables.",
)

# Whole steps: a step writing several assets (connectivity_series) cannot run one of them alone.
INDICATOR_ASSETS = [
    asset for name in sorted(closure("lsoa_indicators")) if applies(BY_NAME[name]) for asset in BY_NAME[name].assets
]

indicators_job = dg.define_asset_job(
    "indicators",
    selection=dg.AssetSelection.assets(*INDICATOR_ASSETS) | SOURCES,
    description="Postcodes to LSOAs to indicators, and every source they need: the steps that grow "
    "with the study area (the England benchmark runs this job).",
)

JOBS = [everything_job, ingest_job, indicators_job]
