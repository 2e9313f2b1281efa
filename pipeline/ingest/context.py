"""Context for the small areas: the Rural Urban Classification of the configured vintage (2021 or
2011) and, on the 2011 base, the ONS mid-2018 population density."""

from __future__ import annotations

import duckdb

from pipeline.fetch import locate
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, publish_read
from pipeline.paths import Paths
from pipeline.readers.population_density import read_population_density
from pipeline.readers.ruc import RUC2011 as RUC2011_SPEC
from pipeline.readers.ruc import RUC2021 as RUC2021_SPEC
from pipeline.readers.ruc import read_ruc
from pipeline.registry import POPULATION_DENSITY, RUC2011, RUC2021
from pipeline.settings import Settings


def build_rurality(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """The rural-urban class of every LSOA in England and Wales, in the configured vintage."""
    vintage = vintage_of(settings)
    source, spec = (RUC2021, RUC2021_SPEC) if vintage.year == 2021 else (RUC2011, RUC2011_SPEC)
    located = locate(source, paths)
    read = read_ruc(con, located, spec)
    classes = dict(con.execute("SELECT ruc_code, count(*) FROM ruc GROUP BY 1 ORDER BY 1").fetchall())
    return publish_read(
        con,
        paths,
        "rurality",
        read,
        [located],
        source,
        "lsoa_code",
        vintage=vintage,
        counts={"classification": f"RUC {spec.year}", "lsoas_by_class": classes},
    )


def build_population_density(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """ONS mid-2018 residents per km2 of each LSOA (2011); context on the 2011 base."""
    located = locate(POPULATION_DENSITY, paths)
    read = read_population_density(con, located)
    return publish_read(con, paths, "population_density", read, [located], POPULATION_DENSITY, "lsoa11cd")
