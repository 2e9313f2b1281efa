"""How far people are from help (``lsoa_access``) and a check of the distance measure
(``access_validation``).

Distances are straight lines from where each neighbourhood's people live to the nearest venue: a
straight line is shorter than any road, so it understates a journey, most where roads are few. The
check asks whether it ranks neighbourhoods as road distances do: Spearman's rank correlation (with a
seeded bootstrap interval) between the straight-line distance to the nearest GP site and the IoD 2025
geographical-barriers sub-domain score, built from road distances to a GP, a school, a food shop and
a post office.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from pipeline.analysis.nearest import nearest
from pipeline.analysis.validation import compare
from pipeline.columns import COLUMN_SOURCES, column_sources
from pipeline.duck import exact
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, derived
from pipeline.ingest.venues import GP_VENUE_SOURCES
from pipeline.paths import Paths
from pipeline.registry import LIBRARIES, USER_VENUES
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import drawn_from, sources_of, write_parquet

# The venues each distance is to: (kind, filter on venues).
KINDS = {
    "library": "venue_type = 'library'",
    "gp_site": "venue_type = 'gp_site'",
    "user venue": "source_key = 'user_venues' AND role = 'existing'",
    "any venue": "role = 'existing'",
}
# The sources behind a venue row, by its source_key (a GP row: epraccur and Code-Point, see venues).
ROW_SOURCES = {"libraries": (LIBRARIES.key,), "gp_sites": GP_VENUE_SOURCES, "user_venues": (USER_VENUES.key,)}
# lsoa_triage columns lsoa_access reads: residents, and the need side only (no broadband).
NEED_READ = ("need_score", "need_decile", "high_need")
VALIDATION = pa.schema(
    [
        ("distance", pa.string()),
        ("compared_with", pa.string()),
        ("lsoas", pa.int64()),
        ("spearman_rho", pa.float64()),
        ("rho_ci_low", pa.float64()),
        ("rho_ci_high", pa.float64()),
        ("bootstrap", pa.int64()),
        ("note", pa.string()),
    ]
)


def nearest_venues(
    con: duckdb.DuckDBPyConnection, points: str, point_key: str, kinds: tuple[str, ...] = tuple(KINDS)
) -> None:
    """Temp table ``nearest_venues`` (point_key, kind, place_key, distance_m): each point's nearest venue of
    each of ``kinds`` (``KINDS``), from registered ``venues``; ``points`` has x and y in metres."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE nearest_venues (point_key VARCHAR, kind VARCHAR, place_key VARCHAR, "
        "distance_m DOUBLE)"
    )
    for kind in kinds:
        where = KINDS[kind]
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW _places AS SELECT venue_id, easting AS x, northing AS y "
            f"FROM venues WHERE {where}"
        )
        nearest(con, points, "_places", "_nearest", point_key=point_key, place_key="venue_id")
        con.execute(
            "INSERT INTO nearest_venues SELECT point_key, $kind, place_key, distance_m FROM _nearest", {"kind": kind}
        )
    con.execute("DROP VIEW IF EXISTS _places")


def distance_sources(con: duckdb.DuckDBPyConnection, paths: Paths, kinds: tuple[str, ...]) -> dict[str, list[str]]:
    """For each kind of distance: where people live and the sources of the venues it can end at."""
    origins = sources_of(paths.table_path("lsoa_origins"))
    venues = sources_of(paths.table_path("venues"))
    out = {}
    for kind in kinds:
        rows = con.execute(f"SELECT DISTINCT source_key FROM venues WHERE {KINDS[kind]}").fetchall()
        wanted = {k for (row,) in rows for k in ROW_SOURCES.get(row, ())}
        out[kind] = origins + [k for k in venues if k in wanted]
    return out


def _origin_points(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP VIEW origin_points AS SELECT lsoa_code, easting AS x, northing AS y FROM lsoa_origins"
    )


def access_columns(con: duckdb.DuckDBPyConnection, paths: Paths) -> dict[str, list[str]]:
    """Which sources feed each column of ``lsoa_access``: where people live (origins), the venues of the kind a
    distance is to, residents and the need side of the triage. Neither the connectivity gap nor the GP sites'
    list sizes, PCNs or branch lists feed it, so they are not its sources."""
    origins = sources_of(paths.table_path("lsoa_origins"))
    triage = paths.table_path("lsoa_triage")
    residents, need = sources_of(triage, "residents_2021"), sources_of(triage, *NEED_READ)
    ward = [k for k in column_sources("ward_name", sources_of(triage)) if k in COLUMN_SOURCES["ward_name"]]

    to = distance_sources(con, paths, tuple(KINDS))
    reach = to["any venue"]
    return (
        dict.fromkeys(("origin", "origin_basis", "easting", "northing"), origins)
        | dict.fromkeys(("ward_code", "ward_name"), ward)
        | {"residents_2021": residents, "need_weighted_residents": residents + need, "distance_kind": []}
        | dict.fromkeys(NEED_READ, need)
        | {f"nearest_library{c}": to["library"] for c in ("_km", "", "_address", "_hours")}
        | {f"nearest_gp_site{c}": to["gp_site"] for c in ("_km", "")}
        | {f"nearest_user_venue{c}": to["user venue"] for c in ("_km", "", "_type")}
        | {f"nearest_venue{c}": reach for c in ("_km", "", "_type")}
        | {
            "beyond_reach": reach,
            "residents_beyond_reach": reach + residents,
            "high_need_residents_beyond_reach": reach + residents + need,
        }
    )


def build_lsoa_access(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    exact(con)
    vintage = vintage_of(settings)
    reach_m = settings.access.reach_km * 1000
    _origin_points(con)
    nearest_venues(con, "origin_points", "lsoa_code")
    columns = access_columns(con, paths)
    sources = {k: "count(*)" for k in dict.fromkeys(k for keys in columns.values() for k in keys)}
    note = (
        f"Straight-line distances from each neighbourhood's population-weighted centre (else the mean of its "
        f"postcodes: origin) to the nearest venue; beyond reach: more than {settings.access.reach_km:g} km "
        "(access.reach_km) from any existing venue."
    )
    access = write_parquet(
        con,
        sql("lsoa_access"),
        paths.table_path("lsoa_access"),
        vintage=vintage,
        sources=sources,
        columns=columns,
        params={"reach_m": reach_m},
        notes=note,
    )
    totals = con.execute(f"""SELECT count(*) FILTER (beyond_reach), sum(residents_beyond_reach),
                                    sum(high_need_residents_beyond_reach)
                             FROM read_parquet('{access.path}')""").fetchone()
    counts = {
        "lsoas": access.rows,
        "lsoas_beyond_reach": totals[0],
        "residents_beyond_reach": round(totals[1] or 0),
        "high_need_residents_beyond_reach": round(totals[2] or 0),
        "reach_km": settings.access.reach_km,
    }
    return derived("lsoa_access", access, counts)


def build_access_validation(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """The check of the distance measure, a step of its own: it reads where people live, the GP sites and IoD
    2025, none of which a weight reaches, so a weight change does not run it again (as it did inside
    lsoa_access, which reads need)."""
    exact(con)
    vintage = vintage_of(settings)
    _origin_points(con)
    nearest_venues(con, "origin_points", "lsoa_code", kinds=("gp_site",))
    # the distance as lsoa_access publishes it (lsoa_access.sql): to the nearest GP site, in km to 2 decimals
    con.execute("""CREATE OR REPLACE TEMP VIEW gp_distances AS
                   SELECT point_key AS lsoa_code, round(distance_m / 1000, 2) AS nearest_gp_site_km
                   FROM nearest_venues""")
    validation = _validate(con, settings, vintage.year)
    # IoD 2025 is read only on the 2021 base, where it is published (on the 2011 base it is not built)
    keys = list(drawn_from(*([paths.table_path("iod2025")] if vintage.year == 2021 else [])))
    keys += [k for k in distance_sources(con, paths, ("gp_site",))["gp_site"] if k not in keys]
    con.register("_access_validation", pa.Table.from_pylist(validation, schema=VALIDATION))
    checked = write_parquet(
        con,
        "SELECT * FROM _access_validation",
        paths.table_path("access_validation"),
        sources=dict.fromkeys(keys, "count(*)"),
    )
    con.unregister("_access_validation")
    return derived(
        "access_validation",
        checked,
        {
            "spearman_gp_km_vs_iod_geographical_barriers": {
                r["compared_with"]: round(r["spearman_rho"], 3) for r in validation if r.get("spearman_rho") is not None
            }
        },
    )


def _validate(con: duckdb.DuckDBPyConnection, settings: Settings, year: int) -> list[dict]:
    """Straight-line distance to the nearest GP site against IoD 2025's geographical-barriers score (road
    distances), over the study area's neighbourhoods (2021 base: IoD 2025 is published on it)."""
    row = {
        "distance": "straight-line km to the nearest GP site",
        "compared_with": "IoD 2025 geographical barriers sub-domain score (road distances to a GP, school, "
        "food shop and post office)",
        "bootstrap": settings.validation.bootstrap,
    }
    if year != 2021:
        return [row | {"lsoas": 0, "note": "IoD 2025 is published on 2021 LSOAs: compared on the 2021 base only"}]
    pairs = con.execute("""SELECT a.nearest_gp_site_km, i.geographical_barriers_score
                           FROM gp_distances a JOIN iod2025 i ON i.lsoa21cd = a.lsoa_code
                           WHERE a.nearest_gp_site_km IS NOT NULL AND i.geographical_barriers_score IS NOT NULL
                           ORDER BY a.lsoa_code""").fetchall()
    if len(pairs) < 10:
        return [row | {"lsoas": len(pairs), "note": "too few neighbourhoods with both values"}]
    rng = np.random.default_rng(settings.validation.seed)
    stats = compare(
        np.array([p[1] for p in pairs]), np.array([p[0] for p in pairs]), settings.validation.bootstrap, rng
    )
    return [
        row
        | {k: stats[k] for k in ("lsoas", "spearman_rho", "rho_ci_low", "rho_ci_high")}
        | {"note": "A high rho means the straight line ranks neighbourhoods as road distances do."}
    ]
