"""Broadband coverage sources (postcode, postcode-district and local-authority resolution) and the
per-postcode ``broadband_coverage`` table that takes the finest one available."""

from __future__ import annotations

import duckdb

from pipeline.fetch import locate_each
from pipeline.ingest.result import AssetResult, account, derived
from pipeline.paths import Paths
from pipeline.readers.ofcom_columns import METRICS
from pipeline.readers.ofcom_district import read_ofcom_district
from pipeline.readers.ofcom_la import read_ofcom_la
from pipeline.readers.ofcom_postcode import read_ofcom_postcode
from pipeline.registry import OFCOM_LA_COVERAGE, OFCOM_POSTCODE_COVERAGE, OFCOM_POSTCODE_DISTRICT
from pipeline.rejects import Rejects
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import inherited, write_parquet

EMPTY_COVERAGE = (
    "SELECT NULL::VARCHAR AS key, NULL::VARCHAR AS release, NULL::VARCHAR AS source_file, "
    "NULL::BIGINT AS source_row, "
    + ", ".join(f"NULL::{'BIGINT' if f == 'all_premises' else 'DOUBLE'} AS {f}" for f in METRICS)
    + " WHERE false"
)


def _build_optional(con: duckdb.DuckDBPyConnection, paths: Paths, source, reader, name: str) -> AssetResult:
    """Optional Ofcom files: every release present, or an empty table saying none was found."""
    files = locate_each(source, paths)
    if files:
        read = reader(con, files, paths)
        # in the order read: Ofcom's files, in name order (the same files write the same bytes)
        query, rejects = f"SELECT * FROM {read.table}", read.rejects
    else:
        read, query, rejects = None, EMPTY_COVERAGE, Rejects()
    written = write_parquet(con, query, paths.table_path(name), sources={source.key: "count(*)"})
    rejects.write(con, paths.rejects / f"{name}.parquet", [source.key])
    rows_in, kept = account(read, written.rows) if read else (0, 0)
    releases = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT release FROM read_parquet($p) ORDER BY 1", {"p": str(written.path)}
        ).fetchall()
    ]
    counts = {"files_found": len(files), "releases": releases}
    if not files:
        counts["note"] = f"No {source.title} file found in data/raw or the mirror; coarser sources are used instead."
    return AssetResult(name, [written], rows_in, kept, rejects, files, counts)


def build_ofcom_postcode_coverage(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """Ofcom's postcode-level coverage, every release present (empty when none is)."""
    return _build_optional(con, paths, OFCOM_POSTCODE_COVERAGE, read_ofcom_postcode, "ofcom_postcode_coverage")


def build_ofcom_la_coverage(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """Ofcom's local-authority coverage, every release present (empty when none is)."""
    return _build_optional(con, paths, OFCOM_LA_COVERAGE, read_ofcom_la, "ofcom_la_coverage")


def build_ofcom_postcode_district(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """Postcode-district means: computed from Ofcom's postcode file when one is present (then the
    third-party file is not needed), else read from that file."""
    if con.execute("SELECT count(*) FROM ofcom_postcode_coverage").fetchone()[0]:
        written = write_parquet(
            con,
            sql("ofcom_district_means") + " ORDER BY key, release",
            paths.table_path("ofcom_postcode_district"),
            sources={OFCOM_POSTCODE_COVERAGE.key: "sum(sample_postcodes)"},
            notes="unweighted means of Ofcom's postcode figures, computed by this pipeline",
        )
        Rejects().write(con, paths.rejects / "ofcom_postcode_district.parquet", [OFCOM_POSTCODE_COVERAGE.key])
        return derived(
            "ofcom_postcode_district",
            written,
            {"resolution": "postcode_district", "computed_from": "Ofcom postcode-level file"},
        )
    files = locate_each(OFCOM_POSTCODE_DISTRICT, paths)
    if not files:
        written = write_parquet(
            con, "SELECT NULL::VARCHAR AS key WHERE false", paths.table_path("ofcom_postcode_district"), sources={}
        )
        Rejects().write(con, paths.rejects / "ofcom_postcode_district.parquet", [OFCOM_POSTCODE_DISTRICT.key])
        return AssetResult(
            "ofcom_postcode_district",
            [written],
            0,
            0,
            Rejects(),
            [],
            {
                "note": "No Ofcom postcode file and no postcode-district means: broadband falls back to local "
                "authorities."
            },
        )
    located = files[0]
    read = read_ofcom_district(con, located)
    written = write_parquet(
        con,
        "SELECT * FROM ofcom_district ORDER BY key",
        paths.table_path("ofcom_postcode_district"),
        sources={OFCOM_POSTCODE_DISTRICT.key: "count(*)"},
        notes=OFCOM_POSTCODE_DISTRICT.notes,
    )
    read.rejects.write(con, paths.rejects / "ofcom_postcode_district.parquet", [OFCOM_POSTCODE_DISTRICT.key])
    rows_in, kept = account(read, written.rows)
    return AssetResult(
        "ofcom_postcode_district",
        [written],
        rows_in,
        kept,
        read.rejects,
        [located],
        {"resolution": "postcode_district", "release": "2024-07", "computed_from": "third-party file"},
    )


def latest(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """A query for ``table``'s row of each key's latest release. With one release present every row is its
    key's latest (its reader keeps one row per key and release): England's 1.5 million postcodes are then not
    grouped to find it."""
    one = con.execute(f"SELECT count(DISTINCT release) <= 1 FROM {table}").fetchone()[0]
    return f"SELECT * FROM {table}" + (
        "" if one else " QUALIFY row_number() OVER (PARTITION BY key ORDER BY release DESC) = 1"
    )


def build_broadband_coverage(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """Every study-area postcode with its coverage, the resolution and release it came from."""
    latest_of = {
        "latest_postcode": latest(con, "ofcom_postcode_coverage"),
        "latest_district": latest(con, "ofcom_postcode_district"),
        "latest_la": latest(con, "ofcom_la_coverage"),
    }
    con.execute(
        "CREATE OR REPLACE TEMP TABLE broadband_out AS " + sql("broadband_coverage", **latest_of),
        {"lads": list(settings.lad_codes)},
    )
    district_source = (
        OFCOM_POSTCODE_COVERAGE.key
        if con.execute("SELECT count(*) FROM ofcom_postcode_coverage").fetchone()[0]
        else OFCOM_POSTCODE_DISTRICT.key
    )
    written = write_parquet(
        con,
        "SELECT * FROM broadband_out",
        paths.table_path("broadband_coverage"),
        sources={
            **inherited(paths.table_path("postcodes")),  # the postcodes, each row one of them
            OFCOM_POSTCODE_COVERAGE.key: "count(*) FILTER (resolution IN ('postcode', 'postcode_district'))"
            if district_source == OFCOM_POSTCODE_COVERAGE.key
            else "count(*) FILTER (resolution = 'postcode')",
            OFCOM_POSTCODE_DISTRICT.key: "count(*) FILTER (resolution = 'postcode_district')"
            if district_source == OFCOM_POSTCODE_DISTRICT.key
            else 0,
            OFCOM_LA_COVERAGE.key: "count(*) FILTER (resolution = 'local_authority')",
        },
        notes="resolution and release are given per row",
    )
    by_resolution = dict(con.execute("SELECT resolution, count(*) FROM broadband_out GROUP BY 1 ORDER BY 1").fetchall())
    uncovered = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT postcode_district FROM broadband_out WHERE resolution = 'none' ORDER BY 1"
        ).fetchall()
    ]
    return derived(
        "broadband_coverage",
        written,
        {
            "postcodes_by_resolution": by_resolution,
            "postcodes_without_coverage": by_resolution.get("none", 0),
            "districts_without_coverage": uncovered,
            "releases": [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT release FROM broadband_out WHERE release IS NOT NULL ORDER BY 1"
                ).fetchall()
            ],
        },
    )
