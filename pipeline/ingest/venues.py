"""Places that can offer inclusion support (``venues``) and where each neighbourhood's people live
(``lsoa_origins``): the two ends of every distance in ``lsoa_access`` and the siting model.

Venues are Arts Council England's open static libraries (December 2023), the current GP practices the
pipeline rates, and any files in ``data/raw/venues/`` (readers/user_venues.py says the layout). A
library or practice just over the border counts: people use the nearest, whichever council runs it.
A run without the library file or a venues folder still publishes the venues it has, and says so.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.errors import SourceMissingError
from pipeline.fetch import Located, locate, locate_each
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, account
from pipeline.paths import Paths
from pipeline.readers import Read
from pipeline.readers.libraries import read_libraries
from pipeline.readers.lsoa_pwc import read_lsoa_pwc
from pipeline.readers.user_venues import read_venue_file
from pipeline.registry import CODEPOINT_OPEN, EPRACCUR, LIBRARIES, LIBRARY_DATE, LSOA_PWC, USER_VENUES
from pipeline.rejects import Rejects
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import source_rows, write_parquet

NO_LIBRARIES = """SELECT NULL::VARCHAR AS name, NULL::VARCHAR AS address, NULL::VARCHAR AS postcode,
    NULL::DOUBLE AS easting, NULL::DOUBLE AS northing, NULL::VARCHAR AS opening_hours, NULL::DOUBLE AS hours_per_week,
    NULL::VARCHAR AS reporting_service, NULL::VARCHAR AS contact, NULL::BIGINT AS source_row WHERE false"""
# A GP venue is a current practice from epraccur (name, address, postcode) placed at its postcode's
# Code-Point Open position: the other sources of gp_sites (list sizes, PCNs, branch lists, practice IMD
# scores) feed no venue, so they are not the venues' sources.
GP_VENUE_SOURCES = (EPRACCUR.key, CODEPOINT_OPEN.key)
USER_COLUMNS = pa.schema(
    [
        ("source_file", pa.string()),
        ("source_row", pa.int64()),
        ("name", pa.string()),
        ("venue_type", pa.string()),
        ("address", pa.string()),
        ("postcode", pa.string()),
        ("easting", pa.float64()),
        ("northing", pa.float64()),
        ("located_by", pa.string()),
        ("opening_hours", pa.string()),
        ("existing", pa.bool_()),
        ("closed", pa.bool_()),
        ("stated_source", pa.string()),
        ("stated_licence", pa.string()),
    ]
)


def _libraries(con: duckdb.DuckDBPyConnection, paths: Paths) -> tuple[Read | None, Located | None]:
    try:
        located = locate(LIBRARIES, paths, download=False)
    except SourceMissingError:
        con.execute(f"CREATE OR REPLACE TEMP VIEW libraries AS {NO_LIBRARIES}")
        return None, None
    return read_libraries(con, located), located


def _user_venues(con: duckdb.DuckDBPyConnection, paths: Paths) -> tuple[list[Located], Rejects, int, dict]:
    """Every user file's kept rows in temp table ``user_venues``; (files, rejects, rows in, stated)."""
    con.register("_no_user_venues", pa.Table.from_pylist([], schema=USER_COLUMNS))
    con.execute("CREATE OR REPLACE TEMP TABLE user_venues AS SELECT * FROM _no_user_venues")
    con.unregister("_no_user_venues")
    files = locate_each(USER_VENUES, paths)
    rejects, rows_in, stated = Rejects(), 0, {}
    for located in files:
        read = read_venue_file(con, located, "_one_file")
        con.execute("INSERT INTO user_venues SELECT * FROM _one_file")
        rejects, rows_in = rejects + read.rejects, rows_in + read.rows_in
        stated[located.label] = {"source": read.stated_source, "licence": read.stated_licence}
    return files, rejects, rows_in, stated


def build_venues(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    cfg = settings.access
    libraries, library_file = _libraries(con, paths)
    files, user_rejects, user_rows_in, stated = _user_venues(con, paths)
    # A closure that names no library or GP site closes nothing: say so rather than ignore it.
    user_rejects.extend_from(
        con,
        """
        SELECT u.source_file, u.source_row, 'closed', u.name || ' (' || coalesce(u.postcode, 'no postcode') || ')',
               'marks closed a venue that is not in the library or GP lists', 'invalid', venue_key(u.name, u.postcode)
        FROM user_venues u
        WHERE u.closed AND venue_key(u.name, u.postcode) NOT IN (
            SELECT venue_key(name, postcode) FROM libraries
            UNION ALL SELECT venue_key(name, postcode) FROM gp_sites WHERE site_type = 'practice' AND listing_current)
        ORDER BY 1, 2""",
    )
    gp_keys = [k for k in GP_VENUE_SOURCES if source_rows(paths.table_path("gp_sites")).get(k)]
    sources = {
        LIBRARIES.key: "count(*) FILTER (WHERE source_key = 'libraries')",
        USER_VENUES.key: "count(*) FILTER (WHERE source_key = 'user_venues')",
    } | {k: "count(*) FILTER (WHERE source_key = 'gp_sites')" for k in gp_keys}
    notes = [f"Libraries: {LIBRARIES.release}; check a library is open before sending someone there."]
    if library_file is None:
        notes.append("No library file found: the venues are GP sites and user venues only.")
    if stated:
        notes += [
            f"{label}: source {s['source']}" + (f", licence {s['licence']}" if s["licence"] else "")
            for label, s in stated.items()
        ]
    written = write_parquet(
        con,
        sql("venues"),
        paths.table_path("venues"),
        sources=sources,
        notes=" ".join(notes),
        params={
            "search_m": cfg.venue_search_km * 1000,
            "existing_types": list(cfg.existing_types),
            "candidate_types": list(cfg.candidate_types),
            "library_date": LIBRARY_DATE,
            "library_file": library_file.label if library_file else None,
            "gp_date": f"{EPRACCUR.citation}",
        },
    )
    user_rejects.extend_from(
        con,
        f"""
        SELECT u.source_file, u.source_row, 'easting', u.easting || ', ' || u.northing,
               'more than ' || $km || ' km from the study area (access.venue_search_km)', 'out_of_scope',
               venue_key(u.name, u.postcode)
        FROM user_venues u
        WHERE NOT u.closed
          AND venue_key(u.name, u.postcode) NOT IN (SELECT venue_key(name, postcode) FROM libraries
                                                    UNION ALL SELECT venue_key(name, postcode) FROM gp_sites)
          AND NOT EXISTS (SELECT 1 FROM read_parquet('{written.path}') v
                          WHERE v.source_key = 'user_venues' AND v.source_file = u.source_file
                            AND v.source_row = u.source_row)
        ORDER BY 1, 2""",
        {"km": cfg.venue_search_km},
    )
    closed_by_user = Rejects()
    # Libraries a user file closes are valid rows set aside: each gets its record, as any row not kept.
    closed_by_user.extend_from(
        con,
        """
        SELECT $label, l.source_row, 'Name', l.name, 'closed, says ' || min(u.source_file), 'out_of_scope',
               venue_key(l.name, l.postcode)
        FROM libraries l JOIN user_venues u ON u.closed AND venue_key(u.name, u.postcode) =
        venue_key(l.name, l.postcode)
        GROUP BY l.source_row, l.name, l.postcode ORDER BY l.source_row""",
        {"label": library_file.label if library_file else None},
    )
    library_rejects = (libraries.rejects if libraries else Rejects()) + closed_by_user
    rejects = library_rejects + user_rejects
    rejects.write(con, paths.rejects / "venues.parquet", [LIBRARIES.key, USER_VENUES.key])
    counts = dict(
        con.execute(f"""SELECT venue_type || ' (' || role || ')', count(*)
                                  FROM read_parquet('{written.path}') GROUP BY 1 ORDER BY 1""").fetchall()
    )
    listed = con.execute(
        f"SELECT count(*) FROM read_parquet('{written.path}') WHERE source_key = 'libraries'"
    ).fetchone()[0]
    rows_in = kept = beyond = 0
    if libraries is not None:
        valid = con.execute("SELECT count(*) FROM libraries").fetchone()[0]
        beyond = valid - listed - closed_by_user.row_count
        libraries.rejects = library_rejects
        libraries.rows_in -= beyond  # libraries far from the study area are out of its scope: counted, not listed
        rows_in, kept = account(libraries, listed)
    return AssetResult(
        "venues",
        [written],
        rows_in + user_rows_in,
        kept + user_rows_in - user_rejects.row_count,
        rejects,
        ([library_file] if library_file else []) + files,
        {
            "venues": counts,
            "libraries_set_aside": libraries.counts.get("set_aside") if libraries else None,
            "libraries_beyond_search_km": beyond,
            "search_km": cfg.venue_search_km,
            "user_venue_files": len(files),
            "note": " ".join(notes),
        },
    )


def build_lsoa_origins(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """Where each neighbourhood's people live, as one point: ONS's population-weighted centroid where the file
    holds the LSOA (2021 base only), else the mean position of its postcodes, each counted once."""
    vintage = vintage_of(settings)
    read, located = None, None
    if vintage.year == 2021:
        try:
            located = locate(LSOA_PWC, paths, download=False)
        except SourceMissingError:
            located = None
    if located is not None:
        read = read_lsoa_pwc(con, located)
    else:
        con.execute(
            "CREATE OR REPLACE TEMP VIEW lsoa_pwc AS SELECT NULL::VARCHAR AS lsoa21cd, NULL::DOUBLE AS easting, "
            "NULL::DOUBLE AS northing, NULL::BIGINT AS source_row WHERE false"
        )
    written = write_parquet(
        con,
        sql("lsoa_origins"),
        paths.table_path("lsoa_origins"),
        vintage=vintage,
        sources={LSOA_PWC.key: "count(*) FILTER (WHERE origin = 'population-weighted centroid')"}
        | {
            k: "count(*) FILTER (WHERE origin <> 'population-weighted centroid')"
            for k, n in source_rows(paths.table_path("postcodes")).items()
            if n
        },
        params={"label": located.label if located else None},
    )
    by_origin = dict(
        con.execute(f"SELECT origin, count(*) FROM read_parquet('{written.path}') GROUP BY 1 ORDER BY 1").fetchall()
    )
    if read is None:
        Rejects().write(con, paths.rejects / "lsoa_origins.parquet", [LSOA_PWC.key])
        return AssetResult("lsoa_origins", [written], written.rows, written.rows, Rejects(), [], {"origins": by_origin})
    outside = con.execute(
        """SELECT count(*) FROM lsoa_pwc WHERE lsoa21cd NOT IN (SELECT lsoa_code FROM lsoa_areas)"""
    ).fetchone()[0]
    read.rows_in -= outside  # centroids of LSOAs outside the study area: not this table's
    rows_in, kept = account(read, by_origin.get("population-weighted centroid", 0))
    read.rejects.write(con, paths.rejects / "lsoa_origins.parquet", [LSOA_PWC.key])
    return AssetResult(
        "lsoa_origins",
        [written],
        rows_in,
        kept,
        read.rejects,
        [located],
        {"origins": by_origin, "centroids_outside_study_area": outside},
    )
