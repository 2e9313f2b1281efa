"""Statistically significant clusters of high (hot) and low (cold) index scores: Getis-Ord Gi*."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
from scipy.stats import norm

from pipeline.analysis.indicators import SOURCE_KEYS, register_inputs
from pipeline.ingest.result import TableResult
from pipeline.paths import Paths
from pipeline.rejects import Rejects
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.duck import exact
from pipeline.store import write_parquet

# Two-sided confidence levels and their |z| thresholds (as in ArcGIS Hot Spot Analysis).
LEVELS = ((99, norm.ppf(0.995)), (95, norm.ppf(0.975)), (90, norm.ppf(0.95)))
KNN_RADII_M = (5_000, 20_000, 100_000, 1_000_000)


def hotspot_class(z: float) -> str:
    for level, threshold in LEVELS:
        if abs(z) >= threshold:
            return f"{'hot' if z > 0 else 'cold'} spot ({level}%)"
    return "not significant"


def build_neighbours(con: duckdb.DuckDBPyConnection, k: int) -> dict[str, int]:
    """Temp table ``neighbours`` (lsoa_i, lsoa_j, method): contiguity, else k nearest centroids."""
    con.execute("CREATE OR REPLACE TEMP TABLE lsoa_centroids AS " + sql("lsoa_centroids"))
    con.execute("CREATE OR REPLACE TEMP TABLE neighbours AS " + sql("lsoa_contiguity"))
    con.execute("""CREATE OR REPLACE TEMP TABLE needs_knn AS
        SELECT lsoa11cd FROM lsoa_centroids WHERE lsoa11cd NOT IN (SELECT lsoa_i FROM neighbours)""")
    islands = con.execute("SELECT count(*) FROM needs_knn").fetchone()[0]
    for radius in KNN_RADII_M:  # widen the search until every LSOA has its k (or all there are)
        if not con.execute("SELECT count(*) FROM needs_knn").fetchone()[0]:
            break
        con.execute("INSERT INTO neighbours " + sql("lsoa_knn"), {"k": k, "radius": radius})
        total = con.execute("SELECT count(*) - 1 FROM lsoa_centroids").fetchone()[0]
        con.execute("""DELETE FROM needs_knn WHERE lsoa11cd IN (
            SELECT lsoa_i FROM neighbours GROUP BY 1 HAVING count(*) >= least($k, $total))""", {"k": k, "total": total})
        con.execute("DELETE FROM neighbours WHERE lsoa_i IN (SELECT lsoa11cd FROM needs_knn) AND method <> 'contiguity'")
    by_method = dict(con.execute("SELECT method, count(*) FROM neighbours GROUP BY 1 ORDER BY 1").fetchall())
    return {"lsoas_needing_nearest_neighbours": islands, **{f"pairs_{m}": n for m, n in by_method.items()}}


def build_hotspots(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> TableResult:
    exact(con)
    register_inputs(con, paths, ("lsoa_index", "lsoa_boundaries", "postcodes"))
    counts = build_neighbours(con, settings.knn_k)
    gi = con.execute(sql("getis_ord")).fetchall()
    z = np.array([r[3] for r in gi], dtype=float)
    p = 2 * norm.sf(np.abs(z))
    rows = [{"lsoa11cd": r[0], "neighbours": r[1], "local_mean": r[2], "gi_z": r[3], "gi_p": float(pv),
             "hotspot_class": hotspot_class(r[3])} for r, pv in zip(gi, p)]
    con.register("gi_out", pa.Table.from_pylist(rows))
    written = write_parquet(con, """
        SELECT i.lsoa11cd, i.lsoa11nm, i.lad_code, i.index_score, g.neighbours, n.methods AS neighbour_method,
               g.local_mean, g.gi_z, g.gi_p, g.hotspot_class
        FROM lsoa_index i JOIN gi_out g USING (lsoa11cd)
        LEFT JOIN (SELECT lsoa_i AS lsoa11cd, string_agg(DISTINCT method, ', ' ORDER BY method) AS methods
                   FROM neighbours GROUP BY 1) n USING (lsoa11cd)
        ORDER BY i.lsoa11cd""", paths.table_path("hotspots"), source_keys=SOURCE_KEYS,
                            notes="Getis-Ord Gi* on index_score, binary queen-contiguity weights including self")
    write_parquet(con, "SELECT * FROM neighbours ORDER BY lsoa_i, lsoa_j", paths.table_path("lsoa_neighbours"),
                  source_keys=SOURCE_KEYS)
    classes = dict(con.execute("SELECT hotspot_class, count(*) FROM gi_out GROUP BY 1 ORDER BY 1").fetchall())
    return TableResult("hotspots", [written], written.rows, written.rows, Rejects(), [], SOURCE_KEYS,
                       counts | {"classes": classes, "mean_neighbours": round(float(np.mean([r[1] for r in gi])), 2)})
