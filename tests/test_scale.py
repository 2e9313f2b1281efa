"""What keeps a run over many districts (all of England) bounded in time and memory, each checked
against a slower method known to be right: neighbours by spatial index, nearest sites by k-d tree,
and outputs of their own only for the districts asked for."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.analysis.fibre_gaps import nearest_served
from pipeline.analysis.hotspots import contiguity
from pipeline.errors import SettingsError
from pipeline.settings import load_settings

ENGLAND = "config/england.toml"


def test_contiguity_finds_the_queen_neighbours_libpysal_finds(con):
    libpysal = pytest.importorskip("libpysal")
    shapely = pytest.importorskip("shapely")
    side = 7
    squares = [shapely.box(x, y, x + 1, y + 1) for y in range(side) for x in range(side)]
    codes = [f"E01{i:06d}" for i in range(len(squares))]
    con.execute("CREATE OR REPLACE TEMP TABLE lsoa_areas (lsoa_code VARCHAR, geom GEOMETRY)")
    for code, square in zip(codes, squares, strict=True):
        con.execute("INSERT INTO lsoa_areas VALUES ($1, ST_GeomFromText($2))", [code, square.wkt])
    pairs = contiguity(con).to_pylist()
    ours = {(p["lsoa_i"], p["lsoa_j"]) for p in pairs}
    queen = libpysal.weights.Queen.from_iterable(squares)
    theirs = {(codes[i], codes[j]) for i, js in queen.neighbors.items() for j in js}
    assert ours == theirs
    assert len(ours) == 2 * (2 * side * (side - 1) + 2 * (side - 1) ** 2)  # rook edges and diagonals, both ways
    assert {p["method"] for p in pairs} == {"contiguity"}


def test_nearest_served_distance_is_the_brute_force_minimum(con):
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 50_000, size=(400, 2))
    served = rng.random(400) < 0.3
    con.execute(
        "CREATE OR REPLACE TABLE gap_postcodes "
        "(postcode VARCHAR, geom GEOMETRY, gigabit_served BOOLEAN, lacks_gigabit BOOLEAN)"
    )
    for i, ((x, y), s) in enumerate(zip(xy, served, strict=True)):
        con.execute(
            "INSERT INTO gap_postcodes VALUES ($1, ST_Point($2, $3), $4, $5)", [f"P{i:04d}", x, y, bool(s), not s]
        )
    counts = nearest_served(con)
    got = dict(con.execute("SELECT postcode, distance_m FROM nearest").fetchall())
    expected = {f"P{i:04d}": float(np.min(np.hypot(*(xy[served] - xy[i]).T))) for i in range(len(xy)) if not served[i]}
    assert counts == {"gigabit_served_postcodes": int(served.sum()), "postcodes_with_distance": len(expected)}
    assert got.keys() == expected.keys()
    assert all(got[k] == pytest.approx(v, abs=1e-6) for k, v in expected.items())


def test_nearest_served_is_empty_when_no_postcode_is_served(con):
    con.execute(
        "CREATE OR REPLACE TABLE gap_postcodes AS SELECT 'P1' AS postcode, ST_Point(0, 0) AS geom, "
        "false AS gigabit_served, true AS lacks_gigabit"
    )
    assert nearest_served(con) == {"gigabit_served_postcodes": 0, "postcodes_with_distance": 0}
    assert con.execute("SELECT count(*) FROM nearest").fetchone()[0] == 0


def test_an_england_run_gives_districts_their_own_outputs_only_on_request():
    england = load_settings(ENGLAND)
    assert len(england.lad_codes) > england.outputs.max_districts
    assert england.own_output_districts == ()
    five = load_settings()
    assert five.own_output_districts == five.lad_codes


def test_districts_on_request_get_their_own_outputs(tmp_path):
    config = tmp_path / "england-harlow.toml"
    config.write_text(
        f'extends = "{(load_settings(ENGLAND).config_path)}"\n[outputs]\ndistricts_on_request = ["e07000073"]\n'
    )
    assert load_settings(config).own_output_districts == ("E07000073",)


def test_a_district_on_request_outside_the_study_area_is_refused_with_the_setting(tmp_path):
    config = tmp_path / "diz-cardiff.toml"
    config.write_text(f'extends = "{load_settings().config_path}"\n[outputs]\ndistricts_on_request = ["W06000015"]\n')
    with pytest.raises(SettingsError, match="districts_on_request: W06000015 not in study_area.lad_codes"):
        load_settings(config)


def test_a_windows_quote_in_a_place_name_reads_as_the_plain_character(con):
    assert con.execute("SELECT tidy_name($1)", ["King\u0092s  Lynn \u0096 West\tNorfolk "]).fetchone()[0] == (
        "King's Lynn - West Norfolk"
    )
