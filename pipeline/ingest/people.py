"""People-side sources read nationally: Census 2021 age (TS007A) and disability (TS038), and the
CDRC Internet User Classification 2018."""

from __future__ import annotations

import duckdb

from pipeline.fetch import locate
from pipeline.ingest.result import AssetResult, publish_read
from pipeline.paths import Paths
from pipeline.readers.census_bulk import TS007A, TS038, read_nomis_table
from pipeline.readers.iuc import read_iuc
from pipeline.registry import CENSUS_TS007A, CENSUS_TS038, IUC2018
from pipeline.settings import Settings


def _census(con, paths: Paths, settings: Settings, source, spec, name: str) -> AssetResult:
    located = locate(source, paths)
    read = read_nomis_table(con, located, paths, spec)
    lsoas, residents = con.execute(f'SELECT count(*), sum(residents) FROM "{spec.name}"').fetchone()
    return publish_read(
        con,
        paths,
        name,
        read,
        [located],
        source,
        "lsoa21cd",
        counts={"lsoas": lsoas, "residents_england_and_wales": int(residents or 0)},
    )


def build_census_age(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """Census 2021 usual residents and those aged 0-15, 65-74 and 75+, every LSOA (2021)."""
    return _census(con, paths, settings, CENSUS_TS007A, TS007A, "census_age")


def build_census_disability(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """Census 2021 residents disabled under the Equality Act (limited a lot / a little), every LSOA (2021)."""
    return _census(con, paths, settings, CENSUS_TS038, TS038, "census_disability")


def build_iuc2018(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """The IUC 2018 group of every LSOA (2011) in England and Wales."""
    located = locate(IUC2018, paths)
    read = read_iuc(con, located)
    groups = dict(con.execute("SELECT iuc_label, count(*) FROM iuc GROUP BY 1 ORDER BY 1").fetchall())
    return publish_read(con, paths, "iuc2018", read, [located], IUC2018, "lsoa11cd", counts={"lsoas_by_group": groups})
