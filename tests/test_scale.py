"""What keeps a run over many districts (all of England) bounded in time and memory, each checked
against a slower method known to be right: neighbours by spatial index, nearest sites by k-d tree,
and outputs of their own only for the districts asked for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline.analysis.fibre_gaps import nearest_served
from pipeline.analysis.hotspots import contiguity
from pipeline.errors import SettingsError
from pipeline.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]

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


@pytest.mark.parametrize("cap, rows_in_sheet", [(10, 3), (2, 0)])
def test_a_table_too_long_for_a_sheet_points_to_its_csv(tmp_path, cap, rows_in_sheet):
    from openpyxl import load_workbook

    from pipeline.outputs import workbook
    from pipeline.outputs.tables import TABLES

    table = next(t for t in TABLES if t.name == "lsoa_indicators")
    (tmp_path / "lsoa_indicators.csv").write_text(
        "lsoa_code,indicator,value\nE01000001,a,1\nE01000002,a,2\nE01000003,a,3\n"
    )
    sidecar = {"rows": 3, "sources": [], "licence": ["Licence line."], "columns": []}
    pack = workbook.build_workbook(tmp_path, tmp_path, tmp_path / "pack.xlsx", {"lsoa_indicators": sidecar}, cap)
    assert pack["sheets"][table.sheet] == rows_in_sheet
    cells = [c for row in load_workbook(tmp_path / "pack.xlsx")[table.sheet].iter_rows(values_only=True) for c in row]
    assert ("E01000003" in cells) == (rows_in_sheet == 3)
    assert any(str(c).startswith("3 rows: more than a sheet here carries") for c in cells) == (rows_in_sheet == 0)


def test_nearest_on_the_grid_is_the_brute_force_nearest_with_ties_broken_by_the_order_given(con):
    from pipeline.analysis.nearest import nearest

    rng = np.random.default_rng(11)
    points = rng.integers(0, 40, size=(300, 2)) * 250.0  # on a 250 m lattice: many exact ties
    places = rng.integers(0, 40, size=(60, 2)) * 250.0
    preference = rng.integers(0, 3, size=60)  # ties go to the lower preference, then the lower key
    con.execute("CREATE OR REPLACE TABLE pts (k VARCHAR, x DOUBLE, y DOUBLE)")
    con.executemany("INSERT INTO pts VALUES (?, ?, ?)", [[f"p{i:03d}", *map(float, xy)] for i, xy in enumerate(points)])
    con.execute("CREATE OR REPLACE TABLE pls (key VARCHAR, x DOUBLE, y DOUBLE, pref INTEGER)")
    con.executemany(
        "INSERT INTO pls VALUES (?, ?, ?, ?)",
        [[f"s{j:02d}", *map(float, xy), int(preference[j])] for j, xy in enumerate(places)],
    )
    found = nearest(con, "pts", "pls", "got", point_key="k", place_key="key", order="pref", radii=(500, 2_000, 20_000))
    got = {k: (p, d) for k, p, d in con.execute("SELECT * FROM got").fetchall()}
    assert found == len(points) == len(got)
    for i, xy in enumerate(points):
        d = np.hypot(*(places - xy).T)
        best = min(range(len(places)), key=lambda j: (d[j], preference[j], f"s{j:02d}"))
        assert got[f"p{i:03d}"] == (f"s{best:02d}", pytest.approx(d[best]))


def test_a_district_whose_code_ons_retired_takes_the_releases_published_under_its_successor(con):
    """Code-Point codes Barnsley E08000016; ONS publishes January 2026 under E08000038 (2024 boundary change)."""
    from pipeline.sqlfiles import sql

    con.execute("""CREATE OR REPLACE TEMP TABLE la_connectivity_series AS SELECT * FROM (VALUES
        ('E08000016', 'Barnsley', 'gigabit_capable_pct', '2025-07', 'ONS metadata', 90.0::DOUBLE),
        ('E08000038', 'Barnsley', 'gigabit_capable_pct', '2025-07', 'ONS metadata', 90.1),
        ('E08000038', 'Barnsley', 'gigabit_capable_pct', '2026-01', 'ONS metadata', 91.3),
        ('E08000017', 'Doncaster', 'gigabit_capable_pct', '2026-01', 'ONS metadata', 80.0)
    ) t(area_code, area_name, indicator, release, dated_by, value)""")
    con.execute("CREATE OR REPLACE TEMP TABLE codepoint_open AS SELECT 'E08000016' AS lad_code, NULL AS county_code")
    rows = con.execute(
        "SELECT area_code, area_type, release, value, published_code FROM ("
        + sql("district_connectivity_series")
        + ") ORDER BY release",
        {"lads": ["E08000016"]},
    ).fetchall()
    assert rows == [
        ("E08000016", "study district", "2025-07", 90.0, "E08000016"),  # its own row where it has one
        ("E08000016", "study district", "2026-01", 91.3, "E08000038"),  # the successor's, and said so
    ]


def _workers_started(stale: bool) -> bool:
    code = f"""
from multiprocessing import forkserver
from pipeline.plan import StepPlan
from pipeline.runner import start_drawing_workers
from pipeline.steps import BY_NAME
plans = [StepPlan(BY_NAME["briefings"], "f", {{}}, stale={stale}), StepPlan(BY_NAME["scores"], "f", {{}})]
start_drawing_workers(plans)
print(forkserver._forkserver._forkserver_pid is not None)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return out.stdout.strip() == "True"


def test_a_run_whose_drawing_step_is_stale_starts_its_workers_before_any_step_and_otherwise_never():
    """The fork server the briefings and maps draw on loads the drawing code (about 1.5 s of a core): a run
    starts it before its first step, so it loads while the steps before them run."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: everything is drawn in the run's own process")
    assert _workers_started(stale=True)
    assert not _workers_started(stale=False)


class _Tables:
    """Notes over rows given here, citing a figure as its plain value (what the sentence says, not its note)."""

    def __init__(self, tables: dict[str, list[dict]]):
        self.tables = tables

    def rows(self, table):
        return self.tables.get(table, [])

    def row(self, table, **keys):
        return next((r for r in self.rows(table) if all(r.get(k) == v for k, v in keys.items())), None)

    def cite(self, table, column, digits=0, suffix="", zero=None, **keys):
        return f"{float(self.row(table, **keys)[column]):.{digits}f}{suffix}"


def _area_sentences(area_name: str) -> str:
    from pipeline.outputs.headlines import ofcom_area_sentences

    districts = [
        {"lad_code": f"E0700000{i}", "area_name": f"District {i}", "ofcom_gigabit_pct": str(80 + i),
         "ofcom_release": "2026-01", "ofcom_release_name": "January 2026"}
        for i in range(1, 4)
    ]  # fmt: skip
    zone = {
        "lad_code": "ALL",
        "area_name": area_name,
        "estimated_gigabit_pct": "82.5",
        "estimated_weighted_by": "Census 2021 usual residents",
        "estimated_release_name": "January 2026",
    }
    england = {
        "area_code": "E92000001",
        "area_name": "England",
        "area_type": "comparator",
        "indicator": "gigabit_capable_pct",
        "release": "2026-01",
        "value": "88.0",
    }
    notes = _Tables({"district_summary": [*districts, zone], "connectivity_series": [england]})
    return " ".join(ofcom_area_sentences(notes, districts, most=2))


def test_a_study_area_that_is_a_nation_quotes_ofcoms_own_figure_before_the_estimate_from_its_districts():
    england = _area_sentences("England")
    assert "88.0% in England" in england and "Ofcom's own figure for England is given above" in england
    assert "does not publish a figure" not in england
    zone = _area_sentences("Essex & Herts Digital Innovation Zone")
    assert "Ofcom does not publish a figure for the study area as a whole" in zone
