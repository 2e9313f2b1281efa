"""The digital-exclusion index per LSOA, its sensitivity to the weights, and its hotspots."""

import dagster as dg

from assets.checks_support import count_check, query
from assets.metadata import materialize_each, specs, table_metadata
from assets.resources import DuckDBResource, SettingsResource, StorageResource
from pipeline.analysis.hotspots import build_hotspots
from pipeline.analysis.index import build_lsoa_index
from pipeline.analysis.indicators import INDICATORS, build_lsoa_indicators
from pipeline.analysis.sensitivity import build_index_sensitivity

INDEX_INPUTS = ["postcodes", "broadband_coverage", "census_age", "imd2019", "lsoa_districts", "rurality",
                "lsoa_boundaries", "population_density"]


@dg.asset(group_name="analysis", kinds={"duckdb", "parquet"}, deps=INDEX_INPUTS)
def lsoa_indicators(settings: SettingsResource, storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Every indicator per study-area LSOA (long form), each with its source, release and resolution."""
    with duckdb.connect() as con:
        result = build_lsoa_indicators(con, storage.paths(), list(settings.get().lad_codes))
        meta = table_metadata(result, con)
    storage.refresh_catalog()
    return dg.MaterializeResult(metadata=meta)


@dg.multi_asset(group_name="analysis", specs=specs(
    [lsoa_indicators, "imd2019", "lsoa_districts", "rurality", "census_age"], {"duckdb", "parquet"},
    lsoa_index="Index, components, rank and decile per LSOA (0-10, 10 = highest risk).",
    lsoa_indicator_scores="Each indicator's 0-10 score and the range it was scaled on."))
def lsoa_index(settings: SettingsResource, storage: StorageResource, duckdb: DuckDBResource):
    """Indicators min-max scaled to 0-10 and weighted into components and the index (mode and base from config)."""
    with duckdb.connect() as con:
        yield from materialize_each(build_lsoa_index(con, storage.paths(), settings.get()), con)
    storage.refresh_catalog()


@dg.asset(group_name="analysis", kinds={"duckdb", "parquet"}, deps=["lsoa_index", "lsoa_indicator_scores"])
def index_sensitivity(settings: SettingsResource, storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Share of the top-20 LSOAs that stay in the top 20 when each weight moves by +/-20%."""
    with duckdb.connect() as con:
        result = build_index_sensitivity(con, storage.paths(), settings.get())
        meta = table_metadata(result, con)
    storage.refresh_catalog()
    return dg.MaterializeResult(metadata=meta)


@dg.multi_asset(group_name="analysis", specs=specs(
    ["lsoa_index", "lsoa_boundaries", "postcodes"], {"duckdb", "parquet"},
    hotspots="Getis-Ord Gi* z, p and hot/cold-spot class per LSOA.",
    lsoa_neighbours="Neighbour pairs used by Gi*: contiguity, else nearest LSOAs."))
def hotspots(settings: SettingsResource, storage: StorageResource, duckdb: DuckDBResource):
    """Statistically significant clusters of high and low index scores."""
    paths = storage.paths()
    with duckdb.connect() as con:
        result = build_hotspots(con, paths, settings.get())
        yield dg.MaterializeResult(asset_key="hotspots", metadata=table_metadata(result, con))
        pairs = con.execute("SELECT count(*) FROM neighbours").fetchone()[0]
    yield dg.MaterializeResult(asset_key="lsoa_neighbours", metadata={
        "dagster/row_count": pairs, "path": dg.MetadataValue.path(str(paths.table_path("lsoa_neighbours")))})
    storage.refresh_catalog()


def _study_lsoas(settings: SettingsResource, storage: StorageResource) -> int:
    return query(storage, "SELECT count(*) FROM lsoa_districts WHERE list_contains($lads, lad_code)", ("lsoa_districts",),
                 {"lads": list(settings.get().lad_codes)})[0][0]


@dg.asset_check(asset=lsoa_indicators, blocking=True)
def indicator_percentages_in_range(storage: StorageResource) -> dg.AssetCheckResult:
    """Percentage indicators lie within 0-100 and none is NaN."""
    return count_check(storage, "lsoa_indicators", "indicator LIKE 'pct_%' AND (value NOT BETWEEN 0 AND 100 OR isnan(value))",
                       what="have a percentage outside 0-100")


@dg.asset_check(asset=lsoa_indicators)
def indicators_complete(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Each study-area LSOA has a value for every indicator (gaps are listed, and the index reweights around them)."""
    n = _study_lsoas(settings, storage)
    have = dict(query(storage, "SELECT indicator, count(value) FROM lsoa_indicators GROUP BY 1", ("lsoa_indicators",)))
    missing = {name: n - have.get(name, 0) for name in INDICATORS if n - have.get(name, 0)}
    return dg.AssetCheckResult(passed=not missing, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"study_area_lsoas": n, "lsoas_missing_indicator": missing})


@dg.asset_check(asset="lsoa_index", blocking=True)
def one_index_row_per_study_lsoa(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    n = _study_lsoas(settings, storage)
    rows, distinct = query(storage, "SELECT count(*), count(DISTINCT lsoa11cd) FROM lsoa_index", ("lsoa_index",))[0]
    return dg.AssetCheckResult(passed=rows == distinct == n, metadata={"study_area_lsoas": n, "index_rows": rows,
                                                                       "distinct_lsoas": distinct})


@dg.asset_check(asset="lsoa_index", blocking=True)
def index_scores_within_0_10(storage: StorageResource) -> dg.AssetCheckResult:
    """The index and every component score lie within 0-10 and none is NULL or NaN."""
    columns = [r[0] for r in query(storage, "SELECT column_name FROM (DESCRIBE lsoa_index)", ("lsoa_index",))
               if r[0] == "index_score" or r[0].endswith("_score")]
    where = " OR ".join(f"{c} IS NULL OR isnan({c}) OR {c} NOT BETWEEN 0 AND 10" for c in columns)
    result = count_check(storage, "lsoa_index", where, what="have a score outside 0-10, NULL or NaN")
    return dg.AssetCheckResult(passed=result.passed, metadata={**result.metadata, "columns_checked": columns})


@dg.asset_check(asset="hotspots", blocking=True)
def every_lsoa_has_a_hotspot_class(settings: SettingsResource, storage: StorageResource) -> dg.AssetCheckResult:
    """Every study LSOA has neighbours, a finite Gi* z-score and a class."""
    n = _study_lsoas(settings, storage)
    rows, bad = query(storage, """SELECT count(*), count(*) FILTER (neighbours < 1 OR gi_z IS NULL OR isnan(gi_z)
        OR gi_p NOT BETWEEN 0 AND 1 OR hotspot_class IS NULL) FROM hotspots""", ("hotspots",))[0]
    return dg.AssetCheckResult(passed=rows == n and bad == 0, metadata={"rows": rows, "study_area_lsoas": n,
                                                                        "invalid_rows": bad})
