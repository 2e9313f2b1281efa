"""The method's arithmetic on hand-made inputs (synthetic test data, built here): scaling, weighting
around gaps, the weights' rules, triage and its tie rule, FDR, permutation p-values against
PySAL's esda, rank robustness and validation."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from pipeline.analysis import scores
from pipeline.analysis.hotspots import benjamini_hochberg, permutation_p
from pipeline.analysis.uncertainty import summarise
from pipeline.analysis.validation import compare
from pipeline.errors import SettingsError
from pipeline.sqlfiles import sql


def _indicators(con, rows, meta):
    con.register(
        "lsoa_indicators",
        pa.Table.from_pylist([{"lsoa_code": c, "lad_code": d, "indicator": i, "value": v} for c, d, i, v in rows]),
    )
    con.register(
        "indicator_meta",
        pa.Table.from_pylist([{"indicator": i, "higher_is_worse": w, "transform": t} for i, w, t in meta]),
    )
    con.execute("CREATE OR REPLACE TEMP VIEW national_values AS SELECT 'x' AS indicator, 0.0 AS value WHERE false")


def test_min_max_scaling_puts_the_worst_at_10_whichever_way_worse_points(con):
    _indicators(
        con,
        [
            ("A", "L1", "older", 10.0),
            ("B", "L1", "older", 20.0),
            ("C", "L2", "older", 30.0),
            ("A", "L1", "speed", 100.0),
            ("B", "L1", "speed", 50.0),
            ("C", "L2", "speed", 0.0),
        ],
        [("older", True, "none"), ("speed", False, "none")],
    )
    scores.scale(con, "study_area")
    got = dict(
        ((c, i), round(s, 9))
        for c, i, s in con.execute("SELECT lsoa_code, indicator, score FROM indicator_scores").fetchall()
    )
    assert got == {
        ("A", "older"): 0,
        ("B", "older"): 5,
        ("C", "older"): 10,
        ("A", "speed"): 0,
        ("B", "speed"): 5,
        ("C", "speed"): 10,
    }


def test_district_base_scales_each_district_on_its_own_range(con):
    _indicators(
        con,
        [
            ("A", "L1", "older", 10.0),
            ("B", "L1", "older", 20.0),
            ("C", "L2", "older", 30.0),
            ("D", "L2", "older", 40.0),
        ],
        [("older", True, "none")],
    )
    scores.scale(con, "district")
    got = dict(con.execute("SELECT lsoa_code, score FROM indicator_scores").fetchall())
    assert got == {"A": 0, "B": 10, "C": 0, "D": 10}


def test_a_missing_indicator_drops_out_and_the_others_keep_their_ratios(con):
    con.register(
        "indicator_scores",
        pa.Table.from_pylist(
            [
                {"lsoa_code": "A", "indicator": "pct_75_plus", "score": 8.0},
                {"lsoa_code": "A", "indicator": "pct_65_74", "score": 2.0},
                {"lsoa_code": "A", "indicator": "pct_disabled", "score": 5.0},
                {"lsoa_code": "B", "indicator": "pct_75_plus", "score": 4.0},
                {"lsoa_code": "B", "indicator": "pct_disabled", "score": 10.0},  # B has no pct_65_74
            ]
        ),
    )
    con.register(
        "lsoa_list", pa.Table.from_pylist([{"lsoa_code": "A", "lad_code": "L"}, {"lsoa_code": "B", "lad_code": "L"}])
    )
    w = scores.normalised(
        "need",
        {"age": 3.0, "disability": 1.0},
        {"age": {"pct_75_plus": 0.6, "pct_65_74": 0.4}, "disability": {"pct_disabled": 1.0}},
    )
    table = scores.combine(con, w)
    rows = {
        (c, comp): (cs, s, m)
        for c, comp, cs, s, m in con.execute(
            f"SELECT lsoa_code, component, component_score, score, missing_indicators FROM {table}"
        ).fetchall()
    }
    assert rows[("A", "age")][0] == pytest.approx(0.6 * 8 + 0.4 * 2)
    assert rows[("A", "age")][1] == pytest.approx(0.75 * 5.6 + 0.25 * 5)
    assert rows[("B", "age")][0] == pytest.approx(4.0)  # pct_75_plus alone
    assert rows[("B", "age")][1] == pytest.approx(0.75 * 4 + 0.25 * 10)
    assert rows[("B", "age")][2] == "pct_65_74" and rows[("A", "age")][2] is None


def test_weight_sets_scored_in_one_pass_give_each_the_scores_it_gets_alone(con):
    """The sensitivity table scores every changed weight set in one pass of composite.sql (a variant per set):
    each set's scores, to the last bit, and so its top N, are those it gets scored alone."""
    import random

    from pipeline.analysis import scores
    from pipeline.analysis.sensitivity import top_n

    rng = random.Random(7)  # SYNTHETIC scores for 60 LSOAs, one indicator missing here and there
    indicators = ("pct_75_plus", "pct_65_74", "pct_disabled")
    con.register(
        "indicator_scores",
        pa.Table.from_pylist(
            [
                {"lsoa_code": f"L{k:02d}", "indicator": i, "score": round(rng.uniform(0, 10), 3)}
                for k in range(60)
                for i in indicators
                if rng.random() > 0.05
            ]
        ),
    )
    con.register("lsoa_list", pa.Table.from_pylist([{"lsoa_code": f"L{k:02d}", "lad_code": "X"} for k in range(60)]))
    base = scores.normalised(
        "need",
        {"age": 3.0, "disability": 1.0},
        {"age": {"pct_75_plus": 0.6, "pct_65_74": 0.4}, "disability": {"pct_disabled": 1.0}},
    )
    sets = [base, base.with_change("age", None, 0.8), base.with_change("age", "pct_65_74", 1.2)]
    together = scores.combine(con, sets, "together_long")
    for variant, w in enumerate(sets):
        alone = scores.combine(con, w, "alone_long")
        query = "SELECT lsoa_code, component, score FROM {} {} ORDER BY 1, 2"
        assert (
            con.execute(query.format(together, f"WHERE variant = {variant}")).fetchall()
            == con.execute(query.format(alone, "")).fetchall()
        )
        assert top_n(con, sets, 10)[variant] == top_n(con, [w], 10)[0]


@pytest.mark.parametrize(
    "body, message",
    [
        ("[components]\nage = 1\n[age]\npct_no_gigabit = 1\n", "a supply indicator cannot enter the need score"),
        ("[components]\nage = 1\n[age]\niuc_group = 1\n", "a category, not a score"),
        ("[components]\nage = 0\n[age]\npct_75_plus = 1\n", "weights are all zero"),
        ("[components]\nage = 1\n[age]\npct_75_plus = -1\n", "finite number >= 0"),
        ("[components]\nage = 1\n[age]\npct_75_plus = inf\n", "finite number >= 0"),
        ("[components]\nage = 1\n[age]\nnot_an_indicator = 1\n", "not an indicator"),
    ],
)
def test_weights_files_are_refused_with_their_table_and_key(tmp_path, body, message):
    path = tmp_path / "need.toml"
    path.write_text(body)
    with pytest.raises(SettingsError, match=message):
        scores.load_weights(path, "need")


def _triage(con, need: dict, gap: dict, share: float = 0.30):
    con.register(
        "lsoa_need",
        pa.Table.from_pylist(
            [
                {
                    "lsoa_code": c,
                    "need_score": s,
                    "need_rank": r,
                    "need_decile": 1,
                    "age_score": s,
                    "disability_score": 0.0,
                    "deprivation_score": 0.0,
                    "engagement_score": 0.0,
                }
                for c, (s, r) in need.items()
            ]
        ),
    )
    con.register(
        "lsoa_supply_gap",
        pa.Table.from_pylist(
            [
                {
                    "lsoa_code": c,
                    "supply_gap_score": s,
                    "supply_gap_rank": r,
                    "supply_gap_decile": 1,
                    "area_average": a,
                    "broadband_resolution": "postcode_district" if a else "postcode",
                    "broadband_area": "CM20" if a else None,
                    "lsoas_sharing_value": 3 if a else 1,
                }
                for c, (s, r, a) in gap.items()
            ]
        ),
    )
    con.register(
        "lsoa_areas",
        pa.Table.from_pylist(
            [
                {
                    "lsoa_code": c,
                    "lsoa_name": c,
                    "ward_code": "W",
                    "ward_name": "W",
                    "lad_code": "L",
                    "lad_name": "L",
                    "residents_2021": 1500,
                }
                for c in need
            ]
        ),
    )
    return dict(
        con.execute(
            f"SELECT lsoa_code, triage_class FROM ({sql('lsoa_triage')})", {"need_share": share, "gap_share": share}
        ).fetchall()
    )


def test_triage_crosses_need_with_gap(con):
    got = _triage(
        con,
        need={"A": (9, 1), "B": (8, 2), "C": (1, 3), "D": (0, 4), "E": (0, 5), "F": (0, 6)},
        gap={
            "A": (9, 1, False),
            "B": (0, 6, False),
            "C": (8, 2, False),
            "D": (0, 5, False),
            "E": (0, 4, False),
            "F": (0, 3, False),
        },
    )
    assert got == {
        "A": "both",
        "B": "adoption gap",
        "C": "infrastructure gap",
        "D": "neither",
        "E": "neither",
        "F": "neither",
    }


def test_lsoas_sharing_an_area_average_are_unserved_together_or_not_at_all(con):
    """Three LSOAs in one postcode district tie at rank 1: the top 30% (1.8 of 6) takes all three."""
    got = _triage(
        con,
        need={c: (0, i + 1) for i, c in enumerate("ABCDEF")},
        gap={
            "A": (7, 1, True),
            "B": (7, 1, True),
            "C": (7, 1, True),
            "D": (2, 4, False),
            "E": (1, 5, False),
            "F": (0, 6, False),
        },
    )
    assert [c for c, k in sorted(got.items()) if k in ("both", "infrastructure gap")] == ["A", "B", "C"]


def test_benjamini_hochberg_matches_the_hand_computation():
    p = np.array([0.01, 0.04, 0.03, 0.20])
    # sorted 0.01, 0.03, 0.04, 0.20 -> 0.04, 0.06, 0.0533, 0.20 -> monotone from the top: 0.04, 0.0533, 0.0533, 0.20
    assert benjamini_hochberg(p) == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.20])


def test_permutation_p_values_agree_with_esda_within_monte_carlo_error():
    esda = pytest.importorskip("esda")
    libpysal = pytest.importorskip("libpysal")
    rng = np.random.default_rng(7)
    side = 12
    values = rng.gamma(2.0, 1.0, side * side)
    values[:20] += 4  # a hot corner
    w = libpysal.weights.lat2W(side, side, rook=False)
    neighbours = [np.array(w.neighbors[i]) for i in range(side * side)]
    ours = permutation_p(values, neighbours, 999, seed=1)
    w.transform = "B"
    theirs = esda.G_Local(values, w, star=True, permutations=999, seed=1, transform="B").p_sim
    # esda's p_sim is one-sided (the nearer tail); ours is two-sided: twice it, capped at 1
    assert np.mean(np.abs(ours - np.minimum(1, 2 * theirs))) < 0.03
    assert set(np.nonzero(ours < 0.01)[0]) & set(np.nonzero(theirs < 0.005)[0])


def test_rank_summary_separates_robust_from_weight_dependent_priorities():
    draws, lsoas = 100, 20  # the top decile is ranks 1-2
    ranks = np.tile(np.arange(1, lsoas + 1, dtype=float), (draws, 1))
    ranks[:, 1] = np.where(np.arange(draws) % 2 == 0, 2, 15)  # in the top decile in half the draws
    ranks[:, 2] = np.where(np.arange(draws) % 2 == 0, 3, 2)
    out = summarise(ranks, robust=0.8)
    assert out[0]["priority"] == "robust" and out[0]["p_top_decile"] == 1.0
    assert out[1]["priority"] == "weight-dependent" and math.isclose(out[1]["p_top_decile"], 0.5)
    assert out[5]["priority"] == "rarely in the top tenth"


def test_validation_of_a_perfectly_ordered_outcome_is_rho_one_and_full_overlap():
    score = np.arange(50, dtype=float)
    result = compare(score * 3 + 1, score, 200, np.random.default_rng(0))
    assert result["spearman_rho"] == pytest.approx(1.0) and result["top_decile_overlap"] == 1.0
    assert result["rho_ci_low"] == pytest.approx(1.0)


def test_each_postcode_takes_its_latest_releases_figures_and_an_older_release_where_the_latest_lacks_it(con):
    """Two Ofcom releases, the later one without CM20 1AB: the coverage is the later release's for CM20 1AA
    and the earlier one's for CM20 1AB; with one release every row is its own latest."""
    from pipeline.ingest.broadband import latest

    pct = ("sfbb_pct", "ufbb100_pct", "ufbb_pct", "full_fibre_pct", "gigabit_pct", "below_10_pct", "below_30_pct")
    pct += ("below_uso_pct", "nga_pct")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE ofcom_postcode_coverage AS
        SELECT key, release, 'f' AS source_file, 1 AS source_row, 10 AS all_premises,
               {", ".join(f"g AS {c}" for c in pct)}
        FROM (VALUES ('CM20 1AA', '2023-07', 50.0), ('CM20 1AA', '2024-07', 80.0), ('CM20 1AB', '2023-07', 40.0))
             t(key, release, g)""")
    con.execute(
        """CREATE OR REPLACE TEMP TABLE ofcom_la_coverage AS SELECT * FROM ofcom_postcode_coverage WHERE false"""
    )
    con.execute("""CREATE OR REPLACE TEMP TABLE ofcom_postcode_district AS
        SELECT key, release, source_file, source_row, sfbb_pct, ufbb_pct, gigabit_pct, below_uso_pct, nga_pct,
               1 AS sample_postcodes FROM ofcom_postcode_coverage WHERE false""")
    con.execute("""CREATE OR REPLACE TEMP TABLE postcodes AS SELECT * FROM (VALUES
        ('CM20 1AA', 'CM20', 'E07000073'), ('CM20 1AB', 'CM20', 'E07000073'))
        t(postcode, postcode_district, lad_code)""")
    fragments = {
        "latest_postcode": latest(con, "ofcom_postcode_coverage"),
        "latest_district": latest(con, "ofcom_postcode_district"),
        "latest_la": latest(con, "ofcom_la_coverage"),
    }
    got = con.execute(
        "SELECT postcode, release, gigabit_pct FROM (" + sql("broadband_coverage", **fragments) + ") ORDER BY 1",
        {"lads": ["E07000073"]},
    ).fetchall()
    assert got == [("CM20 1AA", "2024-07", 80.0), ("CM20 1AB", "2023-07", 40.0)]
    assert "QUALIFY" not in latest(con, "ofcom_la_coverage")  # one release (here none): nothing to choose
