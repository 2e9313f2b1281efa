"""The analysis on the real sources (via the session Dagster run)."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.slow


def test_every_study_lsoa_has_index_components_and_a_hotspot_class(real_run):
    rows = real_run.sql(f"""SELECT i.lsoa11cd, i.index_score, i.age_score, i.broadband_score, i.deprivation_score,
                                   i.index_rank, h.hotspot_class
                            FROM {real_run.table('lsoa_index')} i JOIN {real_run.table('hotspots')} h USING (lsoa11cd)""")
    assert len(rows) == 318
    assert all(0 <= v <= 10 for r in rows for v in r[1:5]) and all(r[6] for r in rows)
    assert sorted(r[5] for r in rows)[0] == 1


def test_gi_star_z_scores_agree_with_pysal_esda_on_the_same_weights(real_run):
    import esda
    import libpysal

    scores = real_run.sql(f"SELECT lsoa11cd, index_score, gi_z FROM {real_run.table('hotspots')} ORDER BY 1")
    ids = [r[0] for r in scores]
    neighbours = {i: [] for i in ids}
    for a, b in real_run.sql(f"SELECT lsoa_i, lsoa_j FROM {real_run.table('lsoa_neighbours')}"):
        neighbours[a].append(b)
    weights = libpysal.weights.W(neighbours, id_order=ids, silence_warnings=True)
    gi = esda.G_Local(np.array([r[1] for r in scores]), weights, transform="B", star=True, permutations=0)
    assert np.max(np.abs(gi.Zs - np.array([r[2] for r in scores]))) < 1e-6


def test_neighbours_are_found_from_shared_boundaries(real_run):
    pairs, lsoas = real_run.sql(f"SELECT count(*), count(DISTINCT lsoa_i) FROM {real_run.table('lsoa_neighbours')} "
                                "WHERE method = 'contiguity'")[0]
    assert pairs == 1706 and lsoas == 318


def test_both_geotiffs_open_in_british_national_grid(real_run):
    import rasterio

    for name in ("gigabit_gap_250m", "exclusion_index_250m"):
        with rasterio.open(real_run.paths.processed / f"{name}.tif") as tif:
            assert tif.crs.to_epsg() == 27700 and tif.res == (250.0, 250.0) and tif.nodata == -9999.0
            assert tif.transform.c % 1000 == 0 and tif.transform.f % 1000 == 0
            data = tif.read(1, masked=True)
            assert 20_000 < data.count() < 30_000  # about 1,540 km2 of study area in 0.0625 km2 cells
            if name == "exclusion_index_250m":
                assert 0 <= data.min() and data.max() <= 10


def test_gap_raster_sums_to_the_1km_cells(real_run):
    import rasterio

    cells = real_run.sql(f"SELECT x_min, y_min, est_without_gigabit FROM {real_run.table('fibre_gap_cells')} "
                         "ORDER BY build_rank LIMIT 25")
    with rasterio.open(real_run.paths.processed / "gigabit_gap_250m.tif") as tif:
        data = tif.read(1, masked=True)
        for x_min, y_min, expected in cells:
            top, left = tif.index(x_min + 1, y_min + 999)  # the 250 m cell at the 1 km cell's top-left
            block = data[top:top + 4, left:left + 4]
            assert block.sum() == pytest.approx(expected, rel=1e-5), (x_min, y_min)


def test_every_gp_site_has_a_readiness_rank(real_run):
    sites, ranked = real_run.sql(f"""SELECT (SELECT count(*) FROM {real_run.table('gp_sites')}),
        (SELECT count(*) FROM {real_run.table('gp_readiness')} WHERE readiness_rank >= 1)""")[0]
    assert sites == ranked >= 51


def test_sensitivity_covers_every_weight_both_ways(real_run):
    rows = real_run.sql(f"SELECT level, component, indicator, change, share_retained FROM {real_run.table('index_sensitivity')}")
    assert {r[3] for r in rows} == {"+20%", "-20%"}
    assert {r[1] for r in rows if r[0] == "component"} == {"broadband", "age", "deprivation", "rurality"}
    assert all(0 <= r[4] <= 1 for r in rows)


def test_fibre_gap_outputs_say_distances_need_postcode_level_data(real_run):
    meta = real_run.metadata("fibre_gap_cells")
    assert meta["gigabit_served_postcodes"] == 0 and "cannot be computed" in meta["note"]
    assert real_run.scalar(f"SELECT count(*) FROM {real_run.table('fibre_gap_cells')} "
                           "WHERE mean_distance_to_served_m IS NOT NULL") == 0


def test_connectivity_series_has_one_row_per_district_indicator_and_snapshot(real_run):
    table = real_run.table("district_connectivity_series")
    assert real_run.scalar(f"SELECT count(*) - count(DISTINCT (area_code, indicator, snapshot)) FROM {table}") == 0
    gigabit = real_run.sql(f"""SELECT area_code, min(snapshot), max(snapshot), count(*) FROM {table}
                               WHERE indicator = 'gigabit_capable_pct' AND area_type = 'study district' GROUP BY 1""")
    assert len(gigabit) == 5 and all(r[1] == "2021" and r[2] == "2026-01" for r in gigabit)
    harlow = dict(real_run.sql(f"""SELECT snapshot, value FROM {table}
                                   WHERE indicator = 'gigabit_capable_pct' AND area_code = 'E07000073'"""))
    assert (harlow["2021"], harlow["2026-01"]) == (7.5, 90.9)


def test_reconciliation_reports_every_district_for_july_2024(real_run):
    rows = real_run.sql(f"SELECT lad_code, series_pct, derived_pct, difference_pp FROM {real_run.table('connectivity_reconciliation')}")
    assert len(rows) == 5 and all(r[1] is not None and r[2] is not None for r in rows)
    assert all(r[3] == pytest.approx(r[2] - r[1], abs=0.011) for r in rows)
