"""Statistically significant clusters of high (hot) and low (cold) inclusion need: Getis-Ord Gi*.

The analytic z-score (``getis_ord.sql``) is kept; significance comes from conditional
permutation, as PySAL's esda does it: for each LSOA its own value stays put and its k neighbours
are replaced by k values drawn without replacement from the other LSOAs, ``permutations`` times
(seeded); the pseudo p-value counts how often a random neighbourhood is at least as extreme in
the observed direction, ``(larger + 1) / (permutations + 1)`` with esda's folding, doubled for a
two-sided test. With several hundred LSOAs tested at once, about 10% would look significant at
90% by chance alone, so classes use Benjamini-Hochberg false-discovery-rate adjusted p-values
unless ``hotspots.adjust = "none"``.

Gi* runs on the need score only: the connectivity gap is known per postcode district here, and
a value repeated over a whole district would "cluster" by construction.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import shapely
from scipy.stats import false_discovery_control, norm

from pipeline.duck import exact
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, derived
from pipeline.paths import Paths
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import inherited, write_parquet

LEVELS = ((99, 0.01), (95, 0.05), (90, 0.10))
KNN_RADII_M = (5_000, 20_000, 100_000, 1_000_000)


def hotspot_class(z: float, p: float) -> str:
    for level, alpha in LEVELS:
        if p <= alpha:
            return f"{'hot' if z > 0 else 'cold'} spot ({level}%)"
    return "not significant"


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """BH-adjusted p-values: p_(i) * n / i, made monotone from the largest down, capped at 1."""
    return false_discovery_control(np.asarray(p, dtype=float), method="bh")


def permutation_p(values: np.ndarray, neighbours: list[np.ndarray], permutations: int, seed: int) -> np.ndarray:
    """Two-sided conditional-permutation pseudo p-values for Gi* (binary weights, self included).

    ``neighbours[i]`` holds the indices of i's neighbours (not i). One set of draws serves every
    LSOA, as in esda: each permutation draws max(k) indices from the n - 1 others.
    """
    n = len(values)
    rng = np.random.default_rng(seed)
    k_max = max((len(nb) for nb in neighbours), default=0)
    draws = (
        np.stack([rng.choice(n - 1, size=k_max, replace=False) for _ in range(permutations)])
        if k_max
        else np.zeros((permutations, 0), dtype=int)
    )
    p = np.ones(n)
    for i, nb in enumerate(neighbours):
        k = len(nb)
        if k == 0:
            continue
        observed = values[i] + values[nb].sum()
        idx = draws[:, :k]
        idx = idx + (idx >= i)  # skip i itself: draws index the n - 1 others
        simulated = values[i] + values[idx].sum(axis=1)
        larger = int((simulated >= observed).sum())
        if permutations - larger < larger:
            larger = permutations - larger
        p[i] = min(1.0, 2 * (larger + 1) / (permutations + 1))
    return p


def contiguity(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Queen contiguity pairs (lsoa_i, lsoa_j, method): boundaries that share any point.

    The generalised boundaries share edges but not always vertices (and overlap by slivers), so
    neighbours are found by intersection, not by matching vertices. A spatial index (shapely's
    STR-tree) keeps the cost near-linear in the number of LSOAs: all of England's 33,755 take
    well under a second, where a self-join on ST_Intersects took minutes.
    """
    rows = con.execute("SELECT lsoa_code, ST_AsWKB(geom) FROM lsoa_areas ORDER BY lsoa_code").fetchall()
    codes = np.array([r[0] for r in rows], dtype=object)
    geoms = shapely.from_wkb([bytes(r[1]) for r in rows])
    i, j = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = i != j
    return pa.table(
        {
            "lsoa_i": pa.array(codes[i[keep]], pa.string()),
            "lsoa_j": pa.array(codes[j[keep]], pa.string()),
            "method": pa.array(["contiguity"] * int(keep.sum()), pa.string()),
        }
    )


def build_neighbours(con: duckdb.DuckDBPyConnection, k: int) -> dict[str, int]:
    """Temp table ``neighbours`` (lsoa_i, lsoa_j, method): contiguity, else k nearest centroids."""
    con.execute("CREATE OR REPLACE TEMP TABLE lsoa_centroids AS " + sql("lsoa_centroids"))
    con.register("contiguity_pairs", contiguity(con))
    con.execute("CREATE OR REPLACE TEMP TABLE neighbours AS SELECT * FROM contiguity_pairs")
    con.unregister("contiguity_pairs")
    con.execute("""CREATE OR REPLACE TEMP TABLE needs_knn AS
        SELECT lsoa_code FROM lsoa_centroids WHERE lsoa_code NOT IN (SELECT lsoa_i FROM neighbours)""")
    islands = con.execute("SELECT count(*) FROM needs_knn").fetchone()[0]
    for radius in KNN_RADII_M:  # widen the search until every LSOA has its k (or all there are)
        if not con.execute("SELECT count(*) FROM needs_knn").fetchone()[0]:
            break
        con.execute("INSERT INTO neighbours " + sql("lsoa_knn"), {"k": k, "radius": radius})
        total = con.execute("SELECT count(*) - 1 FROM lsoa_centroids").fetchone()[0]
        con.execute(
            """DELETE FROM needs_knn WHERE lsoa_code IN (
            SELECT lsoa_i FROM neighbours GROUP BY 1 HAVING count(*) >= least($k, $total))""",
            {"k": k, "total": total},
        )
        con.execute(
            "DELETE FROM neighbours WHERE lsoa_i IN (SELECT lsoa_code FROM needs_knn) AND method <> 'contiguity'"
        )
    by_method = dict(con.execute("SELECT method, count(*) FROM neighbours GROUP BY 1 ORDER BY 1").fetchall())
    return {"lsoas_needing_nearest_neighbours": islands, **{f"pairs_{m}": n for m, n in by_method.items()}}


def gi_star(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[dict]:
    """Gi* for the registered ``gi_values`` (lsoa_code, value) over ``neighbours``."""
    cfg = settings.hotspots
    gi = con.execute(sql("getis_ord")).fetchall()
    codes = [r[0] for r in gi]
    at = {c: i for i, c in enumerate(codes)}
    values = np.array(
        [v for _, v in con.execute("SELECT lsoa_code, value FROM gi_values ORDER BY lsoa_code").fetchall()]
    )
    pairs = con.execute("SELECT lsoa_i, lsoa_j FROM neighbours ORDER BY lsoa_i, lsoa_j").fetchall()
    nb: list[list[int]] = [[] for _ in codes]
    for a, b in pairs:
        nb[at[a]].append(at[b])
    z = np.array([r[3] for r in gi], dtype=float)
    p_norm = 2 * norm.sf(np.abs(z))
    p_sim = permutation_p(values, [np.array(x, dtype=int) for x in nb], cfg.permutations, cfg.seed)
    p_fdr = benjamini_hochberg(p_sim)
    use_p = p_fdr if cfg.adjust == "fdr" else p_sim
    return [
        {
            "lsoa_code": r[0],
            "neighbours": r[1],
            "local_mean": r[2],
            "gi_z": r[3],
            "gi_p": float(pn),
            "gi_p_sim": float(ps),
            "gi_p_fdr": float(pf),
            "hotspot_class": hotspot_class(r[3], float(pu)),
        }
        for r, pn, ps, pf, pu in zip(gi, p_norm, p_sim, p_fdr, use_p, strict=False)
    ]


def build_hotspots(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    exact(con)
    vintage = vintage_of(settings)
    counts = build_neighbours(con, settings.hotspots.knn_k)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW gi_values AS SELECT lsoa_code, need_score AS value FROM lsoa_need "
        "WHERE need_score IS NOT NULL"
    )
    rows = gi_star(con, settings)
    con.register("gi_out", pa.Table.from_pylist(rows))
    sources = inherited(paths.table_path("lsoa_need"))
    cfg = settings.hotspots
    written = write_parquet(
        con,
        """
        SELECT n.lsoa_code, n.lsoa_name, n.ward_name, n.lad_code, n.lad_name, n.need_score, g.neighbours,
               m.methods AS neighbour_method, g.local_mean, g.gi_z, g.gi_p, g.gi_p_sim, g.gi_p_fdr, g.hotspot_class
        FROM lsoa_need n JOIN gi_out g USING (lsoa_code)
        LEFT JOIN (SELECT lsoa_i AS lsoa_code, string_agg(DISTINCT method, ', ' ORDER BY method) AS methods
                   FROM neighbours GROUP BY 1) m USING (lsoa_code)
        ORDER BY n.lsoa_code""",
        paths.table_path("hotspots"),
        sources=sources,
        vintage=vintage,
        notes=(
            f"Getis-Ord Gi* on need_score, binary contiguity weights including self; "
            f"{cfg.permutations} conditional permutations (seed {cfg.seed}); classes from "
            f"{'Benjamini-Hochberg adjusted' if cfg.adjust == 'fdr' else 'unadjusted'} p-values"
        ),
    )
    pairs = write_parquet(
        con, "SELECT * FROM neighbours ORDER BY lsoa_i, lsoa_j", paths.table_path("lsoa_neighbours"), sources=sources
    )
    classes = dict(con.execute("SELECT hotspot_class, count(*) FROM gi_out GROUP BY 1 ORDER BY 1").fetchall())
    unadjusted = dict(
        con.execute("""SELECT CASE WHEN gi_p_sim <= 0.1 THEN 'significant at 90% unadjusted' ELSE 'not'
        END, count(*) FROM gi_out GROUP BY 1 ORDER BY 1""").fetchall()
    )
    return [
        derived(
            "hotspots",
            written,
            counts
            | {
                "classes": classes,
                "unadjusted_for_comparison": unadjusted,
                "adjust": cfg.adjust,
                "permutations": cfg.permutations,
                "mean_neighbours": round(float(np.mean([r["neighbours"] for r in rows])), 2),
            },
        ),
        derived("lsoa_neighbours", pairs),
    ]
