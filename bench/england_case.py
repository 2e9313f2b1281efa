"""Case 2: all of England through the `indicators` job, with what it produced."""

from __future__ import annotations

import duckdb

from bench.dagster_case import run_job
from pipeline.paths import Paths


def run() -> dict:
    out = run_job("indicators")
    processed = Paths.from_env().processed
    con = duckdb.connect()
    indicators = str(processed / "lsoa_indicators.parquet")
    out["lsoas"], out["lsoas_with_imd"], out["lsoas_with_rurality"], out["lsoas_with_gigabit"] = con.execute(f"""
        SELECT count(DISTINCT lsoa11cd), count(DISTINCT lsoa11cd) FILTER (indicator = 'imd_rank' AND value IS NOT NULL),
               count(DISTINCT lsoa11cd) FILTER (indicator = 'rural_class' AND value IS NOT NULL),
               count(DISTINCT lsoa11cd) FILTER (indicator = 'pct_no_gigabit' AND value IS NOT NULL)
        FROM read_parquet('{indicators}')""").fetchone()
    postcodes = str(processed / "postcodes" / "*.parquet")
    out["districts"], out["postcodes"] = con.execute(
        f"SELECT count(DISTINCT lad_code), count(*) FROM read_parquet('{postcodes}')").fetchone()
    out["postcodes_by_method"] = dict(con.execute(
        f"SELECT lsoa_method, count(*) FROM read_parquet('{postcodes}') GROUP BY 1 ORDER BY 1").fetchall())
    return out
