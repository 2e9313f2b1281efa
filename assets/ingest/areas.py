"""LSOA-level sources: IMD 2019, rural-urban classification, population density and Census 2021 age."""


import dagster as dg

from assets.checks_support import count_check, expected_rows_check, query
from assets.metadata import table_metadata
from assets.resources import DuckDBResource, SettingsResource, StorageResource
from pipeline.ingest.areas import (build_census_age, build_imd2019, build_lsoa_districts, build_population_density,
                                   build_rurality)
from pipeline.registry import IMD2019, RUC2011


def _materialize(builder, storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    with duckdb.connect() as con:
        result = builder(con, storage.paths())
        meta = table_metadata(result, con)
    storage.refresh_catalog()
    return dg.MaterializeResult(metadata=meta)


@dg.asset(group_name="ingest", kinds={"duckdb", "parquet"})
def imd2019(storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """English Indices of Deprivation 2019 for all 32,844 LSOAs: IMD and domain ranks, mid-2015 population."""
    return _materialize(build_imd2019, storage, duckdb)


@dg.asset(group_name="ingest", kinds={"duckdb", "parquet"}, deps=[imd2019, "codepoint_open", "ons_postcode_lookup"])
def lsoa_districts(storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Every IMD 2019 LSOA with its present-day district (districts merged since 2019 found from their postcodes)."""
    return _materialize(build_lsoa_districts, storage, duckdb)


@dg.asset(group_name="ingest", kinds={"duckdb", "parquet"})
def rurality(storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """ONS Rural Urban Classification 2011 for every LSOA in England and Wales."""
    return _materialize(build_rurality, storage, duckdb)


@dg.asset(group_name="ingest", kinds={"duckdb", "parquet"})
def population_density(storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """ONS mid-2018 population and density per LSOA (study-area extract)."""
    return _materialize(build_population_density, storage, duckdb)


@dg.asset(group_name="ingest", kinds={"duckdb", "parquet"})
def census_age(storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Census 2021 residents by six age bands, mapped from 2021 to 2011 LSOAs through the ONS lookup."""
    return _materialize(build_census_age, storage, duckdb)


@dg.asset_check(asset=imd2019)
def imd2019_expected_rows(storage: StorageResource) -> dg.AssetCheckResult:
    """IMD 2019 covers exactly the 32,844 LSOAs of England."""
    return expected_rows_check(storage, "imd2019", IMD2019.expected_rows)


@dg.asset_check(asset=imd2019, blocking=True)
def imd2019_lsoa_unique(storage: StorageResource) -> dg.AssetCheckResult:
    return count_check(storage, "imd2019", "lsoa11cd IN (SELECT lsoa11cd FROM imd2019 GROUP BY 1 HAVING count(*) > 1)",
                       what="share an LSOA code")


@dg.asset_check(asset=lsoa_districts, blocking=True)
def study_districts_have_lsoas(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Every study-area district has LSOAs (English districts only; IMD 2019's or merged since)."""
    lads = list(settings.get().lad_codes)
    found = dict(query(storage, "SELECT lad_code, count(*) FROM lsoa_districts WHERE list_contains($lads, lad_code) "
                       "GROUP BY 1 ORDER BY 1", ("lsoa_districts",), {"lads": lads}))
    missing = [lad for lad in lads if lad not in found]
    return dg.AssetCheckResult(passed=not missing, metadata={"lsoas_per_district": found, "missing": missing,
                                                             "study_area_lsoas": sum(found.values())})


@dg.asset_check(asset=rurality)
def rurality_expected_rows(storage: StorageResource) -> dg.AssetCheckResult:
    """RUC 2011 covers the 34,753 LSOAs of England and Wales."""
    return expected_rows_check(storage, "rurality", RUC2011.expected_rows)


@dg.asset_check(asset=rurality, additional_deps=[lsoa_districts])
def rurality_covers_study_area(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Every study-area LSOA has a rural-urban class."""
    return count_check(storage, "lsoa_districts", "list_contains($lads, lad_code) AND lsoa11cd NOT IN (SELECT lsoa11cd FROM rurality)",
                       what="have no rural-urban class", params={"lads": list(settings.get().lad_codes)},
                       also=("rurality",))


@dg.asset_check(asset=census_age, blocking=True)
def census_age_shares_valid(storage: StorageResource) -> dg.AssetCheckResult:
    """Shares aged 65+ lie within 0-100% and each LSOA appears once."""
    return count_check(storage, "census_age", "pct_65_plus NOT BETWEEN 0 AND 100 OR pct_65_plus IS NULL OR lsoa11cd IN "
                       "(SELECT lsoa11cd FROM census_age GROUP BY 1 HAVING count(*) > 1)", what="are out of range or repeated")


@dg.asset_check(asset=census_age, additional_deps=[lsoa_districts])
def census_age_covers_study_area(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Every study-area LSOA has Census 2021 ages; partial mappings are listed."""
    lads = list(settings.get().lad_codes)
    missing = query(storage, """SELECT lsoa11cd FROM lsoa_districts WHERE list_contains($lads, lad_code)
                                AND lsoa11cd NOT IN (SELECT lsoa11cd FROM census_age) ORDER BY 1""",
                    ("lsoa_districts", "census_age"), {"lads": lads})
    partial = query(storage, "SELECT lsoa11cd, lsoa21_missing FROM census_age WHERE mapping = 'partial' ORDER BY 1",
                    ("census_age",))
    return dg.AssetCheckResult(passed=not missing, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"without_census": [m[0] for m in missing],
                                         "partial_mappings": {a: b for a, b in partial}})
