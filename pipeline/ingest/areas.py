"""The study area's small areas (``lsoa_areas``): every LSOA of the configured vintage in the
study districts, with its name, ward, district, Census 2021 residents and boundary. It is the
list every later table is made for, taken from the ONS lookups so that a row rejected from one
national file never removes a neighbourhood."""

from __future__ import annotations

import duckdb

from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, derived
from pipeline.inputs import use_crosswalk
from pipeline.paths import Paths
from pipeline.registry import (
    CENSUS_TS007A,
    CODEPOINT_OPEN,
    LSOA11_LSOA21_LOOKUP,
    LSOA21_WARD_LOOKUP,
    LSOA2011_BOUNDARIES,
    LSOA2021_BOUNDARIES,
    ONS_POSTCODE_LOOKUP,
)
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import write_parquet


def build_lsoa_areas(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    vintage = vintage_of(settings)
    use_crosswalk(con, paths, vintage)
    boundaries = LSOA2021_BOUNDARIES if vintage.year == 2021 else LSOA2011_BOUNDARIES
    on_2011 = vintage.year == 2011
    written = write_parquet(
        con,
        sql("lsoa_areas"),
        paths.table_path("lsoa_areas"),
        vintage=vintage,
        params={"vintage": vintage.key, "lads": list(settings.lad_codes)},
        sources={
            LSOA21_WARD_LOOKUP.key: "count(*) FILTER (ward_code IS NOT NULL)",
            LSOA11_LSOA21_LOOKUP.key: "count(*) FILTER (lsoa_changes IS NOT NULL)",
            CENSUS_TS007A.key: "count(*) FILTER (residents_2021 IS NOT NULL)",
            boundaries.key: "count(*) FILTER (has_boundary)",
            CODEPOINT_OPEN.key: "count(*)" if on_2011 else 0,
            ONS_POSTCODE_LOOKUP.key: "count(*)" if on_2011 else 0,
        },
    )
    p = {"p": str(written.path)}
    per_district = dict(
        con.execute("SELECT lad_code, count(*) FROM read_parquet($p) GROUP BY 1 ORDER BY 1", p).fetchall()
    )
    wards, residents, without_ward, without_census, without_boundary = con.execute(
        """
        SELECT count(DISTINCT ward_code), sum(residents_2021), count(*) FILTER (ward_name IS NULL),
               count(*) FILTER (residents_2021 IS NULL), count(*) FILTER (NOT has_boundary)
        FROM read_parquet($p)""",
        p,
    ).fetchone()
    missing_districts = [lad for lad in settings.lad_codes if lad not in per_district]
    return derived(
        "lsoa_areas",
        written,
        {
            "small_area": vintage.label,
            "lsoas": written.rows,
            "lsoas_per_district": per_district,
            "wards": wards,
            "residents_2021": round(residents or 0),
            "lsoas_without_ward": without_ward,
            "lsoas_without_census": without_census,
            "lsoas_without_boundary": without_boundary,
            "study_districts_without_lsoas": missing_districts,
        },
    )
