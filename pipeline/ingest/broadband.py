"""Broadband coverage sources (postcode, postcode-district and local-authority resolution) and the
per-postcode ``broadband_coverage`` table that takes the finest one available."""

from __future__ import annotations

import duckdb

from pipeline.fetch import locate, locate_each
from pipeline.ingest.result import TableResult, account
from pipeline.paths import Paths
from pipeline.readers.ofcom_columns import METRICS
from pipeline.readers.ofcom_district import read_ofcom_district
from pipeline.readers.ofcom_la import read_ofcom_la
from pipeline.readers.ofcom_postcode import read_ofcom_postcode
from pipeline.registry import OFCOM_LA_COVERAGE, OFCOM_POSTCODE_COVERAGE, OFCOM_POSTCODE_DISTRICT
from pipeline.rejects import Rejects
from pipeline.sqlfiles import register_parquet, sql
from pipeline.store import write_parquet, write_partitions

EMPTY_COVERAGE = ("SELECT NULL::VARCHAR AS key, NULL::VARCHAR AS release, NULL::VARCHAR AS source_file, "
                  "NULL::BIGINT AS source_row, "
                  + ", ".join(f"NULL::{'BIGINT' if f == 'all_premises' else 'DOUBLE'} AS {f}" for f in METRICS)
                  + " WHERE false")


def build_ofcom_postcode_district(con: duckdb.DuckDBPyConnection, paths: Paths) -> TableResult:
    located = locate(OFCOM_POSTCODE_DISTRICT, paths)
    read = read_ofcom_district(con, located)
    keys = (OFCOM_POSTCODE_DISTRICT.key,)
    written = write_parquet(con, "SELECT * FROM ofcom_district ORDER BY key", paths.table_path("ofcom_postcode_district"),
                            source_keys=keys, notes=OFCOM_POSTCODE_DISTRICT.notes)
    read.rejects.write(con, paths.rejects / "ofcom_postcode_district.parquet", list(keys))
    rows_in, kept = account(read, written.rows)
    return TableResult("ofcom_postcode_district", [written], rows_in, kept, read.rejects, [located], keys,
                       {"resolution": "postcode_district", "release": "2024-07"})


def _build_optional(con: duckdb.DuckDBPyConnection, paths: Paths, source, reader, name: str) -> TableResult:
    """Optional Ofcom files: every release present, or an empty table saying none was found."""
    files = locate_each(source, paths)
    keys = (source.key,)
    if files:
        read = reader(con, files, paths)
        query, rejects = f"SELECT * FROM {read.table} ORDER BY release, key", read.rejects
    else:
        read, query, rejects = None, EMPTY_COVERAGE, Rejects()
    written = write_parquet(con, query, paths.table_path(name), source_keys=keys)
    rejects.write(con, paths.rejects / f"{name}.parquet", list(keys))
    rows_in, kept = account(read, written.rows) if read else (0, 0)
    releases = [r[0] for r in con.execute("SELECT DISTINCT release FROM read_parquet($p) ORDER BY 1",
                                          {"p": str(written.path)}).fetchall()]
    counts = {"files_found": len(files), "releases": releases}
    if not files:
        counts["note"] = (f"No {source.title} file found (looked for {', '.join(source.files)} in data/raw and the "
                          f"mirror); coarser sources are used instead.")
    return TableResult(name, [written], rows_in, kept, rejects, files, keys, counts)


def build_ofcom_postcode_coverage(con: duckdb.DuckDBPyConnection, paths: Paths) -> TableResult:
    return _build_optional(con, paths, OFCOM_POSTCODE_COVERAGE, read_ofcom_postcode, "ofcom_postcode_coverage")


def build_ofcom_la_coverage(con: duckdb.DuckDBPyConnection, paths: Paths) -> TableResult:
    return _build_optional(con, paths, OFCOM_LA_COVERAGE, read_ofcom_la, "ofcom_la_coverage")


def build_broadband_coverage(con: duckdb.DuckDBPyConnection, paths: Paths, lads: list[str]) -> TableResult:
    """One Parquet file per district: every postcode with its coverage and where it came from."""
    register_parquet(con, "postcodes", paths.processed / "postcodes")
    for name in ("ofcom_postcode_coverage", "ofcom_postcode_district", "ofcom_la_coverage"):
        register_parquet(con, name, paths.table_path(name))
    con.execute("CREATE OR REPLACE TEMP TABLE broadband_out AS " + sql("broadband_coverage"), {"lads": lads})
    keys = (OFCOM_POSTCODE_COVERAGE.key, OFCOM_POSTCODE_DISTRICT.key, OFCOM_LA_COVERAGE.key)
    outputs = write_partitions(con, "broadband_out", paths.processed / "broadband_coverage", "lad_code", lads,
                               source_keys=keys, notes="resolution and release are given per row")
    by_resolution = dict(con.execute(
        "SELECT resolution, count(*) FROM broadband_out GROUP BY ALL ORDER BY 1").fetchall())
    uncovered = [r[0] for r in con.execute(
        "SELECT DISTINCT postcode_district FROM broadband_out WHERE resolution = 'none' ORDER BY 1").fetchall()]
    rows = con.execute("SELECT count(*) FROM broadband_out").fetchone()[0]
    return TableResult("broadband_coverage", outputs, rows, rows, Rejects(), [], keys, {
        "postcodes_by_resolution": by_resolution,
        "postcodes_without_coverage": by_resolution.get("none", 0),
        "districts_without_coverage": uncovered,
        "releases": [r[0] for r in con.execute(
            "SELECT DISTINCT release FROM broadband_out WHERE release IS NOT NULL ORDER BY 1").fetchall()],
    })
