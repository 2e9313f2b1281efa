"""National postcode tables (Code-Point Open with its code list, the ONS lookup) and the
study-area ``postcodes`` table, each postcode placed in a small area of the configured vintage."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.fetch import extract_zip, locate
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, publish_read
from pipeline.inputs import use_crosswalk
from pipeline.paths import Paths
from pipeline.readers.codelist import read_codelist
from pipeline.readers.codepoint import read_codepoint
from pipeline.readers.ons_lookup import read_ons_lookup
from pipeline.registry import (
    CODEPOINT_OPEN,
    LSOA11_LSOA21_LOOKUP,
    LSOA2011_BOUNDARIES,
    LSOA2021_BOUNDARIES,
    ONS_POSTCODE_LOOKUP,
)
from pipeline.rejects import Rejects
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import write_parquet

# Unconstrained point in polygon is checked against the lookup chain for every postcode up to
# this many; beyond (England runs) on a fixed 1-in-N sample by postcode hash.
AGREEMENT_ALL_UP_TO = 100_000


def build_codepoint_open(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    """Every GB postcode with a position, in the order of Code-Point's files; and the names of the areas its codes
    name."""
    located = locate(CODEPOINT_OPEN, paths)
    read = read_codepoint(con, located, paths)
    codepoint = publish_read(
        con,
        paths,
        "codepoint_open",
        read,
        [located],
        CODEPOINT_OPEN,
        None,
        counts={"no_position_rejected": sum(1 for r in read.rejects.rows if r[4].startswith("no position"))},
    )
    folder = extract_zip(located.path, paths.raw / "_extracted", label=located.label)
    names = read_codelist(folder / "Doc" / "Codelist.xlsx", f"{located.label}!Doc/Codelist.xlsx", con)
    con.register(
        "_names",
        pa.Table.from_pylist([{"area_code": c, "area_name": n, "area_type": t} for c, (n, t) in sorted(names.items())]),
    )
    try:
        written = write_parquet(
            con,
            "SELECT * FROM _names ORDER BY area_code",
            paths.table_path("area_names"),
            sources={CODEPOINT_OPEN.key: "count(*)"},
        )
    finally:
        con.unregister("_names")
    area_names = AssetResult(
        "area_names",
        [written],
        written.rows,
        written.rows,
        Rejects(),
        [located],
        {
            "by_type": dict(
                con.execute(
                    "SELECT area_type, count(*) FROM read_parquet($p) GROUP BY 1 ORDER BY 1", {"p": str(written.path)}
                ).fetchall()
            )
        },
    )
    return [codepoint, area_names]


def build_ons_postcode_lookup(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """Every lookup row, live and terminated, in the published order."""
    located = locate(ONS_POSTCODE_LOOKUP, paths)
    read = read_ons_lookup(con, located, paths)
    live, terminated = con.execute(
        "SELECT count(*) FILTER (is_live), count(*) FILTER (NOT is_live) FROM ons_lookup"
    ).fetchone()
    return publish_read(
        con,
        paths,
        "ons_postcode_lookup",
        read,
        [located],
        ONS_POSTCODE_LOOKUP,
        None,
        counts={"live_rows": live, "terminated_rows": terminated},
    )


def build_postcodes(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """The study area's Code-Point postcodes, each placed in a small area or marked unmatched.

    Rows in are the study districts' Code-Point postcodes; every one is kept (a postcode with no
    small area is kept and flagged ``unmatched``, not dropped).
    """
    vintage = vintage_of(settings)
    lads = list(settings.lad_codes)
    use_crosswalk(con, paths, vintage)
    rows_in = con.execute(
        "SELECT count(*) FROM codepoint_open WHERE lad_code IN (SELECT unnest($lads))", {"lads": lads}
    ).fetchone()[0]
    every = max(1, rows_in // AGREEMENT_ALL_UP_TO)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE postcodes_out AS " + sql("postcodes"),
        {"lads": lads, "agreement_all": rows_in <= AGREEMENT_ALL_UP_TO, "agreement_every": every},
    )
    boundaries = LSOA2021_BOUNDARIES if vintage.year == 2021 else LSOA2011_BOUNDARIES
    written = write_parquet(
        con,
        "SELECT * FROM postcodes_out",
        paths.table_path("postcodes"),
        vintage=vintage,
        sources={
            CODEPOINT_OPEN.key: "count(*)",
            ONS_POSTCODE_LOOKUP.key: "count(*) FILTER (lookup_lsoa11cd IS NOT NULL)",
            LSOA11_LSOA21_LOOKUP.key: "count(*) FILTER (placement LIKE 'lookup%')" if vintage.year == 2021 else 0,
            boundaries.key: "count(*) FILTER (placement LIKE '%polygon%' OR placement LIKE '%nearest%')",
        },
    )
    kept = written.rows
    if kept != rows_in:
        raise AssertionError(f"postcodes: {rows_in} Code-Point rows in, {kept} written")
    by_method = dict(con.execute("SELECT placement, count(*) FROM postcodes_out GROUP BY 1 ORDER BY 1").fetchall())
    agree = con.execute("""
        SELECT count(*) FILTER (pip_lsoa_code IS NOT NULL AND placement <> 'point in polygon'),
               count(*) FILTER (pip_lsoa_code = lsoa_code AND placement <> 'point in polygon'),
               count(*) FILTER (pip_lsoa_code IS NOT NULL AND placement LIKE 'lookup, then%'),
               count(*) FILTER (pip_lsoa_code = lsoa_code AND placement LIKE 'lookup, then%')
        FROM postcodes_out""").fetchone()
    counts = {
        "small_area": vintage.label,
        "placement": by_method,
        "unmatched": by_method.get("unmatched", 0),
        "point_in_polygon_vs_lookup_chain": {
            "compared": agree[0],
            "agree": agree[1],
            "agree_share": round(agree[1] / agree[0], 4) if agree[0] else None,
            "compared_among_split_or_irregular": agree[2],
            "agree_among_split_or_irregular": agree[3],
            "sample": "every postcode" if every == 1 else f"1 in {every} postcodes (by hash)",
        },
        "ambiguous_point_in_polygon": con.execute("SELECT count(*) FROM postcodes_out WHERE pip_ambiguous").fetchone()[
            0
        ],
        "codepoint_postcodes_terminated_in_lookup": con.execute(
            "SELECT count(*) FROM postcodes_out WHERE terminated_in_lookup"
        ).fetchone()[0],
        "codepoint_postcodes_without_district_gb": con.execute(
            "SELECT count(*) FROM codepoint_open WHERE lad_code IS NULL"
        ).fetchone()[0],
        "per_district": dict(
            con.execute("SELECT lad_code, count(*) FROM postcodes_out GROUP BY 1 ORDER BY 1").fetchall()
        ),
    }
    return AssetResult("postcodes", [written], rows_in, kept, Rejects(), [], counts)
