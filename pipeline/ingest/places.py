"""Settlement names for map labels: OS Open Names populated places in the study districts and
within a few kilometres of them, so a map read offline (no basemap) still names its towns and
villages, and a town just over the border still labels its side of the map."""

from __future__ import annotations

import duckdb

from pipeline.errors import SourceMissingError
from pipeline.fetch import locate
from pipeline.ingest.result import AssetResult, account
from pipeline.paths import Paths
from pipeline.readers.open_names import read_open_names
from pipeline.registry import OS_OPEN_NAMES
from pipeline.rejects import Rejects
from pipeline.settings import Settings
from pipeline.store import write_parquet

# Places up to this far outside the study districts are kept, for labels at the map's edge.
MARGIN_M = 5000

EMPTY = """SELECT NULL::VARCHAR AS settlement_id, NULL::VARCHAR AS name, NULL::VARCHAR AS name2,
    NULL::VARCHAR AS local_type, NULL::DOUBLE AS easting, NULL::DOUBLE AS northing,
    NULL::INTEGER AS most_detail_view_res, NULL::INTEGER AS least_detail_view_res, NULL::VARCHAR AS postcode_district,
    NULL::VARCHAR AS district_borough, NULL::VARCHAR AS county_unitary, NULL::BIGINT AS source_row WHERE false"""


def build_settlements(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """OS Open Names cities, towns, villages, hamlets and suburban areas in and around the study area."""
    try:
        located = locate(OS_OPEN_NAMES, paths, download=False)
    except SourceMissingError:
        located = None
    if located is None:
        con.execute(f"CREATE OR REPLACE TEMP VIEW open_names AS {EMPTY}")
        read = None
    else:
        read = read_open_names(con, located, paths)
    # Each place with the study district holding it (none: outside) and its distance from them.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE settlements_placed AS
        WITH study AS (SELECT ST_Union_Agg(geom) AS g FROM lad_boundaries),
        box AS (SELECT ST_XMin(g) - $m AS x0, ST_XMax(g) + $m AS x1, ST_YMin(g) - $m AS y0, ST_YMax(g) + $m AS y1
                FROM study),
        near AS (SELECT o.*, ST_Point(o.easting, o.northing) AS p FROM open_names o, box
                 WHERE o.easting BETWEEN box.x0 AND box.x1 AND o.northing BETWEEN box.y0 AND box.y1)
        SELECT near.*, ST_Distance(study.g, near.p) AS distance_to_study_m,
               (SELECT min(l.lad_code) FROM lad_boundaries l WHERE ST_Contains(l.geom, near.p)) AS lad_code
        FROM near, study""",
        {"m": MARGIN_M},
    )
    written = write_parquet(
        con,
        """
        SELECT settlement_id, name, name2, local_type, lad_code, lad_code IS NOT NULL AS in_study_area,
               round(CASE WHEN lad_code IS NULL THEN distance_to_study_m ELSE 0 END) AS distance_to_study_m,
               easting, northing, most_detail_view_res, least_detail_view_res, postcode_district, district_borough,
               county_unitary, ST_SetCRS(p, 'EPSG:27700') AS geom, $label AS source_file, source_row
        FROM settlements_placed WHERE lad_code IS NOT NULL OR distance_to_study_m <= $m
        ORDER BY settlement_id""",
        paths.table_path("settlements"),
        sources={OS_OPEN_NAMES.key: "count(*)"},
        params={"m": MARGIN_M, "label": located.label if located else None},
        notes=f"Places in the study districts and up to {MARGIN_M / 1000:g} km outside them.",
    )
    rejects = read.rejects if read else Rejects()
    rejects.write(con, paths.rejects / "settlements.parquet", [OS_OPEN_NAMES.key])
    if read is None:
        return AssetResult(
            "settlements",
            [written],
            0,
            0,
            rejects,
            [],
            {"note": "No OS Open Names file found: maps name districts and wards only."},
        )
    valid = con.execute("SELECT count(*) FROM open_names").fetchone()[0]
    outside = valid - written.rows
    read.rows_in -= outside  # places beyond the margin are out of the table's scope: counted, not listed
    rows_in, kept = account(read, written.rows)
    by_type = dict(
        con.execute(f"""SELECT local_type, count(*) FROM read_parquet('{written.path}')
                                   WHERE in_study_area GROUP BY 1 ORDER BY 1""").fetchall()
    )
    return AssetResult(
        "settlements",
        [written],
        rows_in,
        kept,
        rejects,
        [located],
        {
            "in_study_area_by_type": by_type,
            "within_margin_outside_study_area": written.rows - sum(by_type.values()),
            "margin_m": MARGIN_M,
            "places_beyond_margin": outside,
        },
    )
