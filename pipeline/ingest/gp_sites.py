"""GP sites: active practices from epraccur and their open branch surgeries from ebranchs, placed at
their postcodes, with list sizes, Primary Care Networks and the practice's IMD score where known."""

from __future__ import annotations

import duckdb

from pipeline.fetch import locate
from pipeline.ingest.result import TableResult
from pipeline.paths import Paths
from pipeline.readers.fingertips import read_gp_imd_score
from pipeline.readers.gp_registrations import read_list_sizes, read_pcn_mapping
from pipeline.readers.ods import read_ebranchs, read_epraccur
from pipeline.registry import (CODEPOINT_OPEN, EBRANCHS, EPRACCUR, GP_IMD_SCORE, GP_LIST_SIZES, GP_PCN_MAPPING,
                               ONS_POSTCODE_LOOKUP, SUBICB_BOUNDARIES)
from pipeline.rejects import Rejects
from pipeline.geography import vintage_of
from pipeline.inputs import use
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import write_parquet

OUTPUT = """
SELECT
    d.site_code, d.site_type, d.practice_code, d.name, d.address, d.postcode, d.study_lad AS lad_code, d.lsoa_code,
    d.ward_code, sb.subicb_code, sb.subicb_name, d.easting, d.northing, d.lat, d.lon,
    ST_SetCRS(ST_Point(d.easting, d.northing), 'EPSG:27700') AS geom,
    l.list_size,
    l.extract_date AS list_size_extract,
    CASE WHEN l.list_size IS NULL THEN NULL WHEN d.site_type = 'practice' THEN 'practice'
         ELSE 'parent practice (branches have no list of their own)' END AS list_size_applies_to,
    n.pcn_code, n.pcn_name,
    f.imd2019_score AS practice_imd2019_score,
    d.open_date, d.phone, d.source_file, d.source_row
FROM gp_decisions d
LEFT JOIN gp_list_sizes l ON l.practice_code = d.practice_code
LEFT JOIN gp_pcn n ON n.practice_code = d.practice_code
LEFT JOIN gp_imd_score f ON f.practice_code = d.practice_code
LEFT JOIN subicb_boundaries sb ON ST_Contains(sb.geom, ST_SetCRS(ST_Point(d.easting, d.northing), 'EPSG:27700'))
WHERE d.reason IS NULL
ORDER BY d.practice_code, d.site_type DESC, d.site_code
"""


def build_gp_sites(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> TableResult:
    """Rows in = epraccur + ebranchs rows; each is kept or has a reason in rejects."""
    located = {s.key: locate(s, paths) for s in (EPRACCUR, EBRANCHS, GP_LIST_SIZES, GP_PCN_MAPPING, GP_IMD_SCORE)}
    practices = read_epraccur(con, located[EPRACCUR.key], paths)
    branches = read_ebranchs(con, located[EBRANCHS.key], paths)
    lists = read_list_sizes(con, located[GP_LIST_SIZES.key])
    pcns = read_pcn_mapping(con, located[GP_PCN_MAPPING.key])
    imd = read_gp_imd_score(con, located[GP_IMD_SCORE.key])
    use(con, paths, "postcodes", vintage=vintage_of(settings))
    use(con, paths, "codepoint_open", "subicb_boundaries")
    con.execute("""CREATE OR REPLACE TEMP VIEW sites AS
        SELECT *, 'epraccur' AS file_kind FROM epraccur UNION ALL BY NAME SELECT *, 'ebranchs' AS file_kind FROM ebranchs""")
    con.execute("CREATE OR REPLACE TEMP TABLE gp_decisions AS " + sql("gp_sites"))
    rejects = Rejects(practices.rejects.rows + branches.rejects.rows)
    rejects.extend_from(con, """SELECT source_file, source_row, reject_field, reject_value, reason, kind, site_code
                                FROM gp_decisions WHERE reason IS NOT NULL""")
    keys = (EPRACCUR.key, EBRANCHS.key, GP_LIST_SIZES.key, GP_PCN_MAPPING.key, GP_IMD_SCORE.key)
    written = write_parquet(con, OUTPUT, paths.table_path("gp_sites"), vintage=vintage_of(settings), sources={
        EPRACCUR.key: "count(*) FILTER (site_type = 'practice')", EBRANCHS.key: "count(*) FILTER (site_type = 'branch')",
        GP_LIST_SIZES.key: "count(*) FILTER (list_size IS NOT NULL)",
        GP_PCN_MAPPING.key: "count(*) FILTER (pcn_code IS NOT NULL)",
        GP_IMD_SCORE.key: "count(*) FILTER (practice_imd2019_score IS NOT NULL)",
        CODEPOINT_OPEN.key: "count(*)", ONS_POSTCODE_LOOKUP.key: "count(*) FILTER (lsoa_code IS NOT NULL)",
        SUBICB_BOUNDARIES.key: "count(*) FILTER (subicb_code IS NOT NULL)"})
    # Side tables' own rejects are kept for people to read; they do not count against sites.
    side = Rejects(lists.rejects.rows + pcns.rejects.rows + imd.rejects.rows)
    Rejects(rejects.rows + side.rows).write(con, paths.rejects / "gp_sites.parquet", list(keys))

    rows_in = practices.rows_in + branches.rows_in
    primary = {practices.primary[0], branches.primary[0]}
    rejected_rows = {(r[0], r[1]) for r in rejects.rows if r[0] in primary}
    if rows_in - written.rows != len(rejected_rows):
        raise AssertionError(f"gp_sites: {rows_in} rows in, {written.rows} kept, {len(rejected_rows)} rejected")
    stats = dict(con.execute("SELECT site_type, count(*) FROM gp_decisions WHERE reason IS NULL GROUP BY ALL").fetchall())
    active_not_placed = con.execute("""SELECT count(*) FROM gp_decisions WHERE site_type = 'practice'
        AND status = 'A' AND prescribing_setting = '4' AND NOT known_postcode""").fetchone()[0]
    with_list = con.execute("SELECT count(*) FROM read_parquet($p) WHERE list_size IS NOT NULL",
                            {"p": str(written.path)}).fetchone()[0]
    return TableResult("gp_sites", [written], rows_in, written.rows, rejects, list(located.values()), {
        "practices": stats.get("practice", 0),
        "branches": stats.get("branch", 0),
        "active_practices_not_geocoded": active_not_placed,
        "sites_with_list_size": with_list,
        "side_table_rejects": len(side),
        "rejects_by_reason": rejects.by_reason(),
    })
