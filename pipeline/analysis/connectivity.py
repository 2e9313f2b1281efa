"""Connectivity over time: reconciliation with our own broadband input, and change per district."""

from __future__ import annotations

import duckdb

from pipeline.duck import exact
from pipeline.ingest.result import AssetResult, derived
from pipeline.paths import Paths
from pipeline.registry import SOURCES
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import inherited, write_parquet
from pipeline.wording import PREMISES_NOT_STATED


def reconcile(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[dict]:
    """Rows of the reconciliation for each release of the broadband input (see connectivity_reconciliation.sql)."""
    exact(con)
    rel = con.execute(sql("connectivity_reconciliation"), _params(settings))
    names = [d[0] for d in rel.description]
    return [dict(zip(names, row, strict=False)) for row in rel.fetchall()]


def build_connectivity_reconciliation(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    rows = reconcile(con, paths, settings)
    written = write_parquet(
        con,
        "SELECT * FROM (" + sql("connectivity_reconciliation") + ")",
        paths.table_path("connectivity_reconciliation"),
        params=_params(settings),
        sources=inherited(paths.table_path("district_connectivity_series"), paths.table_path("broadband_coverage")),
    )
    cfg = settings.connectivity_series

    def key(r: dict) -> str:
        return f"{r['lad_code']} {r['indicator']} {r['release']}"

    return derived(
        "connectivity_reconciliation",
        written,
        {
            "releases": sorted({r["release"] for r in rows}),
            "threshold_pp": {
                "gigabit_capable_pct": cfg.reconciliation_warn_pp,
                "premises_below_30_pct": cfg.reconciliation_below_30_warn_pp,
            },
            "difference_pp": {key(r): r["difference_pp"] for r in rows},
            "over_threshold": [key(r) for r in rows if r["within_threshold"] is False],
            "not_reconciled": [key(r) for r in rows if r["within_threshold"] is None],
        },
    )


def build_connectivity_change(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    written = write_parquet(
        con,
        sql("connectivity_change"),
        paths.table_path("connectivity_change"),
        sources=inherited(paths.table_path("district_connectivity_series")),
    )
    return derived("connectivity_change", written)


def _params(settings: Settings) -> dict:
    cfg = settings.connectivity_series
    stated = [s for s in SOURCES.values() if s.premises]
    return {
        "premises_sources": [s.key for s in stated],
        "premises_counted": [s.premises for s in stated],
        "not_stated": PREMISES_NOT_STATED,
        "threshold": cfg.reconciliation_warn_pp,
        "threshold_below_30": cfg.reconciliation_below_30_warn_pp,
        "lads": list(settings.lad_codes),
    }
