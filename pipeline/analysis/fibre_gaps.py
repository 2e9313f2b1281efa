"""Where gigabit is missing, for fibre planning: postcodes lacking it on a 1 km grid and per
LSOA, ranked by the connectivity gap. Values known only per postcode district tie across the
district: a cell's rank never depends on how many postcodes it happens to hold."""

from __future__ import annotations

import duckdb

from pipeline.duck import exact
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, derived
from pipeline.paths import Paths
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import inherited, write_parquet

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
    return {
        "gigabit_served_postcodes": served,
        "postcodes_with_distance": con.execute("SELECT count(*) FROM nearest").fetchone()[0],
    }


def build_fibre_gaps(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    exact(con)
    vintage = vintage_of(settings)
    cfg = settings.fibre_gaps
    con.execute(
        "CREATE OR REPLACE TEMP TABLE gap_postcodes AS " + sql("fibre_gap_postcodes"),
        {"lads": list(settings.lad_codes), "lacking": cfg.lacking_below_pct, "served": cfg.served_min_pct},
    )
    counts = nearest_served(con)
    lacking, resolutions, area_average = con.execute("""SELECT count(*) FILTER (lacks_gigabit),
        string_agg(DISTINCT replace(resolution, '_', '-'), ', ' ORDER BY 1) FILTER (resolution <> 'none'),
        count(*) FILTER (resolution IN ('postcode_district', 'local_authority'))
        FROM gap_postcodes""").fetchone()
    notes = []
    if area_average:
        notes.append(
            f"{area_average:,} postcodes are known only by an area average ({resolutions} figures): cells "
            "and LSOAs in one area share its value and cannot be ranked within it (area_rank ties)."
        )
    if not counts["gigabit_served_postcodes"]:
        notes.append(
            f"No postcode reaches the served threshold ({cfg.served_min_pct:g}% of premises) with these "
            "figures, so distances to a gigabit-served postcode are left empty; Ofcom's postcode-level file "
            "would supply them."
        )
    note = " ".join(notes) or None
    counts |= {
        "postcodes_lacking_gigabit": lacking,
        "broadband_resolutions": resolutions,
        "postcodes_known_by_area_average": area_average,
        "lacking_below_pct": cfg.lacking_below_pct,
        "served_min_pct": cfg.served_min_pct,
    }
    if note:
        counts["note"] = note
    sources = inherited(paths.table_path("broadband_coverage"), paths.table_path("postcodes"))
    cells = write_parquet(
        con,
        sql("fibre_gap_cells"),
        paths.table_path("fibre_gap_cells"),
        sources=sources,
        params={"grid": cfg.grid_m},
        notes=note,
    )
    lsoas = write_parquet(
        con,
        sql("fibre_gap_lsoas"),
        paths.table_path("fibre_gap_lsoas"),
        vintage=vintage,
        sources=inherited(paths.table_path("lsoa_supply_gap")),
        notes=note,
    )
    return [
        derived("fibre_gap_cells", cells, counts | {"grid_m": cfg.grid_m}),
        derived("fibre_gap_lsoas", lsoas, counts),
    ]
