"""ONS boundaries (GeoJSON or GeoPackage, as published or as extracts), reprojected to EPSG:27700.

The CRS a file declares is honoured (GDAL reads the GeoJSON ``crs`` member; RFC 7946 files
without one are CRS84). Invalid polygons are repaired with ``ST_MakeValid`` and counted;
polygons that cannot be repaired, missing codes and duplicates go to rejects. National files are
narrowed to the study area (``keep_codes``) right after reading, and the features left out are
counted, not listed one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located
from pipeline.rejects import Rejects

# Property names of each layer, as ONS publishes them and as republishers renamed them.
FIELDS = {
    "lsoa2011": (("LSOA11CD", "lsoa11cd", "LSOA11_CD", "code"), ("LSOA11NM", "lsoa11nm", "LSOA11_NM", "name")),
    "lsoa2021": (("LSOA21CD", "lsoa21_code", "lsoa21cd", "code"), ("LSOA21NM", "lsoa21_name", "lsoa21nm", "name")),
    "lad": (
        ("LAD13CD", "LAD19CD", "LAD21CD", "LAD22CD", "LAD23CD", "LAD24CD", "ladcd", "code"),
        ("LAD13NM", "LAD19NM", "LAD21NM", "LAD22NM", "LAD23NM", "LAD24NM", "ladnm", "name"),
    ),
    "ward": (("WD24CD", "wd24cd", "ward24_code"), ("WD24NM", "wd24nm", "ward24_name")),
    "subicb": (("SICBL22CD", "SICBL23CD", "sicbl22cd"), ("SICBL22NM", "SICBL23NM", "sicbl22nm")),
}
LAD_OF_WARD = ("LAD24CD", "lad24cd", "ltla24_code")


@dataclass(frozen=True)
class BoundaryFile:
    located: Located
    lad_code: str | None  # the district a per-district file belongs to


def _pick(columns: list[str], wanted: tuple[str, ...], label: str, what: str) -> str:
    for name in wanted:
        if name in columns:
            return name
    raise SourceFormatError(
        label,
        f"no {what} property (looked for {', '.join(wanted)}; file has {', '.join(columns)})",
        row=1,
        field=wanted[0],
    )


@dataclass(frozen=True)
class BoundaryRead:
    rows_in: int  # features in scope (read, less those outside keep_codes)
    repaired: int
    rejects: Rejects
    outside: int  # features left out because they are outside the study area


def read_boundaries(
    con: duckdb.DuckDBPyConnection,
    files: list[BoundaryFile],
    table: str,
    *,
    layer: str,
    keep_codes: list[str] | None = None,
) -> BoundaryRead:
    """Load polygons into temp table ``table`` (code, name, lad_code, geom in EPSG:27700, repaired, source)."""
    code_fields, name_fields = FIELDS[layer]
    con.execute(f"""CREATE OR REPLACE TEMP TABLE "{table}_raw" (
        code VARCHAR, name VARCHAR, lad_code VARCHAR, geom GEOMETRY, crs VARCHAR, source_file VARCHAR,
        source_row BIGINT)""")
    for item in files:
        label, path = item.located.label, str(item.located.path)
        try:
            columns = [r[0] for r in con.execute("DESCRIBE SELECT * FROM ST_Read($f)", {"f": path}).fetchall()]
        except duckdb.Error as exc:
            raise SourceFormatError(label, f"not a readable GeoJSON/vector file: {str(exc).splitlines()[0]}") from exc
        code_col = _pick(columns, code_fields, label, "area code")
        name_col = _pick(columns, name_fields, label, "area name")
        lad_col = next((c for c in LAD_OF_WARD if c in columns), None) if layer == "ward" else None
        lad = f'coalesce(trim("{lad_col}"::VARCHAR), $lad)' if lad_col else "$lad"
        # Feature order is file order; row numbers count features from 1.
        con.execute(
            f"""
            INSERT INTO "{table}_raw"
            SELECT trim("{code_col}"::VARCHAR), trim("{name_col}"::VARCHAR), {lad}, geom, ST_CRS(geom), $label,
                   row_number() OVER ()
            FROM ST_Read($f)""",
            {"f": path, "lad": item.lad_code, "label": label},
        )
        crs = con.execute(f'SELECT DISTINCT crs FROM "{table}_raw" WHERE source_file = $l', {"l": label}).fetchall()
        if len(crs) > 1:
            raise SourceFormatError(label, f"features declare different CRSs: {[c[0] for c in crs]}")
        if crs and crs[0][0] in ("EPSG:4326", "OGC:CRS84"):
            bad = con.execute(
                f"""SELECT min(source_row) FROM "{table}_raw" WHERE source_file = $l
                AND (ST_XMin(geom) < -180 OR ST_XMax(geom) > 180 OR ST_YMin(geom) < -90 OR ST_YMax(geom) > 90)""",
                {"l": label},
            ).fetchone()[0]
            if bad is not None:
                raise SourceFormatError(
                    label,
                    "coordinates are not longitude/latitude, but the file declares no other "
                    "CRS; add a 'crs' member naming it (e.g. EPSG:27700)",
                    row=bad,
                    field="geometry",
                )

    outside = 0
    if keep_codes is not None:  # a table of the codes to keep: list_contains per row is slow for England's 33,755
        con.execute(
            f'CREATE OR REPLACE TEMP TABLE "{table}_keep" AS SELECT DISTINCT unnest($keep) AS code',
            {"keep": keep_codes},
        )
        not_kept = f"""is_gss_code(code) AND code NOT IN (SELECT code FROM "{table}_keep")"""
        outside = con.execute(f'SELECT count(*) FROM "{table}_raw" WHERE {not_kept}').fetchone()[0]
        con.execute(f'DELETE FROM "{table}_raw" WHERE {not_kept}')
    rejects = Rejects()
    rejects.extend_from(
        con,
        f"""
        SELECT source_file, source_row, 'code', code,
               CASE WHEN code IS NULL OR code = '' THEN 'missing area code' ELSE 'malformed area code' END, 'invalid'
        FROM "{table}_raw" WHERE NOT is_gss_code(code)""",
    )
    rejects.extend_from(
        con,
        f"""
        SELECT source_file, source_row, 'geometry', NULL, 'missing or empty geometry', 'invalid', code
        FROM "{table}_raw" WHERE is_gss_code(code) AND (geom IS NULL OR ST_IsEmpty(geom))""",
    )
    # Repair in the source CRS, keep only the polygonal part, then reproject.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE "{table}_fixed" AS
        SELECT *, NOT ST_IsValid(geom) AS repaired,
               ST_Transform(
                   CASE WHEN ST_IsValid(geom) THEN geom ELSE ST_CollectionExtract(ST_MakeValid(geom), 3) END,
                   crs, 'EPSG:27700', always_xy := true) AS geom_bng
        FROM "{table}_raw"
        WHERE is_gss_code(code) AND geom IS NOT NULL AND NOT ST_IsEmpty(geom)""")
    rejects.extend_from(
        con,
        f"""
        SELECT source_file, source_row, 'geometry', code,
        'polygon cannot be repaired into a valid area', 'invalid', code
        FROM "{table}_fixed" WHERE geom_bng IS NULL OR ST_IsEmpty(geom_bng) OR ST_Area(geom_bng) <= 0""",
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE "{table}_ranked" AS
        SELECT *, row_number() OVER (PARTITION BY code ORDER BY source_file, source_row) AS copy_number
        FROM "{table}_fixed" WHERE geom_bng IS NOT NULL AND NOT ST_IsEmpty(geom_bng) AND ST_Area(geom_bng) > 0""")
    rejects.extend_from(
        con,
        f"""
        SELECT source_file, source_row, 'code', code, 'duplicate area code (first feature kept)', 'duplicate', code
        FROM "{table}_ranked" WHERE copy_number > 1""",
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE "{table}" AS
        SELECT code, name, lad_code, repaired, ST_SetCRS(ST_Multi(geom_bng), 'EPSG:27700') AS geom,
               source_file, source_row
        FROM "{table}_ranked" WHERE copy_number = 1""")
    rows_in = con.execute(f'SELECT count(*) FROM "{table}_raw"').fetchone()[0]
    repaired = con.execute(f'SELECT count(*) FROM "{table}" WHERE repaired').fetchone()[0]
    for suffix in ("_raw", "_fixed", "_ranked"):
        con.execute(f'DROP TABLE "{table}{suffix}"')
    return BoundaryRead(rows_in, repaired, rejects, outside)
