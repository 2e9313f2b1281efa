"""Case 4: the floor. DuckDB only reading every value of the files the England case reads.

The zips are read as the England run extracted them (DuckDB does not read zip archives), so
the floor leaves out decompression, which the pipeline and the baseline both pay.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from pipeline import duck


def _scan_csv(con, files: list[Path], header: bool) -> int:
    """Every value read: count(COLUMNS(*)) makes DuckDB parse each column of each row."""
    row = con.execute("SELECT count(*), count(COLUMNS(*)) FROM read_csv($f, header = $h, all_varchar = true, "
                      "union_by_name = true, encoding = 'latin-1')", {"f": [str(f) for f in files], "h": header}).fetchone()
    return row[0]


def run() -> dict:
    mirror = Path(os.environ["DIZ_SOURCE_MIRROR"])
    extracted = Path(os.environ["BENCH_ENGLAND_RAW"]) / "_extracted"
    groups = {
        "Code-Point Open (120 area files)": (sorted(extracted.glob("codepo_gb-*/Data/CSV/*.csv")), False),
        "ONS postcode lookup": (sorted(extracted.glob("PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU-*/*.csv")), True),
        "Ofcom postcode file (SYNTHETIC)": (sorted(extracted.glob("*SYNTHETIC*/*.csv")), True),
        "IMD 2019 Files 1, 2, 6": (sorted((mirror / "imd2019").glob("*.csv")), True),
        "RUC 2011": ([mirror / "ruc2011" / "RUC11_LSOA11_EW.csv"], True),
        "Ofcom postcode districts, census, density": (
            [mirror / "ofcom-postcode-district-2024" / "postcode_district_coverage_202407.csv",
             *sorted((mirror / "census2021").glob("*age*.csv")), *sorted((mirror / "ons-population-density").glob("*.csv"))],
            True),
    }
    for name, (files, _) in groups.items():
        if not files:
            raise FileNotFoundError(f"scan floor: no files for {name} (run the England case first)")
    con = duck.connect()
    started = time.perf_counter()
    rows = {}
    for name, (files, header) in groups.items():
        rows[name] = _scan_csv(con, files, header)
    boundaries = sorted((mirror / "boundaries").glob("lsoa2011_*.geojson"))
    rows["LSOA boundaries"] = sum(con.execute("SELECT count(*), count(COLUMNS(*)) FROM ST_Read($f)", {"f": str(f)})
                                  .fetchone()[0] for f in boundaries)
    return {"compute_s": time.perf_counter() - started, "rows": rows}
