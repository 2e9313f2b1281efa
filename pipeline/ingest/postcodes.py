"""National postcode tables (Code-Point Open, ONS lookup) and the study-area ``postcodes`` table."""

from __future__ import annotations

import duckdb

from pipeline.fetch import locate
from pipeline.ingest.result import TableResult, account
from pipeline.paths import Paths
from pipeline.readers.codepoint import read_codepoint
from pipeline.readers.ons_lookup import read_ons_lookup
from pipeline.registry import CODEPOINT_OPEN, LSOA_BOUNDARIES, ONS_POSTCODE_LOOKUP
from pipeline.rejects import Rejects
from pipeline.sqlfiles import register_parquet, sql
from pipeline.store import write_parquet, write_partitions


def build_codepoint_open(con: duckdb.DuckDBPyConnection, paths: Paths) -> TableResult:
    """Every GB postcode with a position, in postcode order."""
    located = locate(CODEPOINT_OPEN, paths)
    read = read_codepoint(con, located, paths)
    keys = (CODEPOINT_OPEN.key,)
    written = write_parquet(con, "SELECT * FROM codepoint ORDER BY postcode",
                            paths.table_path("codepoint_open"), source_keys=keys)
    read.rejects.write(con, paths.rejects / "codepoint_open.parquet", list(keys))
    rows_in, kept = account(read, written.rows)
    no_position = sum(1 for r in read.rejects.rows if r[4].startswith("no position"))
    return TableResult("codepoint_open", [written], rows_in, kept, read.rejects, [located], keys,
                       {"no_position_rejected": no_position})


def build_ons_postcode_lookup(con: duckdb.DuckDBPyConnection, paths: Paths) -> TableResult:
    """Every lookup row, live and terminated, in the published order."""
    located = locate(ONS_POSTCODE_LOOKUP, paths)
    read = read_ons_lookup(con, located, paths)
    keys = (ONS_POSTCODE_LOOKUP.key,)
    written = write_parquet(con, "SELECT * FROM ons_lookup",
                            paths.table_path("ons_postcode_lookup"), source_keys=keys)
    read.rejects.write(con, paths.rejects / "ons_postcode_lookup.parquet", list(keys))
    rows_in, kept = account(read, written.rows)
    live, terminated = con.execute("SELECT count(*) FILTER (is_live), count(*) FILTER (NOT is_live) FROM read_parquet($p)",
                                   {"p": str(written.path)}).fetchone()
    return TableResult("ons_postcode_lookup", [written], rows_in, kept, read.rejects, [located], keys,
                       {"live_rows": live, "terminated_rows": terminated})


def build_postcodes(con: duckdb.DuckDBPyConnection, paths: Paths, lads: list[str]) -> TableResult:
    """One Parquet file per district: its Code-Point postcodes, each with an LSOA or marked unmatched.

    Rows in are the district's Code-Point postcodes; all are kept (a postcode without an LSOA
    is kept and flagged ``unmatched``, not dropped). Terminated lookup rows are not used and
    are counted per district.
    """
    register_parquet(con, "codepoint_open", paths.table_path("codepoint_open"))
    register_parquet(con, "ons_postcode_lookup", paths.table_path("ons_postcode_lookup"))
    register_parquet(con, "lsoa_boundaries", paths.table_path("lsoa_boundaries"))
    con.execute("CREATE OR REPLACE TEMP TABLE postcodes_out AS " + sql("postcodes"), {"lads": lads})
    keys = (CODEPOINT_OPEN.key, ONS_POSTCODE_LOOKUP.key, LSOA_BOUNDARIES.key)
    outputs = write_partitions(con, "postcodes_out", paths.processed / "postcodes", "lad_code", lads, source_keys=keys)
    counts = {}
    by_method = dict(con.execute("SELECT lsoa_method, count(*) FROM postcodes_out GROUP BY ALL ORDER BY 1").fetchall())
    rows_in = con.execute("SELECT count(*) FROM codepoint_open WHERE list_contains($lads, lad_code)",
                          {"lads": lads}).fetchone()[0]
    terminated_dropped = con.execute(
        "SELECT count(*) FROM ons_postcode_lookup WHERE NOT is_live AND list_contains($lads, ladcd)", {"lads": lads}
    ).fetchone()[0]
    live_not_in_codepoint = con.execute("""
        SELECT count(*) FROM ons_postcode_lookup l WHERE l.is_live AND list_contains($lads, l.ladcd)
        AND NOT EXISTS (SELECT 1 FROM codepoint_open c WHERE c.postcode = l.postcode)""", {"lads": lads}).fetchone()[0]
    counts |= {
        "lsoa_from_lookup": by_method.get("ons_lookup", 0),
        "lsoa_from_point_in_polygon": by_method.get("point_in_polygon", 0),
        "unmatched": by_method.get("unmatched", 0),
        "ambiguous_point_in_polygon": con.execute("SELECT count(*) FROM postcodes_out WHERE lsoa_ambiguous").fetchone()[0],
        "lookup_terminated_rows_dropped": terminated_dropped,
        "codepoint_postcodes_terminated_in_lookup": con.execute(
            "SELECT count(*) FROM postcodes_out WHERE terminated_in_lookup").fetchone()[0],
        "lookup_live_postcodes_absent_from_codepoint": live_not_in_codepoint,
        # Code-Point gives no district to a few postcodes placed only at their sector's centre;
        # no district partition holds them.
        "codepoint_postcodes_without_district_gb": con.execute(
            "SELECT count(*) FROM codepoint_open WHERE lad_code IS NULL").fetchone()[0],
        "per_district": dict(con.execute(
            "SELECT lad_code, count(*) FROM postcodes_out GROUP BY ALL ORDER BY 1").fetchall()),
    }
    kept = con.execute("SELECT count(*) FROM postcodes_out").fetchone()[0]
    if kept != rows_in:
        raise AssertionError(f"postcodes: {rows_in} Code-Point rows in, {kept} written")
    return TableResult("postcodes", outputs, rows_in, kept, Rejects(), [], keys, counts)
