"""Case 2b: the England steps called straight from the engine, without Dagster.

Same builders, same order as the `indicators` job, one DuckDB session each: what the work
costs before orchestration (Dagster's run, event log and asset checks) is added.
"""

from __future__ import annotations

import time

from pipeline import duck
from pipeline.analysis.indicators import build_lsoa_indicators
from pipeline.ingest import areas, boundaries, broadband, postcodes
from pipeline.paths import Paths
from pipeline.settings import load_settings

STEPS = [
    ("codepoint_open", postcodes.build_codepoint_open, False),
    ("ons_postcode_lookup", postcodes.build_ons_postcode_lookup, False),
    ("imd2019", areas.build_imd2019, False),
    ("lsoa_districts", areas.build_lsoa_districts, False),
    ("rurality", areas.build_rurality, False),
    ("population_density", areas.build_population_density, False),
    ("census_age", areas.build_census_age, False),
    ("lsoa_boundaries", boundaries.build_lsoa_boundaries, True),
    ("postcodes", postcodes.build_postcodes, True),
    ("ofcom_postcode_coverage", broadband.build_ofcom_postcode_coverage, False),
    ("ofcom_postcode_district", broadband.build_ofcom_postcode_district, False),
    ("ofcom_la_coverage", broadband.build_ofcom_la_coverage, False),
    ("broadband_coverage", broadband.build_broadband_coverage, True),
    ("lsoa_indicators", build_lsoa_indicators, True),
]


def run() -> dict:
    started = time.perf_counter()
    paths = Paths.from_env().ensure()
    lads = list(load_settings().lad_codes)
    ready = time.perf_counter()
    steps = {}
    for name, build, per_district in STEPS:
        t = time.perf_counter()
        con = duck.connect()
        try:
            build(con, paths, lads) if per_district else build(con, paths)
        finally:
            con.close()
        steps[name] = round(time.perf_counter() - t, 2)
    return {"startup_s": ready - started, "compute_s": time.perf_counter() - ready, "districts": len(lads),
            "slowest_steps": sorted(steps.items(), key=lambda kv: -kv[1])[:6], "steps": steps}
