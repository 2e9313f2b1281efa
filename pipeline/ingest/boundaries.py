"""LSOA and district boundaries for the study area, valid and in EPSG:27700."""

from __future__ import annotations

import duckdb

from pipeline.errors import SourceMissingError
from pipeline.fetch import locate
from pipeline.ingest.result import TableResult, account
from pipeline.paths import Paths
from pipeline.readers.boundaries import (LAD_CODE_FIELDS, LAD_NAME_FIELDS, LSOA_CODE_FIELDS, LSOA_NAME_FIELDS,
                                         BoundaryFile, read_boundaries)
from pipeline.readers import Read
from pipeline.registry import LAD_BOUNDARIES, LSOA_BOUNDARIES, lad11
from pipeline.store import write_parquet


def build_lsoa_boundaries(con: duckdb.DuckDBPyConnection, paths: Paths, lads: list[str]) -> TableResult:
    """LSOA polygons of each study-area district (one published file per 2011 district code).

    A district without a boundary file is listed in ``districts_without_boundaries``; its LSOAs
    get neighbours from postcode centroids later rather than stopping the run.
    """
    files, missing = [], []
    for lad in lads:
        try:
            files.append(BoundaryFile(locate(LSOA_BOUNDARIES, paths, lad11=lad11(lad)), lad))
        except SourceMissingError:
            missing.append(lad)
    if not files:
        raise SourceMissingError(f"no LSOA boundary file for any of {', '.join(lads)}; "
                                 f"expected e.g. {LSOA_BOUNDARIES.files[0].replace('{lad11}', lad11(lads[0]))}")
    rows_in, repaired, rejects = read_boundaries(con, files, "lsoa_b", code_fields=LSOA_CODE_FIELDS,
                                                 name_fields=LSOA_NAME_FIELDS)
    keys = (LSOA_BOUNDARIES.key,)
    written = write_parquet(con, """
        SELECT code AS lsoa11cd, name AS lsoa11nm, lad_code, ST_Area(geom) / 1e6 AS area_km2, repaired,
               geom, source_file, source_row
        FROM lsoa_b ORDER BY lsoa11cd""", paths.table_path("lsoa_boundaries"), source_keys=keys)
    rejects.write(con, paths.rejects / "lsoa_boundaries.parquet", list(keys))
    read = Read("lsoa_b", rows_in, rejects, primary=tuple(f.located.label for f in files))
    rows_in, kept = account(read, written.rows)
    return TableResult("lsoa_boundaries", [written], rows_in, kept, rejects, [f.located for f in files], keys,
                       {"polygons_repaired": repaired, "districts_without_boundaries": missing})


def build_lad_boundaries(con: duckdb.DuckDBPyConnection, paths: Paths, lads: list[str]) -> TableResult:
    """District polygons; rows for districts outside the study area are counted as out of scope."""
    located = locate(LAD_BOUNDARIES, paths)
    rows_in, repaired, rejects = read_boundaries(con, [BoundaryFile(located, None)], "lad_b",
                                                 code_fields=LAD_CODE_FIELDS, name_fields=LAD_NAME_FIELDS)
    rejects.extend_from(con, """
        SELECT source_file, source_row, 'code', code, 'district outside the study area', 'out_of_scope'
        FROM lad_b WHERE NOT list_contains($lads, code)""", {"lads": lads})
    keys = (LAD_BOUNDARIES.key,)
    written = write_parquet(con, """
        SELECT code AS lad_code, name AS lad_name, ST_Area(geom) / 1e6 AS area_km2, repaired, geom,
               source_file, source_row
        FROM lad_b WHERE list_contains($lads, code) ORDER BY lad_code""",
                            paths.table_path("lad_boundaries"), source_keys=keys, params={"lads": lads})
    rejects.write(con, paths.rejects / "lad_boundaries.parquet", list(keys))
    rows_in, kept = account(Read("lad_b", rows_in, rejects, primary=(located.label,)), written.rows)
    present = {r[0] for r in con.execute("SELECT code FROM lad_b").fetchall()}
    return TableResult("lad_boundaries", [written], rows_in, kept, rejects, [located], keys,
                       {"polygons_repaired": repaired,
                        "districts_without_boundary": [lad for lad in lads if lad not in present]})
