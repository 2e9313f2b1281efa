"""The GeoPandas baseline: the same postcode -> LSOA (2021) -> broadband steps, the plain way.

pandas ``read_csv`` for every file (straight from the zips), the ONS lookup to the 2011 LSOA,
the ONS 2011 -> 2021 lookup to the 2021 LSOA (``geopandas.sjoin`` among the pieces of a split
one, nearest piece when the generalised boundaries leave it in none), ``sjoin`` against every
2021 LSOA for postcodes the lookup does not know, and ``groupby`` for the LSOA figures under the
pipeline's resolution rule. Same inputs and rules as the pipeline, without its validation,
rejects, checks or provenance. The result is written to the benchmark's working folder so the
benchmark can check it agrees with the pipeline's to 1e-9.
"""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

CODEPOINT_COLUMNS = ["PC", "PQ", "EA", "NO", "CY", "RH", "LH", "CC", "DC", "WC"]


def spaced(postcodes: pd.Series) -> pd.Series:
    compact = postcodes.str.replace(r"\s+", "", regex=True).str.upper()
    return compact.str[:-3] + " " + compact.str[-3:]


def read_codepoint(path: Path, lads: set[str]) -> pd.DataFrame:
    with zipfile.ZipFile(path) as zf:
        members = sorted(n for n in zf.namelist() if n.startswith("Data/CSV/") and n.endswith(".csv"))
        frames = [
            pd.read_csv(
                zf.open(m),
                header=None,
                names=CODEPOINT_COLUMNS,
                usecols=["PC", "EA", "NO", "DC"],
                dtype={"PC": str, "DC": str},
                encoding="latin-1",
            )
            for m in members
        ]
    cp = pd.concat(frames, ignore_index=True)
    cp = cp[cp.DC.isin(lads) & ~((cp.EA == 0) & (cp.NO == 0))].copy()
    cp["postcode"] = spaced(cp.PC)
    return cp.drop_duplicates("postcode", keep=False)


def read_lookup(path: Path) -> pd.DataFrame:
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.lower().endswith(".csv"))
        lookup = pd.read_csv(zf.open(name), usecols=["pcds", "doterm", "lsoa11cd"], dtype=str)
    live = lookup[lookup.doterm.isna()].copy()
    live["postcode"] = spaced(live.pcds)
    return live.drop_duplicates("postcode")[["postcode", "lsoa11cd"]]


def place(postcodes: pd.DataFrame, crosswalk: pd.DataFrame, bounds: gpd.GeoDataFrame) -> pd.Series:
    """The 2021 LSOA of each postcode (index: postcode): through the lookups, else point in polygon."""
    pieces = crosswalk.groupby("lsoa11cd").lsoa21cd.agg(list)
    postcodes = postcodes.assign(pieces=postcodes.lsoa11cd.map(pieces))
    one = postcodes.pieces.map(lambda p: isinstance(p, list) and len(p) == 1)
    out = pd.Series(postcodes.loc[one, "pieces"].str[0].values, index=postcodes.loc[one, "postcode"])
    points = gpd.GeoDataFrame(postcodes, geometry=gpd.points_from_xy(postcodes.EA, postcodes.NO), crs=27700)
    several = points[postcodes.pieces.map(lambda p: isinstance(p, list) and len(p) > 1)]
    if len(several):
        hit = gpd.sjoin(several, bounds, predicate="intersects", how="inner")
        hit = hit[[code in p for code, p in zip(hit.lsoa21cd, hit.pieces, strict=False)]]
        chosen = hit.groupby("postcode").lsoa21cd.min()
        rest = several[~several.postcode.isin(chosen.index)].explode("pieces")
        if len(rest):
            shapes = bounds.set_index("lsoa21cd").geometry
            rest = rest.assign(d=[pt.distance(shapes[c]) for pt, c in zip(rest.geometry, rest.pieces, strict=False)])
            nearest = rest.sort_values(["postcode", "d", "pieces"]).groupby("postcode").pieces.first()
            chosen = pd.concat([chosen, nearest])
        out = pd.concat([out, chosen])
    # not in the lookup, or in it with an LSOA outside the study area (a cross-border postcode)
    unknown = points[postcodes.pieces.isna()]
    if len(unknown):
        hit = gpd.sjoin(unknown, bounds, predicate="intersects", how="inner")
        out = pd.concat([out, hit.groupby("postcode").lsoa21cd.min()])
    return out


def read_ofcom_postcodes(path: Path) -> pd.DataFrame:
    keep = {
        "postcode_space": "postcode",
        "All Premises": "all_premises",
        "SFBB availability (% premises)": "sfbb_pct",
        "Gigabit availability (% premises)": "gigabit_pct",
        "% of premises below the USO": "below_uso_pct",
    }
    with zipfile.ZipFile(path) as zf:
        frames = [pd.read_csv(zf.open(n), usecols=list(keep)) for n in sorted(zf.namelist()) if n.endswith(".csv")]
    return pd.concat(frames, ignore_index=True).rename(columns=keep).drop_duplicates("postcode", keep=False)


def lsoa_broadband(coverage: pd.DataFrame) -> pd.DataFrame:
    """The resolution rule: measured inside the LSOA when most of its covered postcodes are known at
    postcode level (premises-weighted); else the value of its main postcode district."""
    covered = coverage[coverage.resolution != "none"]
    counts = covered.groupby("lsoa21cd").resolution.agg(covered="size", at_postcode=lambda r: (r == "postcode").sum())
    measured_lsoas = counts.index[counts.at_postcode * 2 > counts.covered]
    pc = covered[(covered.resolution == "postcode") & covered.lsoa21cd.isin(measured_lsoas)].copy()
    pc["w"] = pc.all_premises.fillna(1)
    pc["x"] = pc.w * (100 - pc.gigabit_pct)
    pc["wx"] = pc.w.where(pc.gigabit_pct.notna())
    sums = pc.groupby("lsoa21cd")[["x", "wx"]].sum(min_count=1)
    measured = (sums.x / sums.wx.replace(0, np.nan)).rename("pct_no_gigabit")
    rest = covered[(covered.resolution == "postcode_district") & ~covered.lsoa21cd.isin(measured_lsoas)]
    main = (
        rest.groupby(["lsoa21cd", "postcode_district"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["lsoa21cd", "n", "postcode_district"], ascending=[True, False, True])
        .groupby("lsoa21cd")
        .first()
    )
    district_value = rest.groupby("postcode_district").district_gigabit.first()
    by_area = (100 - main.postcode_district.map(district_value)).rename("pct_no_gigabit")
    return pd.concat([measured, by_area]).to_frame()


def run() -> dict:
    started = time.perf_counter()
    mirror = Path(os.environ["DIZ_SOURCE_MIRROR"])
    raw = Path(os.environ["DIZ_OUTPUT_ROOT"]) / "data" / "raw"
    ofcom_zip = next(raw.glob("*SYNTHETIC*.zip"))
    from pipeline.settings import load_settings

    lads = set(load_settings(Path(__file__).resolve().parents[1] / "config" / "england.toml").lad_codes)

    cp = read_codepoint(mirror / "os-codepoint-open" / "codepo_gb.zip", lads)
    postcodes = cp.merge(
        read_lookup(mirror / "ons-postcode-lookup" / "PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.zip"), on="postcode", how="left"
    )
    crosswalk = pd.read_csv(mirror / "lookups" / "LSOA11_LSOA21_LAD22_lookup_EW.csv", dtype=str).rename(
        columns={"lsoa11_code": "lsoa11cd", "lsoa21_code": "lsoa21cd"}
    )
    crosswalk = crosswalk[crosswalk.ltla22_code.isin(lads) | crosswalk.lsoa21cd.str.startswith("E")]
    bounds = gpd.read_file(mirror / "boundaries" / "lsoa2021_bsc_EW.geojson").to_crs(27700)
    bounds = bounds.rename(columns={"LSOA21CD": "lsoa21cd", "lsoa21_code": "lsoa21cd"})[["lsoa21cd", "geometry"]]
    bounds = bounds[bounds.lsoa21cd.str.startswith("E")]
    postcodes["lsoa21cd"] = postcodes.postcode.map(place(postcodes, crosswalk, bounds))

    # Coverage: the postcode-level file first, then district means computed from that same file.
    ofcom = read_ofcom_postcodes(ofcom_zip)
    ofcom["postcode_district"] = ofcom.postcode.str.split(" ").str[0]
    district = ofcom.groupby("postcode_district").gigabit_pct.mean().round(1).rename("district_gigabit")
    coverage = postcodes[["postcode", "lsoa21cd"]].merge(ofcom, on="postcode", how="left")
    coverage["postcode_district"] = coverage.postcode.str.split(" ").str[0]
    coverage = coverage.merge(district, left_on="postcode_district", right_index=True, how="left")
    coverage["resolution"] = np.where(
        coverage.gigabit_pct.notna() | coverage.all_premises.notna(),
        "postcode",
        np.where(coverage.district_gigabit.notna(), "postcode_district", "none"),
    )
    coverage = coverage[coverage.lsoa21cd.notna()]
    broadband = lsoa_broadband(coverage)

    imd = pd.read_excel(
        mirror / "iod2025" / "File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx", sheet_name="IMD25", engine="calamine"
    )
    imd = imd.rename(columns={imd.columns[0]: "lsoa21cd", imd.columns[4]: "imd_rank"})[["lsoa21cd", "imd_rank"]]
    indicators = imd.merge(broadband, left_on="lsoa21cd", right_index=True, how="left")
    out = Path(os.environ["DIZ_OUTPUT_ROOT"]) / "lsoa_indicators_geopandas.parquet"
    indicators.to_parquet(out, index=False)
    return {
        "compute_s": time.perf_counter() - started,
        "postcodes": len(postcodes),
        "postcodes_placed": int(postcodes.lsoa21cd.notna().sum()),
        "lsoas": int(indicators.lsoa21cd.nunique()),
        "lsoas_with_gigabit": int(indicators.pct_no_gigabit.notna().sum()),
        "output": str(out),
    }
