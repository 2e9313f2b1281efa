"""The digital-exclusion index per LSOA: indicators scaled 0-10, weighted into components and an index.

Two modes share the same arithmetic (``index_indicator_scores.sql``, ``index_combine.sql``);
they differ only in the weights file: ``deri`` follows the GMCA DERI v1.0 structure (age,
broadband and deprivation, one third each), ``default`` is ours.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.analysis.indicators import INDICATORS, SOURCE_KEYS, register_inputs
from pipeline.errors import DizError
from pipeline.ingest.result import TableResult
from pipeline.paths import Paths
from pipeline.rejects import Rejects
from pipeline.settings import Settings
from pipeline.sqlfiles import quote, register_parquet, sql
from pipeline.duck import exact
from pipeline.store import write_parquet


@dataclass(frozen=True)
class Weights:
    """Component weights and indicator weights within each component, each normalised to sum to 1."""

    components: dict[str, float]
    indicators: dict[str, dict[str, float]]

    def rows(self) -> list[dict]:
        return [{"component": c, "indicator": i, "component_weight": self.components[c], "indicator_weight": w}
                for c, inner in self.indicators.items() for i, w in inner.items()]

    def with_change(self, component: str, indicator: str | None, factor: float) -> "Weights":
        """The same weights with one component (or one indicator within it) multiplied by ``factor``."""
        if indicator is None:
            components = dict(self.components) | {component: self.components[component] * factor}
            return normalised(components, self.indicators)
        inner = dict(self.indicators[component]) | {indicator: self.indicators[component][indicator] * factor}
        return normalised(self.components, dict(self.indicators) | {component: inner})


def normalised(components: dict[str, float], indicators: dict[str, dict[str, float]]) -> Weights:
    total = sum(components.values())
    return Weights({c: w / total for c, w in components.items()},
                   {c: {i: w / sum(inner.values()) for i, w in inner.items()} for c, inner in indicators.items()})


def load_weights(path: Path) -> Weights:
    """Read and validate a weights file: known indicators, positive weights, each component filled."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DizError(f"{path}: cannot read index weights: {exc}") from exc
    components = raw.get("components") or {}
    if not components:
        raise DizError(f"{path}: no [components] table")
    indicators: dict[str, dict[str, float]] = {}
    for component, weight in components.items():
        inner = raw.get(component)
        if not isinstance(weight, (int, float)) or weight <= 0:
            raise DizError(f"{path}: component {component!r} needs a positive weight, got {weight!r}")
        if not inner:
            raise DizError(f"{path}: component {component!r} has no [{component}] table of indicator weights")
        for name, w in inner.items():
            if name not in INDICATORS:
                raise DizError(f"{path}: [{component}] {name!r} is not an indicator (known: {', '.join(INDICATORS)})")
            if not isinstance(w, (int, float)) or w <= 0:
                raise DizError(f"{path}: [{component}] {name} needs a positive weight, got {w!r}")
        indicators[component] = {k: float(v) for k, v in inner.items()}
    return normalised({k: float(v) for k, v in components.items()}, indicators)


WEIGHTS_SCHEMA = pa.schema([("component", pa.string()), ("indicator", pa.string()), ("component_weight", pa.float64()),
                            ("indicator_weight", pa.float64())])
META_SCHEMA = pa.schema([("indicator", pa.string()), ("higher_is_worse", pa.bool_()), ("transform", pa.string()),
                         ("national", pa.bool_())])


def register_weights(con: duckdb.DuckDBPyConnection, weights: Weights) -> None:
    con.register("weights", pa.Table.from_pylist(weights.rows(), schema=WEIGHTS_SCHEMA))


def register_indicator_meta(con: duckdb.DuckDBPyConnection) -> None:
    rows = [{"indicator": i.name, "higher_is_worse": i.higher_is_worse, "transform": i.transform,
             "national": i.national} for i in INDICATORS.values()]
    con.register("indicator_meta", pa.Table.from_pylist(rows, schema=META_SCHEMA))


def combine(con: duckdb.DuckDBPyConnection, weights: Weights) -> str:
    """Weight the registered ``indicator_scores`` into temp table ``index_long`` (one row per LSOA and component)."""
    register_weights(con, weights)
    con.execute("CREATE OR REPLACE TEMP TABLE index_long AS " + sql("index_combine"))
    return "index_long"


def lsoa_index_sql(components: list[str]) -> str:
    """One row per LSOA: component scores, index, rank, decile, indicator values and context."""
    return """
WITH wide AS (
    PIVOT (SELECT lsoa11cd, component || '_score' AS component, component_score FROM index_long)
    ON component IN (""" + ", ".join(quote(c + "_score") for c in components) + """) USING first(component_score)
),
one AS (
    SELECT lsoa11cd, any_value(lad_code) AS lad_code, any_value(index_score) AS index_score,
           any_value(missing_indicators) AS missing_indicators
    FROM index_long GROUP BY 1
),
values_wide AS (
    PIVOT (SELECT lsoa11cd, indicator, value FROM lsoa_indicators)
    ON indicator IN (""" + ", ".join(quote(i) for i in SHOWN) + """) USING first(value)
),
broadband AS (
    SELECT lsoa11cd, first(resolution) AS broadband_resolution, first(release) AS broadband_release
    FROM lsoa_indicators WHERE indicator = 'pct_no_gigabit' GROUP BY 1
)
SELECT o.lsoa11cd, d.lsoa11nm, o.lad_code, d.lad_name, w.* EXCLUDE (lsoa11cd),
       o.index_score,
       rank() OVER (ORDER BY o.index_score DESC) AS index_rank,
       ntile(10) OVER (ORDER BY o.index_score DESC, o.lsoa11cd) AS index_decile,
       $mode AS index_mode, $base AS scaling_base, o.missing_indicators,
       v.* EXCLUDE (lsoa11cd) REPLACE (""" + ", ".join(f"v.{i}::INTEGER AS {i}" for i in SHOWN if i.endswith("_rank")) + """),
       c.residents AS residents_2021,
       b.broadband_resolution, b.broadband_release
FROM one o
JOIN wide w USING (lsoa11cd)
JOIN lsoa_districts d USING (lsoa11cd)
LEFT JOIN values_wide v USING (lsoa11cd)
LEFT JOIN census_age c USING (lsoa11cd)
LEFT JOIN broadband b USING (lsoa11cd)
ORDER BY index_rank, o.lsoa11cd
"""

SHOWN = ["pct_no_superfast", "pct_no_gigabit", "pct_below_uso", "pct_65_plus", "pct_60_plus", "imd_rank",
         "income_rank", "employment_rank", "education_rank", "barriers_rank", "rural_class", "postcode_density"]


def scale(con: duckdb.DuckDBPyConnection, weights: Weights, base: str) -> str:
    """Temp table ``indicator_scores`` from registered ``lsoa_indicators`` and ``national_indicators``."""
    register_indicator_meta(con)
    register_weights(con, weights)
    con.execute("CREATE OR REPLACE TEMP TABLE indicator_scores AS " + sql("index_indicator_scores"), {"base": base})
    return "indicator_scores"


def score_indicators(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings, weights: Weights) -> None:
    """Temp table ``indicator_scores``: every weighted indicator scaled 0-10 on the configured base."""
    register_inputs(con, paths, ("lsoa_indicators", "imd2019", "lsoa_districts", "rurality", "census_age"))
    con.execute("CREATE OR REPLACE TEMP VIEW national_indicators AS " + sql("national_indicators"))
    scale(con, weights, settings.scaling_base)


def build_lsoa_index(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[TableResult]:
    """``lsoa_index`` (one row per LSOA) and ``lsoa_indicator_scores`` (each indicator's 0-10 score and range)."""
    exact(con)
    weights = load_weights(settings.weights_path)
    score_indicators(con, paths, settings, weights)
    scores = write_parquet(con, "SELECT * FROM indicator_scores ORDER BY lsoa11cd, indicator",
                           paths.table_path("lsoa_indicator_scores"), source_keys=SOURCE_KEYS)
    combine(con, weights)
    index = write_parquet(con, lsoa_index_sql(list(weights.components)), paths.table_path("lsoa_index"),
                          source_keys=SOURCE_KEYS, params={"mode": settings.index_mode, "base": settings.scaling_base},
                          notes=f"index mode {settings.index_mode}; weights {settings.weights_path.name}; "
                                f"scaling base {settings.scaling_base}")
    bases = dict(con.execute("SELECT indicator, any_value(scaling_base) FROM indicator_scores GROUP BY 1 ORDER BY 1").fetchall())
    missing = con.execute("SELECT count(*) FROM index_long WHERE missing_indicators IS NOT NULL").fetchone()[0]
    weight_text = {c: {"weight": round(w, 4), **{i: round(x, 4) for i, x in weights.indicators[c].items()}}
                   for c, w in weights.components.items()}
    return [
        TableResult("lsoa_index", [index], index.rows, index.rows, Rejects(), [], SOURCE_KEYS, {
            "index_mode": settings.index_mode, "scaling_base": settings.scaling_base,
            "weights": weight_text, "scaling_base_used": bases, "lsoa_component_rows_with_missing_indicators": missing,
        }),
        TableResult("lsoa_indicator_scores", [scores], scores.rows, scores.rows, Rejects(), [], SOURCE_KEYS,
                    {"scaling_base_used": bases}),
    ]


def register_index(con: duckdb.DuckDBPyConnection, paths: Paths) -> None:
    register_parquet(con, "lsoa_index", paths.table_path("lsoa_index"))
