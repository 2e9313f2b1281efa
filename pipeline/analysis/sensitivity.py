"""How stable is the top of the index? Each weight moved up and down by 20%, one at a time.

For each change the index is recomputed from the same indicator scores (``index_combine.sql``)
and we report the share of the top-N LSOAs that stay in the top N.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.analysis.index import Weights, combine, load_weights
from pipeline.analysis.indicators import SOURCE_KEYS, register_inputs
from pipeline.ingest.result import TableResult
from pipeline.paths import Paths
from pipeline.rejects import Rejects
from pipeline.settings import Settings
from pipeline.duck import exact
from pipeline.store import write_parquet


def top_n(con: duckdb.DuckDBPyConnection, weights: Weights, n: int) -> list[str]:
    """The n highest-scoring LSOAs under ``weights`` (ties broken by code, so the set is fixed)."""
    combine(con, weights)
    return [r[0] for r in con.execute("""SELECT lsoa11cd FROM index_long GROUP BY 1
        ORDER BY any_value(index_score) DESC, lsoa11cd LIMIT $n""", {"n": n}).fetchall()]


def build_index_sensitivity(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> TableResult:
    exact(con)
    register_inputs(con, paths, ("lsoa_indicators", "lsoa_indicator_scores"))
    con.execute("CREATE OR REPLACE TEMP VIEW indicator_scores AS SELECT * FROM lsoa_indicator_scores")
    weights = load_weights(settings.weights_path)
    n, change = settings.sensitivity_top_n, settings.sensitivity_change
    base = set(top_n(con, weights, n))
    rows = []
    targets = [(c, None) for c in weights.components]
    targets += [(c, i) for c, inner in weights.indicators.items() if len(inner) > 1 for i in inner]
    for component, indicator in targets:
        for factor in (1 - change, 1 + change):
            changed = weights.with_change(component, indicator, factor)
            kept = len(base & set(top_n(con, changed, n)))
            before = weights.components[component] if indicator is None else weights.indicators[component][indicator]
            after = changed.components[component] if indicator is None else changed.indicators[component][indicator]
            rows.append({"level": "component" if indicator is None else "indicator", "component": component,
                         "indicator": indicator, "change": f"{(factor - 1) * 100:+.0f}%",
                         "weight_before": round(before, 6), "weight_after": round(after, 6), "top_n": n,
                         "top_n_retained": kept, "share_retained": kept / n})
    con.register("sensitivity_out", pa.Table.from_pylist(rows))
    written = write_parquet(con, "SELECT * FROM sensitivity_out ORDER BY level, component, indicator NULLS FIRST, change",
                            paths.table_path("index_sensitivity"), source_keys=SOURCE_KEYS,
                            notes=f"each weight changed by +/-{change:.0%}; weights renormalised; top {n} LSOAs")
    worst = min(r["share_retained"] for r in rows)
    return TableResult("index_sensitivity", [written], written.rows, written.rows, Rejects(), [], SOURCE_KEYS,
                       {"top_n": n, "lowest_share_retained": worst,
                        "mean_share_retained": round(sum(r["share_retained"] for r in rows) / len(rows), 3)})
