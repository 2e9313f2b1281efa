"""GP sites: active practices from epraccur and their open branch surgeries from ebranchs, placed at
their postcodes, with list sizes (and the month they describe), Primary Care Networks, the
practice's own Sub-ICB location and ICB with their names, and the practice's IMD score where known."""

from __future__ import annotations

import duckdb

from pipeline.errors import SourceMissingError
from pipeline.fetch import Located, locate
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult
from pipeline.paths import Paths
from pipeline.readers.fingertips import read_gp_imd_score
from pipeline.readers.gp_registrations import read_list_sizes, read_pcn_mapping
from pipeline.readers.ods import read_ebranchs, read_epraccur
from pipeline.registry import (
    CODEPOINT_OPEN,
    EBRANCHS,
    EPRACCUR,
    GP_IMD_SCORE,
    GP_LIST_SIZES,
    GP_PCN_MAPPING,
    LSOA_CCG_LOOKUP,
    ONS_POSTCODE_LOOKUP,
    SOURCES,
    SUBICB_BOUNDARIES,
    Source,
)
from pipeline.rejects import Rejects
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import write_parquet

WITHOUT_LIST = """
-- Active GP practices of the Sub-ICB locations the list-size file covers that have no list size in
-- it: the mirror's copy holds only some practice-code blocks (PROVENANCE), so this is counted.
SELECT e.site_code, e.name, e.postcode, e.commissioner_code, p.lad_code IS NOT NULL AS in_study_area
FROM epraccur e
LEFT JOIN postcodes p USING (postcode)
WHERE e.status = 'A' AND e.prescribing_setting = '4'
  AND e.commissioner_code IN (SELECT subicb_code FROM gp_list_sizes)
  AND e.site_code NOT IN (SELECT practice_code FROM gp_list_sizes)
ORDER BY in_study_area DESC, e.site_code
"""


def _first_found(*sources: Source, paths: Paths) -> Located:
    """The first source with a file; each source's ``fallback`` is the next to try."""
    for source in sources:
        try:
            return locate(source, paths, download=False)
        except SourceMissingError:
            continue
    return locate(sources[0], paths)  # downloads where it can, else says which file to put where


def _chain(source: Source) -> list[Source]:
    chain = [source]
    while chain[-1].fallback:
        chain.append(SOURCES[chain[-1].fallback])
    return chain


def build_gp_sites(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """Rows in = epraccur + ebranchs rows; each is kept or has a reason in rejects."""
    located = {s.key: locate(s, paths) for s in (EPRACCUR, GP_PCN_MAPPING, GP_IMD_SCORE)}
    branch_file = _first_found(*_chain(EBRANCHS), paths=paths)
    list_file = _first_found(*_chain(GP_LIST_SIZES), paths=paths)
    located[branch_file.source], located[list_file.source] = branch_file, list_file
    practices = read_epraccur(con, located[EPRACCUR.key], paths)
    branches = read_ebranchs(con, branch_file, paths)
    lists = read_list_sizes(con, list_file)
    pcns = read_pcn_mapping(con, located[GP_PCN_MAPPING.key])
    imd = read_gp_imd_score(con, located[GP_IMD_SCORE.key])
    con.execute("""CREATE OR REPLACE TEMP VIEW sites AS
        SELECT *, 'epraccur' AS file_kind FROM epraccur UNION ALL BY NAME SELECT *, 'ebranchs' AS
        file_kind FROM ebranchs""")
    con.execute("CREATE OR REPLACE TEMP TABLE gp_decisions AS " + sql("gp_sites"))
    rejects = Rejects(practices.rejects.rows + branches.rejects.rows)
    rejects.extend_from(
        con,
        """SELECT source_file, source_row, reject_field, reject_value, reason, kind, site_code
                                FROM gp_decisions WHERE reason IS NOT NULL""",
    )
    branch_source = SOURCES[branch_file.source]
    keys = (EPRACCUR.key, branch_file.source, list_file.source, GP_PCN_MAPPING.key, GP_IMD_SCORE.key)
    params = {
        "practice_listing": f"NHS GP practice list (epraccur), {EPRACCUR.release}",
        "branch_listing": f"NHS branch-surgery list (ebranchs), {branch_source.release}",
        "branches_current": branch_file.source == EBRANCHS.key,
        "mapping_title": f"{GP_PCN_MAPPING.title} ({GP_PCN_MAPPING.release})",
        "outline_title": f"{SUBICB_BOUNDARIES.title}, the part of its name before ' - '",
    }
    written = write_parquet(
        con,
        sql("gp_sites_table"),
        paths.table_path("gp_sites"),
        vintage=vintage_of(settings),
        params=params,
        sources={
            EPRACCUR.key: "count(*) FILTER (site_type = 'practice')",
            branch_file.source: "count(*) FILTER (site_type = 'branch')",
            list_file.source: "count(*) FILTER (list_size IS NOT NULL)",
            GP_PCN_MAPPING.key: "count(*) FILTER (pcn_code IS NOT NULL OR health_names_from LIKE '%"
            + GP_PCN_MAPPING.title
            + "%')",
            GP_IMD_SCORE.key: "count(*) FILTER (practice_imd2019_score IS NOT NULL)",
            CODEPOINT_OPEN.key: "count(*)",
            ONS_POSTCODE_LOOKUP.key: "count(*) FILTER (lsoa_code IS NOT NULL)",
            SUBICB_BOUNDARIES.key: "count(*) FILTER (health_names_from LIKE '%" + SUBICB_BOUNDARIES.title + "%')",
            LSOA_CCG_LOOKUP.key: "count(*) FILTER (health_names_from LIKE '%ONS LSOA to CCG lookup%')",
        },
    )
    # Side tables' own rejects are kept for people to read; they do not count against sites.
    side = Rejects(lists.rejects.rows + pcns.rejects.rows + imd.rejects.rows)
    Rejects(rejects.rows + side.rows).write(con, paths.rejects / "gp_sites.parquet", list(keys))

    rows_in = practices.rows_in + branches.rows_in
    primary = {practices.primary[0], branches.primary[0]}
    rejected_rows = {(r[0], r[1]) for r in rejects.rows if r[0] in primary}
    if rows_in - written.rows != len(rejected_rows):
        raise AssertionError(f"gp_sites: {rows_in} rows in, {written.rows} kept, {len(rejected_rows)} rejected")
    stats = dict(
        con.execute("SELECT site_type, count(*) FROM gp_decisions WHERE reason IS NULL GROUP BY ALL").fetchall()
    )
    active_not_placed = con.execute("""SELECT count(*) FROM gp_decisions WHERE site_type = 'practice'
        AND status = 'A' AND prescribing_setting = '4' AND NOT known_postcode""").fetchone()[0]
    with_list, extracts = con.execute(
        """SELECT count(*) FILTER (list_size IS NOT NULL),
        list_distinct(list(list_size_extract)) FROM read_parquet($p)""",
        {"p": str(written.path)},
    ).fetchone()
    practices_without = [
        f"{c} {n} ({pc})"
        for c, n, pc in con.execute(
            "SELECT site_code, name, postcode FROM read_parquet($p) WHERE site_type = 'practice' AND list_size IS NULL "
            "ORDER BY site_code",
            {"p": str(written.path)},
        ).fetchall()
    ]
    covered_without = [
        f"{c} {n} ({pc}, {s}{'' if inside else ', outside the study area'})"
        for c, n, pc, s, inside in con.execute(WITHOUT_LIST).fetchall()
    ]
    return AssetResult(
        "gp_sites",
        [written],
        rows_in,
        written.rows,
        rejects,
        list(located.values()),
        {
            "practices": stats.get("practice", 0),
            "branches": stats.get("branch", 0),
            "branches_listed_in": branch_source.release,
            "active_practices_not_geocoded": active_not_placed,
            "sites_with_list_size": with_list,
            "list_size_file": list_file.label,
            "list_size_extract_dates": sorted(d for d in extracts if d),
            "practices_without_list_size": practices_without,
            "active_practices_of_listed_subicbs_without_list_size": covered_without,
            "side_table_rejects": len(side),
            "rejects_by_reason": rejects.by_reason(),
        },
    )
