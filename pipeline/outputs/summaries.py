"""Tables written for people: the district summary, the inclusion priorities and the ward summary."""

from __future__ import annotations

import duckdb

from pipeline.duck import exact
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, derived
from pipeline.paths import Paths
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import inherited, write_parquet


def build_district_summary(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    exact(con)
    written = write_parquet(
        con,
        sql("district_summary"),
        paths.table_path("district_summary"),
        sources=inherited(
            *(
                paths.table_path(t)
                for t in ("broadband_coverage", "lsoa_triage", "gp_readiness", "district_connectivity_series")
            )
        ),
        params={"lacking": settings.fibre_gaps.lacking_below_pct, "area_name": settings.study_area.name},
    )
    return derived("district_summary", written)


def build_inclusion_priorities(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    vintage = vintage_of(settings)
    written = write_parquet(
        con,
        sql("inclusion_priorities"),
        paths.table_path("inclusion_priorities"),
        vintage=vintage,
        sources=inherited(paths.table_path("lsoa_need")),
        params={"deciles": settings.inclusion.top_need_deciles},
    )
    p = {"p": str(written.path)}
    offers = dict(
        con.execute("SELECT suggested_offer, count(*) FROM read_parquet($p) GROUP BY 1 ORDER BY 1", p).fetchall()
    )
    robust = dict(con.execute("SELECT robustness, count(*) FROM read_parquet($p) GROUP BY 1 ORDER BY 1", p).fetchall())
    residents = con.execute("SELECT sum(residents_2021) FROM read_parquet($p)", p).fetchone()[0]
    return derived(
        "inclusion_priorities",
        written,
        {
            "priority_lsoas": written.rows,
            "by_offer": offers,
            "by_robustness": robust,
            "residents": round(residents or 0),
        },
    )


def build_ward_summary(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    exact(con)
    written = write_parquet(
        con,
        sql("ward_summary"),
        paths.table_path("ward_summary"),
        sources=inherited(paths.table_path("lsoa_triage"), paths.table_path("lsoa_index")),
    )
    return derived("ward_summary", written, {"wards": written.rows})
