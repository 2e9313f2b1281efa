"""The LSOA indicators: what each concept measures on each small-area vintage, from which source,
its direction of risk, and how it is built (``lsoa_indicators``, one row per LSOA and indicator).

An indicator is a concept (``adult_skills``, ``pct_no_gigabit``); its ``measures`` say how each
vintage measures it, so the weight files need not change with the vintage. ``side`` keeps need
and supply apart: need weights may only name ``need`` indicators, the connectivity gap only
``supply`` ones (checked when weights are loaded).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.errors import SettingsError
from pipeline.geography import Vintage, vintage_of
from pipeline.ingest.result import AssetResult, derived
from pipeline.inputs import use_crosswalk
from pipeline.paths import Paths
from pipeline.readers.iuc import GROUPS
from pipeline.registry import (
    CENSUS_TS007A,
    CENSUS_TS038,
    CODEPOINT_OPEN,
    IMD2019,
    IMD2019_SCORES,
    IOD2025,
    IUC2018,
    LSOA11_LSOA21_LOOKUP,
    LSOA21_WARD_LOOKUP,
    LSOA2011_BOUNDARIES,
    LSOA2021_BOUNDARIES,
    OFCOM_LA_COVERAGE,
    OFCOM_POSTCODE_COVERAGE,
    OFCOM_POSTCODE_DISTRICT,
    ONS_LOCAL_INDICATORS,
    ONS_POSTCODE_LOOKUP,
    POPULATION_DENSITY,
    RUC2011,
    RUC2021,
    SOURCES,
)
from pipeline.settings import Settings
from pipeline.sqlfiles import quote, sql
from pipeline.store import count_contributions, write_parquet


@dataclass(frozen=True)
class Measure:
    """How one vintage measures a concept."""

    source: str  # registry key
    label: str
    unit: str
    higher_is_worse: bool
    table: str | None = None  # national source table the value comes from (family "values")
    column: str | None = None
    transform: str = "none"  # "log10": scaled on log10(value + 1), for skewed densities
    note: str = ""
    also: tuple[str, ...] = ()  # other sources the value rests on (a density's boundary areas)

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source, *self.also)


@dataclass(frozen=True)
class Indicator:
    name: str
    side: str  # "need", "supply" or "context"
    family: str  # which SQL builds it: broadband, mobile, census, values, density
    measures: dict[str, Measure]  # by vintage key


def _both(measure: Measure) -> dict[str, Measure]:
    return {"lsoa2021": measure, "lsoa2011": measure}


def _iod(column: str, label: str, unit: str = "score (higher = more deprived)") -> Measure:
    return Measure(IOD2025.key, f"IoD 2025 {label}", unit, True, "iod2025", column)


def _imd19(column: str, label: str, *, rank: bool = False, source: str = IMD2019.key, note: str = "") -> Measure:
    if rank:
        return Measure(
            source, f"IMD 2019 {label} rank", "rank of 32,844 (1 = most deprived)", False, "imd2019", column, note=note
        )
    return Measure(
        source, f"IMD 2019 {label}", "score (higher = more deprived)", True, "imd2019_scores", column, note=note
    )


# What a broadband value's percentage is depends on its resolution (METHOD §4 and §7): each row's ``unit`` says.
BROADBAND_UNIT = (
    "%: where the resolution is postcode, of premises (the premises-weighted mean over the LSOA's postcodes); "
    "where it is postcode_district, the average of the one postcode district holding the most of the LSOA's "
    "postcodes (a mean over that district's postcodes, each counted once: not a share of premises); where it is "
    "local_authority, Ofcom's figure for the whole district, not the LSOA's (the row's resolution and area say which)"
)


def _broadband(label: str) -> dict[str, Measure]:
    # an LSOA's value is built from the postcodes in it: Code-Point's list, placed by ONS's lookup
    return _both(
        Measure(
            OFCOM_POSTCODE_DISTRICT.key,
            label,
            BROADBAND_UNIT,
            True,
            also=(CODEPOINT_OPEN.key, ONS_POSTCODE_LOOKUP.key),
        )
    )


def _census(label: str, source: str = CENSUS_TS007A.key) -> dict[str, Measure]:
    return _both(Measure(source, label, "% of usual residents", True))


INDICATORS: dict[str, Indicator] = {
    i.name: i
    for i in (
        # --- supply: what the networks reach ---
        Indicator(
            "pct_no_superfast",
            "supply",
            "broadband",
            _broadband("Without superfast broadband (30 Mbit/s)"),
        ),
        Indicator(
            "pct_no_gigabit",
            "supply",
            "broadband",
            _broadband("Without gigabit-capable broadband"),
        ),
        Indicator(
            "pct_below_uso",
            "supply",
            "broadband",
            _broadband("Below the Universal Service Obligation (10 Mbit/s)"),
        ),
        Indicator(
            "pct_area_no_4g",
            "supply",
            "mobile",
            _both(
                Measure(
                    ONS_LOCAL_INDICATORS.key, "Land area without outdoor 4G from any operator", "% of land area", True
                )
            ),
        ),
        Indicator(
            "pct_area_no_5g",
            "supply",
            "mobile",
            _both(
                Measure(
                    ONS_LOCAL_INDICATORS.key, "Land area without outdoor 5G from any operator", "% of land area", True
                )
            ),
        ),
        # --- need: the people who live there ---
        Indicator("pct_65_74", "need", "census", _census("Residents aged 65-74 (Census 2021)")),
        Indicator("pct_75_plus", "need", "census", _census("Residents aged 75 and over (Census 2021)")),
        Indicator("pct_65_plus", "need", "census", _census("Residents aged 65 and over (Census 2021)")),
        Indicator(
            "pct_disabled",
            "need",
            "census",
            _census("Residents disabled under the Equality Act (Census 2021)", CENSUS_TS038.key),
        ),
        Indicator(
            "pct_disabled_a_lot",
            "need",
            "census",
            _census("Residents whose day-to-day activities are limited a lot (Census 2021)", CENSUS_TS038.key),
        ),
        Indicator(
            "imd",
            "need",
            "values",
            {
                "lsoa2021": _iod("imd_score", "IMD score"),
                "lsoa2011": _imd19("imd_score", "IMD score", source=IMD2019_SCORES.key),
            },
        ),
        Indicator(
            "income",
            "need",
            "values",
            {
                "lsoa2021": _iod("income_score", "income score", "rate (share of residents)"),
                "lsoa2011": _imd19("income_score", "income score", source=IMD2019_SCORES.key),
            },
        ),
        Indicator(
            "employment",
            "need",
            "values",
            {
                "lsoa2021": _iod("employment_score", "employment score", "rate (share of working age)"),
                "lsoa2011": _imd19("employment_score", "employment score", source=IMD2019_SCORES.key),
            },
        ),
        Indicator(
            "adult_skills",
            "need",
            "values",
            {
                "lsoa2021": _iod("adult_skills_score", "adult skills sub-domain score"),
                "lsoa2011": _imd19(
                    "education_rank",
                    "education, skills and training",
                    rank=True,
                    note="substitute: the 2019 files here give the education domain rank only",
                ),
            },
        ),
        Indicator(
            "education",
            "need",
            "values",
            {
                "lsoa2021": _iod("education_score", "education, skills and training score"),
                "lsoa2011": _imd19("education_rank", "education, skills and training", rank=True),
            },
        ),
        Indicator(
            "health",
            "need",
            "values",
            {
                "lsoa2021": _iod("health_score", "health deprivation and disability score"),
                "lsoa2011": _imd19("health_rank", "health deprivation and disability", rank=True),
            },
        ),
        Indicator(
            "barriers",
            "need",
            "values",
            {
                "lsoa2021": _iod("barriers_score", "barriers to housing and services score"),
                "lsoa2011": _imd19("barriers_rank", "barriers to housing and services", rank=True),
            },
        ),
        Indicator(
            "older_income",
            "need",
            "values",
            {
                "lsoa2021": _iod(
                    "idaopi_score",
                    "income deprivation affecting older people (IDAOPI) score",
                    "rate (share of residents aged 60+)",
                ),
                "lsoa2011": _imd19(
                    "income_score",
                    "income score",
                    source=IMD2019_SCORES.key,
                    note="substitute: IDAOPI 2019 is not among the files here",
                ),
            },
        ),
        Indicator(
            "iuc_risk",
            "need",
            "values",
            _both(
                Measure(
                    IUC2018.key,
                    "Internet engagement risk from the IUC 2018 group",
                    "score 0-10 (the group mapped to a score: the method, section 5)",
                    True,
                    "iuc2018",
                    "iuc_risk",
                    note="a classification turned into a number: a modelling choice",
                )
            ),
        ),
        # --- context: shown, and used by the mixed index only ---
        Indicator(
            "iuc_group",
            "context",
            "values",
            _both(
                Measure(
                    IUC2018.key,
                    "IUC 2018 group (a category: code 1-10)",
                    "group code",
                    True,
                    "iuc2018",
                    "iuc_group",
                    transform="category",
                )
            ),
        ),
        Indicator(
            "imd_rank",
            "context",
            "values",
            {
                "lsoa2021": Measure(
                    IOD2025.key, "IoD 2025 IMD rank", "rank of 33,755 (1 = most deprived)", False, "iod2025", "imd_rank"
                ),
                "lsoa2011": _imd19("imd_rank", "IMD", rank=True),
            },
        ),
        Indicator(
            "rural_class",
            "context",
            "values",
            {
                "lsoa2021": Measure(
                    RUC2021.key,
                    "Rurality (RUC 2021: urban 0, larger rural 0.5, smaller rural 1)",
                    "class score",
                    True,
                    "rurality",
                    "rural_class",
                ),
                "lsoa2011": Measure(
                    RUC2011.key,
                    "Rurality (RUC 2011: urban 0, town and fringe 0.5, village/dispersed 1)",
                    "class score",
                    True,
                    "rurality",
                    "rural_class",
                ),
            },
        ),
        Indicator(
            "postcode_density",
            "context",
            "density",
            {
                vintage: Measure(
                    CODEPOINT_OPEN.key,
                    "Code-Point postcodes per km2 of the LSOA boundary",
                    "postcodes per km2",
                    False,
                    transform="log10",
                    also=(boundaries.key,),
                )
                for vintage, boundaries in (("lsoa2021", LSOA2021_BOUNDARIES), ("lsoa2011", LSOA2011_BOUNDARIES))
            },
        ),
        Indicator(
            "population_density",
            "context",
            "values",
            {
                "lsoa2011": Measure(
                    POPULATION_DENSITY.key,
                    "Residents per km2 (ONS mid-2018)",
                    "people per km2",
                    False,
                    "population_density",
                    "people_per_km2",
                    transform="log10",
                )
            },
        ),
    )
}

BROADBAND_SOURCES = (OFCOM_POSTCODE_COVERAGE.key, OFCOM_POSTCODE_DISTRICT.key, OFCOM_LA_COVERAGE.key)
# Tables in the 2011 vintage; every other source table is in 2021 LSOAs.
SOURCE_VINTAGE = {"imd2019": 2011, "imd2019_scores": 2011, "iuc2018": 2011, "population_density": 2011}


def measures_of(vintage: Vintage) -> dict[str, Measure]:
    return {name: ind.measures[vintage.key] for name, ind in INDICATORS.items() if vintage.key in ind.measures}


def engagement_variants(path: Path) -> tuple[str, dict[str, dict[int, float]]]:
    """(default variant, {variant: {IUC group code: risk score}}) from config/iuc_engagement.toml."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read the IUC mapping: {exc}") from exc
    by_label = {label: code for code, label in GROUPS.items()}
    variants: dict[str, dict[int, float]] = {}
    for name, mapping in (raw.get("variants") or {}).items():
        unknown = sorted(set(mapping) - set(by_label))
        missing = sorted(set(by_label) - set(mapping))
        if unknown or missing:
            raise SettingsError(
                f"{path} [variants.{name}]: every IUC group needs a score; "
                + (f"unknown {unknown}" if unknown else f"missing {missing}")
            )
        for label, value in mapping.items():
            if not isinstance(value, (int, float)) or not 0 <= value <= 10:
                raise SettingsError(f"{path} [variants.{name}] {label!r}: must be a number from 0 to 10, got {value!r}")
        variants[name] = {by_label[label]: float(v) for label, v in mapping.items()}
    default = raw.get("default")
    if default not in variants:
        raise SettingsError(f"{path}: default = {default!r} must name one of the variants {sorted(variants)}")
    return default, variants


def register_engagement(con: duckdb.DuckDBPyConnection, settings: Settings) -> str:
    """Temp table ``iuc_mapping`` (variant, iuc_group, iuc_risk); returns the default variant."""
    default, variants = engagement_variants(settings.engagement_path)
    rows = [{"variant": v, "iuc_group": g, "iuc_risk": s} for v, m in variants.items() for g, s in m.items()]
    con.register("_iuc_mapping", pa.Table.from_pylist(rows))
    con.execute("CREATE OR REPLACE TEMP TABLE iuc_mapping AS SELECT * FROM _iuc_mapping")
    con.unregister("_iuc_mapping")
    return default


def source_values_sql(vintage: Vintage) -> str:
    """A long view of every "values" indicator as its source table gives it: (src_code,
    src_year, key = the indicator, value). IUC groups become risk scores with the default mapping."""
    parts = []
    for name, m in measures_of(vintage).items():
        if INDICATORS[name].family != "values":
            continue
        year = SOURCE_VINTAGE.get(m.table, 2021)
        code = "lsoa11cd" if year == 2011 else "lsoa21cd"
        if m.table == "rurality":  # the run's own vintage, read with neutral names
            code, year = "lsoa_code", vintage.year
        if m.table == "iuc2018" and m.column == "iuc_risk":
            parts.append(
                f"SELECT i.lsoa11cd AS src_code, 2011 AS src_year, {quote(name)} AS key, "
                "m.iuc_risk::DOUBLE AS value FROM iuc2018 i JOIN iuc_mapping m "
                "ON m.iuc_group = i.iuc_group AND m.variant = $iuc_variant"
            )
        else:
            parts.append(
                f"SELECT {code} AS src_code, {year} AS src_year, {quote(name)} AS key, "
                f"{m.column}::DOUBLE AS value FROM {m.table}"
            )
    return "\nUNION ALL\n".join(parts)


def meta_rows(vintage: Vintage) -> list[dict]:
    return [
        {
            "indicator": name,
            "side": INDICATORS[name].side,
            "source": m.source,
            "source_title": SOURCES[m.source].title,
            "release": SOURCES[m.source].release,
            "label": m.label,
            "unit": m.unit,
            "higher_is_worse": m.higher_is_worse,
            "transform": m.transform,
            "measure_note": m.note or None,
        }
        for name, m in measures_of(vintage).items()
    ]


def register_indicator_meta(con: duckdb.DuckDBPyConnection, vintage: Vintage) -> None:
    con.register("_meta", pa.Table.from_pylist(meta_rows(vintage)))
    con.execute("CREATE OR REPLACE TEMP TABLE indicator_meta AS SELECT * FROM _meta")
    con.unregister("_meta")


def build_lsoa_indicators(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """Every indicator per study-area LSOA, each with source, release, resolution and a note."""
    vintage = vintage_of(settings)
    use_crosswalk(con, paths, vintage)
    variant = register_engagement(con, settings)
    register_indicator_meta(con, vintage)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW source_values AS "
        + source_values_sql(vintage).replace("$iuc_variant", quote(variant))
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE carried_values AS " + sql("carried_values", values="source_values"),
        {"year": vintage.year},
    )
    con.execute("CREATE OR REPLACE TEMP TABLE indicators_long AS " + sql("lsoa_indicators"))
    unknown = {r[0] for r in con.execute("SELECT DISTINCT indicator FROM indicators_long").fetchall()} - set(INDICATORS)
    if unknown:
        raise AssertionError(f"indicators without a definition: {sorted(unknown)}")
    sources = {
        key: f"count(DISTINCT lsoa_code) FILTER (source = {quote(key)} AND value IS NOT NULL)"
        for key in sorted(
            {m.source for m in measures_of(vintage).values()} | set(BROADBAND_SOURCES) | {LSOA11_LSOA21_LOOKUP.key}
        )
    }
    resting: dict[str, list[str]] = {}  # what a value also rests on: every LSOA it has a value for
    for name, m in measures_of(vintage).items():
        for key in m.also:
            resting.setdefault(key, []).append(quote(name))
    for key, names in resting.items():
        sources[key] = f"count(DISTINCT lsoa_code) FILTER (indicator IN ({', '.join(names)}) AND value IS NOT NULL)"
    sources[LSOA11_LSOA21_LOOKUP.key] = "count(DISTINCT lsoa_code) FILTER (note LIKE '%carried from%')"
    # counted over the long table itself (every row of it is written), so the written rows stream to the file
    counts = count_contributions(con, "indicators_long", sources)
    # every row carries its LSOA's ward from lsoa_areas: ONS's LSOA-to-ward lookup names it
    counts[LSOA21_WARD_LOOKUP.key] = con.execute(
        "SELECT count(*) FROM lsoa_areas WHERE ward_code IS NOT NULL "
        "AND lsoa_code IN (SELECT lsoa_code FROM indicators_long)"
    ).fetchone()[0]
    written = write_parquet(
        con,
        """
        SELECT a.lsoa_code, a.lsoa_name, a.lad_code, a.lad_name, a.ward_code, a.ward_name, i.indicator, m.side,
               i.value, i.source, m.source_title, coalesce(i.release, m.release) AS release, i.resolution,
               i.resolution_area, i.lsoas_sharing_value, nullif(concat_ws('; ', i.note, m.measure_note), '') AS note,
               m.label, coalesce(i.unit, m.unit) AS unit, m.higher_is_worse
        FROM lsoa_areas a
        JOIN indicators_long i USING (lsoa_code)
        JOIN indicator_meta m USING (indicator)
        ORDER BY a.lsoa_code, i.indicator""",
        paths.table_path("lsoa_indicators"),
        sources=counts,
        vintage=vintage,
        # a row's value comes from its own source (the source column): the column draws on them all, which the
        # sidecar must say rather than narrow it to the district series a "value" column elsewhere holds
        columns={"value": tuple(sources)},
    )
    p = {"p": str(written.path)}
    lsoas = con.execute("SELECT count(*) FROM lsoa_areas").fetchone()[0]
    missing = dict(
        con.execute(
            f"""
        SELECT indicator, {lsoas} - count(value) FILTER (value IS NOT NULL) FROM read_parquet($p)
        GROUP BY 1 HAVING {lsoas} - count(value) FILTER (value IS NOT NULL) > 0 ORDER BY 1""",
            p,
        ).fetchall()
    )
    resolution = dict(
        con.execute(
            """SELECT resolution, count(*) FROM read_parquet($p)
        WHERE indicator = 'pct_no_gigabit' GROUP BY 1 ORDER BY 1""",
            p,
        ).fetchall()
    )
    return derived(
        "lsoa_indicators",
        written,
        {
            "small_area": vintage.label,
            "lsoas": lsoas,
            "indicators": len(measures_of(vintage)),
            "lsoas_missing_each_indicator": missing,
            "broadband_resolution_by_lsoa": resolution,
            "iuc_mapping": variant,
        },
    )
