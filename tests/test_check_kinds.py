"""Each kind of check (``pipeline/checks/kinds.py``) passes on a good table and fails on a bad one.

Every table here is synthetic: a few hand-made rows written by the test under a real table's name
(a kind attaches its check to the step producing that table), never a pipeline output.
"""

from __future__ import annotations

import re

import duckdb
import pytest
from conftest import PROJECT_ROOT

HARLOW, BROXBOURNE = "E07000073", "E07000095"


@pytest.fixture()
def check_on(tmp_path):
    """``write(table, sql)`` makes a synthetic table; ``run(kind, table)`` evaluates the kind's check on it."""
    from pipeline.checks import CheckContext, evaluate
    from pipeline.paths import Paths
    from pipeline.settings import load_settings

    gen = tmp_path / "generation"
    gen.mkdir()
    paths = Paths(root=tmp_path, mirror=None, out=gen)
    settings = load_settings(lad_codes=[HARLOW, BROXBOURNE])

    class Tables:
        def write(self, table: str, sql: str) -> None:
            duckdb.sql(f"COPY ({sql}) TO '{gen / table}.parquet' (FORMAT parquet)")

        def run(self, kind, table: str) -> dict:
            ctx = CheckContext(paths, settings)
            try:
                return evaluate(kind(table), ctx)
            finally:
                ctx.close()

    return Tables()


def rows(*values: str, columns: str) -> str:
    """A VALUES query with named columns."""
    return f"SELECT * FROM (VALUES {', '.join(values)}) t({columns})"


def test_one_row_per_passes_on_distinct_keys_and_fails_naming_the_repeated_key(check_on):
    from pipeline.checks.kinds import one_row_per

    check_on.write("postcodes", rows("('CM20 1AA', 1)", "('CM20 1AB', 2)", columns="postcode, n"))
    good = check_on.run(one_row_per("postcode"), "postcodes")
    assert good["passed"] and good["name"] == "postcodes_one_row_per_postcode" and good["blocking"]
    check_on.write("postcodes", rows("('CM20 1AA', 1)", "('CM20 1AA', 2)", "('CM20 1AB', 3)", columns="postcode, n"))
    bad = check_on.run(one_row_per("postcode"), "postcodes")
    assert not bad["passed"] and bad["description"] == "2 rows repeat a postcode (first: postcode CM20 1AA)"
    assert [e[0] for e in bad["metadata"]["examples"]] == ["CM20 1AA", "CM20 1AA"]


def test_one_row_per_several_columns_fails_only_on_a_repeated_combination(check_on):
    from pipeline.checks.kinds import one_row_per

    kind = one_row_per("lsoa_code", "score")
    check_on.write("rank_uncertainty", rows("('E01', 'need')", "('E01', 'gap')", columns="lsoa_code, score"))
    assert check_on.run(kind, "rank_uncertainty")["passed"]
    check_on.write("rank_uncertainty", rows("('E01', 'need')", "('E01', 'need')", columns="lsoa_code, score"))
    assert not check_on.run(kind, "rank_uncertainty")["passed"]


def test_one_row_per_counts_only_the_rows_its_condition_selects(check_on):
    from pipeline.checks.kinds import one_row_per

    check_on.write(
        "ons_postcode_lookup", rows("('CM20 1AA', true)", "('CM20 1AA', false)", columns="postcode, is_live")
    )
    assert check_on.run(one_row_per("postcode", where="is_live"), "ons_postcode_lookup")["passed"]
    assert not check_on.run(one_row_per("postcode"), "ons_postcode_lookup")["passed"]


def test_not_null_fails_on_an_empty_value_only_where_asked(check_on):
    from pipeline.checks.kinds import not_null

    check_on.write(
        "broadband_coverage",
        rows(
            "('CM20 1AA', 'none', NULL)", "('CM20 1AB', 'postcode', '2024-07')", columns="postcode, resolution, release"
        ),
    )
    assert check_on.run(not_null("release", where="resolution <> 'none'"), "broadband_coverage")["passed"]
    bad = check_on.run(not_null("release"), "broadband_coverage")
    assert not bad["passed"] and bad["description"] == "1 rows without a release (first: postcode CM20 1AA)"
    assert bad["metadata"]["examples"] == [["CM20 1AA"]]


@pytest.mark.parametrize("value", ["-0.1", "10.5", "'nan'::DOUBLE", "'inf'::DOUBLE", "NULL"])
def test_in_range_fails_on_a_value_outside_the_range_not_finite_or_empty(check_on, value):
    from pipeline.checks.kinds import in_range

    kind = in_range(("need_score", "age_score"), 0, 10, what="scores")
    check_on.write(
        "lsoa_need", rows("('E01', 0.0, 10.0)", "('E02', 5.0, 2.5)", columns="lsoa_code, need_score, age_score")
    )
    good = check_on.run(kind, "lsoa_need")
    assert good["passed"] and good["name"] == "lsoa_need_scores_within_0_10"
    check_on.write(
        "lsoa_need", rows("('E01', 0.0, 10.0)", f"('E02', 5.0, {value})", columns="lsoa_code, need_score, age_score")
    )
    bad = check_on.run(kind, "lsoa_need")
    assert not bad["passed"]
    assert bad["metadata"]["failing_rows_per_condition"] == {"age_score": 1}
    assert bad["metadata"]["examples"][0][0] == "E02"


def test_in_range_over_a_pattern_checks_every_matching_column_and_fails_when_none_matches(check_on):
    from pipeline.checks.kinds import in_range

    kind = in_range("*_score", 0, 10, what="scores")
    check_on.write(
        "lsoa_supply_gap",
        rows("('E01', 1.0, 2.0, 99.0)", columns="lsoa_code, fixed_score, supply_gap_score, pct_no_gigabit"),
    )
    good = check_on.run(kind, "lsoa_supply_gap")
    assert good["passed"] and good["metadata"]["columns_checked"] == ["fixed_score", "supply_gap_score"]
    check_on.write(
        "lsoa_supply_gap",
        rows("('E01', 1.0, 2.0, 10.5)", columns="lsoa_code, fixed_score, supply_gap_score, mobile_score"),
    )
    bad = check_on.run(kind, "lsoa_supply_gap")
    assert not bad["passed"] and bad["metadata"]["failing_rows_per_condition"] == {"mobile_score": 1}
    check_on.write("lsoa_supply_gap", rows("('E01', 1.0)", columns="lsoa_code, fixed"))
    none = check_on.run(kind, "lsoa_supply_gap")
    assert not none["passed"] and none["description"] == "no column of lsoa_supply_gap matches *_score"


def test_in_range_accepts_an_empty_value_where_its_condition_allows_it(check_on):
    from pipeline.checks.kinds import in_range

    kind = in_range("need_score", 0, 10, empty_ok="flagged")
    check_on.write(
        "lsoa_need", rows("('E01', NULL, true)", "('E02', 3.0, false)", columns="lsoa_code, need_score, flagged")
    )
    assert check_on.run(kind, "lsoa_need")["passed"]
    check_on.write("lsoa_need", rows("('E01', NULL, false)", columns="lsoa_code, need_score, flagged"))
    assert not check_on.run(kind, "lsoa_need")["passed"]
    check_on.write("lsoa_need", rows("('E01', 'nan'::DOUBLE, true)", columns="lsoa_code, need_score, flagged"))
    assert not check_on.run(kind, "lsoa_need")["passed"]  # flagged allows empty, never NaN


def test_in_range_bound_can_be_another_column_of_the_row(check_on):
    from pipeline.checks.kinds import in_range

    kind = in_range("disabled", 0, "residents")
    check_on.write("census_disability", rows("('E01', 1500, 200)", columns="lsoa21cd, residents, disabled"))
    result = check_on.run(kind, "census_disability")
    assert result["passed"] and result["name"] == "census_disability_disabled_within_0_residents"
    check_on.write("census_disability", rows("('E01', 1500, 1600)", columns="lsoa21cd, residents, disabled"))
    assert not check_on.run(kind, "census_disability")["passed"]


def test_in_range_with_one_bound_or_none_still_requires_a_finite_number(check_on):
    from pipeline.checks.kinds import in_range

    check_on.write("hotspots", rows("('E01', 3, 1.5)", columns="lsoa_code, neighbours, gi_z"))
    assert check_on.run(in_range("neighbours", 1), "hotspots")["passed"]
    assert check_on.run(in_range("gi_z"), "hotspots")["name"] == "hotspots_gi_z_finite"
    check_on.write("hotspots", rows("('E01', 0, 'inf'::DOUBLE)", columns="lsoa_code, neighbours, gi_z"))
    assert not check_on.run(in_range("neighbours", 1), "hotspots")["passed"]
    assert not check_on.run(in_range("gi_z"), "hotspots")["passed"]


def test_in_range_applies_only_to_the_rows_its_condition_selects(check_on):
    from pipeline.checks.kinds import in_range

    kind = in_range("value", 0, 100, where="indicator LIKE 'pct_%'")
    check_on.write(
        "lsoa_indicators",
        rows(
            "('E01', 'pct_75_plus', 12.0)", "('E01', 'postcode_density', 4000.0)", columns="lsoa_code, indicator, value"
        ),
    )
    assert check_on.run(kind, "lsoa_indicators")["passed"]
    check_on.write("lsoa_indicators", rows("('E01', 'pct_75_plus', 120.0)", columns="lsoa_code, indicator, value"))
    assert not check_on.run(kind, "lsoa_indicators")["passed"]


def test_covers_study_area_fails_when_an_lsoa_is_missing_or_foreign(check_on):
    from pipeline.checks.kinds import covers_study_area

    check_on.write("lsoa_areas", rows("('E01')", "('E02')", columns="lsoa_code"))
    check_on.write("lsoa_triage", rows("('E01')", "('E02')", columns="lsoa_code"))
    good = check_on.run(covers_study_area(), "lsoa_triage")
    assert good["passed"] and good["name"] == "lsoa_triage_covers_study_area"
    check_on.write("lsoa_triage", rows("('E01')", "('E99')", columns="lsoa_code"))
    bad = check_on.run(covers_study_area(), "lsoa_triage")
    assert not bad["passed"]
    assert bad["metadata"]["absent_examples"] == ["E02"] and bad["metadata"]["not_among_them_examples"] == ["E99"]
    assert "1 absent" in bad["description"] and "E02" in bad["description"]


def test_covers_counts_a_row_without_a_key_as_foreign(check_on):
    from pipeline.checks.kinds import covers

    check_on.write("gp_sites", rows("('F1')", columns="site_code"))
    check_on.write("gp_readiness", rows("('F1')", "(NULL)", columns="site_code"))
    result = check_on.run(covers("site_code", "gp_sites", noun="GP site"), "gp_readiness")
    assert not result["passed"] and result["metadata"]["not_among_them"] == 1


def test_every_district_present_fails_for_a_district_without_rows(check_on):
    from pipeline.checks.kinds import every_district_present

    check_on.write(
        "postcodes", rows(f"('CM20 1AA', '{HARLOW}')", f"('EN8 7AA', '{BROXBOURNE}')", columns="postcode, lad_code")
    )
    assert check_on.run(every_district_present(), "postcodes")["passed"]
    check_on.write("postcodes", rows(f"('CM20 1AA', '{HARLOW}')", columns="postcode, lad_code"))
    bad = check_on.run(every_district_present(), "postcodes")
    assert not bad["passed"] and BROXBOURNE in bad["description"]


def test_only_study_districts_fails_for_a_row_of_another_district_or_none(check_on):
    from pipeline.checks.kinds import only_study_districts

    check_on.write("gp_sites", rows(f"('F1', '{HARLOW}')", columns="site_code, lad_code"))
    assert check_on.run(only_study_districts(), "gp_sites")["passed"]
    for other in ("'E07000074'", "NULL"):
        check_on.write("gp_sites", rows(f"('F1', '{HARLOW}')", f"('F2', {other})", columns="site_code, lad_code"))
        assert not check_on.run(only_study_districts(), "gp_sites")["passed"], other


@pytest.mark.parametrize("position", ["(NULL, 0.1)", "(48.9, 0.1)", "(51.7, 3.5)"])
def test_in_great_britain_fails_without_a_position_or_outside_britain(check_on, position):
    from pipeline.checks.kinds import in_great_britain

    check_on.write("postcodes", rows("('CM20 1AA', 51.77, 0.09)", columns="postcode, lat, lon"))
    assert check_on.run(in_great_britain(), "postcodes")["passed"]
    lat, lon = position.strip("()").split(", ")
    check_on.write("postcodes", rows(f"('CM20 1AA', {lat}::DOUBLE, {lon})", columns="postcode, lat, lon"))
    assert not check_on.run(in_great_britain(), "postcodes")["passed"]


def test_expected_rows_warns_when_a_release_is_short(check_on):
    from pipeline.checks.kinds import expected_rows
    from pipeline.registry import SOURCES

    low, high = SOURCES["census_ts007a"].expected_rows
    check_on.write("census_age", f"SELECT range AS n FROM range({low})")
    good = check_on.run(expected_rows("census_ts007a"), "census_age")
    assert good["passed"] and good["severity"] == "WARN" and not good["blocking"]
    check_on.write("census_age", f"SELECT range AS n FROM range({low - 1})")
    assert not check_on.run(expected_rows("census_ts007a"), "census_age")["passed"]


def test_no_rows_where_fails_on_a_row_breaking_the_rule(check_on):
    from pipeline.checks.kinds import no_rows_where

    kind = no_rows_where(
        "rank_draws_bracket_the_rank",
        "rank_p05 > rank_p95",
        "have an impossible rank range",
        "Each LSOA's 5th percentile rank is no worse than its 95th.",
        "A rank range is impossible.",
        ("rank_p05", "rank_p95"),
    )
    check_on.write("rank_uncertainty", rows("('E01', 3.0, 9.0)", columns="lsoa_code, rank_p05, rank_p95"))
    assert check_on.run(kind, "rank_uncertainty")["passed"]
    check_on.write("rank_uncertainty", rows("('E01', 9.0, 3.0)", columns="lsoa_code, rank_p05, rank_p95"))
    bad = check_on.run(kind, "rank_uncertainty")
    assert not bad["passed"] and bad["name"] == "rank_draws_bracket_the_rank"
    assert (
        bad["description"] == "1 rows have an impossible rank range (first: lsoa_code E01, rank_p05 9.0, rank_p95 3.0)"
    )
    assert bad["metadata"]["examples"] == [["E01", "9.0", "3.0"]]


def test_failing_rows_are_named_by_their_key_source_file_and_row(check_on):
    from pipeline.checks.kinds import in_range

    check_on.write(
        "iod2025", rows("('E01', 'File_7.csv', 12, 249.0)", columns="lsoa21cd, source_file, source_row, income_score")
    )
    bad = check_on.run(in_range("income_score", 0, 1), "iod2025")
    assert not bad["passed"]
    assert bad["metadata"]["columns_shown"] == ["lsoa21cd", "source_file", "source_row", "income_score"]
    assert bad["metadata"]["examples"] == [["E01", "File_7.csv", "12", "249.0"]]
    assert bad["description"].endswith(
        "(first: lsoa21cd E01, source_file File_7.csv, source_row 12, income_score 249.0)"
    )


def test_custom_check_takes_its_name_and_rule_from_its_function(check_on):
    from pipeline.checks import WARN, CheckResult
    from pipeline.checks.kinds import custom

    def every_site_named(ctx):
        """Every GP site has a name."""
        return CheckResult(ctx.one("SELECT count(*) FROM gp_sites WHERE name IS NULL", "gp_sites")[0] == 0)

    check_on.write("gp_sites", rows("('F1', 'Surgery')", columns="site_code, name"))
    check = custom(every_site_named, "A site has no name.", severity=WARN)("gp_sites")
    assert (check.name, check.description, check.step, check.tables, check.blocking) == (
        "every_site_named",
        "Every GP site has a name.",
        "gp_sites",
        ("gp_sites",),
        False,
    )
    assert check_on.run(custom(every_site_named, "A site has no name."), "gp_sites")["passed"]


def test_a_kind_is_blocking_error_unless_told_otherwise():
    from pipeline.checks import ERROR, WARN
    from pipeline.checks.kinds import not_null

    assert (not_null("x")("postcodes").severity, not_null("x")("postcodes").blocking) == (ERROR, True)
    assert not_null("x", severity=WARN)("postcodes").blocking is False
    assert not_null("x", blocking=False)("postcodes").severity == ERROR


def test_every_check_named_in_the_docs_exists():
    """Docs name checks (``the `no_lsoa_flagged` check``): each must be one the pipeline runs."""
    from pipeline.checks import all_checks

    names = {c.name for c in all_checks()}
    pattern = re.compile(r"`([a-z0-9_]+)` checks?\b|\bchecks? `([a-z0-9_]+)`")
    cited = {
        a or b
        for path in [PROJECT_ROOT / "README.md", *(PROJECT_ROOT / "docs").glob("*.md")]
        for a, b in pattern.findall(path.read_text(encoding="utf-8"))
    }
    assert cited and cited <= names, cited - names


def test_one_declaration_makes_every_check_once():
    from pipeline.checks import all_checks
    from pipeline.checks.declared import ASSET_CHECKS
    from pipeline.steps import PRODUCER

    checks = all_checks()
    assert len({c.name for c in checks}) == len(checks)
    assert {c.asset for c in checks} == set(ASSET_CHECKS) and set(ASSET_CHECKS) <= set(PRODUCER)
