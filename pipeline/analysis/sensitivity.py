"""How stable is the top of the need ranking? Each weight moved up and down by 20%, one at a time.

For each change the need score is recomputed from the same indicator scores (``composite.sql``)
and we report the share of the top-N LSOAs that stay in the top N. ``rank_uncertainty`` varies
every weight at once; this table shows which single weight matters most.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.analysis.scaled import PUBLISHED
from pipeline.analysis.scores import Weights, all_weights, combine, register_lsoa_list
from pipeline.duck import exact
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, derived
from pipeline.paths import Paths
from pipeline.settings import Settings
from pipeline.store import inherited, write_parquet


def top_n(con: duckdb.DuckDBPyConnection, weight_sets: list[Weights], n: int) -> list[set[str]]:
    """The n highest-scoring LSOAs under each weight set (ties broken by code, so each set is fixed), all sets
    scored in one pass of ``composite.sql``."""
    table = combine(con, weight_sets, "sensitivity_long")
    rows = con.execute(
        f"""SELECT variant, lsoa_code FROM (
                SELECT variant, lsoa_code, row_number() OVER (PARTITION BY variant ORDER BY score DESC, lsoa_code) AS k
                FROM (SELECT variant, lsoa_code, any_value(score) AS score FROM {table} GROUP BY 1, 2))
            WHERE k <= $n""",
        {"n": n},
    ).fetchall()
    tops: list[set[str]] = [set() for _ in weight_sets]
    for variant, lsoa in rows:
        tops[variant].add(lsoa)
    return tops


def build_index_sensitivity(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    exact(con)
    # the indicators as published, on the configured base: scaled once, by scaled_scores, for every step
    con.execute(
        """CREATE OR REPLACE TEMP TABLE indicator_scores AS SELECT lsoa_code, indicator, score
           FROM lsoa_scaled_scores WHERE base = $base AND variant = $published""",
        {"base": settings.index.scaling_base, "published": PUBLISHED},
    )
    register_lsoa_list(con)
    weights = all_weights(settings, vintage_of(settings))["need"]
    n, change = settings.sensitivity.top_n, settings.sensitivity.weight_change
    targets = [(c, None) for c in weights.components]
    targets += [(c, i) for c, inner in weights.indicators.items() if len(inner) > 1 for i in inner]
    changes = [(c, i, f) for c, i in targets for f in (1 - change, 1 + change)]
    changed_sets = [weights.with_change(c, i, f) for c, i, f in changes]
    base, *tops = top_n(con, [weights, *changed_sets], n)
    rows = []
    for (component, indicator, factor), changed, top in zip(changes, changed_sets, tops, strict=True):
        kept = len(base & top)
        before = weights.components[component] if indicator is None else weights.indicators[component][indicator]
        after = changed.components[component] if indicator is None else changed.indicators[component][indicator]
        rows.append(
            {
                "score": "need",
                "level": "component" if indicator is None else "indicator",
                "component": component,
                "indicator": indicator,
                "change": f"{'up' if factor > 1 else 'down'} {abs(factor - 1) * 100:.0f}%",
                "weight_before": round(before, 6),
                "weight_after": round(after, 6),
                "top_n": n,
                "top_n_retained": kept,
                "share_retained": kept / n,
            }
        )
    con.register("sensitivity_out", pa.Table.from_pylist(rows))
    written = write_parquet(
        con,
        "SELECT * FROM sensitivity_out ORDER BY level, component, indicator NULLS FIRST, change",
        paths.table_path("index_sensitivity"),
        sources=inherited(paths.table_path("lsoa_need")),
        notes=f"each need weight changed by +/-{change:.0%}; weights renormalised; top {n} LSOAs",
    )
    con.unregister("sensitivity_out")
    worst = min(r["share_retained"] for r in rows)
    return derived(
        "index_sensitivity",
        written,
        {
            "top_n": n,
            "lowest_share_retained": worst,
            "mean_share_retained": round(sum(r["share_retained"] for r in rows) / len(rows), 3),
        },
    )
