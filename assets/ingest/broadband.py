"""Broadband coverage: Ofcom sources at three resolutions and the per-postcode table built from them."""


import dagster as dg

from assets.checks_support import count_check, query
from assets.metadata import table_metadata
from assets.partitions import LAD_PARTITIONS, backfill_policy, lads_for
from assets.resources import DuckDBResource, SettingsResource, StorageResource
from pipeline.ingest.broadband import (build_broadband_coverage, build_ofcom_la_coverage, build_ofcom_postcode_coverage,
                                       build_ofcom_postcode_district)
from pipeline.readers.ofcom_columns import PERCENT_FIELDS


def _materialize(builder, storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.connect() as con:
        result = builder(con, storage.paths())
        meta = table_metadata(result, con)
    storage.refresh_catalog()
    return dg.MaterializeResult(metadata=meta)


@dg.asset(group_name="ingest", kinds={"duckdb", "parquet"})
def ofcom_postcode_district(storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Ofcom July 2024 coverage as unweighted postcode-district means (the coarse source we have)."""
    return _materialize(build_ofcom_postcode_district, storage, duckdb)


@dg.asset(group_name="ingest", kinds={"duckdb", "parquet"})
def ofcom_postcode_coverage(storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Ofcom's own postcode-level coverage files, every release present (empty when none is)."""
    return _materialize(build_ofcom_postcode_coverage, storage, duckdb)


@dg.asset(group_name="ingest", kinds={"duckdb", "parquet"})
def ofcom_la_coverage(storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Ofcom's local-authority coverage files, every release present (empty when none is)."""
    return _materialize(build_ofcom_la_coverage, storage, duckdb)


@dg.asset(group_name="ingest", kinds={"duckdb", "parquet"}, partitions_def=LAD_PARTITIONS,
          backfill_policy=backfill_policy(),
          deps=["postcodes", ofcom_postcode_coverage, ofcom_postcode_district, ofcom_la_coverage])
def broadband_coverage(context: dg.AssetExecutionContext, storage: StorageResource,
                       duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Coverage for every study-area postcode from the finest source available, with resolution and release."""
    with duckdb.connect() as con:
        result = build_broadband_coverage(con, storage.paths(), lads_for(context))
        meta = table_metadata(result, con)
    storage.refresh_catalog()
    return dg.MaterializeResult(metadata=meta)


def _pct_out_of_range(columns) -> str:
    return " OR ".join(f"{c} NOT BETWEEN 0 AND 100 OR isnan({c})" for c in columns)


@dg.asset_check(asset=ofcom_postcode_district, blocking=True)
def district_percentages_in_range(storage: StorageResource) -> dg.AssetCheckResult:
    cols = ("gigabit_pct", "sfbb_pct", "ufbb_pct", "below_uso_pct", "nga_pct")
    return count_check(storage, "ofcom_postcode_district", _pct_out_of_range(cols), what="have a percentage outside 0-100")


@dg.asset_check(asset=broadband_coverage, blocking=True)
def coverage_percentages_in_range(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Every percentage lies within 0-100."""
    return count_check(storage, "broadband_coverage",
                       f"list_contains($lads, lad_code) AND ({_pct_out_of_range(PERCENT_FIELDS)})",
                       what="have a percentage outside 0-100", params={"lads": list(settings.get().lad_codes)})


@dg.asset_check(asset=broadband_coverage, blocking=True)
def coverage_one_row_per_postcode(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Exactly one coverage row for each study-area postcode, with its resolution and release recorded."""
    lads = {"lads": list(settings.get().lad_codes)}
    postcodes, coverage, unlabelled = query(storage, """
        SELECT (SELECT count(*) FROM postcodes WHERE list_contains($lads, lad_code)),
               (SELECT count(DISTINCT postcode) FROM broadband_coverage WHERE list_contains($lads, lad_code)),
               (SELECT count(*) FROM broadband_coverage WHERE list_contains($lads, lad_code)
                AND (resolution IS NULL OR (resolution <> 'none' AND release IS NULL)))""",
        ("postcodes", "broadband_coverage"), lads)[0]
    rows = query(storage, "SELECT count(*) FROM broadband_coverage WHERE list_contains($lads, lad_code)",
                 ("broadband_coverage",), lads)[0][0]
    return dg.AssetCheckResult(passed=postcodes == coverage == rows and unlabelled == 0,
                               metadata={"postcodes": postcodes, "coverage_rows": rows, "distinct_postcodes": coverage,
                                         "rows_without_resolution_or_release": unlabelled})


@dg.asset_check(asset=broadband_coverage)
def coverage_gaps_listed(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Postcodes no source covers are kept with empty values; warn and list their districts."""
    rows = query(storage, """SELECT postcode_district, count(*) FROM broadband_coverage
                             WHERE list_contains($lads, lad_code) AND resolution = 'none' GROUP BY 1 ORDER BY 1""",
                 ("broadband_coverage",), {"lads": list(settings.get().lad_codes)})
    return dg.AssetCheckResult(passed=not rows, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"uncovered_postcodes": sum(n for _, n in rows),
                                         "by_postcode_district": {d: n for d, n in rows}})
