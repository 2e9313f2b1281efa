"""Case 3: the same postcode -> LSOA -> indicator steps the plain GeoPandas way (the baseline).

pandas ``read_csv`` for every file (straight from the zips), a merge with the ONS lookup,
``geopandas.sjoin`` for postcodes the lookup does not know, and ``groupby`` for the LSOA
figures. Same inputs and rules as the pipeline (premises-weighted shares, postcode-level
coverage first, then the postcode-district means), without its validation, reject tables,
checks or provenance. The result is written to the benchmark's working folder so the
benchmark can check it agrees with the pipeline's.
"""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from pipeline.readers.ruc import RURAL_SCORE

CODEPOINT_COLUMNS = ["PC", "PQ", "EA", "NO", "CY", "RH", "LH", "CC", "DC", "WC"]
IMD_FILES = {
    "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv": {
        "LSOA code (2011)": "lsoa11cd", "Local Authority District code (2019)": "lad_code",
        "Index of Multiple Deprivation (IMD) Rank": "imd_rank"},
    "File_2_-_IoD2019_Domains_of_Deprivation.csv": {
        "LSOA code (2011)": "lsoa11cd", "Income Rank (where 1 is most deprived)": "income_rank",
        "Employment Rank (where 1 is most deprived)": "employment_rank",
        "Education, Skills and Training Rank (where 1 is most deprived)": "education_rank",
        "Barriers to Housing and Services Rank (where 1 is most deprived)": "barriers_rank"},
    "File_6_-_IoD2019_Population_Denominators.csv": {
        "LSOA code (2011)": "lsoa11cd", "Total population: mid 2015 (excluding prisoners)": "pop_total_2015",
        "Older population aged 60 and over: mid 2015 (excluding prisoners)": "pop_60_plus_2015"},
}


def spaced(postcodes: pd.Series) -> pd.Series:
    compact = postcodes.str.replace(r"\s+", "", regex=True).str.upper()
    return compact.str[:-3] + " " + compact.str[-3:]


def read_codepoint(path: Path) -> pd.DataFrame:
    with zipfile.ZipFile(path) as zf:
        members = sorted(n for n in zf.namelist() if n.startswith("Data/CSV/") and n.endswith(".csv"))
        frames = [pd.read_csv(zf.open(m), header=None, names=CODEPOINT_COLUMNS, usecols=["PC", "EA", "NO", "CY", "DC"],
                              dtype={"PC": str, "CY": str, "DC": str}, encoding="latin-1") for m in members]
    cp = pd.concat(frames, ignore_index=True)
    # English postcodes with a position and a district (the pipeline partitions by district).
    cp = cp[(cp.CY == "E92000001") & cp.DC.notna() & ~((cp.EA == 0) & (cp.NO == 0))].copy()
    cp["postcode"] = spaced(cp.PC)
    return cp.drop_duplicates("postcode")


def read_lookup(path: Path) -> pd.DataFrame:
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.lower().endswith(".csv"))
        lookup = pd.read_csv(zf.open(name), usecols=["pcds", "doterm", "lsoa11cd"], dtype=str)
    live = lookup[lookup.doterm.isna()].copy()
    live["postcode"] = spaced(live.pcds)
    return live.drop_duplicates("postcode")[["postcode", "lsoa11cd"]]


def lsoa_of_unmatched(points: pd.DataFrame, boundary_files: list[Path]) -> pd.Series:
    """Point-in-polygon for postcodes the lookup does not know (lowest code where polygons overlap)."""
    bounds = pd.concat([gpd.read_file(f) for f in boundary_files], ignore_index=True).to_crs(27700)
    gdf = gpd.GeoDataFrame(points, geometry=gpd.points_from_xy(points.EA, points.NO), crs=27700)
    joined = gpd.sjoin(gdf, bounds[["LSOA11CD", "geometry"]], predicate="intersects", how="inner")
    return joined.groupby("postcode").LSOA11CD.min()


def read_ofcom_postcodes(path: Path) -> pd.DataFrame:
    keep = {"postcode_space": "postcode", "All Premises": "all_premises", "SFBB availability (% premises)": "sfbb_pct",
            "Gigabit availability (% premises)": "gigabit_pct", "% of premises below the USO": "below_uso_pct"}
    with zipfile.ZipFile(path) as zf:
        frames = [pd.read_csv(zf.open(n), usecols=list(keep)) for n in sorted(zf.namelist()) if n.endswith(".csv")]
    return pd.concat(frames, ignore_index=True).rename(columns=keep)


def run() -> dict:
    started = time.perf_counter()
    mirror = Path(os.environ["DIZ_SOURCE_MIRROR"])
    raw = Path(os.environ["DIZ_OUTPUT_ROOT"]) / "data" / "raw"
    ofcom_zip = next(raw.glob("*SYNTHETIC*.zip"))

    cp = read_codepoint(mirror / "os-codepoint-open" / "codepo_gb.zip")
    postcodes = cp.merge(read_lookup(mirror / "ons-postcode-lookup" / "PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.zip"),
                         on="postcode", how="left")
    unmatched = postcodes.lsoa11cd.isna()
    by_polygon = lsoa_of_unmatched(postcodes.loc[unmatched, ["postcode", "EA", "NO"]],
                                   sorted((mirror / "boundaries").glob("lsoa2011_*.geojson")))
    postcodes.loc[unmatched, "lsoa11cd"] = postcodes.loc[unmatched, "postcode"].map(by_polygon)

    # Coverage: the postcode-level file first, then the postcode-district means.
    coverage = postcodes[["postcode", "lsoa11cd"]].merge(read_ofcom_postcodes(ofcom_zip), on="postcode", how="left")
    district = pd.read_csv(mirror / "ofcom-postcode-district-2024" / "postcode_district_coverage_202407.csv").rename(
        columns={"district": "postcode_district", "superfastPercent": "d_sfbb", "gigabitPercent": "d_gigabit",
                 "belowUsoPercent": "d_uso"})
    coverage["postcode_district"] = coverage.postcode.str.split(" ").str[0]
    coverage = coverage.merge(district[["postcode_district", "d_sfbb", "d_gigabit", "d_uso"]], on="postcode_district",
                              how="left")
    no_row = coverage.sfbb_pct.isna() & coverage.gigabit_pct.isna()
    for value, fallback in (("sfbb_pct", "d_sfbb"), ("gigabit_pct", "d_gigabit"), ("below_uso_pct", "d_uso")):
        coverage.loc[no_row, value] = coverage.loc[no_row, fallback]
    coverage = coverage[coverage.lsoa11cd.notna()]
    coverage["w"] = coverage.all_premises.fillna(1)
    coverage["no_superfast"] = coverage.w * (100 - coverage.sfbb_pct)
    coverage["no_gigabit"] = coverage.w * (100 - coverage.gigabit_pct)
    coverage["below_uso"] = coverage.w * coverage.below_uso_pct
    for value, share in (("sfbb_pct", "w_sfbb"), ("gigabit_pct", "w_gigabit"), ("below_uso_pct", "w_uso")):
        coverage[share] = coverage.w.where(coverage[value].notna())
    sums = coverage.groupby("lsoa11cd")[["no_superfast", "no_gigabit", "below_uso", "w_sfbb", "w_gigabit", "w_uso"]].sum(
        min_count=1)
    broadband = pd.DataFrame({"pct_no_superfast": sums.no_superfast / sums.w_sfbb,
                              "pct_no_gigabit": sums.no_gigabit / sums.w_gigabit,
                              "pct_below_uso": sums.below_uso / sums.w_uso})

    areas = None
    for name, columns in IMD_FILES.items():
        frame = pd.read_csv(mirror / "imd2019" / name, usecols=list(columns), thousands=",", encoding="utf-8-sig")
        frame = frame.rename(columns=columns)
        areas = frame if areas is None else areas.merge(frame, on="lsoa11cd")
    areas["pct_60_plus"] = 100 * areas.pop_60_plus_2015 / areas.pop_total_2015
    ruc = pd.read_csv(mirror / "ruc2011" / "RUC11_LSOA11_EW.csv", usecols=["LSOA11CD", "RUC11CD"])
    ruc["rural_class"] = ruc.RUC11CD.map(RURAL_SCORE)
    areas = areas.merge(ruc.rename(columns={"LSOA11CD": "lsoa11cd"})[["lsoa11cd", "rural_class"]], on="lsoa11cd",
                        how="left")
    indicators = areas.merge(broadband, left_on="lsoa11cd", right_index=True, how="left")
    out = Path(os.environ["DIZ_OUTPUT_ROOT"]) / "lsoa_indicators_geopandas.parquet"
    indicators.to_parquet(out, index=False)
    return {
        "compute_s": time.perf_counter() - started,
        "postcodes": len(postcodes),
        "postcodes_by_method": {"ons_lookup": int((~unmatched).sum()), "point_in_polygon": int(by_polygon.size),
                                "unmatched": int(postcodes.lsoa11cd.isna().sum())},
        "lsoas": len(indicators),
        "lsoas_with_gigabit": int(indicators.pct_no_gigabit.notna().sum()),
        "output": str(out),
    }
