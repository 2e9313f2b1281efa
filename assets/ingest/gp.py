"""GP sites: active practices and open branch surgeries, placed at their postcodes."""


import dagster as dg

from assets.checks_support import count_check, query
from assets.metadata import table_metadata
from assets.resources import DuckDBResource, SettingsResource, StorageResource
from pipeline.ingest.gp_sites import build_gp_sites


@dg.asset(group_name="ingest", kinds={"duckdb", "geoparquet"}, deps=["postcodes", "codepoint_open"])
def gp_sites(storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Active GP practices (status A, prescribing setting 4) and their open branches, with list size and PCN."""
    with duckdb.connect() as con:
        result = build_gp_sites(con, storage.paths())
        meta = table_metadata(result, con)
    storage.refresh_catalog()
    return dg.MaterializeResult(metadata=meta)


@dg.asset_check(asset=gp_sites, blocking=True)
def active_practices_geocoded(storage: StorageResource) -> dg.AssetCheckResult:
    """Every active GP practice in the source has a position: none was dropped for an unknown postcode."""
    rows = query(storage, """SELECT source_file, row_number, value FROM read_parquet($p)
                             WHERE kind = 'invalid' AND reason LIKE 'postcode not found%'""", (),
                 {"p": str(storage.paths().rejects / "gp_sites.parquet")})
    return dg.AssetCheckResult(passed=not rows, metadata={"not_geocoded": len(rows),
                                                          "examples": [f"{f} row {r}: {v}" for f, r, v in rows[:10]]})


@dg.asset_check(asset=gp_sites, blocking=True)
def gp_site_codes_unique(storage: StorageResource) -> dg.AssetCheckResult:
    return count_check(storage, "gp_sites", "site_code IN (SELECT site_code FROM gp_sites GROUP BY 1 HAVING count(*) > 1)",
                       what="share a site code")


@dg.asset_check(asset=gp_sites)
def every_district_has_a_practice(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Each study-area district has at least one active practice (a gap suggests the wrong epraccur extract)."""
    lads = list(settings.get().lad_codes)
    found = dict(query(storage, "SELECT lad_code, count(*) FROM gp_sites WHERE site_type = 'practice' GROUP BY 1",
                       ("gp_sites",)))
    missing = [lad for lad in lads if not found.get(lad)]
    return dg.AssetCheckResult(passed=not missing, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"practices_per_district": {lad: found.get(lad, 0) for lad in lads},
                                         "districts_without_practice": missing})
