"""Ofcom connectivity over time per district (as republished by ONS), with its reconciliation check."""

import dagster as dg

from assets.checks_support import count_check, query
from assets.metadata import table_metadata
from assets.resources import DuckDBResource, SettingsResource, StorageResource
from pipeline import duck
from pipeline.analysis.connectivity import reconcile
from pipeline.ingest.connectivity_series import build_district_connectivity_series


@dg.asset(group_name="ingest", kinds={"duckdb", "parquet"})
def district_connectivity_series(settings: SettingsResource, storage: StorageResource,
                                 duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Gigabit, below-30 Mbit/s, 4G and 5G figures per district and comparator, one row per distinct snapshot."""
    with duckdb.connect() as con:
        result = build_district_connectivity_series(con, storage.paths(), list(settings.get().lad_codes))
        meta = table_metadata(result, con)
    storage.refresh_catalog()
    return dg.MaterializeResult(metadata=meta)


@dg.asset_check(asset=district_connectivity_series, blocking=True)
def one_row_per_area_indicator_snapshot(storage: StorageResource) -> dg.AssetCheckResult:
    """No snapshot is listed twice, and every value is a percentage."""
    return count_check(storage, "district_connectivity_series",
                       "value NOT BETWEEN 0 AND 100 OR (area_code, indicator, snapshot) IN (SELECT (area_code, indicator, snapshot) "
                       "FROM district_connectivity_series GROUP BY ALL HAVING count(*) > 1)",
                       what="repeat a snapshot or are not a percentage")


@dg.asset_check(asset=district_connectivity_series)
def series_covers_study_districts(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Each study district has a gigabit series with at least two snapshots."""
    lads = list(settings.get().lad_codes)
    found = dict(query(storage, """SELECT area_code, count(*) FROM district_connectivity_series
        WHERE indicator = 'gigabit_capable_pct' GROUP BY 1""", ("district_connectivity_series",)))
    short = [lad for lad in lads if found.get(lad, 0) < 2]
    return dg.AssetCheckResult(passed=not short, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"gigabit_snapshots_per_district": {lad: found.get(lad, 0) for lad in lads}})


@dg.asset_check(asset=district_connectivity_series, additional_deps=["broadband_coverage"])
def gigabit_reconciles_with_postcode_data(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """For the reconciliation snapshot (July 2024), each district's gigabit-capable % from the series is within the
    configured threshold of the figure derived from our postcode(-district) input. The district means are
    unweighted, so a gap is expected: the check warns and shows it rather than stopping the run."""
    config = settings.get()
    con = duck.connect()
    try:
        rows = reconcile(con, storage.paths(), config)
    finally:
        con.close()
    over = [r["lad_code"] for r in rows if r["within_threshold"] is False]
    missing = [r["lad_code"] for r in rows if r["within_threshold"] is None]
    return dg.AssetCheckResult(
        passed=not over and not missing, severity=dg.AssetCheckSeverity.WARN,
        description=(f"{len(over)} district(s) differ by more than {config.reconciliation_warn_pp} pp" if over
                     else "all districts within threshold") + (f"; {len(missing)} could not be compared" if missing else ""),
        metadata={"snapshot": config.reconciliation_snapshot, "threshold_pp": config.reconciliation_warn_pp,
                  "series_pct": {r["lad_code"]: r["series_pct"] for r in rows},
                  "derived_pct": {r["lad_code"]: r["derived_pct"] for r in rows},
                  "difference_pp": {r["lad_code"]: r["difference_pp"] for r in rows},
                  "over_threshold": over, "not_compared": missing})
