"""Is each district (and the zone) the best connected place of its type? Ofcom's figures ranked
among ONS's similar places: the statistical nearest neighbours and the cluster the settings name
(``[peers]``), at every release, with the pace of change and when, at that pace, a district would
reach its group's median and best. The zone's own figure is an estimate (its districts' figures weighted
by residents for shares of premises, by land area for shares of land area), never a share of premises
counted by Ofcom: Ofcom's files carry no premises counts."""

from __future__ import annotations

import duckdb

from pipeline.columns import column_sources
from pipeline.duck import exact
from pipeline.errors import SourceFormatError
from pipeline.ingest.result import AssetResult, derived
from pipeline.paths import Paths
from pipeline.readers.local_indicators import UNITS
from pipeline.registry import CENSUS_TS007A
from pipeline.settings import Settings, shown
from pipeline.sqlfiles import sql
from pipeline.store import RowSources, inherited, sources_of, write_parquet


def require_configured_groups(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """The release and model the settings name must be in the files read: a renamed column or a release
    the mirror lacks would otherwise drop that comparison from every output without a word."""
    cfg = settings.peers
    for table, setting, release, model in (
        ("la_neighbours", "neighbours", cfg.neighbours_release, cfg.neighbours_model),
        ("la_clusters", "cluster", cfg.cluster_release, cfg.cluster_model),
    ):
        files, models = con.execute(
            f"""SELECT string_agg(DISTINCT source_file, ', ' ORDER BY source_file),
                       string_agg(DISTINCT model, ', ' ORDER BY model)
                FROM {table} WHERE release = $r""",
            {"r": release},
        ).fetchone()
        if models is None or model not in models.split(", "):
            where = files or f"ONS's similar-area files (no {release} release was read)"
            raise SourceFormatError(
                where,
                f"no {model!r} model for the {release} release (the setting [peers] {setting}_model and "
                f"{setting}_release in {shown(settings.config_path)}); the models read are: {models or 'none'}",
            )


# The columns whose figure, in the zone's rows, rests on the zone's estimate (its own value, or a rank, median
# or gap that counts it); in every other row they are Ofcom's district figures and ONS's groupings alone.
PEER_BENCHMARK_WEIGHTED = ("value", "rank", "rank_label", "group_median", "behind_best_pp", "behind_median_pp")
PEER_PACE_WEIGHTED = (
    "first_value",
    "latest_value",
    "first_rank_label",
    "latest_rank_label",
    "pace_pp_per_year",
    "median_pace_pp_per_year",
    "behind_median_pp",
    "behind_best_pp",
    "reaches_median",
    "reaches_best",
)


def zone_weighted(
    available: list[str],
    figures: list[str],
    narrower: dict[str, list[str]],
    weighted: tuple[str, ...],
    zone: dict[str, list[str]] | None = None,
) -> tuple[dict[str, list[str]], RowSources]:
    """Column and row sources of a peer table. The zone's estimate weighs its districts' figures by residents
    (Census) for shares of premises and by land area (the LSOA boundaries) for shares of land, so a zone row of
    a premises indicator rests on Census and not the boundaries, a land one the other way round, and a
    district's row on neither. The column's record names the union; each row's, only what it rests on."""
    zone = zone or {"area_type": ["zone"]}
    census = [k for k in available if k == CENSUS_TS007A.key]
    land = [k for k in available if k.endswith("_boundaries")]
    premises = sorted(i for i, unit in UNITS.items() if unit == "% of premises")
    area = sorted(i for i, unit in UNITS.items() if unit == "% of land area")
    columns, rows = {}, {}
    for column in weighted:
        # a figure, rank or gap rests on Ofcom's figures and ONS's groups (``figures``), never on the lookups
        # that only name the zone's neighbourhoods
        base = [k for k in narrower.get(column) or column_sources(column, figures) if k not in census + land]
        columns[column] = base + census + land
        rows[column] = [
            ({**zone, "indicator": premises}, base + census),
            ({**zone, "indicator": area}, base + land),
            ({}, base),
        ]
    return columns, rows


def build_peer_benchmark(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    exact(con)
    cfg = settings.peers
    require_configured_groups(con, settings)
    params = {
        "lads": list(settings.lad_codes),
        "nb_release": cfg.neighbours_release,
        "nb_model": cfg.neighbours_model,
        "cl_release": cfg.cluster_release,
        "cl_model": cfg.cluster_model,
        "zone": cfg.zone_code,
        "zone_name": settings.study_area.name,
    }
    con.execute(
        "CREATE OR REPLACE TEMP TABLE peer_groups AS " + sql("peer_groups"),
        {k: params[k] for k in ("lads", "nb_release", "nb_model", "cl_release", "cl_model", "zone")},
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE peer_values AS " + sql("peer_values"),
        {k: params[k] for k in ("lads", "zone", "zone_name")},
    )
    sources = inherited(
        paths.table_path("la_connectivity_series"), paths.table_path("la_neighbours"), paths.table_path("la_clusters")
    )
    with_residents = sources | inherited(paths.table_path("census_age"), paths.table_path("lsoa_areas"))
    figures = list(sources_of(paths.table_path("la_connectivity_series")))
    columns, rows = zone_weighted(list(with_residents), list(sources), {"value": figures}, PEER_BENCHMARK_WEIGHTED)
    benchmark = write_parquet(
        con,
        sql("peer_benchmark"),
        paths.table_path("peer_benchmark"),
        sources=with_residents,
        columns=columns,
        rows=rows,
        notes="zone rows are estimates: the districts' figures weighted by residents (shares of "
        "premises) or land area (shares of land area), as weighted_by says",
    )
    con.execute(f"CREATE OR REPLACE TEMP VIEW peer_benchmark AS SELECT * FROM read_parquet('{benchmark.path}')")
    columns, rows = zone_weighted(list(with_residents), list(sources), {}, PEER_PACE_WEIGHTED)
    pace = write_parquet(
        con,
        sql("peer_pace"),
        paths.table_path("peer_pace"),
        sources=with_residents,
        columns=columns,
        rows=rows,
        params={"horizon": settings.peers.pace_horizon_years, "level": settings.peers.pace_level_pp_per_year},
        notes="Straight-line extrapolations from the first to the latest release, not forecasts.",
    )
    # in the league, the zone's own value is its estimate; every rank of the zone's group counts it
    value = zone_weighted(list(with_residents), list(sources), {}, ("value",), zone={"estimate": ["true"]})
    rank = zone_weighted(list(with_residents), list(sources), {}, ("rank",), zone={"area_code": [cfg.zone_code]})
    columns, rows = value[0] | rank[0], {**value[1], **rank[1]}
    league = write_parquet(
        con, sql("peer_league"), paths.table_path("peer_league"), sources=with_residents, columns=columns, rows=rows
    )
    checked = inherited(
        paths.table_path("la_connectivity_series"),
        paths.table_path("census_age"),
        paths.table_path("lsoa_wards"),
        paths.table_path("codepoint_open"),
    )
    check = write_parquet(
        con,
        sql("peer_weighting_check"),
        paths.table_path("peer_weighting_check"),
        sources=checked,
        columns={"published_value": figures} | dict.fromkeys(("estimate", "difference_pp", "districts"), checked),
        params={"lads": list(settings.lad_codes)},
        notes="Shares of premises only: the LSOA areas that weight shares of land area are read for the study "
        "area alone.",
    )
    missing = [
        lad
        for lad in settings.lad_codes
        if not con.execute("SELECT count(*) FROM peer_groups WHERE subject = $l", {"l": lad}).fetchone()[0]
    ]
    counts = {
        "subjects": con.execute("SELECT count(DISTINCT subject) FROM peer_groups").fetchone()[0],
        "groups": dict(
            con.execute("""SELECT subject || ' ' || group_kind, count(*) FROM peer_groups
                                            GROUP BY 1 ORDER BY 1""").fetchall()
        ),
        "districts_without_peers": missing,
    }
    worst = con.execute(f"SELECT max(abs(difference_pp)), count(*) FROM read_parquet('{check.path}')").fetchone()
    return [
        derived("peer_benchmark", benchmark, counts),
        derived("peer_pace", pace),
        derived("peer_league", league),
        derived("peer_weighting_check", check, {"largest_difference_pp": worst[0], "rows": worst[1]}),
    ]
