"""Connectivity over time: reconciliation with our own broadband input, and change per district."""

from __future__ import annotations

import duckdb

from pipeline.analysis.indicators import register_inputs
from pipeline.ingest.result import TableResult
from pipeline.paths import Paths
from pipeline.registry import ONS_LOCAL_INDICATORS, OFCOM_POSTCODE_COVERAGE, OFCOM_POSTCODE_DISTRICT
from pipeline.rejects import Rejects
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.duck import exact
from pipeline.store import write_parquet

SOURCE_KEYS = (ONS_LOCAL_INDICATORS.key, OFCOM_POSTCODE_COVERAGE.key, OFCOM_POSTCODE_DISTRICT.key)


def reconcile(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[dict]:
    """Rows of the reconciliation for the configured snapshot (see connectivity_reconciliation.sql)."""
    exact(con)
    register_inputs(con, paths, ("district_connectivity_series", "broadband_coverage"))
    rel = con.execute(sql("connectivity_reconciliation"), {"snapshot": settings.reconciliation_snapshot,
                                                            "threshold": settings.reconciliation_warn_pp,
                                                            "lads": list(settings.lad_codes)})
    names = [d[0] for d in rel.description]
    return [dict(zip(names, row)) for row in rel.fetchall()]


def build_connectivity_reconciliation(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> TableResult:
    rows = reconcile(con, paths, settings)
    written = write_parquet(con, "SELECT * FROM (" + sql("connectivity_reconciliation") + ")",
                            paths.table_path("connectivity_reconciliation"), source_keys=SOURCE_KEYS,
                            params={"snapshot": settings.reconciliation_snapshot,
                                    "threshold": settings.reconciliation_warn_pp, "lads": list(settings.lad_codes)})
    return TableResult("connectivity_reconciliation", [written], written.rows, written.rows, Rejects(), [], SOURCE_KEYS, {
        "snapshot": settings.reconciliation_snapshot, "threshold_pp": settings.reconciliation_warn_pp,
        "difference_pp": {r["lad_code"]: r["difference_pp"] for r in rows},
        "districts_over_threshold": [r["lad_code"] for r in rows if r["within_threshold"] is False],
        "districts_not_reconciled": [r["lad_code"] for r in rows if r["within_threshold"] is None],
    })


def build_connectivity_change(con: duckdb.DuckDBPyConnection, paths: Paths) -> TableResult:
    register_inputs(con, paths, ("district_connectivity_series",))
    written = write_parquet(con, sql("connectivity_change"), paths.table_path("connectivity_change"),
                            source_keys=(ONS_LOCAL_INDICATORS.key,))
    return TableResult("connectivity_change", [written], written.rows, written.rows, Rejects(), [],
                       (ONS_LOCAL_INDICATORS.key,))
