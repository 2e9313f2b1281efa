"""Jobs: everything, or one group at a time."""


import dagster as dg

everything_job = dg.define_asset_job(
    "everything", selection=dg.AssetSelection.all(),
    description="Materialise every asset: ingest, analysis and outputs.")

ingest_job = dg.define_asset_job(
    "ingest", selection=dg.AssetSelection.groups("ingest"),
    description="Re-read every source into validated tables.")

JOBS = [everything_job, ingest_job]
