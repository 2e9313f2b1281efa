"""Triage per neighbourhood: need x connectivity gap, one class each (``lsoa_triage``), and the
residents in each class per district and ward (``triage_summary``)."""

from __future__ import annotations

import duckdb

from pipeline.duck import exact
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, derived
from pipeline.inputs import use
from pipeline.paths import Paths
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import inherited, write_parquet


def build_triage(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    exact(con)
    vintage = vintage_of(settings)
    sources = inherited(paths.table_path("lsoa_need"), paths.table_path("lsoa_supply_gap"))
    triage = write_parquet(
        con,
        sql("lsoa_triage"),
        paths.table_path("lsoa_triage"),
        vintage=vintage,
        sources=sources,
        params={"need_share": settings.triage.high_need_top_share, "gap_share": settings.triage.unserved_top_share},
    )
    use(con, paths, "lsoa_triage")
    summary = write_parquet(
        con,
        sql("triage_summary"),
        paths.table_path("triage_summary"),
        sources=sources,
        params={"area_name": settings.study_area.name},
    )
    classes = dict(con.execute("SELECT triage_class, count(*) FROM lsoa_triage GROUP BY 1 ORDER BY 1").fetchall())
    residents = dict(
        con.execute("SELECT triage_class, round(sum(residents_2021)) FROM lsoa_triage GROUP BY 1 ORDER BY 1").fetchall()
    )
    return [
        derived(
            "lsoa_triage",
            triage,
            {
                "lsoas_by_class": classes,
                "residents_by_class": residents,
                "high_need_top_share": settings.triage.high_need_top_share,
                "unserved_top_share": settings.triage.unserved_top_share,
            },
        ),
        derived("triage_summary", summary),
    ]
