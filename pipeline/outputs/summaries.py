"""Tables written for people: the district summary and the inclusion priorities."""

from __future__ import annotations

import duckdb

from pipeline.analysis.indicators import SOURCE_KEYS as INDEX_SOURCES, register_inputs
from pipeline.ingest.result import TableResult
from pipeline.paths import Paths
from pipeline.registry import EBRANCHS, EPRACCUR
from pipeline.rejects import Rejects
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.duck import exact
from pipeline.store import write_parquet

SUMMARY_SOURCES = (*INDEX_SOURCES, EPRACCUR.key, EBRANCHS.key)


def build_district_summary(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> TableResult:
    exact(con)
    register_inputs(con, paths, ("broadband_coverage", "lsoa_index", "hotspots", "gp_readiness"))
    written = write_parquet(con, sql("district_summary"), paths.table_path("district_summary"),
                            source_keys=SUMMARY_SOURCES, params={"lacking": settings.lacking_below_pct,
                                                                 "area_name": settings.study_area_name})
    return TableResult("district_summary", [written], written.rows, written.rows, Rejects(), [], SUMMARY_SOURCES)


def build_inclusion_priorities(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> TableResult:
    register_inputs(con, paths, ("lsoa_index", "census_age"))
    written = write_parquet(con, sql("inclusion_priorities"), paths.table_path("inclusion_priorities"),
                            source_keys=INDEX_SOURCES, params={"deciles": settings.inclusion_top_deciles,
                                                               "share": settings.inclusion_factor_share})
    offers = dict(con.execute("SELECT suggested_offer, count(*) FROM read_parquet($p) GROUP BY 1 ORDER BY 1",
                              {"p": str(written.path)}).fetchall())
    residents = con.execute("SELECT sum(residents_2021), sum(residents_65_plus) FROM read_parquet($p)",
                            {"p": str(written.path)}).fetchone()
    return TableResult("inclusion_priorities", [written], written.rows, written.rows, Rejects(), [], INDEX_SOURCES, {
        "priority_lsoas": written.rows, "by_offer": offers, "residents": int(residents[0] or 0),
        "residents_65_plus": int(residents[1] or 0)})
