"""The peer benchmark: each district ranked among ONS's similar places for Ofcom's figures.

Ranks are recomputed here from the raw ONS files with the ``csv`` module (no SQL of the pipeline's),
the figures the issue quotes are checked as published, ties are tested on the 4G case, the zone's
residents weighting is shown to reproduce Ofcom's own county figures, and the step is run for every
English district.
"""

from __future__ import annotations

import csv
import statistics

import pytest

from tests.conftest import MIRROR, STUDY_LADS

ELS = MIRROR / "ons-explore-local-statistics"


def national(indicator_file: str) -> dict[str, float]:
    """Latest national file: area code -> value (the file's own columns, read by hand)."""
    with open(ELS / "national" / indicator_file, encoding="utf-8-sig", newline="") as f:
        return {r["areacd"]: float(r["observation"]) for r in csv.DictReader(f) if r["observation"]}


def neighbours_2026_global() -> dict[str, list[str]]:
    with open(ELS / "clusters" / "2026" / "global-neighbours.csv", encoding="utf-8-sig", newline="") as f:
        return {r["AREACD"]: [r[str(i)] for i in range(1, 21)] for r in csv.DictReader(f)}


def competition_rank(value: float, others: list[float]) -> tuple[int, int]:
    """(rank, number sharing it): 1 + the number strictly better; higher is better."""
    return 1 + sum(v > value for v in others), sum(v == value for v in others) + 1


def published(real_run, code: str, indicator: str, group: str = "neighbours") -> dict:
    rows = real_run.sql(
        f"""SELECT * FROM {real_run.table("peer_benchmark")}
                            WHERE area_code = $c AND indicator = $i AND group_kind = $g
                            ORDER BY release DESC LIMIT 1""",
        {"c": code, "i": indicator, "g": group},
    )
    names = [d[0] for d in real_run.con.description]
    return dict(zip(names, rows[0], strict=False))


@pytest.mark.parametrize("code", ["E07000073", "E07000095"])
def test_ranks_recomputed_by_hand_from_the_raw_files_match_the_published_ranks(real_run, code):
    values = national("gigabit-capable-broadband.csv")
    group = [code] + neighbours_2026_global()[code]
    others = [values[c] for c in group if c != code]
    rank, tied = competition_rank(values[code], others)
    row = published(real_run, code, "gigabit_capable_pct")
    assert row["release"] == "2026-01"
    assert (row["rank"], row["tied"], row["n_compared"]) == (rank, tied, 21)
    assert row["group_median"] == pytest.approx(statistics.median(values[c] for c in group))
    assert row["best_value"] == max(values[c] for c in group)


def test_issue_figures_come_out_unchanged_harlow_17th_best_dudley_97_2_median_94_1(real_run):
    harlow = published(real_run, "E07000073", "gigabit_capable_pct")
    assert (harlow["rank_label"], harlow["best_peers"], harlow["best_value"]) == ("17th of 21", "Dudley", 97.2)
    assert round(harlow["group_median"], 1) == 94.1
    ranks = {c: published(real_run, c, "gigabit_capable_pct")["rank"] for c in STUDY_LADS}
    assert ranks == {"E07000095": 9, "E07000242": 12, "E07000072": 9, "E07000073": 17, "E07000077": 15}
    headlines = (real_run.live / "headlines.md").read_text(encoding="utf-8")
    assert "Harlow ranks 17th of 21, counting itself with its 20 statistical nearest neighbours" in headlines


def test_4g_ties_share_the_best_rank_and_say_how_many_are_tied(real_run):
    values = national("network-coverage-4g.csv")
    group = ["E07000095"] + neighbours_2026_global()["E07000095"]
    at_best = sum(values[c] == max(values[c] for c in group) for c in group)
    row = published(real_run, "E07000095", "coverage_4g_area_pct")
    assert at_best == 15 and row["value"] == 100.0
    assert (row["rank"], row["tied"], row["rank_label"]) == (1, 15, "=1st of 21 (15 tied)")


def test_below_30_mbit_ranks_lower_values_first(real_run):
    values = national("premises-below-30.csv")
    group = ["E07000077"] + neighbours_2026_global()["E07000077"]
    rank = 1 + sum(values[c] < values["E07000077"] for c in group if c != "E07000077")
    assert published(real_run, "E07000077", "premises_below_30_pct")["rank"] == rank


def test_every_study_district_has_a_rank_for_every_indicator_and_release_and_the_zone_one_too(real_run):
    missing = real_run.sql(
        f"""
        WITH releases AS (SELECT DISTINCT indicator, release FROM {real_run.table("la_connectivity_series")}
                          WHERE dated_by <> 'year only'),
             wanted AS (SELECT c.code, r.* FROM releases r, unnest($lads) c(code))
        SELECT w.* FROM wanted w ANTI JOIN {real_run.table("peer_benchmark")} p
            ON p.area_code = w.code AND p.indicator = w.indicator AND p.release = w.release
           AND p.group_kind = 'neighbours'""",
        {"lads": STUDY_LADS},
    )
    assert missing == []
    zone = published(real_run, "ZONE", "gigabit_capable_pct")
    assert zone["estimate"] and zone["n_compared"] > 21 and zone["rank_label"].endswith(f"of {zone['n_compared']}")


def run_peer_step(real_run, tmp_path, lads: list[str], zone: str = "ZONE"):
    """The peer step alone, for the given districts, on the real run's national tables, with land areas from
    the national LSOA 2021 boundaries in the mirror (the run's own ``lsoa_areas`` holds the study area only)."""
    from pipeline import duck
    from pipeline.analysis.peers import build_peer_benchmark
    from pipeline.paths import Paths
    from pipeline.settings import load_settings

    settings = load_settings(lad_codes=lads)
    settings = settings.model_copy(update={"peers": settings.peers.model_copy(update={"zone_code": zone})})
    paths = Paths(root=tmp_path, mirror=None).in_generation(tmp_path / "generation").ensure()
    con = duck.connect()
    for table in (
        "la_connectivity_series",
        "la_neighbours",
        "la_clusters",
        "census_age",
        "lsoa_wards",
        "codepoint_open",
    ):
        paths.table_path(table).symlink_to(real_run.live / f"{table}.parquet")
        con.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet('{paths.table_path(table)}')")
    con.execute(f"""COPY (SELECT b.lsoa21_code AS lsoa21cd, w.lad_code,
                                 ST_Area(ST_Transform(b.geom, 'EPSG:4326', 'EPSG:27700', always_xy := true)) / 1e6
                                     AS area_km2
                          FROM ST_Read('{MIRROR / "boundaries" / "lsoa2021_bsc_EW.geojson"}') b
                          JOIN lsoa_wards w ON w.lsoa21cd = b.lsoa21_code)
                    TO '{paths.table_path("lsoa_areas")}' (FORMAT parquet)""")
    con.execute(f"CREATE OR REPLACE VIEW lsoa_areas AS SELECT * FROM read_parquet('{paths.table_path('lsoa_areas')}')")
    results = build_peer_benchmark(con, paths, settings)
    return con, f"read_parquet('{paths.table_path('peer_benchmark')}')", results


def _county_districts(real_run, county: str) -> list[str]:
    return [
        r[0]
        for r in real_run.sql(
            f"""SELECT DISTINCT lad_code FROM {real_run.table("codepoint_open")}
                                           WHERE county_code = $c ORDER BY 1""",
            {"c": county},
        )
    ]


@pytest.mark.parametrize("county, name, n", [("E10000015", "Hertfordshire", 10), ("E10000012", "Essex", 12)])
def test_residents_weighting_reproduces_ofcoms_own_county_figures_within_0_2_points(
    real_run, county, name, n, tmp_path
):
    """The zone's estimate is its districts' figures weighted by Census 2021 residents (shares of premises)
    or land area (shares of land area). Run the same step with a county's districts as the 'zone' and compare
    with Ofcom's own county row, for every indicator and release where the county has one."""
    lads = _county_districts(real_run, county)
    assert len(lads) == n
    con, benchmark, _ = run_peer_step(real_run, tmp_path, lads, zone="COUNTY")
    pairs = con.execute(
        f"""
        SELECT z.indicator, z.release, z.value, o.value
        FROM {benchmark} z
        JOIN la_connectivity_series o ON o.area_code = $county AND o.indicator = z.indicator AND o.release = z.release
        WHERE z.area_code = 'COUNTY' AND z.group_kind = 'neighbours'""",
        {"county": county},
    ).fetchall()
    assert {p[0] for p in pairs} == {
        "gigabit_capable_pct",
        "premises_below_30_pct",
        "coverage_4g_area_pct",
        "coverage_5g_area_pct",
    } and len(pairs) >= 20
    worst = max(pairs, key=lambda p: abs(p[2] - p[3]))
    # both are published to Ofcom's decimals, so a difference of 0.2 is 0.2 up to binary rounding
    assert round(abs(worst[2] - worst[3]), 9) <= 0.2, (name, worst)


def test_the_published_weighting_check_is_what_the_headlines_quote_and_agrees_with_the_zone_method(real_run, tmp_path):
    """The claim that residents' weighting reproduces ONS's county figures rests on a published table: the
    headlines quote its largest difference, and its Hertfordshire estimate is the zone method's, run with
    Hertfordshire's districts as the zone (to the rounding of the decimal Ofcom publishes)."""
    import csv

    rows = list(csv.DictReader((real_run.live / "tables" / "peer_weighting_check.csv").open(encoding="utf-8")))
    assert {r["county_name"] for r in rows} == {"Hertfordshire", "Essex"}
    assert {r["indicator"] for r in rows} == {"gigabit_capable_pct", "premises_below_30_pct"}
    worst = max(abs(float(r["difference_pp"])) for r in rows)
    headlines = (real_run.live / "headlines.md").read_text(encoding="utf-8")
    assert f"within {worst:.2f} points at every release from" in headlines
    assert "0.2 points" not in headlines
    con, benchmark, _ = run_peer_step(real_run, tmp_path, _county_districts(real_run, "E10000015"), zone="COUNTY")
    zone = dict(
        con.execute(
            f"""SELECT release, value FROM {benchmark} WHERE area_code = 'COUNTY' AND group_kind = 'neighbours'
                AND indicator = 'gigabit_capable_pct'"""
        ).fetchall()
    )
    herts = [r for r in rows if r["county_code"] == "E10000015" and r["indicator"] == "gigabit_capable_pct"]
    # the table keeps two decimals, the zone's estimate Ofcom's one: they agree to that rounding
    assert herts and all(abs(float(r["estimate"]) - zone[r["release"]]) <= 0.05 + 1e-9 for r in herts), (herts, zone)


def test_the_peer_step_runs_for_every_english_district(real_run, tmp_path):
    """Only the national ONS files are needed: every English district in the latest gigabit file gets a rank
    among its neighbours for the latest release."""
    english = sorted(c for c in national("gigabit-capable-broadband.csv") if c[:3] in ("E06", "E07", "E08", "E09"))
    assert len(english) > 290
    con, benchmark, results = run_peer_step(real_run, tmp_path, english)
    ranked = {
        r[0]
        for r in con.execute(f"""SELECT area_code FROM {benchmark}
                                            WHERE indicator = 'gigabit_capable_pct' AND release = '2026-01'
                                              AND group_kind = 'neighbours' AND area_type = 'district'""").fetchall()
    }
    assert ranked == set(english)
    assert results[0].counts["districts_without_peers"] == []


def pace_rows(con, rows: list[tuple], horizon: int = 10, level: float = 0.2) -> dict:
    """peer_pace on a SYNTHETIC two-release benchmark: (indicator, release, value, median, best) rows."""
    from pipeline.sqlfiles import sql

    con.execute("""CREATE OR REPLACE TEMP TABLE peer_benchmark (area_code VARCHAR, area_name VARCHAR,
                   area_type VARCHAR, group_kind VARCHAR, indicator VARCHAR, indicator_label VARCHAR, release VARCHAR,
                   release_name VARCHAR, dated_by VARCHAR, value DOUBLE, estimate BOOLEAN, weighted_by VARCHAR,
                   group_median DOUBLE, best_value DOUBLE, rank_label VARCHAR)""")
    for indicator, release, value, median, best in rows:
        con.execute(
            "INSERT INTO peer_benchmark VALUES ('X', 'Synthetic', 'study district', 'neighbours', ?, ?, ?, ?, "
            "'ONS metadata', ?, false, NULL, ?, ?, '2nd of 21')",
            [indicator, indicator, release, release, value, median, best],
        )
    rel = con.execute(sql("peer_pace"), {"horizon": horizon, "level": level})
    names = [d[0] for d in rel.description]
    return {r[names.index("indicator")]: dict(zip(names, r, strict=True)) for r in rel.fetchall()}


def test_catching_up_is_never_dated_beyond_full_coverage(con):
    """Subject 80 -> 90 (5 a year), best 96 -> 99 (1.5 a year): the straight lines would cross in 2030 at 106%;
    coverage stops at 100%, so the gap does not close before full coverage, which the subject reaches 2 years on."""
    got = pace_rows(
        con, [("gigabit_capable_pct", "2024-01", 80, 85, 96), ("gigabit_capable_pct", "2026-01", 90, 95, 99)]
    )
    row = got["gigabit_capable_pct"]
    assert row["reaches_best"] == "not before both reach 100% (at this pace its own line reaches 100% about 2028)"
    # the median (85 -> 95) climbs as fast as the subject: the gap does not close, and no year is given
    assert row["reaches_median"] == "not at this pace: the gap is not closing"


def test_a_gap_widening_while_both_climb_is_said_so_before_any_date(con):
    """Harlow's case: subject 90 -> 91 (0.5 a year), median 90 -> 99 (4.5 a year): both lines meet only at 100%,
    decades on, but the gap is widening now; a subject just ahead of a faster median is falling back."""
    widening = [("gigabit_capable_pct", "2024-01", 90, 90, 99.5), ("gigabit_capable_pct", "2026-01", 91, 99, 99.8)]
    assert pace_rows(con, widening)["gigabit_capable_pct"]["reaches_median"] == "not at this pace: the gap is widening"
    ahead = [("gigabit_capable_pct", "2024-01", 85, 80, 99), ("gigabit_capable_pct", "2026-01", 88, 87.8, 99)]
    assert pace_rows(con, ahead)["gigabit_capable_pct"]["reaches_median"] == (
        "level with it or ahead now, but falling back at this pace"
    )


def test_paces_shown_as_equal_are_worded_as_level_not_falling_back(con):
    """Epping Forest's 4G case: at 100% of land both releases while its neighbours' median rose by a thousandth
    of a point (100.0 vs 99.997 -> 100.0): every pace is shown as 0.00 a year, so it is level, not falling back."""
    rows = [
        ("coverage_4g_area_pct", "2022-09", 100.0, 99.997, 100.0),
        ("coverage_4g_area_pct", "2026-01", 100, 100, 100),
    ]
    row = pace_rows(con, rows)["coverage_4g_area_pct"]
    assert row["pace_pp_per_year"] == row["median_pace_pp_per_year"] == 0
    assert row["reaches_median"] == row["reaches_best"] == "already level with it or ahead"


def test_a_best_already_at_full_coverage_is_worded_like_a_median_that_gets_there_first(con):
    """Best at 100% at both releases; the median 95 -> 99 gets there in a quarter of a year; the subject 90 -> 96
    (3 a year) in 1.3 years: both are met only at full coverage, and say so the same way."""
    got = pace_rows(
        con, [("gigabit_capable_pct", "2024-01", 90, 95, 100), ("gigabit_capable_pct", "2026-01", 96, 99, 100)]
    )
    row = got["gigabit_capable_pct"]
    assert (
        row["reaches_best"]
        == row["reaches_median"]
        == "not before both reach 100% (at this pace its own line reaches 100% about 2027)"
    )


def test_catching_up_inside_the_bound_keeps_the_crossing_date(con):
    """Subject 70 -> 80 (5 a year), median 84 -> 86 (1 a year): they cross 1.5 years on, at 87.5%: about 2027."""
    got = pace_rows(
        con, [("gigabit_capable_pct", "2024-01", 70, 84, 99), ("gigabit_capable_pct", "2026-01", 80, 86, 99)]
    )
    assert got["gigabit_capable_pct"]["reaches_median"] == "about 2027"


def test_below_30_mbit_catching_up_stops_at_zero(con):
    """Below 30 Mbit/s falls 6 -> 4 (1 a year); the best falls 1.0 -> 0.5: lines would cross under 0%, so the
    gap does not close before none are left below 30 Mbit/s, which the subject reaches 4 years on."""
    got = pace_rows(
        con, [("premises_below_30_pct", "2024-01", 6, 3, 1.0), ("premises_below_30_pct", "2026-01", 4, 2, 0.5)]
    )
    assert (
        got["premises_below_30_pct"]["reaches_best"]
        == "not before both have no premises below 30 Mbit/s (at this pace its own line reaches 0% about 2030)"
    )


def test_a_date_beyond_the_horizon_is_not_extrapolated(con):
    """Subject 80 -> 81 (0.5 a year), median 89 -> 89.5 (0.25 a year): the lines cross 34 years on; with a
    10-year horizon that is 'not within 10 years', with a 50-year one it is dated; a falling subject never does."""
    rows = [("gigabit_capable_pct", "2024-01", 80, 89, 99), ("gigabit_capable_pct", "2026-01", 81, 89.5, 99)]
    assert pace_rows(con, rows)["gigabit_capable_pct"]["reaches_median"] == "not within 10 years at this pace"
    assert pace_rows(con, rows, horizon=50)["gigabit_capable_pct"]["reaches_median"] == "about 2060"
    ahead = [("gigabit_capable_pct", "2024-01", 80, 79, 99), ("gigabit_capable_pct", "2026-01", 81, 80, 99)]
    assert pace_rows(con, ahead)["gigabit_capable_pct"]["reaches_median"] == "already level with it or ahead"
    falling = [("gigabit_capable_pct", "2024-01", 81, 85, 99), ("gigabit_capable_pct", "2026-01", 80, 90, 99)]
    assert pace_rows(con, falling)["gigabit_capable_pct"]["reaches_median"] == "not at this pace: the gap is widening"


def test_the_zone_estimate_carries_no_more_decimals_than_ofcoms_figures_it_is_ranked_against(real_run):
    rows = real_run.sql(f"""
        SELECT z.indicator, z.release, z.value,
               (SELECT max(length(split_part(d.value::VARCHAR, '.', 2)))
                FROM {real_run.table("la_connectivity_series")} d
                WHERE d.indicator = z.indicator AND d.release = z.release) AS places
        FROM {real_run.table("peer_benchmark")} z WHERE z.area_type = 'zone'""")
    assert rows
    for indicator, release, value, places in rows:
        assert round(value, places) == value, (indicator, release, value, places)


def test_a_districts_pace_is_the_same_in_the_change_table_and_the_peer_pace(real_run):
    """Both tables are quoted in one briefing (Uttlesford once read 7.1 and 7.0 points a year)."""
    rows = real_run.sql(f"""
        SELECT c.area_code, c.indicator, c.change_pp_per_year, p.pace_pp_per_year
        FROM {real_run.table("connectivity_change")} c
        JOIN {real_run.table("peer_pace")} p
          ON p.area_code = c.area_code AND p.indicator = c.indicator AND p.group_kind = 'neighbours'
         AND p.first_release = c.first_release AND p.latest_release = c.latest_release""")
    assert {code for code, *_ in rows} >= set(STUDY_LADS)
    for code, indicator, change_pace, peer_pace in rows:
        assert change_pace == peer_pace, (code, indicator, change_pace, peer_pace)


def test_a_cluster_keeps_every_member_ons_lists_even_where_another_model_places_it_in_none(real_run):
    """Isles of Scilly and Orkney have '-' in other models of the 2024 file but are in Con_A: the
    connectivity cluster compares as many places as ONS lists for it (the rank's 'of n')."""
    with open(ELS / "clusters" / "2024" / "Cluster_allocation.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    model = "Connectivity and sustainability model"
    listed = {r["Local Authority Name"] for r in rows if r[model] == "Con_A"}
    assert {"Isles of Scilly", "Orkney Islands"} <= listed
    kept = real_run.sql(f"""SELECT area_name FROM {real_run.table("la_clusters")}
                            WHERE release = '2024' AND cluster_code = 'Con_A'""")
    assert len(kept) == len(listed)
    assert {"Isles of Scilly", "Orkney Islands"} <= {r[0] for r in kept}


def test_a_configured_cluster_model_missing_from_the_file_stops_the_step_naming_file_and_setting():
    """A renamed 'Connectivity and sustainability model' column once dropped the cluster comparison from
    every output without a word. Synthetic rows, built here, stand for the two similar-area tables."""
    import duckdb

    from pipeline.analysis.peers import require_configured_groups
    from pipeline.errors import SourceFormatError
    from pipeline.settings import load_settings

    settings = load_settings(lad_codes=list(STUDY_LADS))
    cfg = settings.peers
    con = duckdb.connect()
    con.execute("CREATE TABLE la_neighbours (release VARCHAR, model VARCHAR, source_file VARCHAR)")
    con.execute("CREATE TABLE la_clusters (release VARCHAR, model VARCHAR, source_file VARCHAR)")
    con.execute(
        "INSERT INTO la_neighbours VALUES ($r, $m, 'n.csv')", {"r": cfg.neighbours_release, "m": cfg.neighbours_model}
    )
    con.execute(
        "INSERT INTO la_clusters VALUES ($r, 'global', 'clusters/Cluster_allocation.csv')", {"r": cfg.cluster_release}
    )
    with pytest.raises(SourceFormatError) as caught:
        require_configured_groups(con, settings)
    message = str(caught.value)
    assert message.startswith("clusters/Cluster_allocation.csv: ") and "\n" not in message
    assert f"no {cfg.cluster_model!r} model for the {cfg.cluster_release} release" in message
    assert "[peers] cluster_model" in message and "the models read are: global" in message
    con.execute("INSERT INTO la_clusters VALUES ($r, $m, 'c.csv')", {"r": cfg.cluster_release, "m": cfg.cluster_model})
    require_configured_groups(con, settings)


def test_paces_closer_than_the_setting_are_about_the_same_not_a_widening_gap(con):
    """East Hertfordshire's case: 5.40 a year against its neighbours' median at 5.52: two releases cannot tell
    0.12 points a year apart, so the gap is not called widening (nor given a date) under the 0.2 setting; with
    the setting at 0 the same figures are a widening gap, as before."""
    rows = [("gigabit_capable_pct", "2022-09", 66.0, 68.0, 85), ("gigabit_capable_pct", "2025-09", 82.2, 84.56, 95)]
    got = pace_rows(con, rows)["gigabit_capable_pct"]
    assert got["pace_pp_per_year"] == 5.4 and got["median_pace_pp_per_year"] == 5.52
    assert got["reaches_median"] == "not at this pace: both move at about the same pace"
    assert pace_rows(con, rows, level=0)["gigabit_capable_pct"]["reaches_median"] == (
        "not at this pace: the gap is widening"
    )


def test_paces_exactly_the_setting_apart_get_the_same_words_whatever_the_floating_point(con):
    """-0.1 - (-0.3) is 0.19999... in floating point and -0.3 - (-0.5) is 0.2: both are 0.20 as published, so
    both are 0.2 apart, not one 'about the same pace' and the other not."""
    # subject falls 0.1 a year, median 0.3 (first case) or subject 0.3, median 0.5 (second), over 2 years
    first = [("gigabit_capable_pct", "2024-01", 80.0, 85.0, 99), ("gigabit_capable_pct", "2026-01", 79.8, 84.4, 99)]
    second = [("gigabit_capable_pct", "2024-01", 80.0, 85.0, 99), ("gigabit_capable_pct", "2026-01", 79.4, 84.0, 99)]
    a, b = (pace_rows(con, rows)["gigabit_capable_pct"] for rows in (first, second))
    assert (a["pace_pp_per_year"], a["median_pace_pp_per_year"]) == (-0.1, -0.3)
    assert (b["pace_pp_per_year"], b["median_pace_pp_per_year"]) == (-0.3, -0.5)
    assert a["reaches_median"] == b["reaches_median"] != "not at this pace: both move at about the same pace"


def test_a_subject_at_full_coverage_is_never_said_to_fall_back(con):
    """Harlow's 5G case: at 100% at both releases while its neighbours' median rises to 99.5: it is level or
    ahead and cannot fall back, as coverage cannot pass 100%."""
    rows = [
        ("coverage_5g_area_pct", "2024-01", 100.0, 98.0, 100),
        ("coverage_5g_area_pct", "2026-01", 100.0, 99.5, 100),
    ]
    row = pace_rows(con, rows)["coverage_5g_area_pct"]
    assert row["median_pace_pp_per_year"] == 0.75
    assert row["reaches_median"] == "already level with it or ahead"
