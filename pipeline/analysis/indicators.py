"""The LSOA indicators: what each measures, its direction of risk, and how it is built."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipeline.ingest.areas import districts_formed_since_imd2019
from pipeline.ingest.result import TableResult
from pipeline.paths import Paths
from pipeline.registry import (CENSUS2021_AGE, CODEPOINT_OPEN, IMD2019, LSOA_BOUNDARIES, OFCOM_LA_COVERAGE,
                               OFCOM_POSTCODE_COVERAGE, OFCOM_POSTCODE_DISTRICT, ONS_POSTCODE_LOOKUP,
                               POPULATION_DENSITY, RUC2011)
from pipeline.rejects import Rejects
from pipeline.sqlfiles import quote, register_parquet, sql
from pipeline.store import write_parquet


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    unit: str
    higher_is_worse: bool
    transform: str = "none"  # "log10": scaled on log10(value + 1), for skewed densities
    national: bool = False  # published for every LSOA in England (usable with the England scaling base)


INDICATORS: dict[str, Indicator] = {i.name: i for i in (
    Indicator("pct_no_superfast", "Premises without superfast broadband (30 Mbit/s)", "% of premises", True),
    Indicator("pct_no_gigabit", "Premises without gigabit-capable broadband", "% of premises", True),
    Indicator("pct_below_uso", "Premises below the Universal Service Obligation (10 Mbit/s)", "% of premises", True),
    Indicator("pct_65_plus", "Residents aged 65 and over (Census 2021)", "% of residents", True),
    Indicator("pct_60_plus", "Residents aged 60 and over (mid-2015)", "% of residents", True, national=True),
    Indicator("imd_rank", "Index of Multiple Deprivation 2019 rank", "rank (1 = most deprived)", False, national=True),
    Indicator("income_rank", "IMD income domain rank", "rank (1 = most deprived)", False, national=True),
    Indicator("employment_rank", "IMD employment domain rank", "rank (1 = most deprived)", False, national=True),
    Indicator("education_rank", "IMD education, skills and training domain rank", "rank (1 = most deprived)", False,
              national=True),
    Indicator("barriers_rank", "IMD barriers to housing and services domain rank", "rank (1 = most deprived)", False,
              national=True),
    Indicator("rural_class", "Rurality (RUC 2011: urban 0, town and fringe 0.5, village/dispersed 1)", "class score",
              True, national=True),
    Indicator("postcode_density", "Live postcodes per km2", "postcodes per km2", False, transform="log10"),
    Indicator("population_density", "Residents per km2 (mid-2018)", "people per km2", False, transform="log10"),
)}

SOURCE_KEYS = (OFCOM_POSTCODE_COVERAGE.key, OFCOM_POSTCODE_DISTRICT.key, OFCOM_LA_COVERAGE.key, CENSUS2021_AGE.key,
               IMD2019.key, RUC2011.key, CODEPOINT_OPEN.key, ONS_POSTCODE_LOOKUP.key, LSOA_BOUNDARIES.key,
               POPULATION_DENSITY.key)
INPUTS = ("postcodes", "broadband_coverage", "census_age", "imd2019", "lsoa_districts", "rurality", "lsoa_boundaries",
          "population_density")


def register_inputs(con: duckdb.DuckDBPyConnection, paths: Paths, names: tuple[str, ...]) -> None:
    for name in names:
        single = paths.table_path(name)
        register_parquet(con, name, single if single.exists() else paths.processed / name)


def build_lsoa_indicators(con: duckdb.DuckDBPyConnection, paths: Paths, lads: list[str]) -> TableResult:
    """Every indicator per study-area LSOA; parallel, since its sums are exact (see the SQL)."""
    register_inputs(con, paths, INPUTS)
    con.execute("CREATE OR REPLACE TEMP TABLE indicators_out AS " + sql("lsoa_indicators"), {"lads": lads})
    unknown = {r[0] for r in con.execute("SELECT DISTINCT indicator FROM indicators_out").fetchall()} - set(INDICATORS)
    if unknown:
        raise AssertionError(f"indicators without a definition: {sorted(unknown)}")
    meta = ", ".join(f"({quote(i.name)}, {quote(i.label)}, {quote(i.unit)}, {i.higher_is_worse})"
                     for i in INDICATORS.values())
    written = write_parquet(con, f"""
        SELECT o.*, m.label, m.unit, m.higher_is_worse
        FROM indicators_out o JOIN (VALUES {meta}) m(indicator, label, unit, higher_is_worse) USING (indicator)
        ORDER BY lsoa11cd, indicator""", paths.table_path("lsoa_indicators"), source_keys=SOURCE_KEYS)
    lsoas = con.execute("SELECT count(DISTINCT lsoa11cd) FROM indicators_out").fetchone()[0]
    missing = dict(con.execute(f"""
        SELECT i.name, {lsoas} - count(o.value) FROM (SELECT unnest($names) AS name) i
        LEFT JOIN indicators_out o ON o.indicator = i.name GROUP BY 1 ORDER BY 1""",
                               {"names": list(INDICATORS)}).fetchall())
    with_lsoas = {r[0] for r in con.execute("SELECT DISTINCT lad_code FROM indicators_out").fetchall()}
    resolution = dict(con.execute("""SELECT resolution, count(DISTINCT lsoa11cd) FROM indicators_out
        WHERE indicator = 'pct_no_gigabit' GROUP BY 1 ORDER BY 1""").fetchall())
    return TableResult("lsoa_indicators", [written], written.rows, written.rows, Rejects(), [], SOURCE_KEYS, {
        "lsoas": lsoas,
        "lsoas_missing_each_indicator": {k: v for k, v in missing.items() if v},
        "broadband_resolution_by_lsoa": resolution,
        "districts_formed_since_imd2019": districts_formed_since_imd2019(con, lads),
        "study_districts_without_lsoas": sorted(set(lads) - with_lsoas),
    })
