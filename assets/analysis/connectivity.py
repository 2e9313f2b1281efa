"""Connectivity change per district and the reconciliation table for the evidence pack."""

import dagster as dg

from assets.metadata import table_metadata
from assets.resources import DuckDBResource, SettingsResource, StorageResource
from pipeline.analysis.connectivity import build_connectivity_change, build_connectivity_reconciliation


@dg.asset(group_name="analysis", kinds={"duckdb", "parquet"}, deps=["district_connectivity_series", "broadband_coverage"])
def connectivity_reconciliation(settings: SettingsResource, storage: StorageResource,
                                duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Ofcom's July 2024 district gigabit % against the figure our postcode-district input gives."""
    with duckdb.connect() as con:
        result = build_connectivity_reconciliation(con, storage.paths(), settings.get())
        meta = table_metadata(result, con)
    storage.refresh_catalog()
    return dg.MaterializeResult(metadata=meta)


@dg.asset(group_name="analysis", kinds={"duckdb", "parquet"}, deps=["district_connectivity_series"])
def connectivity_change(storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """First and latest snapshot per district and indicator, change in points, and rank among the districts."""
    with duckdb.connect() as con:
        result = build_connectivity_change(con, storage.paths())
        meta = table_metadata(result, con)
    storage.refresh_catalog()
    return dg.MaterializeResult(metadata=meta)
