"""The ONS geography lookups (LSOA 2011 -> 2021 -> LAD 2022; LSOA 2021 -> ward 2024 -> LAD 2024)
and the study area's crosswalk between the two LSOA vintages."""

from __future__ import annotations

import duckdb

from pipeline.fetch import locate
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, derived, publish_read
from pipeline.paths import Paths
from pipeline.readers.lsoa_lookup import read_lsoa_lookup
from pipeline.readers.ward_lookup import read_ward_lookup
from pipeline.registry import LSOA11_LSOA21_LOOKUP, LSOA21_WARD_LOOKUP
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import write_parquet


def build_lsoa_lookup(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """Every LSOA (2011) -> LSOA (2021) pair in England and Wales, with its change indicator."""
    located = locate(LSOA11_LSOA21_LOOKUP, paths)
    read = read_lsoa_lookup(con, located)
    changes = dict(con.execute("SELECT chgind, count(*) FROM lsoa_lookup GROUP BY 1 ORDER BY 1").fetchall())
    return publish_read(
        con,
        paths,
        "lsoa_lookup",
        read,
        [located],
        LSOA11_LSOA21_LOOKUP,
        "lsoa11cd, lsoa21cd",
        counts={"pairs_by_change": changes},
    )


def build_lsoa_wards(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """Every LSOA (2021) with its ward and district (May 2024), with names."""
    located = locate(LSOA21_WARD_LOOKUP, paths)
    read = read_ward_lookup(con, located)
    wards = con.execute(
        "SELECT count(DISTINCT ward_code) FROM ward_lookup WHERE list_contains($l, lad_code)",
        {"l": list(settings.lad_codes)},
    ).fetchone()[0]
    return publish_read(
        con, paths, "lsoa_wards", read, [located], LSOA21_WARD_LOOKUP, "lsoa21cd", counts={"study_area_wards": wards}
    )


def build_lsoa_crosswalk(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """Pairs of 2011 and 2021 LSOAs touching the study area (both lookups together)."""
    written = write_parquet(
        con,
        sql("lsoa_crosswalk"),
        paths.table_path("lsoa_crosswalk"),
        sources={
            LSOA11_LSOA21_LOOKUP.key: "count(*) FILTER (chgind IS NOT NULL)",
            LSOA21_WARD_LOOKUP.key: "count(*) FILTER (lad21_code IS NOT NULL)",
        },
        params={"lads": list(settings.lad_codes)},
    )
    counts = dict(
        zip(
            ("lsoa21_in_study", "lsoa11_touching_study", "pairs_without_2011_lsoa"),
            con.execute(
                """
        SELECT count(DISTINCT lsoa21cd) FILTER (lsoa21_in_study), count(DISTINCT lsoa11cd),
               count(*) FILTER (lsoa11cd IS NULL AND lsoa21_in_study)
        FROM read_parquet($p)""",
                {"p": str(written.path)},
            ).fetchone(),
            strict=False,
        )
    )
    by_change = dict(
        con.execute(
            """SELECT coalesce(chgind, 'not in 2011 lookup'), count(DISTINCT lsoa21cd)
        FROM read_parquet($p) WHERE lsoa21_in_study GROUP BY 1 ORDER BY 1""",
            {"p": str(written.path)},
        ).fetchall()
    )
    return derived(
        "lsoa_crosswalk", written, counts | {"study_lsoa21_by_change": by_change, "vintage": vintage_of(settings).label}
    )
