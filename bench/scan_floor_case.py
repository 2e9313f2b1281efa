"""Case 4: the floor. Only reading every value of the files the England case reads (DuckDB; calamine for XLSX).

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
    total = 0
    for f in files:  # one file at a time: their encodings differ (Code-Point latin-1, the rest UTF-8)
        encoding = "latin-1" if "codepo" in str(f) else "utf-8"
        total += con.execute(
            "SELECT count(*), count(COLUMNS(*)) FROM read_csv($f, header = $h, all_varchar = true, "
            f"encoding = '{encoding}')",
            {"f": str(f), "h": header},
        ).fetchone()[0]
    return total


def run() -> dict:
    mirror = Path(os.environ["DIZ_SOURCE_MIRROR"])
    extracted = Path(os.environ["BENCH_ENGLAND_RAW"]) / "_extracted"
    groups = {
        "Code-Point Open (120 area files)": (sorted(extracted.glob("codepo_gb-*/Data/CSV/*.csv")), False),
        "ONS postcode lookup": (sorted(extracted.glob("PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU-*/*.csv")), True),
        "Ofcom postcode file (SYNTHETIC)": (sorted(extracted.glob("*SYNTHETIC*/*.csv")), True),
        "LSOA lookups, RUC 2021, IUC 2018": (
            [
                mirror / "lookups" / "LSOA11_LSOA21_LAD22_lookup_EW.csv",
                mirror / "lookups" / "LSOA21_WD24_LAD24_lookup_EW.csv",
                mirror / "ruc2021" / "RUC21_LSOA21_EW.csv",
                mirror / "cdrc-iuc2018" / "iuc2018.csv",
            ],
            True,
        ),
        "Census 2021 TS007A, TS038": (
            [mirror / "census2021" / "census2021-ts007a-lsoa.csv", mirror / "census2021" / "census2021-ts038-lsoa.csv"],
            True,
        ),
    }
    for name, (files, _) in groups.items():
        if not files:
            raise FileNotFoundError(f"scan floor: no files for {name} (run the England case first)")
    con = duck.connect()
    started = time.perf_counter()
    rows = {}
    for name, (files, header) in groups.items():
        rows[name] = _scan_csv(con, files, header)
    rows["LSOA (2021) boundaries, England and Wales"] = con.execute(
        "SELECT count(*), count(COLUMNS(*)) FROM ST_Read($f)",
        {"f": str(mirror / "boundaries" / "lsoa2021_bsc_EW.geojson")},
    ).fetchone()[0]
    from python_calamine import CalamineWorkbook

    for name in (
        "File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
        "File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx",
    ):
        book = CalamineWorkbook.from_path(str(mirror / "iod2025" / name))
        rows[name] = sum(len(book.get_sheet_by_name(s).to_python()) for s in book.sheet_names)
    return {"compute_s": time.perf_counter() - started, "rows": rows}
