"""Where gigabit is missing, for fibre planning: postcodes lacking it on a 1 km grid and per
LSOA, ranked by the connectivity gap. Values known only per postcode district tie across the
district: a cell's rank never depends on how many postcodes it happens to hold."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
from scipy.spatial import cKDTree

from pipeline.duck import exact
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, derived
from pipeline.paths import Paths
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import inherited, write_parquet

SEARCH_RADIUS_M = 1_000_000


def nearest_served(con: duckdb.DuckDBPyConnection) -> dict:
    """Temp table ``nearest`` (postcode, distance_m): each postcode lacking gigabit and its distance to the
    nearest gigabit-served postcode, within ``SEARCH_RADIUS_M``.

    A k-d tree over the served postcodes answers each query in log time; a distance join paired every
    unserved postcode with every served one in range, which for England (1.5 M postcodes) needed
    over 20 GB.
    """
    served = con.execute(
        "SELECT ST_X(geom) AS x, ST_Y(geom) AS y FROM gap_postcodes WHERE gigabit_served AND geom IS NOT NULL"
    ).fetchnumpy()
    lacking = con.execute(
        "SELECT postcode, ST_X(geom) AS x, ST_Y(geom) AS y FROM gap_postcodes "
        "WHERE lacks_gigabit AND geom IS NOT NULL ORDER BY postcode"
    ).fetchnumpy()
    postcodes, distances = [], np.array([], dtype=float)
    if len(served["x"]) and len(lacking["postcode"]):
        tree = cKDTree(np.column_stack([served["x"], served["y"]]))
        distances, _ = tree.query(
            np.column_stack([lacking["x"], lacking["y"]]), k=1, distance_upper_bound=SEARCH_RADIUS_M
        )
        found = np.isfinite(distances)
        postcodes, distances = list(np.asarray(lacking["postcode"], dtype=object)[found]), distances[found]
    con.register("_nearest", pa.table({"postcode": pa.array(postcodes, pa.string()), "distance_m": distances}))
    con.execute("CREATE OR REPLACE TEMP TABLE nearest AS SELECT postcode, distance_m FROM _nearest")
    con.unregister("_nearest")
    return {"gigabit_served_postcodes": len(served["x"]), "postcodes_with_distance": len(postcodes)}


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
            f"{area_average:,} postcodes are known only by an area average ({resolutions} figures): the "
            "neighbourhoods (and the 1 km cells, where drawn) of one area share its value and one rank, and cannot "
            "be ranked within it."
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
