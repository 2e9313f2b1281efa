"""Triage per neighbourhood: need x connectivity gap, one class each (``lsoa_triage``), and the
residents in each class per district and ward (``triage_summary``)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.duck import exact
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, derived
from pipeline.inputs import use
from pipeline.paths import Paths
from pipeline.registry import CENSUS_TS007A
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import inherited, sources_of, write_parquet

NEED_COLUMNS = ("need_score", "need_rank", "need_decile", "high_need", "inclusion_offer")
GAP_COLUMNS = (
    "supply_gap_score",
    "supply_gap_rank",
    "supply_gap_decile",
    "unserved",
    "gap_is_area_average",
    "broadband_resolution",
    "broadband_area",
    "lsoas_sharing_gap_value",
)


def triage_columns(need: Path, gap: Path) -> dict[str, list[str]]:
    """Which sources feed which columns: need from the need score's sources, the gap from the connectivity gap's,
    residents from the Census; the class and action from both sides. A table that reads only the need columns
    (the access tables) then takes on the need's sources, not the broadband data's."""
    from_need, from_gap = sources_of(need, "need_score"), sources_of(gap, "supply_gap_score")
    return (
        dict.fromkeys(NEED_COLUMNS, from_need)
        | dict.fromkeys(GAP_COLUMNS, from_gap)
        | dict.fromkeys(("triage_class", "suggested_action"), from_need + from_gap)
        | {"residents_2021": [k for k in sources_of(need) if k == CENSUS_TS007A.key]}
    )


def build_triage(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    exact(con)
    vintage = vintage_of(settings)
    need, gap = paths.table_path("lsoa_need"), paths.table_path("lsoa_supply_gap")
    sources = inherited(need, gap)
    triage = write_parquet(
        con,
        sql("lsoa_triage"),
        paths.table_path("lsoa_triage"),
        vintage=vintage,
        sources=sources,
        columns=triage_columns(need, gap),
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
