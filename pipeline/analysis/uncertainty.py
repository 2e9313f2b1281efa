"""How sure is each ranking? ``rank_uncertainty``: for inclusion need and the connectivity gap,
every LSOA's rank over many seeded draws of the method's choices:

- the weights, drawn from a Dirichlet distribution centred on the configured weights (at both
  levels: components, and indicators within a component), with concentration from the config;
- the scaling base (study area, district, England where a national file exists), drawn uniformly;
- the IUC group-to-score mapping (every variant in ``config/iuc_engagement.toml``), drawn uniformly.

Per LSOA: the median rank, the 5th and 95th percentile ranks, and the probability of being in
the top decile. A priority is *robust* when that probability is at least the configured level,
*weight-dependent* when it is between that level's complement and the level.
"""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pyarrow as pa
from scipy.stats import rankdata

from pipeline.analysis import scaled
from pipeline.analysis.scores import Weights, all_weights
from pipeline.duck import exact
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, derived
from pipeline.paths import Paths
from pipeline.settings import Settings
from pipeline.store import inherited, write_parquet


def draw_scores(
    matrix: np.ndarray, weights: Weights, indicators: list[str], rng: np.random.Generator, concentration: float
) -> np.ndarray:
    """One draw of the composite score for every LSOA (missing indicators drop out, as in composite.sql)."""
    comps = list(weights.components)
    drawn_c = rng.dirichlet([concentration * weights.components[c] for c in comps]) if len(comps) > 1 else np.ones(1)
    total = np.zeros(matrix.shape[0])
    mass = np.zeros(matrix.shape[0])
    for wc, comp in zip(drawn_c, comps, strict=False):
        names = list(weights.indicators[comp])
        inner = (
            rng.dirichlet([concentration * weights.indicators[comp][n] for n in names])
            if len(names) > 1
            else np.ones(1)
        )
        cols = matrix[:, [indicators.index(n) for n in names]]
        present = ~np.isnan(cols)
        w = np.where(present, inner, 0.0)
        wsum = w.sum(axis=1)
        component = np.where(wsum > 0, np.nansum(cols * w, axis=1) / np.where(wsum > 0, wsum, 1), np.nan)
        ok = ~np.isnan(component)
        total += np.where(ok, wc * np.nan_to_num(component), 0.0)
        mass += np.where(ok, wc, 0.0)
    return np.where(mass > 0, total / np.where(mass > 0, mass, 1), np.nan)


def simulate(
    matrices: dict[tuple[str, str], np.ndarray],
    weights: Weights,
    indicators: list[str],
    *,
    draws: int,
    seed: int,
    concentration: float,
) -> np.ndarray:
    """draws x LSOAs matrix of ranks (1 = highest score; ties share the lowest rank)."""
    rng = np.random.default_rng(seed)
    keys = sorted(matrices)
    ranks = np.empty((draws, next(iter(matrices.values())).shape[0]))
    for d in range(draws):
        key = keys[rng.integers(len(keys))]
        score = draw_scores(matrices[key], weights, indicators, rng, concentration)
        ranks[d] = rankdata(-np.nan_to_num(score, nan=-np.inf), method="min")
    return ranks


def summarise(ranks: np.ndarray, robust: float) -> list[dict]:
    n = ranks.shape[1]
    top = math.ceil(n / 10)
    out = []
    for j in range(n):
        r = ranks[:, j]
        p = float((r <= top).mean())
        out.append(
            {
                "median_rank": float(np.median(r)),
                "rank_p05": float(np.percentile(r, 5, method="inverted_cdf")),
                "rank_p95": float(np.percentile(r, 95, method="inverted_cdf")),
                "p_top_decile": round(p, 4),
                "priority": "robust"
                if p >= robust
                else "weight-dependent"
                if p >= 1 - robust
                else "rarely in the top tenth",
            }
        )
    return out


def simulated(con: duckdb.DuckDBPyConnection, settings: Settings, kind: str) -> list[dict]:
    """Each LSOA's rank statistics for one score over its seeded draws: its weights, the scaling bases and, where
    it weighs the IUC, the IUC mappings (else the first mapping alone)."""
    cfg = settings.uncertainty
    variants = scaled.drawn_variants(settings)
    weights = all_weights(settings, vintage_of(settings))[kind]
    used = variants if "iuc_risk" in weights.names else variants[:1]
    lsoas = [r[0] for r in con.execute("SELECT lsoa_code FROM lsoa_areas ORDER BY 1").fetchall()]
    indicators = sorted(weights.names)  # a draw takes each indicator's column by name
    matrices = scaled.matrices(con, lsoas, indicators, [(b, v) for v in used for b in cfg.scaling_bases])
    ranks = simulate(matrices, weights, indicators, draws=cfg.draws, seed=cfg.seed, concentration=cfg.concentration)
    return [
        {"lsoa_code": lsoa, "score": kind, **stats}
        for lsoa, stats in zip(lsoas, summarise(ranks, cfg.robust_probability), strict=False)
    ]


GAP_COLUMNS = ("lsoa_code", "score", "median_rank", "rank_p05", "rank_p95", "p_top_decile", "priority")


def build_gap_uncertainty(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """The connectivity gap's draws, a step of their own: no need weight reaches them, so a change of need weights
    does not draw them again (``rank_uncertainty`` takes them from here)."""
    exact(con)
    con.register("_gap", pa.Table.from_pylist(simulated(con, settings, "supply_gap")))
    written = write_parquet(
        con,
        f"SELECT {', '.join(GAP_COLUMNS)} FROM _gap ORDER BY lsoa_code",
        paths.table_path("rank_uncertainty_gap"),
        sources=inherited(paths.table_path("lsoa_scaled_scores")),
    )
    con.unregister("_gap")
    return derived("rank_uncertainty_gap", written)


def build_rank_uncertainty(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    exact(con)
    cfg = settings.uncertainty
    variants = scaled.drawn_variants(settings)
    vintage = vintage_of(settings)
    gap = con.execute(f"SELECT {', '.join(GAP_COLUMNS)} FROM rank_uncertainty_gap ORDER BY lsoa_code").fetchall()
    rows = simulated(con, settings, "need") + [dict(zip(GAP_COLUMNS, r, strict=True)) for r in gap]
    con.register("_unc", pa.Table.from_pylist(rows))
    sources = inherited(paths.table_path("lsoa_need"), paths.table_path("lsoa_supply_gap"))
    written = write_parquet(
        con,
        """
        SELECT u.lsoa_code, a.lsoa_name, a.ward_name, a.lad_code, a.lad_name, u.score,
               CASE u.score WHEN 'need' THEN n.need_rank ELSE g.supply_gap_rank END AS configured_rank,
               u.median_rank, u.rank_p05, u.rank_p95, u.p_top_decile,
               -- robust / weight-dependent are defined for need's top tenth; a gap that is an area average
               -- is shared by every neighbourhood of its area, so its ranks are marked, not labelled
               CASE u.score WHEN 'need' THEN u.priority END AS priority,
               CASE u.score WHEN 'supply_gap' THEN g.area_average END AS gap_is_area_average
        FROM _unc u JOIN lsoa_areas a USING (lsoa_code)
        LEFT JOIN lsoa_need n USING (lsoa_code)
        LEFT JOIN lsoa_supply_gap g USING (lsoa_code)
        ORDER BY u.score, u.median_rank, u.lsoa_code""",
        paths.table_path("rank_uncertainty"),
        sources=sources,
        vintage=vintage,
        notes=(
            f"{cfg.draws} draws, seed {cfg.seed}, Dirichlet concentration "
            f"{cfg.concentration}, bases {', '.join(cfg.scaling_bases)}, "
            f"IUC variants {', '.join(variants)}"
        ),
    )
    con.unregister("_unc")
    counts = {
        kind: dict(
            con.execute(
                "SELECT priority, count(*) FROM read_parquet($p) WHERE score = $k GROUP BY 1 ORDER BY 1",
                {"p": str(written.path), "k": kind},
            ).fetchall()
        )
        for kind in ("need",)  # the only score priorities are defined for
    }
    return derived(
        "rank_uncertainty",
        written,
        {
            "draws": cfg.draws,
            "seed": cfg.seed,
            "concentration": cfg.concentration,
            "scaling_bases": list(cfg.scaling_bases),
            "iuc_variants": variants,
            "priorities": counts,
        },
    )
