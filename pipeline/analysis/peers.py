"""Is each district (and the zone) the best connected place of its type? Ofcom's figures ranked
among ONS's similar places: the statistical nearest neighbours and the cluster the settings name
(``[peers]``), at every release, with the pace of change and when, at that pace, a district would
reach its group's median and best. The zone's own figure is an estimate (its districts' figures weighted
by residents for shares of premises, by land area for shares of land area), never a share of premises
counted by Ofcom: Ofcom's files carry no premises counts."""

from __future__ import annotations

import duckdb

from pipeline.duck import exact
from pipeline.errors import SourceFormatError
from pipeline.ingest.result import AssetResult, derived
from pipeline.paths import Paths
from pipeline.registry import CENSUS_TS007A
from pipeline.settings import Settings, shown
from pipeline.sqlfiles import sql
from pipeline.store import inherited, sources_of, write_parquet


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
    # the zone's rows weigh its districts' figures by residents (Census) or land area (the LSOA boundaries)
    weights = [k for k in with_residents if k == CENSUS_TS007A.key or k.endswith("_boundaries")]
    figures = list(sources_of(paths.table_path("la_connectivity_series"))) + weights
    benchmark = write_parquet(
        con,
        sql("peer_benchmark"),
        paths.table_path("peer_benchmark"),
        sources=with_residents,
        columns={"value": figures},
        notes="zone rows are estimates: the districts' figures weighted by residents (shares of "
        "premises) or land area (shares of land area), as weighted_by says",
    )
    con.execute(f"CREATE OR REPLACE TEMP VIEW peer_benchmark AS SELECT * FROM read_parquet('{benchmark.path}')")
    pace = write_parquet(
        con,
        sql("peer_pace"),
        paths.table_path("peer_pace"),
        sources=with_residents,
        columns={"pace_pp_per_year": figures},
        params={"horizon": settings.peers.pace_horizon_years},
        notes="Straight-line extrapolations from the first to the latest release, not forecasts.",
    )
    league = write_parquet(con, sql("peer_league"), paths.table_path("peer_league"), sources=with_residents)
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
    return [derived("peer_benchmark", benchmark, counts), derived("peer_pace", pace), derived("peer_league", league)]
