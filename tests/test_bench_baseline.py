"""The benchmark's GeoPandas baseline places postcodes by the pipeline's own rule, so the bench's
answer check (1e-9) compares like with like. Built on hand-made points and squares."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from bench.geopandas_case import place


def test_baseline_places_postcodes_by_the_pipelines_chain():
    bounds = gpd.GeoDataFrame(
        {"lsoa21cd": ["E01000001", "E01000002", "E01000003"]},
        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10), box(20, 0, 30, 10)],
        crs=27700,
    )
    crosswalk = pd.DataFrame(
        {"lsoa11cd": ["E01900001", "E01900002", "E01900002"], "lsoa21cd": ["E01000001", "E01000002", "E01000003"]}
    )
    postcodes = pd.DataFrame(
        {
            "postcode": ["AA1 1AA", "AA1 1AB", "AA1 1AD", "AA1 1AE", "AA1 1AF"],
            "lsoa11cd": ["E01900001", "E01900002", "E01900002", None, "W01000303"],
            "EA": [5, 25, 35, 15, 25],
            "NO": [5, 5, 5, 5, 5],
        }
    )
    got = place(postcodes, crosswalk, bounds).to_dict()
    assert got == {
        "AA1 1AA": "E01000001",  # unchanged: the lookup's LSOA
        "AA1 1AB": "E01000003",  # split: point in polygon among the pieces
        "AA1 1AD": "E01000003",  # split, outside every piece: the nearest piece
        "AA1 1AE": "E01000002",  # not in the lookup: point in polygon
        "AA1 1AF": "E01000003",  # in the lookup with a Welsh LSOA (cross-border): point in polygon
    }
