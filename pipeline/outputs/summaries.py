"""Tables written for people: the district summary, the inclusion priorities and the ward summary."""

from __future__ import annotations

import duckdb

from pipeline.columns import column_sources
from pipeline.duck import exact
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, derived
from pipeline.paths import Paths
from pipeline.registry import LSOA21_WARD_LOOKUP
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import inherited, sources_of, write_parquet

BROADBAND_COLUMNS = (
    "postcodes",
    "postcodes_with_coverage",
    "derived_pct_no_gigabit",
    "derived_pct_below_30",
    "derived_weighting",
    "broadband_resolution",
    "broadband_release",
)
TRIAGE_COLUMNS = {
    "residents_2021": ("residents_2021",),
    "lsoas": ("residents_2021",),
    "lsoas_gap_area_average": ("gap_is_area_average",),
    **dict.fromkeys(
        ("lsoas_in_top_need_decile", "robust_need_priorities", "high_need_lsoas", "need_hotspot_lsoas"),
        ("need_decile",),
    ),
    "mean_need_score": ("residents_2021", "need_score"),
    **dict.fromkeys(
        ("residents_both", "residents_adoption_gap", "residents_infrastructure_gap"), ("residents_2021", "triage_class")
    ),
}
GP_COLUMNS = (
    "gp_sites",
    "gp_practices",
    "gp_branches",
    "gp_branches_listed_in",
    "gp_sites_without_gigabit",
    "gp_sites_gigabit_unknown",
)


def district_summary_columns(paths: Paths) -> dict[str, list[str]]:
    """Which sources feed each figure of the district summary: Ofcom's district figures from the connectivity
    series, the zone estimate from the peer benchmark, the derived broadband means from the broadband input,
    the need and triage counts from the triage columns they count, GP counts from the GP table. A resident count
    by triage class then names the sources of the triage, not the district figures printed beside it."""
    triage = paths.table_path("lsoa_triage")
    official = sources_of(paths.table_path("district_connectivity_series"))
    gp = sources_of(paths.table_path("gp_readiness"))
    return (
        {c: official for c in OFCOM_COLUMNS}
        | {  # the zone estimate: the districts' figures weighted by residents, not the peer groups
            c: column_sources(c, sources_of(paths.table_path("peer_benchmark")))
            for c in ("estimated_gigabit_pct", "estimated_release_name", "estimated_weighted_by")
        }
        | dict.fromkeys(BROADBAND_COLUMNS, sources_of(paths.table_path("broadband_coverage")))
        | {c: sources_of(triage, *read) for c, read in TRIAGE_COLUMNS.items()}
        | {c: column_sources(c, gp) for c in GP_COLUMNS}  # site counts: the GP lists, not the catchments
    )


OFCOM_COLUMNS = (
    "ofcom_gigabit_pct",
    "ofcom_below_30_pct",
    "ofcom_release",
    "ofcom_release_name",
    "ofcom_below_30_release",
    "ofcom_below_30_release_name",
    "ofcom_dated_by",
    "ofcom_file",
)


def build_district_summary(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    exact(con)
    columns = district_summary_columns(paths)
    written = write_parquet(
        con,
        sql("district_summary"),
        paths.table_path("district_summary"),
        sources={k: "count(*)" for k in dict.fromkeys(k for keys in columns.values() for k in keys)},
        columns=columns,
        params={
            "lacking": settings.fibre_gaps.lacking_below_pct,
            "area_name": settings.study_area.name,
            "zone_code": settings.peers.zone_code,
        },
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
        # a ward's rows are the LSOAs ONS's best-fit lookup places in it, so that lookup is one of its sources
        sources=inherited(paths.table_path("lsoa_triage"), paths.table_path("lsoa_index"))
        | {LSOA21_WARD_LOOKUP.key: "count(*)"},
    )
    return derived("ward_summary", written, {"wards": written.rows})
