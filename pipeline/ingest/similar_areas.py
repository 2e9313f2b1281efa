"""ONS's similar areas: every local authority's statistical nearest neighbours (``la_neighbours``) and
clusters with what each means (``la_clusters``), for every release and model in the files. Codes
ONS has since retired are mapped to the current code of the same name (``la_code_changes.sql``),
and each row says so, so peers line up with Ofcom's latest figures."""

from __future__ import annotations

import duckdb

from pipeline.fetch import require_each
from pipeline.ingest.result import AssetResult, account
from pipeline.paths import Paths
from pipeline.readers.similar_areas import read_similar_areas
from pipeline.registry import ONS_SIMILAR_AREAS
from pipeline.rejects import Rejects
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import write_parquet


def build_similar_areas(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    files = require_each(ONS_SIMILAR_AREAS, paths)
    read = read_similar_areas(con, files)
    con.execute("CREATE OR REPLACE TEMP TABLE code_changes AS " + sql("la_code_changes"))
    key = ONS_SIMILAR_AREAS.key
    neighbours = write_parquet(
        con,
        """
        SELECT n.release, n.model, coalesce(a.current_code, n.area_code) AS area_code, n.neighbour_rank,
               coalesce(b.current_code, n.neighbour_code) AS neighbour_code,
               n.area_code AS published_area_code, n.neighbour_code AS published_neighbour_code,
               CASE WHEN a.current_code IS NOT NULL OR b.current_code IS NOT NULL
                    THEN 'retired code mapped to the current code of the same name' END AS code_note,
               n.label AS source_file, n.row_number AS source_row
        FROM neighbours_checked n
        LEFT JOIN code_changes a ON a.published_code = n.area_code
        LEFT JOIN code_changes b ON b.published_code = n.neighbour_code
        WHERE n.problem IS NULL
        ORDER BY n.release, n.model, area_code, n.neighbour_rank""",
        paths.table_path("la_neighbours"),
        sources={key: "count(*)"},
    )
    clusters = write_parquet(
        con,
        """
        SELECT c.release, c.model, coalesce(x.current_code, c.area_code) AS area_code, c.area_name, c.cluster_code,
               c.description, c.area_code AS published_area_code,
               CASE WHEN x.current_code IS NOT NULL THEN 'retired code mapped to the current code of the same name'
               END AS code_note, c.label AS source_file, c.row_number AS source_row
        FROM clusters_checked c LEFT JOIN code_changes x ON x.published_code = c.area_code
        WHERE c.problem IS NULL
        ORDER BY c.release, c.model, area_code""",
        paths.table_path("la_clusters"),
        sources={key: "count(*)"},
    )
    read.rejects.write(con, paths.rejects / "la_neighbours.parquet", [key])
    rows_in, kept = account(read)
    counts = {
        "releases": read.notes["releases"],
        "models": dict(
            con.execute("""SELECT release || ' ' || model, count(DISTINCT area_code)
                                            FROM neighbours_checked
                                            WHERE problem IS NULL GROUP BY 1 ORDER BY 1""").fetchall()
        ),
        "codes_mapped": dict(con.execute("SELECT published_code, current_code FROM code_changes").fetchall()),
    }
    return [
        AssetResult("la_neighbours", [neighbours], rows_in, kept, read.rejects, files, counts),
        AssetResult("la_clusters", [clusters], clusters.rows, clusters.rows, Rejects(), [], {}),
    ]
