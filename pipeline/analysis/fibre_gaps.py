"""Where gigabit is missing: postcodes lacking it, on a 1 km grid and per LSOA, ranked for build planning."""

from __future__ import annotations

import duckdb

from pipeline.analysis.indicators import register_inputs
from pipeline.ingest.result import TableResult
from pipeline.paths import Paths
from pipeline.registry import (CODEPOINT_OPEN, OFCOM_LA_COVERAGE, OFCOM_POSTCODE_COVERAGE, OFCOM_POSTCODE_DISTRICT,
                               ONS_POSTCODE_LOOKUP)
from pipeline.rejects import Rejects
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.duck import exact
from pipeline.store import write_parquet

SOURCE_KEYS = (CODEPOINT_OPEN.key, ONS_POSTCODE_LOOKUP.key, OFCOM_POSTCODE_COVERAGE.key,
               OFCOM_POSTCODE_DISTRICT.key, OFCOM_LA_COVERAGE.key)
SEARCH_RADII_M = (2_000, 10_000, 50_000, 1_000_000)


def nearest_served(con: duckdb.DuckDBPyConnection) -> dict:
    """Temp table ``nearest`` (postcode, distance_m) for postcodes lacking gigabit, by widening search."""
    con.execute("CREATE OR REPLACE TEMP TABLE nearest (postcode VARCHAR, distance_m DOUBLE)")
    con.execute("CREATE OR REPLACE TEMP TABLE unmatched AS SELECT postcode FROM gap_postcodes WHERE lacks_gigabit")
    served = con.execute("SELECT count(*) FROM gap_postcodes WHERE gigabit_served").fetchone()[0]
    if served:
        for radius in SEARCH_RADII_M:
            con.execute("INSERT INTO nearest " + sql("nearest_served"), {"radius": radius})
            con.execute("DELETE FROM unmatched WHERE postcode IN (SELECT postcode FROM nearest)")
            if not con.execute("SELECT count(*) FROM unmatched").fetchone()[0]:
                break
    return {"gigabit_served_postcodes": served,
            "postcodes_with_distance": con.execute("SELECT count(*) FROM nearest").fetchone()[0]}


def build_fibre_gaps(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[TableResult]:
    exact(con)
    register_inputs(con, paths, ("postcodes", "broadband_coverage", "lsoa_index"))
    con.execute("CREATE OR REPLACE TEMP TABLE gap_postcodes AS " + sql("fibre_gap_postcodes"),
                {"lads": list(settings.lad_codes), "lacking": settings.lacking_below_pct,
                 "served": settings.served_min_pct})
    counts = nearest_served(con)
    lacking, resolutions = con.execute("""SELECT count(*) FILTER (lacks_gigabit),
        string_agg(DISTINCT replace(resolution, '_', '-'), ', ' ORDER BY 1) FILTER (resolution <> 'none')
        FROM gap_postcodes""").fetchone()
    note = None
    if not counts["gigabit_served_postcodes"]:
        note = (f"No postcode reaches the served threshold ({settings.served_min_pct:g}% of premises) with the "
                f"{resolutions} figures available, so distances to a gigabit-served postcode cannot be computed "
                "and are left empty. Ofcom's postcode-level file would supply them.")
    counts |= {"postcodes_lacking_gigabit": lacking, "broadband_resolutions": resolutions,
               "lacking_below_pct": settings.lacking_below_pct, "served_min_pct": settings.served_min_pct}
    if note:
        counts["note"] = note
    cells = write_parquet(con, sql("fibre_gap_cells"), paths.table_path("fibre_gap_cells"), source_keys=SOURCE_KEYS,
                          params={"grid": settings.grid_m}, notes=note)
    lsoas = write_parquet(con, sql("fibre_gap_lsoas"), paths.table_path("fibre_gap_lsoas"), source_keys=SOURCE_KEYS,
                          notes=note)
    return [TableResult("fibre_gap_cells", [cells], cells.rows, cells.rows, Rejects(), [], SOURCE_KEYS,
                        counts | {"grid_m": settings.grid_m}),
            TableResult("fibre_gap_lsoas", [lsoas], lsoas.rows, lsoas.rows, Rejects(), [], SOURCE_KEYS, counts)]
