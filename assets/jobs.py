"""Jobs. Each selects the source assets too, so a run observes the files it reads first and
Dagster's stale view matches what the run re-computes."""

import dagster as dg

SOURCES = dg.AssetSelection.groups("sources")

everything_job = dg.define_asset_job(
    "everything", selection=dg.AssetSelection.all(include_sources=True),
    description="Every step: ingest, analysis and outputs (make run runs the stale part of this).")

ingest_job = dg.define_asset_job(
    "ingest", selection=dg.AssetSelection.groups("ingest") | SOURCES,
    description="Re-read every source into validated tables.")

indicators_job = dg.define_asset_job(
    "indicators", selection=dg.AssetSelection.assets("lsoa_indicators").upstream() | SOURCES,
    description="Postcodes to LSOAs to indicators, and every source they need: the steps that grow "
                "with the study area (the England benchmark runs this job).")

JOBS = [everything_job, ingest_job, indicators_job]
