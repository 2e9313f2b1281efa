"""Hotspot neighbours, GP catchments and readiness, and fibre-gap distances on small built tables."""

from __future__ import annotations

import pytest

from pipeline.analysis.fibre_gaps import build_fibre_gaps
from pipeline.analysis.gp_readiness import build_gp_readiness
from pipeline.analysis.hotspots import build_hotspots, hotspot_class
from pipeline.analysis.indicators import build_lsoa_indicators
from pipeline.ingest.areas import build_lsoa_districts
from pipeline.settings import load_settings
from tests.builders import bng_point, bng_square, parquet_table


def test_lsoa_without_boundary_gets_its_nearest_neighbours(con, paths):
    # A, B, C touch in a row; D has no boundary and sits near C (its position is its postcodes' mean).
    parquet_table(con, paths, "lsoa_boundaries", f"""
        SELECT * FROM (VALUES ('A', {bng_square(0, 0, 1000)}), ('B', {bng_square(1000, 0, 1000)}),
                              ('C', {bng_square(2000, 0, 1000)})) t(lsoa11cd, geom)""")
    parquet_table(con, paths, "lsoa_index", """
        SELECT * FROM (VALUES ('A', 'A', 'L', 1.0), ('B', 'B', 'L', 2.0), ('C', 'C', 'L', 3.0), ('D', 'D', 'L', 9.0))
        t(lsoa11cd, lsoa11nm, lad_code, index_score)""")
    parquet_table(con, paths, "postcodes", "SELECT * FROM (VALUES ('D', 3600.0, 500.0), ('D', 3800.0, 500.0)) "
                                           "t(lsoa11cd, easting, northing)", partition="L")
    settings = load_settings()
    result = build_hotspots(con, paths, settings.__class__(**{**settings.__dict__, "knn_k": 2}))
    pairs = con.execute("SELECT lsoa_i, lsoa_j, method FROM neighbours ORDER BY 1, 2").fetchall()
    assert pairs == [("A", "B", "contiguity"), ("B", "A", "contiguity"), ("B", "C", "contiguity"),
                     ("C", "B", "contiguity"), ("D", "B", "nearest_2"), ("D", "C", "nearest_2")]
    assert result.counts["lsoas_needing_nearest_neighbours"] == 1


@pytest.mark.parametrize(("z", "cls"), [(2.6, "hot spot (99%)"), (2.0, "hot spot (95%)"), (1.7, "hot spot (90%)"),
                                        (1.6, "not significant"), (-1.97, "cold spot (95%)"), (-3, "cold spot (99%)")])
def test_hotspot_classes_follow_two_sided_confidence(z, cls):
    assert hotspot_class(z) == cls


def _places(con, paths, coverage):
    """Two GP locations 4 km apart (one shared by two sites) and four postcodes in one LSOA."""
    parquet_table(con, paths, "gp_sites", f"""
        SELECT *, {bng_point(0, 0)} AS geom FROM (VALUES
            ('P1', 'practice', 'P1', 'WEST <i>SURGERY</i>', 'AA1 1AA', 'E07000073', 'X', 'PCN', 100, 'practice', 0.0, 0.0, 51.0, 0.0),
            ('P1001', 'branch', 'P1', 'WEST BRANCH', 'AA1 1AA', 'E07000073', 'X', 'PCN', 100, 'parent practice', 0.0, 0.0, 51.0, 0.0),
            ('P2', 'practice', 'P2', 'EAST SURGERY', 'AA1 1AD', 'E07000073', 'X', 'PCN', 200, 'practice', 4000.0, 0.0, 51.0, 0.1))
        t(site_code, site_type, practice_code, name, postcode, lad_code, lsoa11cd, pcn_name, list_size,
          list_size_applies_to, easting, northing, lat, lon)""")
    parquet_table(con, paths, "postcodes", """
        SELECT postcode, 'X' AS lsoa11cd, 'E07000073' AS lad_code, usertype, e AS easting, 0.0 AS northing,
               49.77 AS lat, -7.56 + e / 70000 AS lon,
               ST_SetCRS(ST_Point(e, 0), 'EPSG:27700') AS geom
        FROM (VALUES ('AA1 1AA', '0', 0.0), ('AA1 1AB', '0', 1000.0), ('AA1 1AD', '0', 4000.0),
                     ('AA1 1AE', '1', 3000.0), ('AA1 1AF', '0', 20000.0)) t(postcode, usertype, e)""", partition="E07000073")
    parquet_table(con, paths, "broadband_coverage", f"""
        SELECT postcode, 'E07000073' AS lad_code, resolution, '2024-07' AS release, all_premises, sfbb_pct, gigabit_pct
        FROM (VALUES {coverage}) t(postcode, resolution, all_premises, sfbb_pct, gigabit_pct)""", partition="E07000073")
    parquet_table(con, paths, "lsoa_index", "SELECT 'X' AS lsoa11cd, 'X 001A' AS lsoa11nm, 'E07000073' AS lad_code, 6.0 AS index_score")
    parquet_table(con, paths, "census_age", "SELECT 'X' AS lsoa11cd, 1000 AS residents")
    parquet_table(con, paths, "imd2019", "SELECT 'X' AS lsoa11cd, 900 AS pop_total_2015")
    parquet_table(con, paths, "lsoa_boundaries", f"SELECT 'X' AS lsoa11cd, {bng_square(-1000, -1000, 30000)} AS geom")


def test_catchments_take_nearest_site_within_the_cap_and_share_residents(con, paths):
    _places(con, paths, "('AA1 1AA', 'postcode', 10, 100.0, 100.0), ('AA1 1AB', 'postcode', 30, 80.0, 0.0), "
                        "('AA1 1AD', 'postcode', 10, 100.0, 50.0), ('AA1 1AE', 'postcode', 5, 100.0, 0.0), "
                        "('AA1 1AF', 'postcode', 1, 0.0, 0.0)")
    settings = load_settings()
    build_gp_readiness(con, paths, settings.__class__(**{**settings.__dict__, "catchment_cap_m": 5000}))
    rows = {r[0]: r[1:] for r in con.execute(f"""SELECT site_code, sites_at_location, catchment_postcodes,
        catchment_residents, catchment_pct_no_superfast, catchment_pct_no_gigabit, readiness_score, readiness_rank
        FROM read_parquet('{paths.table_path("gp_readiness")}')""").fetchall()}
    # West: AA1 1AA and 1AB (premises 10 and 30). 1000 residents over 4 small-user postcodes = 250 each.
    # No superfast: (10*0 + 30*20)/40 = 15%; no gigabit: (10*0 + 30*100)/40 = 75%.
    # Readiness = .4*10 + .2*(10-1.5) + .2*(10-7.5) + .2*(10-6) = 7.0
    assert rows["P1"] == (2, 2, 500.0, 15.0, 75.0, pytest.approx(7.0), 2)
    assert rows["P1001"] == rows["P1"]
    # East: AA1 1AD and 1AE (large user: no residents); 1AF is 16 km away, beyond the cap.
    # No gigabit: (10*50 + 5*100)/15 = 66.67%; readiness = .4*5 + .2*10 + .2*(10-6.667) + .2*4 = 5.4667
    assert rows["P2"][:5] == (1, 2, 250.0, 0.0, pytest.approx(200 / 3))
    assert rows["P2"][5] == pytest.approx(5.4667, abs=1e-4) and rows["P2"][6] == 1


def test_fibre_gap_distance_to_nearest_gigabit_served_postcode(con, paths):
    _places(con, paths, "('AA1 1AA', 'postcode', 10, 100.0, 100.0), ('AA1 1AB', 'postcode', 30, 80.0, 0.0), "
                        "('AA1 1AD', 'postcode', 10, 100.0, 50.0), ('AA1 1AE', 'postcode', 5, 100.0, 0.0), "
                        "('AA1 1AF', 'postcode', 1, 0.0, 0.0)")
    results = build_fibre_gaps(con, paths, load_settings())
    distances = dict(con.execute("SELECT postcode, distance_m FROM nearest").fetchall())
    # Only AA1 1AA (0 m) is fully served; the others lack gigabit.
    assert distances == {"AA1 1AB": 1000.0, "AA1 1AD": 4000.0, "AA1 1AE": 3000.0, "AA1 1AF": 20000.0}
    cells = con.execute(f"""SELECT cell_id, postcodes_lacking_gigabit, est_without_gigabit, est_unit, build_rank
        FROM read_parquet('{paths.table_path("fibre_gap_cells")}') ORDER BY build_rank""").fetchall()
    # Premises without gigabit: 30 at 1 km; 5 + 5 in cells E3/E4; 1 at 20 km.
    assert cells[0] == ("E1_N0", 1, 30.0, "premises", 1)
    assert {c[0] for c in cells} == {"E1_N0", "E3_N0", "E4_N0", "E20_N0"}
    assert results[0].counts["gigabit_served_postcodes"] == 1 and "note" not in results[0].counts


def test_district_formed_since_imd2019_takes_the_lsoas_of_the_districts_it_merged(con, paths):
    # 2019 districts E07000001 and E07000002 merged into E06000099 (their postcodes say so today);
    # E07000003 still exists. IMD 2019 knows only the 2019 codes.
    parquet_table(con, paths, "imd2019", """
        SELECT lsoa11cd, lsoa11cd || ' name' AS lsoa11nm, lad_code, lad_code || ' name' AS lad_name,
               10 AS pop_60_plus_2015, 100 AS pop_total_2015, 1 AS imd_rank, 1 AS income_rank, 1 AS employment_rank,
               1 AS education_rank, 1 AS barriers_rank
        FROM (VALUES ('A', 'E07000001'), ('B', 'E07000001'), ('C', 'E07000002'), ('D', 'E07000003')) t(lsoa11cd, lad_code)""")
    postcodes = "('A1', 'A', 'E06000099'), ('A2', 'A', 'E06000099'), ('B1', 'B', 'E06000099'), ('C1', 'C', 'E06000099'), " \
                "('C2', 'C', 'E07000003'), ('C3', 'C', 'E06000099'), ('D1', 'D', 'E07000003')"
    parquet_table(con, paths, "codepoint_open",
                  f"SELECT postcode, lad_code FROM (VALUES {postcodes}) t(postcode, lsoa11cd, lad_code)")
    parquet_table(con, paths, "ons_postcode_lookup",
                  f"SELECT postcode, lsoa11cd, true AS is_live FROM (VALUES {postcodes}) t(postcode, lsoa11cd, lad_code)")
    for lad in ("E06000099", "E07000003"):
        parquet_table(con, paths, "postcodes", f"SELECT postcode, lsoa11cd, lad_code FROM (VALUES {postcodes}) "
                                              f"t(postcode, lsoa11cd, lad_code) WHERE lad_code = '{lad}'", partition=lad)
        parquet_table(con, paths, "broadband_coverage", f"""
            SELECT postcode, lad_code, 'postcode' AS resolution, '2099-01' AS release, 1 AS all_premises,
                   50.0 AS sfbb_pct, 50.0 AS gigabit_pct, 0.0 AS below_uso_pct
            FROM (VALUES {postcodes}) t(postcode, lsoa11cd, lad_code) WHERE lad_code = '{lad}'""", partition=lad)
    parquet_table(con, paths, "rurality", "SELECT 'A' AS lsoa11cd, 0.0 AS rural_class, 'C1' AS ruc11cd, 'Urban' AS ruc11")
    parquet_table(con, paths, "population_density", "SELECT 'A' AS lsoa11cd, 100.0 AS people_per_km2")
    parquet_table(con, paths, "census_age", "SELECT 'A' AS lsoa11cd, 20.0 AS pct_65_plus, 'exact' AS mapping, "
                                            "NULL AS lsoa21_missing")
    parquet_table(con, paths, "lsoa_boundaries", "SELECT 'A' AS lsoa11cd, 1.0 AS area_km2")

    districts = build_lsoa_districts(con, paths)
    result = build_lsoa_indicators(con, paths, ["E06000099"])

    assert districts.counts["districts_formed_since_imd2019"] == {"E06000099": ["E07000001", "E07000002"]}
    assert result.counts["districts_formed_since_imd2019"] == {"E06000099": ["E07000001", "E07000002"]}
    assert con.execute("SELECT DISTINCT lsoa11cd, lad_code FROM indicators_out ORDER BY 1").fetchall() == [
        ("A", "E06000099"), ("B", "E06000099"), ("C", "E06000099")]
    assert result.counts["study_districts_without_lsoas"] == []
