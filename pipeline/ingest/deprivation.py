"""Deprivation: the English Indices of Deprivation 2025 (LSOA 2021) and, for the 2011 small
areas, IMD 2019 ranks (Files 1, 2, 6) and scores."""

from __future__ import annotations

import duckdb

from pipeline.fetch import Located, locate
from pipeline.ingest.result import AssetResult, publish_read
from pipeline.paths import Paths
from pipeline.readers.imd import read_imd
from pipeline.readers.imd2019_scores import read_imd2019_scores
from pipeline.readers.iod2025 import read_iod2025
from pipeline.registry import IMD2019, IMD2019_SCORES, IOD2025, Source
from pipeline.settings import Settings


def locate_parts(source: Source, paths: Paths) -> list[Located]:
    """Sources published as several files (IoD Files 1, 3 and 7): each found on its own."""
    return [locate(source.part(name), paths) for name, _ in source.parts]


def build_iod2025(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """IoD 2025 for every English LSOA (2021): national ranks, and every score where File 7 has the LSOA."""
    file7, file1, file3 = locate_parts(IOD2025, paths)
    read = read_iod2025(con, file1, file3, file7)
    return publish_read(con, paths, "iod2025", read, [file1, file3, file7], IOD2025, "lsoa21cd", counts=read.notes)


def build_imd2019(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """IMD 2019 for every English LSOA (2011): IMD and domain ranks, mid-2015 population."""
    files = locate_parts(IMD2019, paths)
    read = read_imd(con, *files)
    return publish_read(con, paths, "imd2019", read, files, IMD2019, "lsoa11cd")


def build_imd2019_scores(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """Official IMD 2019 scores (overall, income, employment) for every English LSOA (2011)."""
    located = locate(IMD2019_SCORES, paths)
    read = read_imd2019_scores(con, located)
    return publish_read(con, paths, "imd2019_scores", read, [located], IMD2019_SCORES, "lsoa11cd")
