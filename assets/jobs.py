"""Jobs: everything, or one group at a time."""


import dagster as dg

everything_job = dg.define_asset_job(
    "everything", selection=dg.AssetSelection.all(),
    description="Materialise every asset: ingest, analysis and outputs.")

ingest_job = dg.define_asset_job(
    "ingest", selection=dg.AssetSelection.groups("ingest"),
    description="Re-read every source into validated tables.")

indicators_job = dg.define_asset_job(
    "indicators", selection=dg.AssetSelection.assets("lsoa_indicators").upstream(),
    description="Postcodes to LSOAs to indicators, and every source they need: the steps that grow "
                "with the study area (the England benchmark runs this job).")

JOBS = [everything_job, ingest_job, indicators_job]
