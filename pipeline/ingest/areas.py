"""LSOA-level sources: deprivation (IMD 2019), rurality (RUC 2011), density and Census 2021 age."""

from __future__ import annotations

import duckdb

from pipeline.fetch import Located, locate
from pipeline.ingest.result import TableResult, account
from pipeline.paths import Paths
from pipeline.readers.census import BANDS, read_census_age
from pipeline.readers.imd import read_imd
from pipeline.readers.lsoa_lookup import read_lsoa_lookup
from pipeline.readers.population_density import read_population_density
from pipeline.readers.ruc import read_ruc
from pipeline.registry import (CENSUS2021_AGE, CODEPOINT_OPEN, IMD2019, LSOA11_LSOA21_LOOKUP, ONS_POSTCODE_LOOKUP,
                               POPULATION_DENSITY, RUC2011, Source)
from pipeline.rejects import Rejects
from pipeline.sqlfiles import register_parquet, sql
from pipeline.store import write_parquet


def _locate_each_file(source: Source, paths: Paths) -> list[Located]:
    """Sources made of several named files (IMD Files 1, 2, 6): each one must be found."""
    return [locate(Source(**{**source.__dict__, "files": (name,)}), paths) for name in source.files]


def build_imd2019(con: duckdb.DuckDBPyConnection, paths: Paths) -> TableResult:
    """All 32,844 English LSOAs: IMD and domain ranks and deciles, mid-2015 population."""
    files = _locate_each_file(IMD2019, paths)
    read = read_imd(con, *files)
    keys = (IMD2019.key,)
    written = write_parquet(con, "SELECT * FROM imd ORDER BY lsoa11cd", paths.table_path("imd2019"), source_keys=keys)
    read.rejects.write(con, paths.rejects / "imd2019.parquet", list(keys))
    rows_in, kept = account(read, written.rows)
    return TableResult("imd2019", [written], rows_in, kept, read.rejects, files, keys)


def build_lsoa_districts(con: duckdb.DuckDBPyConnection, paths: Paths) -> TableResult:
    """Every IMD 2019 LSOA with its present-day district, so any current district list finds its LSOAs."""
    for name in ("imd2019", "codepoint_open", "ons_postcode_lookup"):
        register_parquet(con, name, paths.table_path(name))
    keys = (IMD2019.key, CODEPOINT_OPEN.key, ONS_POSTCODE_LOOKUP.key)
    written = write_parquet(con, sql("lsoa_districts"), paths.table_path("lsoa_districts"), source_keys=keys)
    register_parquet(con, "lsoa_districts", written.path)
    rows_in = con.execute("SELECT count(*) FROM imd2019").fetchone()[0]
    return TableResult("lsoa_districts", [written], rows_in, written.rows, Rejects(), [], keys,
                       {"districts_formed_since_imd2019": districts_formed_since_imd2019(con)})


def districts_formed_since_imd2019(con: duckdb.DuckDBPyConnection, lads: list[str] | None = None) -> dict[str, list[str]]:
    """Each present-day district that IMD 2019 does not know, with the 2019 districts it was formed from
    (from the ``lsoa_districts`` view; only ``lads`` when given)."""
    return dict(con.execute("""
        SELECT lad_code, list(DISTINCT lad_code_2019 ORDER BY lad_code_2019) FROM lsoa_districts
        WHERE lad_code <> lad_code_2019 AND ($lads IS NULL OR list_contains($lads, lad_code))
        GROUP BY 1 ORDER BY 1""", {"lads": lads}).fetchall())


def build_rurality(con: duckdb.DuckDBPyConnection, paths: Paths) -> TableResult:
    """RUC 2011 for every LSOA in England and Wales."""
    located = locate(RUC2011, paths)
    read = read_ruc(con, located)
    keys = (RUC2011.key,)
    written = write_parquet(con, "SELECT * FROM ruc ORDER BY lsoa11cd", paths.table_path("rurality"), source_keys=keys)
    read.rejects.write(con, paths.rejects / "rurality.parquet", list(keys))
    rows_in, kept = account(read, written.rows)
    return TableResult("rurality", [written], rows_in, kept, read.rejects, [located], keys)


def build_population_density(con: duckdb.DuckDBPyConnection, paths: Paths) -> TableResult:
    located = locate(POPULATION_DENSITY, paths)
    read = read_population_density(con, located)
    keys = (POPULATION_DENSITY.key,)
    written = write_parquet(con, "SELECT * FROM population_density ORDER BY lsoa11cd",
                            paths.table_path("population_density"), source_keys=keys)
    read.rejects.write(con, paths.rejects / "population_density.parquet", list(keys))
    rows_in, kept = account(read, written.rows)
    return TableResult("population_density", [written], rows_in, kept, read.rejects, [located], keys)


CENSUS_TO_LSOA11 = f"""
-- Census 2021 counts are per LSOA (2021). Every 2021 LSOA has one 2011 parent here: unchanged (U)
-- and split (S) LSOAs sum back exactly; an irregular (X) 2011 LSOA whose 2021 pieces are not all
-- in the census extract is marked partial and its missing pieces listed.
WITH pieces AS (
    SELECT l.lsoa11cd, l.lsoa21cd, l.chgind, c.lsoa21cd IS NOT NULL AS present, c.* EXCLUDE (lsoa21cd, source_row)
    FROM lsoa_lookup l LEFT JOIN census_age21 c USING (lsoa21cd)
)
SELECT lsoa11cd,
       {", ".join(f"sum({b})::BIGINT AS {b}" for b in BANDS.values())},
       ({" + ".join(f"sum({b})" for b in BANDS.values())})::BIGINT AS residents,
       round(100.0 * sum(age_65_plus) / nullif({" + ".join(f"sum({b})" for b in BANDS.values())}, 0), 3) AS pct_65_plus,
       string_agg(lsoa21cd, ';' ORDER BY lsoa21cd) FILTER (present) AS lsoa21_codes,
       string_agg(lsoa21cd, ';' ORDER BY lsoa21cd) FILTER (NOT present) AS lsoa21_missing,
       CASE WHEN bool_and(present) THEN
                CASE WHEN bool_and(chgind = 'U') THEN 'unchanged' ELSE 'sum of 2021 pieces' END
            ELSE 'partial' END AS mapping
FROM pieces
GROUP BY lsoa11cd
HAVING bool_or(present)
ORDER BY lsoa11cd
"""


def build_census_age(con: duckdb.DuckDBPyConnection, paths: Paths) -> TableResult:
    """Census 2021 age bands per LSOA (2011), mapped through the ONS 2011->2021 lookup."""
    census = locate(CENSUS2021_AGE, paths)
    lookup = locate(LSOA11_LSOA21_LOOKUP, paths)
    read = read_census_age(con, census)
    lookup_read = read_lsoa_lookup(con, lookup)
    rejects = Rejects(read.rejects.rows + lookup_read.rejects.rows)
    # A census LSOA the lookup does not know cannot be placed in 2011 geography.
    orphans = con.execute("""
        SELECT c.lsoa21cd, c.source_row FROM census_age21 c
        WHERE NOT EXISTS (SELECT 1 FROM lsoa_lookup l WHERE l.lsoa21cd = c.lsoa21cd) ORDER BY 1""").fetchall()
    for code, _row in orphans:
        for line in read.notes["lines"][code]:
            rejects.add(census.label, line, "lsoa21_code", code, "LSOA (2021) not in the 2011->2021 lookup")
    keys = (CENSUS2021_AGE.key, LSOA11_LSOA21_LOOKUP.key)
    written = write_parquet(con, CENSUS_TO_LSOA11, paths.table_path("census_age"), source_keys=keys)
    rejects.write(con, paths.rejects / "census_age.parquet", list(keys))
    read.rejects = rejects
    read.rows_kept = (read.rows_kept or 0) - len(orphans) * len(BANDS)
    rows_in, kept = account(read)
    partial = con.execute("SELECT count(*) FROM read_parquet($p) WHERE mapping = 'partial'",
                          {"p": str(written.path)}).fetchone()[0]
    residents = con.execute("SELECT sum(residents) FROM read_parquet($p)", {"p": str(written.path)}).fetchone()[0]
    return TableResult("census_age", [written], rows_in, kept, rejects, [census, lookup], keys,
                       {"lsoa11_rows": written.rows, "lsoa11_partial": partial, "residents": int(residents or 0)})
