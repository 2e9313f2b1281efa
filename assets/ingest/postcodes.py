"""Postcodes: OS Code-Point Open positions, the ONS postcode -> LSOA lookup, and the study-area table."""


import dagster as dg

from assets.checks_support import count_check, expected_rows_check, query
from assets.metadata import table_metadata
from assets.partitions import LAD_PARTITIONS, backfill_policy, lads_for
from assets.resources import DuckDBResource, SettingsResource, StorageResource
from pipeline.ingest.postcodes import build_codepoint_open, build_ons_postcode_lookup, build_postcodes
from pipeline.registry import CODEPOINT_OPEN, ONS_POSTCODE_LOOKUP


@dg.asset(group_name="ingest", kinds={"duckdb", "parquet"})
def codepoint_open(storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Every GB postcode with a grid position (OS Code-Point Open); postcodes at 0,0 are rejected."""
    with duckdb.connect() as con:
        result = build_codepoint_open(con, storage.paths())
        meta = table_metadata(result, con)
    storage.refresh_catalog()
    return dg.MaterializeResult(metadata=meta)


@dg.asset(group_name="ingest", kinds={"duckdb", "parquet"})
def ons_postcode_lookup(storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """ONS postcode -> OA/LSOA/MSOA/LAD best-fit lookup (May 2022), live and terminated rows."""
    with duckdb.connect() as con:
        result = build_ons_postcode_lookup(con, storage.paths())
        meta = table_metadata(result, con)
    storage.refresh_catalog()
    return dg.MaterializeResult(metadata=meta)


@dg.asset(group_name="ingest", kinds={"duckdb", "parquet"}, partitions_def=LAD_PARTITIONS,
          backfill_policy=backfill_policy(), deps=[codepoint_open, ons_postcode_lookup, "lsoa_boundaries"])
def postcodes(context: dg.AssetExecutionContext, storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Study-area postcodes with position (EPSG:27700 and WGS84) and LSOA, one file per district."""
    with duckdb.connect() as con:
        result = build_postcodes(con, storage.paths(), lads_for(context))
        meta = table_metadata(result, con)
    storage.refresh_catalog()
    return dg.MaterializeResult(metadata=meta)


@dg.asset_check(asset=codepoint_open, blocking=True)
def codepoint_postcode_unique(storage: StorageResource) -> dg.AssetCheckResult:
    """Each postcode appears once."""
    return count_check(storage, "codepoint_open", "postcode IN (SELECT postcode FROM codepoint_open GROUP BY 1 HAVING count(*) > 1)",
                       what="share a postcode")


@dg.asset_check(asset=codepoint_open)
def codepoint_expected_rows(storage: StorageResource) -> dg.AssetCheckResult:
    """A complete Code-Point Open release holds about 1.74 million postcodes."""
    return expected_rows_check(storage, "codepoint_open", CODEPOINT_OPEN.expected_rows)


@dg.asset_check(asset=ons_postcode_lookup)
def lookup_expected_rows(storage: StorageResource) -> dg.AssetCheckResult:
    """A complete lookup holds about 2.68 million postcodes, live and terminated."""
    return expected_rows_check(storage, "ons_postcode_lookup", ONS_POSTCODE_LOOKUP.expected_rows)


@dg.asset_check(asset=ons_postcode_lookup, blocking=True)
def lookup_live_postcode_unique(storage: StorageResource) -> dg.AssetCheckResult:
    """A postcode is live in at most one row."""
    return count_check(storage, "ons_postcode_lookup",
                       "is_live AND postcode IN (SELECT postcode FROM ons_postcode_lookup WHERE is_live GROUP BY 1 HAVING count(*) > 1)",
                       what="repeat a live postcode")


@dg.asset_check(asset=postcodes, blocking=True)
def postcodes_unique(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Each postcode appears once."""
    return count_check(storage, "postcodes", "list_contains($lads, lad_code) AND postcode IN "
                       "(SELECT postcode FROM postcodes GROUP BY 1 HAVING count(*) > 1)",
                       what="share a postcode", params={"lads": list(settings.get().lad_codes)})


@dg.asset_check(asset=postcodes, blocking=True)
def postcodes_every_district_present(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Every study-area district has postcodes (an empty district means a wrong LAD code or source)."""
    lads = list(settings.get().lad_codes)
    found = dict(query(storage, "SELECT lad_code, count(*) FROM postcodes GROUP BY 1", ("postcodes",)))
    empty = [lad for lad in lads if not found.get(lad)]
    return dg.AssetCheckResult(passed=not empty, metadata={"postcodes_per_district": {lad: found.get(lad, 0) for lad in lads},
                                                           "empty_districts": empty})


@dg.asset_check(asset=postcodes)
def postcodes_lsoa_assigned(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Postcodes without an LSOA are counted; warn when more than 1% of a district has none."""
    rows = query(storage, """SELECT lad_code, count(*) FILTER (lsoa_method = 'unmatched'), count(*)
                             FROM postcodes WHERE list_contains($lads, lad_code) GROUP BY 1 ORDER BY 1""",
                 ("postcodes",), {"lads": list(settings.get().lad_codes)})
    worst = max((u / n for _, u, n in rows), default=0.0)
    return dg.AssetCheckResult(passed=worst <= 0.01, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"unmatched_per_district": {lad: u for lad, u, _ in rows},
                                         "worst_share": round(worst, 4)})


@dg.asset_check(asset=postcodes)
def postcodes_agree_with_lookup(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Code-Point's count of live postcodes per district is within 5% of the ONS lookup's.

    They are independent releases (2025 and 2022), so a small gap is expected; a large one means
    a district code or file went wrong.
    """
    rows = query(storage, """
        WITH cp AS (SELECT lad_code, count(*) n FROM postcodes GROUP BY 1),
             lu AS (SELECT ladcd AS lad_code, count(*) n FROM ons_postcode_lookup WHERE is_live GROUP BY 1)
        SELECT cp.lad_code, cp.n, lu.n FROM cp LEFT JOIN lu USING (lad_code)
        WHERE list_contains($lads, cp.lad_code) ORDER BY 1""", ("postcodes", "ons_postcode_lookup"),
                 {"lads": list(settings.get().lad_codes)})
    gaps = {lad: round(abs(a - (b or 0)) / a, 4) for lad, a, b in rows}
    return dg.AssetCheckResult(passed=all(g <= 0.05 for g in gaps.values()), severity=dg.AssetCheckSeverity.WARN,
                               metadata={"codepoint_vs_lookup": {lad: f"{a} vs {b}" for lad, a, b in rows},
                                         "relative_gap": gaps})


@dg.asset_check(asset=postcodes, blocking=True)
def postcodes_in_great_britain(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Positions lie in Great Britain (WGS84 latitude 49.8-61, longitude -8.7-2)."""
    return count_check(storage, "postcodes", "list_contains($lads, lad_code) AND NOT "
                       "(lat BETWEEN 49.8 AND 61 AND lon BETWEEN -8.7 AND 2.0)", what="lie outside Great Britain",
                       params={"lads": list(settings.get().lad_codes)})
