"""``make run`` on the real sources: what it prints, what it publishes, and the figures it rests on."""

from __future__ import annotations

import json
import re

import pytest
from conftest import STUDY_LADS


def test_run_exits_zero_and_says_where_to_look(real_run):
    assert real_run.exit_code == 0, real_run.output
    out = real_run.output
    for place in ("maps/index.html", "diz_evidence_pack.xlsx", "data/processed/briefings/"):
        assert place in out
    assert "Published generation" in out or "stays live" in out


def test_run_prints_one_progress_line_per_step_and_the_expected_warnings_as_expected(real_run):
    from pipeline.plan import make_plan

    if "stays live" not in real_run.output:  # one line per re-computed step, with rows and seconds
        steps = {p.step.name for p in make_plan(real_run.paths, _settings(), {})}
        lines = [line.split()[0] for line in real_run.output.splitlines() if line.startswith("  ") and " s  (" in line]
        stale = int(re.search(r"^(\d+) of (\d+) steps to re-compute", real_run.output, re.M)[1])
        assert len(lines) == len(set(lines)) == stale and set(lines) <= steps
    assert "expected here:" in real_run.output
    assert "broadband_measured_per_postcode" in real_run.output
    assert "reconciliation_within_threshold" in real_run.output


def _settings():
    from pipeline.settings import load_settings

    return load_settings()


def test_public_paths_are_links_into_the_live_generation(real_run):
    processed = real_run.paths.processed
    for name in ("diz.duckdb", "tables", "diz_evidence_pack.xlsx", "headlines.md", "briefings"):
        assert (processed / name).is_symlink(), name
        assert (processed / name).resolve().is_relative_to(real_run.live)
    assert (real_run.root / "maps" / "triage.html").resolve().is_relative_to(real_run.live)
    # The index links to the tables beside its own maps/ folder, so the project's copy sends the browser there.
    assert "../data/processed/current/maps/index.html" in (real_run.root / "maps" / "index.html").read_text()


def test_every_study_lsoa_2021_is_scored_for_need_and_gap_and_none_is_flagged(real_run):
    rows = real_run.sql(f"""SELECT count(*), count(DISTINCT lsoa21cd), count(need_score), sum(flagged::INT),
                                   sum(residents_2021), count(DISTINCT lad_code) FROM {real_run.table("lsoa_need")}""")
    assert rows == [(333, 333, 333, 0, 568_751, 5)]
    gap = real_run.sql(f"SELECT count(*), count(supply_gap_score) FROM {real_run.table('lsoa_supply_gap')}")
    assert gap == [(333, 333)]


def test_need_rests_on_people_only_and_gap_on_supply_only(real_run):
    sides = dict(
        real_run.sql(f"""SELECT DISTINCT s.indicator, i.side FROM {real_run.table("lsoa_indicator_scores")} s
        JOIN {real_run.table("lsoa_indicators")} i USING (lsoa21cd, indicator)""")
    )
    from pipeline.analysis.scores import all_weights
    from pipeline.geography import LSOA2021

    weights = all_weights(_settings(), LSOA2021)
    need = {i for inner in weights["need"].indicators.values() for i in inner}
    gap = {i for inner in weights["supply_gap"].indicators.values() for i in inner}
    assert need and gap and not need & gap
    assert {sides[i] for i in need if i in sides} == {"need"}
    assert {sides[i] for i in gap if i in sides} == {"supply"}


def test_the_need_table_shows_no_supply_value_and_the_gap_table_no_people_value(real_run):
    """A district-average broadband figure in the need table would lose its area-average marking."""
    from pipeline.analysis.indicators import INDICATORS

    def columns(table):
        return {r[0] for r in real_run.sql(f"DESCRIBE SELECT * FROM {real_run.table(table)}")}

    supply = {n for n, i in INDICATORS.items() if i.side == "supply"}
    people = {n for n, i in INDICATORS.items() if i.side == "need"}
    assert not columns("lsoa_need") & supply
    # the inclusion priorities are need-only too: no triage class (it rests on the gap) with need's sources alone
    assert not columns("inclusion_priorities") & (supply | {"triage_class", "supply_gap_score", "unserved"})
    assert not columns("lsoa_supply_gap") & people
    assert supply <= columns("lsoa_supply_gap") and "area_average" in columns("lsoa_supply_gap")


def test_need_and_gap_point_at_different_places(real_run):
    rho = real_run.scalar(f"SELECT corr(need_score, supply_gap_score) FROM {real_run.table('lsoa_index')}")
    assert rho < 0.2  # measured -0.34: the places that need inclusion support are not the fibre gaps
    harlow, uttlesford = (
        real_run.scalar(
            f"""SELECT count(*) FILTER (need_decile = 1) FROM {real_run.table("lsoa_need")}
                                              WHERE lad_code = $lad""",
            {"lad": lad},
        )
        for lad in ("E07000073", "E07000077")
    )
    assert harlow > uttlesford


def test_triage_classes_account_for_every_resident_once(real_run):
    total, classes = real_run.sql(f"""SELECT sum(residents), count(DISTINCT triage_class) FROM
        {real_run.table("triage_summary")} WHERE area_code = 'ALL'""")[0]
    assert total == 568_751 and classes == 4


def test_every_area_lists_every_triage_class_with_zero_where_it_has_none(real_run):
    """METHOD: residents in a class an area has no neighbourhood in are published as 0, not left out (Harlow has
    no 'both' neighbourhood)."""
    short = real_run.sql(f"""SELECT area_type, area_code, count(*) FROM {real_run.table("triage_summary")}
        GROUP BY ALL HAVING count(*) <> 4""")
    assert short == []
    harlow = real_run.sql(f"""SELECT lsoas, residents FROM {real_run.table("triage_summary")}
        WHERE area_code = 'E07000073' AND triage_class = 'both'""")
    assert harlow == [(0, 0)]


def test_lsoas_sharing_an_area_average_share_their_gap_rank(real_run):
    """A coarse value never ranks areas inside the area it describes."""
    bad = real_run.scalar(f"""SELECT count(*) FROM (SELECT broadband_area FROM {real_run.table("lsoa_supply_gap")}
        WHERE area_average GROUP BY broadband_area, pct_area_no_4g, pct_area_no_5g
        HAVING count(DISTINCT supply_gap_rank) > 1)""")
    assert bad == 0


def test_hotspot_p_values_are_permutation_based_and_fdr_adjusted(real_run):
    rows = real_run.sql(f"""SELECT count(*) FILTER (gi_p_fdr < gi_p_sim - 1e-12), min(gi_p_sim),
        count(*) FILTER (hotspot_class LIKE 'hot%') FROM {real_run.table("hotspots")}""")[0]
    permutations = _settings().hotspots.permutations
    assert rows[0] == 0 and rows[1] >= 1 / (permutations + 1) and rows[2] > 0


def test_rank_uncertainty_names_robust_and_weight_dependent_priorities(real_run):
    kinds = dict(
        real_run.sql(
            f"SELECT priority, count(*) FROM {real_run.table('rank_uncertainty')} WHERE score = 'need' GROUP BY 1"
        )
    )
    assert kinds.get("robust", 0) > 0 and kinds.get("weight-dependent", 0) > 0


def test_district_summary_lists_exactly_the_study_districts(real_run):
    codes = [r[0] for r in real_run.sql(f"SELECT lad_code FROM {real_run.table('district_summary')} ORDER BY 1")]
    assert codes == sorted(STUDY_LADS + ["ALL"])


def test_catalog_opens_and_every_view_reads(real_run):
    import duckdb

    con = duckdb.connect(str(real_run.paths.processed / "diz.duckdb"), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM _catalog").fetchall()]
        assert "lsoa_need" in names and "postcode_lookup" in names
        assert con.execute("SELECT count(*) FROM lsoa_need").fetchone()[0] == 333
        assert con.execute("SELECT count(*) FROM rejects").fetchone()[0] > 0
    finally:
        con.close()


def test_sources_cited_are_those_that_gave_rows(real_run):
    """Ofcom's postcode and local-authority files are absent from the mirror: nothing cites them."""
    for sidecar in (real_run.paths.processed / "tables").glob("*.sources.json"):
        record = json.loads(sidecar.read_text())
        cited = {s["source"] for s in record.get("sources", [])}
        assert not cited & {"ofcom_postcode_coverage", "ofcom_la_coverage"}, sidecar.name
        assert all(s["rows"] > 0 for s in record.get("sources", [])), sidecar.name
    index = (real_run.live / "maps" / "index.html").read_text()
    assert "Ofcom Connected Nations fixed coverage, postcode level" not in index


def test_evidence_pack_has_a_columns_sheet_and_only_used_sources(real_run):
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(real_run.paths.processed / "diz_evidence_pack.xlsx"))
    assert "Columns" in book.sheet_names and "Sources" in book.sheet_names
    sources = " ".join(str(c) for row in book.get_sheet_by_name("Sources").to_python() for c in row)
    assert "postcode-district means" in sources
    assert "postcode level" not in sources.lower().replace("postcode-level", "")


def test_every_published_column_has_a_description(real_run):
    from pipeline.columns import describe
    from pipeline.geography import LSOA2021

    for sidecar in (real_run.paths.processed / "tables").glob("*.sources.json"):
        for column in json.loads(sidecar.read_text()).get("columns", []):
            assert column["description"] and column["description"] != column["name"].replace("_", " "), (
                f"{sidecar.name}: {column['name']}"
            )
    meta = real_run.metadata("lsoa_need")
    assert all(describe(name, LSOA2021) for name, _ in meta["columns"])


@pytest.mark.parametrize(
    "postcode, expected, code",
    [
        ("CM20 1AB", "Harlow (E07000073)", 0),
        ("cm201ab", "Harlow 007F", 0),
        ("ZZ99 9ZZ", "ZZ99 9ZZ is not a known postcode", 1),
        ("CB2 1TN", "outside the study area", 1),
        ("AB1 0AA", "terminated postcode", 1),
        ("not a postcode", "is not a well-formed UK postcode", 2),
    ],
)
def test_postcode_lookup_answers_in_one_line_or_one_table(real_run, postcode, expected, code, monkeypatch, capsys):
    from pipeline import lookup

    monkeypatch.setenv("DIZ_OUTPUT_ROOT", str(real_run.root))
    assert lookup.main([postcode]) == code
    out = capsys.readouterr().out
    assert expected in out
    if code:
        assert len(out.strip().splitlines()) == 1


def test_postcode_lookup_json_gives_every_field(real_run, monkeypatch, capsys):
    from pipeline import lookup

    monkeypatch.setenv("DIZ_OUTPUT_ROOT", str(real_run.root))
    lookup.main(["CM20 1AB", "--json"])
    answer = json.loads(capsys.readouterr().out)["answer"]
    for key in (
        "lsoa_code",
        "lsoa_name",
        "ward_name",
        "district_name",
        "need_score",
        "need_decile",
        "supply_gap_score",
        "supply_gap_resolution",
        "triage_class",
        "suggested_action",
        "inclusion_offer",
        "district_gigabit_pct",
        "district_gigabit_release",
        "district_below_30_pct",
        "nearest_gp_name",
        "nearest_gp_readiness_rank",
        "nearest_gp_distance_m",
    ):
        assert key in answer
    assert answer["district_code"] == "E07000073" and answer["supply_gap_resolution"] == "postcode_district"


def test_notebook_runs_on_the_published_catalog(real_run, monkeypatch):
    import nbformat
    from conftest import PROJECT_ROOT
    from nbclient import NotebookClient

    monkeypatch.setenv("DIZ_OUTPUT_ROOT", str(real_run.root))
    notebook = nbformat.read(PROJECT_ROOT / "notebooks" / "explore.ipynb", as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(PROJECT_ROOT / "notebooks")}}
    ).execute()
    printed = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    assert "333 LSOAs" in printed


def test_a_postcode_averaged_as_another_postcode_district_is_told_so_after_the_district_figure(
    real_run, monkeypatch, capsys
):
    """E4 7QT lies in an Epping Forest neighbourhood whose gap is the EN9 average, and E4 is not in the
    broadband data (PROVENANCE: 'Not covered: CB21, E4'): the answer says both, and Ofcom's district figure
    comes before the neighbourhood's gap."""
    from pipeline import lookup

    monkeypatch.setenv("DIZ_OUTPUT_ROOT", str(real_run.root))
    lookup.main(["E4 7QT"])
    out = capsys.readouterr().out
    assert "postcode district EN9" in out and "own postcode district, E4, is not in the broadband data" in out, out
    assert out.index("District broadband") < out.index("Connectivity gap")
    lookup.main(["CM20 1DS"])  # its own district is the one averaged: nothing more to say
    out = capsys.readouterr().out
    assert "own postcode district" not in out
    # a neighbourhood the triage leaves with no targeted offer still points the resident to Ofcom's checker
    # and the class, with the action read from it, says the gap it rests on is an area's average
    assert re.search(r"^Triage class +neither \(from a postcode-district average of the connectivity", out, re.M), out
    assert re.search(r"^Suggested action +no targeted offer \(from a postcode-district average", out, re.M), out
    assert "For the resident" in out and "checker.ofcom.org.uk" in out


def test_the_lookup_dates_the_gap_ranks_the_gp_site_out_of_all_ranked_and_names_the_neighbourhoods_district(
    real_run, monkeypatch, capsys
):
    """A frontline worker reads which Ofcom release the gap comes from, 'rank r of n' and that the rank leaves out
    the catchment's postcode-district averages (the mirror has no postcode file), distances with thousands
    separators; a border postcode (CM21 1BU: Code-Point gives Epping Forest, its neighbourhood is East Herts')
    names one district, the neighbourhood's, with that district's Ofcom figures."""
    from pipeline import lookup

    monkeypatch.setenv("DIZ_OUTPUT_ROOT", str(real_run.root))
    lookup.main(["E4 7RA"])
    out = capsys.readouterr().out
    ranked = real_run.sql(f"SELECT count(readiness_rank) FROM {real_run.table('gp_readiness')}")[0][0]
    assert "Ofcom's coverage data of July 2024" in out
    assert re.search(
        rf"rank by catchment need =?\d+ of {ranked} \(1 = most need; its catchment's "
        r"broadband is known only as postcode district averages, which never rank sites within an area\)",
        out,
    ), out
    assert re.search(r"\d,\d{3} m in a straight line \(the nearest of the study area's ranked practices;", out), out
    assert "readiness" not in out and "least ready" not in out  # with need alone, the rank is by need, as elsewhere
    index = (real_run.live / "maps" / "index.html").read_text(encoding="utf-8")
    assert "GP telehealth readiness" not in index and ">GP sites: ranked by catchment inclusion need</a>" in index
    # the page's own postcode search says what the lookup says
    assert f"rank by catchment need 1 of {ranked} (1 = most need; its catchment" in index
    assert "readiness rank" not in index
    lookup.main(["CM21 1BU", "--json"])
    answer = json.loads(capsys.readouterr().out)["answer"]
    district = real_run.sql(
        f"SELECT lad_code, lad_name FROM {real_run.table('lsoa_triage')} WHERE lsoa21cd = $c",
        {"c": answer["lsoa_code"]},
    )[0]
    assert (answer["district_code"], answer["district_name"]) == district
    assert "Epping Forest" not in answer["district_name"]


def test_robust_labels_only_need_ranks_and_gap_ranks_carry_their_area_average_mark(real_run):
    """'Robust' is defined for need's top tenth; the gap's ranks over the draws are marked where they rest on
    an area average (shared by every neighbourhood of its area) and are given no such label."""
    rows = dict(real_run.sql(f"""SELECT score, count(priority) FROM {real_run.table("rank_uncertainty")} GROUP BY 1"""))
    assert rows["need"] > 0 and rows["supply_gap"] == 0
    marks = real_run.sql(f"""SELECT score, count(gap_is_area_average) FROM {real_run.table("rank_uncertainty")}
                             GROUP BY 1 ORDER BY 1""")
    assert dict(marks)["need"] == 0 and dict(marks)["supply_gap"] > 0
