"""Boundaries of the study area, valid and in EPSG:27700: LSOAs of the configured vintage, wards
(May 2024), Sub-ICB locations (July 2022) with each neighbourhood's Sub-ICB, and districts."""

from __future__ import annotations

import duckdb

from pipeline.errors import SourceMissingError
from pipeline.fetch import Located, locate
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, account
from pipeline.inputs import use_crosswalk
from pipeline.paths import Paths
from pipeline.readers import Read
from pipeline.readers.boundaries import BoundaryFile, read_boundaries
from pipeline.readers.health_lookup import read_lsoa_ccg_lookup
from pipeline.registry import (
    LAD2013_BOUNDARIES,
    LAD_BOUNDARIES,
    LSOA21_WARD_LOOKUP,
    LSOA2011_BOUNDARIES,
    LSOA2021_BOUNDARIES,
    LSOA_CCG_LOOKUP,
    SUBICB_BOUNDARIES,
    WARD_BOUNDARIES,
    Source,
    lad11,
)
from pipeline.rejects import Rejects
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import write_parquet


def _lsoa_files(paths: Paths, settings: Settings) -> list[BoundaryFile]:
    """The vintage's boundary files: the national 2021 file; on the 2011 base the generalised
    per-district files where present, and the national 2011 file for any district without one."""
    if vintage_of(settings).year == 2021:
        return [BoundaryFile(locate(LSOA2021_BOUNDARIES, paths), None)]
    per_district = Source(**{**LSOA2011_BOUNDARIES.__dict__, "files": LSOA2011_BOUNDARIES.files[:2], "url": None})
    national = Source(**{**LSOA2011_BOUNDARIES.__dict__, "files": LSOA2011_BOUNDARIES.files[2:], "url": None})
    files, missing = [], []
    for lad in settings.lad_codes:
        try:
            files.append(BoundaryFile(locate(per_district, paths, lad11=lad11(lad), download=False), lad))
        except SourceMissingError:
            missing.append(lad)
    if missing:
        files.append(BoundaryFile(locate(national, paths), None))
    return files


def build_lsoa_boundaries(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """Polygons of the study area's LSOAs (the crosswalk's), in the configured vintage."""
    vintage = vintage_of(settings)
    use_crosswalk(con, paths, vintage)
    keep = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT lsoa_code FROM lsoa_crosswalk WHERE in_study AND lsoa_code IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    files = _lsoa_files(paths, settings)
    got = read_boundaries(con, files, "lsoa_b", layer=vintage.key, keep_codes=keep)
    # A code in two files (a per-district file and the national one) keeps the per-district polygon.
    written = write_parquet(
        con,
        """
        SELECT code AS lsoa_code, name AS lsoa_name, ST_Area(geom) / 1e6 AS area_km2, repaired, geom,
               source_file, source_row
        FROM lsoa_b ORDER BY lsoa_code""",
        paths.table_path("lsoa_boundaries"),
        sources={files[0].located.source: "count(*)"},
        vintage=vintage,
    )
    got.rejects.write(
        con,
        paths.rejects / "lsoa_boundaries.parquet",
        [LSOA2021_BOUNDARIES.key if vintage.year == 2021 else LSOA2011_BOUNDARIES.key],
    )
    rows_in, kept = account(
        Read("lsoa_b", got.rows_in, got.rejects, primary=tuple(f.located.label for f in files)), written.rows
    )
    have = {r[0] for r in con.execute("SELECT code FROM lsoa_b").fetchall()}
    return AssetResult(
        "lsoa_boundaries",
        [written],
        rows_in,
        kept,
        got.rejects,
        [f.located for f in files],
        {
            "polygons_repaired": got.repaired,
            "features_outside_study_area": got.outside,
            "study_lsoas_without_boundary": sorted(set(keep) - have)[:50],
            "study_lsoas_without_boundary_count": len(set(keep) - have),
            "files": [f.located.label for f in files],
        },
    )


def _optional(source: Source, paths: Paths) -> Located | None:
    try:
        return locate(source, paths, download=False)
    except SourceMissingError:
        return None


def build_ward_boundaries(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """Ward (May 2024) polygons of the study districts, for map outlines and labels."""
    located = _optional(WARD_BOUNDARIES, paths)
    keep = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT ward_code FROM lsoa_wards WHERE list_contains($l, lad_code) ORDER BY 1",
            {"l": list(settings.lad_codes)},
        ).fetchall()
    ]
    if located is None:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE ward_b AS SELECT NULL::VARCHAR AS code, NULL::VARCHAR AS name, "
            "NULL::VARCHAR AS lad_code, NULL::GEOMETRY AS geom, NULL::VARCHAR AS source_file, "
            "NULL::BIGINT AS source_row WHERE false"
        )
        got = None
    else:
        got = read_boundaries(con, [BoundaryFile(located, None)], "ward_b", layer="ward", keep_codes=keep)
    written = write_parquet(
        con,
        """
        SELECT b.code AS ward_code, coalesce(w.ward_name, b.name) AS ward_name, coalesce(w.lad_code,
        b.lad_code) AS lad_code,
               ST_Area(b.geom) / 1e6 AS area_km2, b.geom, b.source_file, b.source_row
        FROM ward_b b LEFT JOIN (SELECT DISTINCT ward_code, ward_name, lad_code FROM lsoa_wards) w ON
        w.ward_code = b.code
        ORDER BY ward_code""",
        paths.table_path("ward_boundaries"),
        sources={WARD_BOUNDARIES.key: "count(*)", LSOA21_WARD_LOOKUP.key: "count(*)"},
    )
    rejects = got.rejects if got else Rejects()
    rejects.write(con, paths.rejects / "ward_boundaries.parquet", [WARD_BOUNDARIES.key])
    if got is None:
        return AssetResult(
            "ward_boundaries",
            [written],
            0,
            0,
            rejects,
            [],
            {"note": "No ward boundary file found: maps show ward names from the LSOA lookup but no ward outlines."},
        )
    rows_in, kept = account(Read("ward_b", got.rows_in, rejects, primary=(located.label,)), written.rows)
    return AssetResult(
        "ward_boundaries",
        [written],
        rows_in,
        kept,
        rejects,
        [located],
        {
            "study_area_wards_in_lookup": len(keep),
            "wards_with_boundary": written.rows,
            "features_outside_study_area": got.outside,
        },
    )


def build_subicb_boundaries(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    """Each study neighbourhood's Sub-ICB location and ICB (``lsoa_subicb``: the ONS lookup first,
    never a point in a generalised polygon), and the outlines of the Sub-ICB locations they fall in
    (``subicb_boundaries``), for the GP maps."""
    vintage = vintage_of(settings)
    use_crosswalk(con, paths, vintage)
    located = _optional(SUBICB_BOUNDARIES, paths)
    if located is None:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE sicb_b AS SELECT NULL::VARCHAR AS code, NULL::VARCHAR AS name, "
            "NULL::GEOMETRY AS geom WHERE false"
        )
        got = None
    else:
        got = read_boundaries(con, [BoundaryFile(located, None)], "sicb_b", layer="subicb")
    lookup = _optional(LSOA_CCG_LOOKUP, paths)
    if lookup is None:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE lsoa_ccg AS SELECT NULL::VARCHAR AS lsoa11cd, NULL::VARCHAR AS ccg_code, "
            "NULL::VARCHAR AS ccg_ods_code, NULL::VARCHAR AS ccg_name, NULL::VARCHAR AS lad_code WHERE false"
        )
        looked = None
    else:
        looked = read_lsoa_ccg_lookup(con, lookup)
    con.execute("CREATE OR REPLACE TEMP TABLE subicb_names AS " + sql("subicb_names"))
    con.execute("CREATE OR REPLACE TEMP TABLE lsoa_subicb AS " + sql("lsoa_subicb"))
    assigned = write_parquet(
        con,
        "SELECT * FROM lsoa_subicb",
        paths.table_path("lsoa_subicb"),
        vintage=vintage,
        sources={
            LSOA_CCG_LOOKUP.key: "count(*) FILTER (assigned_by LIKE 'ONS%')",
            SUBICB_BOUNDARIES.key: "count(*) FILTER (assigned_by LIKE 'largest share%' OR icb_name IS NOT NULL)",
        },
    )
    written = write_parquet(
        con,
        """
        -- Outlines of the Sub-ICB locations the study neighbourhoods are in (by lsoa_subicb), not of
        -- every location a generalised neighbourhood polygon touches.
        SELECT b.code AS subicb_code, n.subicb_ods_code, n.subicb_name, n.icb_name, n.published_name, n.names_from,
               count(*) AS study_lsoas, b.geom
        FROM sicb_b b JOIN lsoa_subicb l ON l.subicb_code = b.code
        LEFT JOIN subicb_names n ON n.subicb_code = b.code
        GROUP BY ALL
        ORDER BY subicb_code""",
        paths.table_path("subicb_boundaries"),
        sources={SUBICB_BOUNDARIES.key: "count(*)", LSOA_CCG_LOOKUP.key: "count(*) FILTER (subicb_name IS NOT NULL)"},
    )
    rejects = got.rejects if got else Rejects()
    rejects.write(con, paths.rejects / "subicb_boundaries.parquet", [SUBICB_BOUNDARIES.key])
    (looked.rejects if looked else Rejects()).write(con, paths.rejects / "lsoa_subicb.parquet", [LSOA_CCG_LOOKUP.key])
    by_rule = dict(
        con.execute(
            "SELECT coalesce(regexp_extract(assigned_by, '^[^(]*'), 'not placed'), count(*) "
            "FROM lsoa_subicb GROUP BY 1 ORDER BY 1"
        ).fetchall()
    )
    names = [
        r[0]
        for r in con.execute(
            "SELECT coalesce(subicb_name, published_name) FROM read_parquet($p)", {"p": str(written.path)}
        ).fetchall()
    ]
    counts = {"neighbourhoods_by_rule": {k.strip(): v for k, v in by_rule.items()}}
    if looked is None:
        lsoa_result = AssetResult(
            "lsoa_subicb",
            [assigned],
            0,
            0,
            Rejects(),
            [],
            counts
            | {"note": "No LSOA to CCG lookup found: neighbourhoods take the Sub-ICB holding most of their postcodes."},
        )
    else:
        rows_in, kept = account(
            Read(
                "lsoa_ccg",
                looked.rows_in,
                looked.rejects,
                primary=looked.primary,
                rows_kept=looked.rows_in - looked.rejects.row_count,
            )
        )
        lsoa_result = AssetResult("lsoa_subicb", [assigned], rows_in, kept, looked.rejects, [lookup], counts)
    if got is None:
        return [
            AssetResult("subicb_boundaries", [written], 0, 0, rejects, [], {"note": "No Sub-ICB boundary file found."}),
            lsoa_result,
        ]
    read = Read("sicb_b", got.rows_in, rejects, primary=(located.label,), rows_kept=got.rows_in - rejects.row_count)
    rows_in, kept = account(read)
    return [
        AssetResult(
            "subicb_boundaries",
            [written],
            rows_in,
            kept,
            rejects,
            [located],
            {"sub_icbs_of_study_neighbourhoods": names, "read": got.rows_in},
        ),
        lsoa_result,
    ]


def build_lad_boundaries(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """District outlines for maps: the published district file where it has every study district,
    else the wards dissolved by district where they cover every study district (the mirror's ward
    extract covers five), else the LSOAs dissolved."""
    vintage = vintage_of(settings)
    lads = list(settings.lad_codes)
    located = _optional(LAD_BOUNDARIES, paths) or _optional(LAD2013_BOUNDARIES, paths)
    rejects, rows_in, counts = Rejects(), 0, {}
    present: set[str] = set()
    if located is not None:
        got = read_boundaries(con, [BoundaryFile(located, None)], "lad_b", layer="lad", keep_codes=lads)
        rejects, rows_in = got.rejects, got.rows_in
        present = {r[0] for r in con.execute("SELECT code FROM lad_b").fetchall()}
    con.execute("CREATE OR REPLACE TEMP VIEW lad_names AS SELECT DISTINCT lad_code, lad_name FROM lsoa_areas")
    if located is not None and present >= set(lads):
        query, drawn = (
            "SELECT code AS lad_code, coalesce(n.lad_name, b.name) AS lad_name, geom FROM lad_b b "
            "LEFT JOIN lad_names n ON n.lad_code = b.code",
            "published district boundaries",
        )
        sources = {located.source: "count(*)"}
    elif {r[0] for r in con.execute("SELECT DISTINCT lad_code FROM ward_boundaries").fetchall()} >= set(lads):
        query, drawn = (
            (
                "SELECT w.lad_code, any_value(n.lad_name) AS lad_name, ST_Union_Agg(w.geom) AS geom "
                "FROM ward_boundaries w LEFT JOIN lad_names n USING (lad_code) GROUP BY 1"
            ),
            "wards (May 2024) dissolved by district",
        )
        sources = {WARD_BOUNDARIES.key: "count(*)"}
    else:
        query, drawn = (
            (
                "SELECT lad_code, any_value(lad_name) AS lad_name, ST_Union_Agg(geom) AS geom FROM lsoa_areas "
                "WHERE geom IS NOT NULL GROUP BY 1"
            ),
            "LSOA boundaries dissolved by district",
        )
        sources = {LSOA2021_BOUNDARIES.key if vintage.year == 2021 else LSOA2011_BOUNDARIES.key: "count(*)"}
    written = write_parquet(
        con,
        f"""
        SELECT lad_code, lad_name, ST_Area(geom) / 1e6 AS area_km2, ST_SetCRS(ST_Multi(geom), 'EPSG:27700') AS geom,
               $drawn AS drawn_from
        FROM ({query}) WHERE list_contains($lads, lad_code) ORDER BY lad_code""",
        paths.table_path("lad_boundaries"),
        sources=sources,
        params={"lads": lads, "drawn": drawn},
    )
    rejects.write(con, paths.rejects / "lad_boundaries.parquet", [located.source if located else LAD_BOUNDARIES.key])
    if located is not None:
        rows_in, _ = account(
            Read("lad_b", rows_in, rejects, primary=(located.label,), rows_kept=rows_in - rejects.row_count)
        )
    kept = rows_in - rejects.row_count
    have = {r[0] for r in con.execute("SELECT lad_code FROM read_parquet($p)", {"p": str(written.path)}).fetchall()}
    counts = {"drawn_from": drawn, "districts_without_outline": [lad for lad in lads if lad not in have]}
    return AssetResult("lad_boundaries", [written], rows_in, kept, rejects, [located] if located else [], counts)
