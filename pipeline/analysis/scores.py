"""Scores per LSOA, all on 0-10 (10 = highest): inclusion need (``lsoa_need``), the connectivity
gap (``lsoa_supply_gap``), and the headline ``lsoa_index`` with the mixed and DERI-compatible
scores beside them. One arithmetic for all four (``indicator_scores.sql``, ``composite.sql``);
they differ only in their weights file (``config/weights/<kind>.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.analysis.indicators import (
    INDICATORS,
    measures_of,
    register_engagement,
    register_indicator_meta,
    source_values_sql,
)
from pipeline.duck import exact
from pipeline.errors import SettingsError
from pipeline.geography import Vintage, vintage_of
from pipeline.ingest.result import AssetResult, derived
from pipeline.paths import Paths
from pipeline.readers.iuc import GROUPS
from pipeline.registry import CENSUS_TS007A, LSOA11_LSOA21_LOOKUP, LSOA21_WARD_LOOKUP
from pipeline.settings import Settings, read_weights_file, shown
from pipeline.sqlfiles import quote, sql
from pipeline.store import write_parquet

KINDS = ("need", "supply_gap", "mixed", "deri")
# Which indicators a kind may weight: need never sees supply, the gap never sees people.
ALLOWED_SIDES = {
    "need": {"need"},
    "supply_gap": {"supply"},
    "mixed": {"need", "supply", "context"},
    "deri": {"need", "supply"},
}
ENGLISH_LSOAS = {2021: 33_755, 2011: 32_844}
NATIONAL_SHARE = 0.95  # a source is national when it gives this share of English LSOAs a value


@dataclass(frozen=True)
class Weights:
    """Component weights and indicator weights within each component, each normalised to sum to 1."""

    kind: str
    components: dict[str, float]
    indicators: dict[str, dict[str, float]]

    def rows(self, variant: int = 0) -> list[dict]:
        return [
            {
                "variant": variant,
                "component": c,
                "indicator": i,
                "component_weight": self.components[c],
                "indicator_weight": w,
            }
            for c, inner in self.indicators.items()
            for i, w in inner.items()
        ]

    @property
    def names(self) -> list[str]:
        return [i for inner in self.indicators.values() for i in inner]

    def with_change(self, component: str, indicator: str | None, factor: float) -> Weights:
        """The same weights with one component (or one indicator within it) multiplied by ``factor``."""
        if indicator is None:
            return normalised(
                self.kind, dict(self.components) | {component: self.components[component] * factor}, self.indicators
            )
        inner = dict(self.indicators[component]) | {indicator: self.indicators[component][indicator] * factor}
        return normalised(self.kind, self.components, dict(self.indicators) | {component: inner})


def normalised(kind: str, components: dict[str, float], indicators: dict[str, dict[str, float]]) -> Weights:
    total = sum(components.values())
    return Weights(
        kind,
        {c: w / total for c, w in components.items()},
        {c: {i: w / sum(inner.values()) for i, w in inner.items()} for c, inner in indicators.items()},
    )


def load_weights(path: Path, kind: str) -> Weights:
    """Read and check a weights file (``pipeline.settings.WeightsFile``: finite weights >= 0, not all zero,
    each component with indicators), then that its indicators are known and of the sides the kind allows.
    Errors name the file, table and key."""
    label = shown(path)
    checked = read_weights_file(path)
    indicators = checked.indicators()
    for component, inner in indicators.items():
        for name in inner:
            known = INDICATORS.get(name)
            if known is None:
                raise SettingsError(f"{label} [{component}] {name}: not an indicator (known: {', '.join(INDICATORS)})")
            measure = next(iter(known.measures.values()))
            if measure.transform == "category":
                raise SettingsError(
                    f"{label} [{component}] {name}: a category, not a score; weight {name.replace('group', 'risk')} "
                    "instead"
                    if name == "iuc_group"
                    else f"{label} [{component}] {name}: a category"
                )
            if known.side not in ALLOWED_SIDES[kind]:
                raise SettingsError(
                    f"{label} [{component}] {name}: a {known.side} indicator cannot enter the {kind} "
                    f"score (allowed: {', '.join(sorted(ALLOWED_SIDES[kind]))} indicators)"
                )
    return normalised(kind, dict(checked.components), indicators)


def all_weights(settings: Settings, vintage: Vintage) -> dict[str, Weights]:
    """Every kind's weights; indicators this vintage does not measure are dropped (and said so)."""
    measured = set(measures_of(vintage))
    out = {}
    for kind in KINDS:
        w = load_weights(settings.weights_path(kind), kind)
        inner = {c: {i: x for i, x in ind.items() if i in measured} for c, ind in w.indicators.items()}
        inner = {c: ind for c, ind in inner.items() if ind and sum(ind.values())}
        out[kind] = normalised(kind, {c: w.components[c] for c in inner}, inner)
    return out


WEIGHTS_SCHEMA = pa.schema(
    [
        ("variant", pa.int64()),
        ("component", pa.string()),
        ("indicator", pa.string()),
        ("component_weight", pa.float64()),
        ("indicator_weight", pa.float64()),
    ]
)


def national_values_sql(vintage: Vintage) -> str:
    """(indicator, value) over every English LSOA, for indicators a national file covers."""
    parts = []
    if vintage.year == 2021:  # Census tables are national and on the 2021 base
        parts.append("""
            SELECT i.indicator, i.value FROM (
                SELECT a.lsoa21cd, 100.0 * a.age_65_74 / nullif(a.residents, 0) AS pct_65_74,
                       100.0 * a.age_75_plus / nullif(a.residents, 0) AS pct_75_plus,
                       100.0 * (a.age_65_74 + a.age_75_plus) / nullif(a.residents, 0) AS pct_65_plus,
                       100.0 * d.disabled / nullif(d.residents, 0) AS pct_disabled,
                       100.0 * d.disabled_a_lot / nullif(d.residents, 0) AS pct_disabled_a_lot
                FROM census_age a JOIN census_disability d USING (lsoa21cd) WHERE a.lsoa21cd LIKE 'E%') c
            CROSS JOIN LATERAL (VALUES ('pct_65_74', c.pct_65_74), ('pct_75_plus', c.pct_75_plus),
                ('pct_65_plus', c.pct_65_plus), ('pct_disabled', c.pct_disabled),
                ('pct_disabled_a_lot', c.pct_disabled_a_lot)) i(indicator, value)""")
    coverage = " OR ".join(f"(src_year = {y} AND n >= {int(NATIONAL_SHARE * n)})" for y, n in ENGLISH_LSOAS.items())
    parts.append(f"""
        SELECT s.key AS indicator, s.value FROM source_values s
        JOIN (SELECT key, src_year, count(DISTINCT src_code) AS n FROM source_values
              WHERE src_code LIKE 'E%' AND value IS NOT NULL GROUP BY 1, 2) c USING (key, src_year)
        WHERE s.src_code LIKE 'E%' AND ({coverage})""")
    return "\nUNION ALL\n".join(parts)


def prepare(
    con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings, iuc_variant: str | None = None
) -> Vintage:
    """The views every score needs (lsoa_indicators, indicator_meta, source_values) and the table of national
    values."""
    vintage = vintage_of(settings)
    default = register_engagement(con, settings)
    register_indicator_meta(con, vintage)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW source_values AS "
        + source_values_sql(vintage).replace("$iuc_variant", quote(iuc_variant or default))
    )
    # a table, not a view: every scaling reads the national range, and a step scales many times (each base,
    # IUC mapping and draw), while reading every English LSOA's values from the sources takes most of a scaling
    con.execute("CREATE OR REPLACE TEMP TABLE national_values AS " + national_values_sql(vintage))
    register_lsoa_list(con)
    labels = ", ".join(f"({code}, {quote(label)})" for code, label in GROUPS.items())
    con.execute(f"""CREATE OR REPLACE TEMP VIEW lsoa_iuc AS
        SELECT i.lsoa_code, i.value::INTEGER AS iuc_group, g.label AS iuc_label,
               CASE WHEN i.resolution <> 'lsoa' THEN i.resolution_area END AS iuc_area,
               i.lsoas_sharing_value AS iuc_lsoas_sharing
        FROM lsoa_indicators i JOIN (VALUES {labels}) g(code, label) ON g.code = i.value::INTEGER
        WHERE i.indicator = 'iuc_group'""")
    return vintage


def register_lsoa_list(con: duckdb.DuckDBPyConnection) -> None:
    """View ``lsoa_list``: the LSOAs ``composite.sql`` scores, with their district."""
    con.execute("CREATE OR REPLACE TEMP VIEW lsoa_list AS SELECT lsoa_code, lad_code FROM lsoa_areas")


def scale(
    con: duckdb.DuckDBPyConnection,
    base: str,
    table: str = "indicator_scores",
    *,
    indicators: str = "lsoa_indicators",
    national: str = "national_values",
) -> str:
    """Temp table ``table``: every indicator's 0-10 score on ``base``, from the named views."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS " + sql("indicator_scores", indicators=indicators, national=national),
        {"base": base},
    )
    return table


def combine(con: duckdb.DuckDBPyConnection, weights: Weights | list[Weights], name: str | None = None) -> str:
    """Weight ``indicator_scores`` into temp table ``<kind>_long`` (one row per LSOA and component, and per weight
    set where ``weights`` is a list of them: its ``variant`` is the set's place in the list)."""
    sets = weights if isinstance(weights, list) else [weights]
    name = name or f"{sets[0].kind}_long"
    rows = [row for variant, w in enumerate(sets) for row in w.rows(variant)]
    con.register("weights", pa.Table.from_pylist(rows, schema=WEIGHTS_SCHEMA))
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS " + sql("composite"))
    finally:
        con.unregister("weights")
    return name


def scored_lsoas_sql(kind: str, components: list[str], *, columns: str = "", joins: str = "") -> str:
    """One row per LSOA: names, its component scores, the score, rank and decile (ties share both),
    then ``columns`` from ``joins``."""
    pivot = ", ".join(f"first(component_score) FILTER (component = {quote(c)}) AS {c}_score" for c in components)
    return f"""
WITH s AS (
    SELECT lsoa_code, {pivot}, any_value(score) AS score, any_value(missing_indicators) AS missing_indicators
    FROM {kind}_long GROUP BY 1
),
ranked AS (
    SELECT *, rank() OVER (ORDER BY score DESC NULLS LAST) AS score_rank, count(*) OVER () AS n FROM s
)
SELECT a.lsoa_code, a.lsoa_name, a.ward_code, a.ward_name, a.lad_code, a.lad_name, a.residents_2021,
       r.* EXCLUDE (lsoa_code, score, score_rank, n, missing_indicators),
       r.score AS {kind}_score, r.score_rank AS {kind}_rank,
       least(10, 1 + floor(10 * (r.score_rank - 1) / r.n))::INTEGER AS {kind}_decile,
       r.missing_indicators, r.missing_indicators IS NOT NULL AS flagged{columns}
FROM lsoa_areas a JOIN ranked r USING (lsoa_code)
{joins}"""


def sources_of(weights: Weights, vintage: Vintage) -> dict[str, str]:
    """Each source behind a score: the LSOAs with a value from it among the weighted indicators."""
    measured = measures_of(vintage)
    keys = {}
    for name in weights.names:
        for key in measured[name].sources:
            keys.setdefault(key, []).append(name)
    keys.pop("ofcom_postcode_district", None)
    out = {
        k: f"(SELECT count(DISTINCT lsoa_code) FROM lsoa_indicators WHERE value IS NOT NULL AND indicator IN "
        f"({', '.join(quote(n) for n in v)}))"
        for k, v in keys.items()
    }
    if any(INDICATORS[n].family == "broadband" for n in weights.names):
        for key in ("ofcom_postcode_coverage", "ofcom_postcode_district", "ofcom_la_coverage"):
            out[key] = f"(SELECT count(DISTINCT lsoa_code) FROM lsoa_indicators WHERE source = {quote(key)})"
    # a value published for a 2011 LSOA reaches a 2021 one through ONS's lookup (the IUC of a split LSOA)
    out[LSOA11_LSOA21_LOOKUP.key] = (
        "(SELECT count(DISTINCT lsoa_code) FROM lsoa_indicators WHERE note LIKE '%carried from%' AND indicator IN "
        f"({', '.join(quote(n) for n in weights.names)}))"
    )
    return out


# A scored LSOA's row names its ward and residents (from lsoa_areas): ONS's LSOA-to-ward lookup and Census 2021
# are sources of those rows, whichever indicators are weighted.
AREA = {
    LSOA21_WARD_LOOKUP.key: "count(*) FILTER (ward_code IS NOT NULL)",
    CENSUS_TS007A.key: "count(*) FILTER (residents_2021 IS NOT NULL)",
}


def build_scores(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    """``lsoa_indicator_scores``, ``lsoa_need``, ``lsoa_supply_gap`` and ``lsoa_index``."""
    exact(con)
    vintage = prepare(con, paths, settings)
    weights = all_weights(settings, vintage)
    base = settings.index.scaling_base
    scale(con, base)
    # a source counts for every weight set it feeds: the most LSOAs any of them draws from it (one set's count
    # must not stand for another's: the IUC carried through the 2011-2021 lookup feeds need, not the gap)
    every: dict[str, str] = {}
    for w in weights.values():
        for k, v in sources_of(w, vintage).items():
            every[k] = f"greatest({every[k]}, {v})" if k in every else v
    scores = write_parquet(
        con,
        "SELECT * FROM indicator_scores ORDER BY lsoa_code, indicator",
        paths.table_path("lsoa_indicator_scores"),
        sources=every,
        vintage=vintage,
    )
    for w in weights.values():
        combine(con, w)
    people = _indicator_columns(con, sides=("need", "context"))
    # a score rests on its weighted indicators' sources; the rows' names, wards and residents on lsoa_areas'
    need_sources, gap_sources = sources_of(weights["need"], vintage), sources_of(weights["supply_gap"], vintage)
    need = write_parquet(
        con,
        scored_lsoas_sql(
            "need",
            list(weights["need"].components),
            columns=", iu.iuc_group, iu.iuc_label, iu.iuc_area, iu.iuc_lsoas_sharing, v.* EXCLUDE (lsoa_code)",
            joins=f"LEFT JOIN ({people}) v USING (lsoa_code) LEFT JOIN lsoa_iuc iu USING (lsoa_code)",
        )
        + " ORDER BY need_rank, lsoa_code",
        paths.table_path("lsoa_need"),
        sources=need_sources | AREA,
        columns=dict.fromkeys(("need_score", "need_rank", "need_decile"), list(need_sources)),
        vintage=vintage,
        notes=f"weights config/weights/need.toml; scaling base {base}",
    )
    gap = write_parquet(
        con,
        _supply_gap_sql(weights["supply_gap"]),
        paths.table_path("lsoa_supply_gap"),
        sources=gap_sources | AREA,
        columns=dict.fromkeys(("supply_gap_score", "supply_gap_rank", "supply_gap_decile"), list(gap_sources)),
        vintage=vintage,
        notes="values known only for a postcode district or district are that area's value for every "
        "LSOA in it; LSOAs sharing them tie",
    )
    mode = settings.index.mode
    index = write_parquet(
        con,
        _index_sql(mode, list(weights[mode].components), people, weights["supply_gap"]),
        paths.table_path("lsoa_index"),
        sources=every | AREA,
        vintage=vintage,
        params={"mode": mode, "base": base},
        notes=f"headline index: {mode} (config/weights/{mode}.toml); scaling base {base}",
    )
    bases = dict(
        con.execute(
            "SELECT indicator, string_agg(DISTINCT scaling_base, ', ') FROM indicator_scores GROUP BY 1 ORDER BY 1"
        ).fetchall()
    )
    p = {"p": str(gap.path)}
    gap_counts = dict(
        zip(
            ("area_average_lsoas", "distinct_gap_values"),
            con.execute(
                "SELECT count(*) FILTER (area_average), count(DISTINCT supply_gap_score) FROM read_parquet($p)", p
            ).fetchone(),
            strict=False,
        )
    )
    weight_text = {
        k: {
            c: {"weight": round(w.components[c], 4), **{i: round(x, 4) for i, x in w.indicators[c].items()}}
            for c in w.components
        }
        for k, w in weights.items()
    }
    flagged = {
        k: con.execute("SELECT count(*) FROM read_parquet($p) WHERE flagged", {"p": str(t.path)}).fetchone()[0]
        for k, t in (("need", need), ("supply_gap", gap), ("index", index))
    }
    return [
        derived("lsoa_indicator_scores", scores, {"scaling_base": base, "scaling_base_used": bases}),
        derived(
            "lsoa_need", need, {"weights": weight_text["need"], "scaling_base": base, "flagged_lsoas": flagged["need"]}
        ),
        derived(
            "lsoa_supply_gap",
            gap,
            {"weights": weight_text["supply_gap"], "flagged_lsoas": flagged["supply_gap"], **gap_counts},
        ),
        derived(
            "lsoa_index",
            index,
            {"index_mode": mode, "scaling_base": base, "weights": weight_text[mode], "flagged_lsoas": flagged["index"]},
        ),
    ]


def _indicator_columns(con: duckdb.DuckDBPyConnection, sides: tuple[str, ...] = ("need", "supply", "context")) -> str:
    """The raw values of every scaled indicator of these sides, one column each, for people reading
    the tables. The need and index tables take no supply values: there they would lose the resolution
    and area-average marking that ``lsoa_supply_gap`` gives them."""
    names = [
        r[0]
        for r in con.execute("""SELECT DISTINCT indicator FROM lsoa_indicators JOIN indicator_meta
                                          USING (indicator) WHERE transform <> 'category' ORDER BY 1""").fetchall()
        if INDICATORS[r[0]].side in sides
    ]
    cols = ", ".join(f"first(value) FILTER (indicator = {quote(n)}) AS {n}" for n in names)
    return f"SELECT lsoa_code, {cols} FROM lsoa_indicators GROUP BY lsoa_code"


def _area_average_sql(gap: Weights) -> str:
    """Per LSOA, whether its gap score is an area average: some indicator the gap weights is known only
    for an area coarser than the LSOA, so the score ties across that area and never ranks LSOAs in it."""
    weighted = ", ".join(quote(r["indicator"]) for r in gap.rows() if r["component_weight"] and r["indicator_weight"])
    return f"""SELECT lsoa_code, bool_or(resolution NOT IN ('postcode', 'lsoa')) AS area_average
           FROM lsoa_indicators WHERE indicator IN ({weighted}) GROUP BY 1"""


def _supply_gap_sql(gap: Weights) -> str:
    return (
        scored_lsoas_sql(
            "supply_gap",
            list(gap.components),
            columns=""",
       bb.resolution AS broadband_resolution, bb.resolution_area AS broadband_area, bb.release AS broadband_release,
       mob.resolution_area AS mobile_area, aa.area_average,
       count(*) OVER (PARTITION BY r.score) AS lsoas_sharing_value,
       bb.pct_no_superfast, bb.pct_no_gigabit, bb.pct_below_uso, mob.pct_area_no_4g, mob.pct_area_no_5g""",
            joins=f"""
LEFT JOIN (SELECT lsoa_code, any_value(resolution) AS resolution, any_value(resolution_area) AS resolution_area,
                  any_value(regexp_extract(note, 'Ofcom (.*)$', 1)) AS release,
                  first(value) FILTER (indicator = 'pct_no_superfast') AS pct_no_superfast,
                  first(value) FILTER (indicator = 'pct_no_gigabit') AS pct_no_gigabit,
                  first(value) FILTER (indicator = 'pct_below_uso') AS pct_below_uso
           FROM lsoa_indicators WHERE indicator IN ('pct_no_superfast', 'pct_no_gigabit', 'pct_below_uso')
           GROUP BY 1) bb USING (lsoa_code)
LEFT JOIN (SELECT lsoa_code, any_value(resolution_area) AS resolution_area,
                  first(value) FILTER (indicator = 'pct_area_no_4g') AS pct_area_no_4g,
                  first(value) FILTER (indicator = 'pct_area_no_5g') AS pct_area_no_5g
           FROM lsoa_indicators WHERE indicator IN ('pct_area_no_4g', 'pct_area_no_5g') GROUP BY 1)
           mob USING (lsoa_code)
LEFT JOIN ({_area_average_sql(gap)}) aa USING (lsoa_code)
""",
        )
        + "\nORDER BY supply_gap_rank, lsoa_code"
    )


def _index_sql(mode: str, components: list[str], people: str, gap: Weights) -> str:
    """The headline index with every other score beside it, the gap score marked as ``lsoa_supply_gap``
    marks it."""
    return f"""
WITH head AS ({scored_lsoas_sql(mode, components)}),
other AS (
    SELECT lsoa_code,
           (SELECT any_value(score) FROM need_long n WHERE n.lsoa_code = l.lsoa_code) AS need_score,
           (SELECT any_value(score) FROM supply_gap_long g WHERE g.lsoa_code = l.lsoa_code) AS supply_gap_score,
           (SELECT any_value(score) FROM mixed_long m WHERE m.lsoa_code = l.lsoa_code) AS mixed_score,
           (SELECT any_value(score) FROM deri_long d WHERE d.lsoa_code = l.lsoa_code) AS deri_score
    FROM lsoa_list l
)
SELECT h.* EXCLUDE ({mode}_score, {mode}_rank, {mode}_decile, missing_indicators, flagged),
       $mode AS index_mode, $base AS scaling_base,
       h.{mode}_score AS index_score, h.{mode}_rank AS index_rank, h.{mode}_decile AS index_decile,
       o.need_score, o.supply_gap_score, aa.area_average AS supply_gap_area_average, o.mixed_score, o.deri_score,
       iu.iuc_group, iu.iuc_label, iu.iuc_area, iu.iuc_lsoas_sharing, ru.ruc_code, ru.ruc_label,
       h.missing_indicators, h.flagged, v.* EXCLUDE (lsoa_code)
FROM head h
JOIN other o USING (lsoa_code)
LEFT JOIN ({people}) v USING (lsoa_code)
LEFT JOIN ({_area_average_sql(gap)}) aa USING (lsoa_code)
LEFT JOIN lsoa_iuc iu USING (lsoa_code)
LEFT JOIN rurality ru USING (lsoa_code)
ORDER BY index_rank, lsoa_code"""
