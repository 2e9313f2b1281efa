"""The exclusion index arithmetic, checked against a hand-computed DERI example."""

from __future__ import annotations

import pyarrow as pa
import pytest

from pipeline.analysis.index import combine, load_weights, normalised, scale
from pipeline.errors import DizError
from tests.conftest import PROJECT_ROOT

DERI_WEIGHTS = PROJECT_ROOT / "config" / "index_weights_deri.toml"

# Five LSOAs in one district, with values chosen so the arithmetic can be done by hand.
VALUES = {
    #                  A      B      C      D      E
    "pct_65_plus":     (10,    20,    30,    40,    50),
    "pct_60_plus":     (20,    20,    30,    40,    20),
    "pct_no_superfast": (0,    10,     5,     0,    20),
    "pct_below_uso":   (1,      1,     3,     5,     1),
    "pct_no_gigabit":  (10,    30,    50,    10,    90),
    "income_rank":     (1000, 2000, 3000, 4000, 5000),
    "education_rank":  (5000, 1000, 3000, 2000, 4000),
    "employment_rank": (3000, 3000, 3000, 3000, 1000),
    "imd_rank":        (1000, 3000, 2000, 5000, 4000),
}
LSOAS = ("A", "B", "C", "D", "E")

# By hand, with score = 10 (x - min) / (max - min), reversed for ranks (lower rank = worse):
#   age         = (65+ score + 60+ score) / 2           = 0, 1.25, 5, 8.75, 5
#   broadband   = mean of the three broadband scores     = 0, 2.5, 4.1667, 3.3333, 6.6667
#   deprivation = .2 income + .4 education + .2 employment + .2 IMD = 4, 6.5, 4.5, 3.5, 3.5
#   index       = mean of the three components
HAND = {
    "A": {"age": 0.0, "broadband": 0.0, "deprivation": 4.0, "index": 4.0 / 3},
    "B": {"age": 1.25, "broadband": 2.5, "deprivation": 6.5, "index": 10.25 / 3},
    "C": {"age": 5.0, "broadband": 12.5 / 3, "deprivation": 4.5, "index": (5 + 12.5 / 3 + 4.5) / 3},
    "D": {"age": 8.75, "broadband": 10 / 3, "deprivation": 3.5, "index": (8.75 + 10 / 3 + 3.5) / 3},
    "E": {"age": 5.0, "broadband": 20 / 3, "deprivation": 3.5, "index": (5 + 20 / 3 + 3.5) / 3},
}


def _register(con, values=VALUES, lads=("E07000073",) * 5, national=(), drop=()):
    rows = [{"lsoa11cd": lsoa, "lad_code": lad, "indicator": name, "value": float(v)}
            for name, vs in values.items() for lsoa, lad, v in zip(LSOAS, lads, vs) if (lsoa, name) not in drop]
    con.register("lsoa_indicators", pa.Table.from_pylist(rows))
    con.register("national_indicators", pa.Table.from_pylist(
        list(national) or [{"lsoa11cd": "x", "indicator": "none", "value": 0.0}]))


def _index(con):
    rows = con.execute("SELECT lsoa11cd, component, component_score, index_score FROM index_long").fetchall()
    out: dict = {}
    for lsoa, component, score, index in rows:
        out.setdefault(lsoa, {})[component] = score
        out[lsoa]["index"] = index
    return out


def test_deri_mode_matches_the_hand_computed_five_lsoa_example(con):
    weights = load_weights(DERI_WEIGHTS)
    _register(con)
    scale(con, weights, "study_area")
    combine(con, weights)
    got = _index(con)
    for lsoa, expected in HAND.items():
        for key, value in expected.items():
            assert got[lsoa][key] == pytest.approx(value, abs=1e-9), (lsoa, key)
    order = [r[0] for r in con.execute("""SELECT lsoa11cd FROM index_long GROUP BY 1
                                          ORDER BY any_value(index_score) DESC""").fetchall()]
    assert order == ["D", "E", "C", "B", "A"]


def test_district_base_scales_each_district_on_its_own_range(con):
    weights = normalised({"age": 1}, {"age": {"pct_65_plus": 1}})
    _register(con, {"pct_65_plus": (10, 20, 30, 40, 50)}, lads=("L1", "L1", "L1", "L2", "L2"))
    scale(con, weights, "district")
    scores = dict(con.execute("SELECT lsoa11cd, score FROM indicator_scores").fetchall())
    assert scores == {"A": 0.0, "B": 5.0, "C": 10.0, "D": 0.0, "E": 10.0}


def test_england_base_uses_national_ranges_only_where_national_data_exists(con):
    weights = normalised({"d": 1, "a": 1}, {"d": {"imd_rank": 1}, "a": {"pct_65_plus": 1}})
    national = [{"lsoa11cd": f"N{i}", "indicator": "imd_rank", "value": float(v)} for i, v in enumerate((1, 32_844))]
    _register(con, {"imd_rank": (1000, 2000, 3000, 4000, 5000), "pct_65_plus": (10, 20, 30, 40, 50)}, national=national)
    scale(con, weights, "england")
    rows = {(r[0], r[1]): (r[2], r[3]) for r in con.execute(
        "SELECT lsoa11cd, indicator, scaling_base, score FROM indicator_scores").fetchall()}
    assert rows[("A", "imd_rank")] == ("england", pytest.approx(10 * (32_844 - 1000) / 32_843))
    assert rows[("A", "pct_65_plus")] == ("study_area", 0.0)  # no national Census 2021 file here


def test_missing_indicator_drops_out_and_is_listed(con):
    weights = normalised({"b": 1}, {"b": {"pct_no_superfast": 1, "pct_no_gigabit": 1}})
    values = {"pct_no_superfast": (0, 10, 5, 0, 20), "pct_no_gigabit": (10, 30, 50, 10, 90)}
    _register(con, values, drop={("E", "pct_no_gigabit")})
    scale(con, weights, "study_area")
    combine(con, weights)
    e = con.execute("SELECT component_score, missing_indicators FROM index_long WHERE lsoa11cd = 'E'").fetchone()
    # Without E the gigabit range is 10-50; E keeps only its superfast score (10).
    assert e == (10.0, "pct_no_gigabit")


def test_weights_file_with_an_unknown_indicator_is_refused(tmp_path):
    bad = tmp_path / "w.toml"
    bad.write_text("[components]\nage = 1\n[age]\npct_75_plus = 1\n")
    with pytest.raises(DizError, match="'pct_75_plus' is not an indicator"):
        load_weights(bad)


def test_changing_one_weight_renormalises_the_others():
    weights = normalised({"a": 1, "b": 1}, {"a": {"pct_65_plus": 1}, "b": {"pct_no_superfast": 3, "pct_no_gigabit": 1}})
    up = weights.with_change("a", None, 1.2)
    assert up.components == pytest.approx({"a": 1.2 / 2.2, "b": 1 / 2.2})
    down = weights.with_change("b", "pct_no_gigabit", 0.8)
    assert down.indicators["b"] == pytest.approx({"pct_no_superfast": 3 / 3.8, "pct_no_gigabit": 0.8 / 3.8})
