"""What a bid writer quotes survives a funder checking it against the publisher: district
broadband figures are Ofcom's own with their release, derived figures never borrow "% of
premises", definitions follow the settings, and the postcode lookup agrees with the triage.

Official figures are read here from ONS's files by code independent of the pipeline's readers.
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
import subprocess

from conftest import MIRROR, STUDY_LADS

NATIONAL = MIRROR / "ons-explore-local-statistics" / "national"
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
PREMISES = re.compile(r"(\d+(?:\.\d+)?)%[⁰¹²³⁴⁵⁶⁷⁸⁹\[\]\d]* of premises")


def official(indicator_file: str) -> tuple[dict[str, float], str]:
    """{area code: value} of ONS's current file and the month its .json says it describes."""
    with (NATIONAL / f"{indicator_file}.csv").open(encoding="utf-8-sig", newline="") as fh:
        values = {r["areacd"]: float(r["observation"]) for r in csv.DictReader(fh)}
    meta = json.loads((NATIONAL / f"{indicator_file}.json").read_text(encoding="utf-8"))["ess-beta-metadata"]
    as_of = re.search(r"as of (\w+ \d{4})", meta["longDescription"])[1]
    return values, as_of


def pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def names(real_run) -> dict[str, str]:
    return dict(real_run.sql(f"SELECT lad_code, area_name FROM {real_run.table('district_summary')}"))


def test_headlines_and_briefings_quote_ofcoms_own_district_figures_with_their_release(real_run):
    gigabit, as_of = official("gigabit-capable-broadband")
    below_30, as_of_30 = official("premises-below-30")
    headlines = " ".join((real_run.paths.processed / "headlines.md").read_text().split())
    for lad, name in names(real_run).items():
        if lad == "ALL":
            continue
        briefing = pdf_text(
            real_run.paths.processed / "briefings" / (re.sub(r"[^a-z0-9]+", "-", name.lower()) + ".pdf")
        )
        for text in (headlines, briefing):
            assert as_of in text and as_of_30 == as_of
            sentence = re.search(
                rf"In {as_of}, ([\d.]+)%\S* of premises in {re.escape(name)} could get gigabit-capable "
                rf"broadband and ([\d.]+)%\S* could not get a service above 30 Mbit/s",
                text,
            )
            assert sentence, f"{name}: no official sentence"
            assert float(sentence[1]) == gigabit[lad] and float(sentence[2]) == below_30[lad]


def test_every_headlines_section_quotes_ofcoms_figures_before_any_figure_derived_here(real_run):
    """The study area's section and each district's: Ofcom's own gigabit figure (and, for the area, the zone's
    estimate and rank) come before the triage and distance counts computed by the pipeline."""
    text = (real_run.paths.processed / "headlines.md").read_text()
    sections = re.split(r"^## ", text, flags=re.M)
    area = next(s for s in sections if s.startswith("The study area"))
    assert area.index("Ofcom's own figures for") < area.index("residents live where high inclusion need")
    assert area.index("Ofcom's own figures for") < area.index("in a straight line from any existing venue")
    for name in (n for lad, n in names(real_run).items() if lad != "ALL"):
        section = next(s for s in sections if s.startswith(name + "\n"))
        assert section.index("could get gigabit-capable broadband") < section.index("residents live where")


def test_east_hertfordshire_briefing_states_84_0_and_2_2_for_january_2026(real_run):
    text = pdf_text(real_run.paths.processed / "briefings" / "east-hertfordshire.pdf")
    assert "In January 2026, 84.0%" in text and "2.2%" in text


def test_every_share_of_premises_quoted_is_an_ofcom_figure_for_the_release_named(real_run):
    """Each "x% of premises" in a sentence equals Ofcom's figure for a study district at the month named there."""
    series = {
        (code, release_name, round(value, 1))
        for code, release_name, value in real_run.sql(
            f"""SELECT area_code, release_name, value FROM {real_run.table("la_connectivity_series")}
            WHERE indicator IN ('gigabit_capable_pct', 'premises_below_30_pct')"""
        )
    }
    texts = [(real_run.paths.processed / "headlines.md").read_text()]
    texts += [pdf_text(p) for p in sorted((real_run.paths.processed / "briefings").glob("*.pdf"))]
    checked = 0
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
            for value in PREMISES.findall(sentence):
                months = re.findall(rf"(?:{'|'.join(MONTHS)}) \d{{4}}", sentence)
                assert months, f"no release named: {sentence}"
                assert any((lad, m, round(float(value), 1)) in series for lad in STUDY_LADS for m in months), sentence
                checked += 1
    assert checked >= 10


def test_derived_broadband_figures_never_borrow_the_official_unit(real_run):
    sidecar = json.loads((real_run.paths.processed / "tables" / "district_summary.sources.json").read_text())
    described = {c["name"]: c["description"] for c in sidecar["columns"]}
    assert "% of premises" in described["ofcom_gigabit_pct"]
    for column in ("derived_pct_no_gigabit", "derived_pct_below_30"):
        assert "% of premises" not in described[column] and "not an Ofcom figure" in described[column]
    weighting = real_run.sql(f"SELECT DISTINCT derived_weighting FROM {real_run.table('district_summary')}")
    assert weighting == [("mean over postcodes, each counted once",)]


def test_no_output_claims_a_ranking_survives_every_choice(real_run):
    texts = [(real_run.paths.processed / "headlines.md").read_text()]
    texts += [pdf_text(p) for p in sorted((real_run.paths.processed / "briefings").glob("*.pdf"))]
    texts += [p.read_text() for p in sorted((real_run.root / "maps").glob("*.html"))]
    for text in texts:
        flat = " ".join(text.split()).lower()
        assert "every reasonable" not in flat and "whatever reasonable" not in flat


def test_no_output_says_networks_reach_or_leave_unserved_what_only_a_gap_rank_shows(real_run):
    """The triage classes rest on the gap score's rank among the study area's LSOAs (top 30% by default),
    not on whether networks reach anyone: 'unserved' is Ofcom's term for something else."""
    texts = [(real_run.paths.processed / "headlines.md").read_text()]
    texts += [pdf_text(p) for p in sorted((real_run.paths.processed / "briefings").glob("*.pdf"))]
    texts += [p.read_text() for p in sorted((real_run.root / "maps").glob("*.html"))]
    for text in texts:
        flat = " ".join(text.split()).lower()
        assert "networks reach" not in flat and "unserved" not in flat.replace("unserved_", "")


def test_change_over_time_starts_at_a_release_dated_by_month_and_cites_every_file_used(real_run):
    rows = real_run.sql(f"""SELECT first_release, first_dated_by FROM {real_run.table("connectivity_change")}
                            WHERE area_type = 'study district'""")
    assert rows and all(len(r[0]) == 7 and r[1] != "year only" for r in rows)
    sidecar = json.loads((real_run.paths.processed / "tables" / "connectivity_series.sources.json").read_text())
    assert [s["source"] for s in sidecar["sources"]] == ["ons_local_indicators"]
    used = {
        r[0] for r in real_run.sql(f"SELECT DISTINCT ons_file FROM {real_run.table('district_connectivity_series')}")
    }
    dated_by_metadata = real_run.sql(f"""SELECT DISTINCT release FROM {real_run.table("la_connectivity_series")}
                                         WHERE dated_by = 'ONS metadata'""")
    assert ("2026-01",) in dated_by_metadata and "gigabit-capable-broadband.csv" in used


def test_a_postcode_in_a_neither_neighbourhood_is_told_no_targeted_offer(real_run, monkeypatch, capsys):
    from pipeline import lookup

    postcode = real_run.scalar(f"""SELECT min(postcode) FROM {real_run.table("postcode_lookup")}
                                   WHERE triage_class = 'neither'""")
    monkeypatch.setenv("DIZ_OUTPUT_ROOT", str(real_run.root))
    assert lookup.main([postcode]) == 0
    out = capsys.readouterr().out
    assert "Suggested action" in out and "no targeted offer" in out
    assert "Suggested inclusion offer" not in out
    gigabit, as_of = official("gigabit-capable-broadband")
    lad = real_run.scalar(
        f"SELECT lad_code FROM {real_run.table('postcode_lookup')} WHERE postcode = $p", {"p": postcode}
    )
    assert f"{gigabit[lad]:.1f}% of premises" in out and as_of in out
    assert "does not describe this address" in out


def test_definitions_follow_the_settings_in_headlines_and_briefings(real_run, tmp_path):
    """Re-make the outputs with other thresholds: every definition says the new ones, none the old."""
    from conftest import PROJECT_ROOT

    from pipeline import duck
    from pipeline.paths import Paths
    from pipeline.runner import call_builder
    from pipeline.settings import load_settings
    from pipeline.steps import BY_NAME

    gen = tmp_path / "gen"
    subprocess.run(["cp", "-al", str(real_run.live), str(gen)], check=True)
    shutil.copytree(PROJECT_ROOT / "config", tmp_path / "config")
    config = tmp_path / "config" / "diz.toml"
    text = config.read_text()
    text = text.replace("high_need_top_share = 0.30", "high_need_top_share = 0.25")
    text = text.replace("unserved_top_share = 0.30", "unserved_top_share = 0.35")
    text = text.replace("robust_probability = 0.8", "robust_probability = 0.9")
    config.write_text(text)
    settings = load_settings(config)
    paths = Paths(root=real_run.root, mirror=MIRROR, out=gen)
    con = duck.connect()
    try:
        call_builder(BY_NAME["evidence_tables"], con, paths, settings)
        call_builder(BY_NAME["briefings"], con, paths, settings)
    finally:
        con.close()
    headlines = " ".join((gen / "headlines.md").read_text().split())
    briefing = pdf_text(gen / "briefings" / "harlow.pdf")
    for text in (headlines, briefing):
        assert "25% of" in text and "35%" in text and "at least 90%" in text
        assert "30% of" not in text and "at least 80%" not in text


def test_a_share_line_with_ties_says_how_many_it_took_and_without_counts_says_it_can_pass_the_share():
    """Synthetic rows (built here, an edge case): ten neighbourhoods, a 30% line, three tied at rank 3."""
    from conftest import PROJECT_ROOT

    from pipeline.settings import load_settings
    from pipeline.wording import cut_of, terms, triage_cuts

    ranks = [1, 2, 3, 3, 3, 6, 7, 8, 9, 10]  # rank 3 straddles the line (30% of 10 = 3 places)
    rows = [
        {"need_rank": i + 1, "high_need": i < 3, "supply_gap_rank": r, "unserved": "true" if r <= 3 else "false"}
        for i, r in enumerate(ranks)
    ]
    cut = cut_of(rows, "supply_gap_rank", "unserved")
    assert (cut.inside, cut.total, cut.tied_at_line) == (5, 10, 3)
    settings = load_settings(PROJECT_ROOT / "config" / "diz.toml")
    t = terms(settings, triage_cuts(rows))
    assert "tied at the line on one area-average value are all included: 5 of 10 here, 3 of them tied" in t.unserved
    assert "no tie at the line: 3 of 10 here" in t.high_need
    assert t.unserved.startswith(f"among the {round(settings.triage.unserved_top_share * 100)}% of the study area's")
    generic = terms(settings)
    assert "so more than 30% can be in" in generic.unserved and " here" not in generic.unserved


def test_every_output_wording_the_gap_line_states_the_runs_count_with_ties(real_run):
    """Headlines' Terms, the method page, the triage map and every briefing's map caption say how many
    neighbourhoods the connectivity-gap line took, counted from the triage table."""
    inside, total = real_run.sql(f"SELECT count(*) FILTER (unserved), count(*) FROM {real_run.table('lsoa_triage')}")[0]
    said = f"{inside:,} of {total:,} here"
    texts = {
        "headlines": (real_run.paths.processed / "headlines.md").read_text(),
        "method": (real_run.root / "maps" / "method.html").read_text(),
        "triage map": (real_run.root / "maps" / "triage.html").read_text(),
    }
    texts |= {p.name: pdf_text(p) for p in sorted((real_run.paths.processed / "briefings").glob("*.pdf"))}
    for name, text in texts.items():
        flat = " ".join(html.unescape(text).split())
        assert said in flat, name
        assert "tied at the line" in flat, name
        assert "of the study area's neighbourhoods" in flat, name  # a district's briefing too


def test_robust_is_worded_with_its_full_definition_never_as_robust_to_the_methods_choices(real_run):
    texts = [(real_run.paths.processed / "headlines.md").read_text()]
    texts += [pdf_text(p) for p in sorted((real_run.paths.processed / "briefings").glob("*.pdf"))]
    texts += [p.read_text() for p in sorted((real_run.root / "maps").glob("*.html"))]
    for text in texts:
        flat = " ".join(text.split())
        assert "robust to the method" not in flat and "draws of the method's choices" not in flat
    inclusion = " ".join((real_run.root / "maps" / "inclusion_targeting.html").read_text().split())
    drawn = "seeded draws of the need weights, scaling base and internet-use mapping around the choices used here"
    assert drawn in inclusion


def test_figures_are_rounded_half_up_to_the_decimals_their_kind_is_published_with():
    """A median of 89.8 and 89.9 is 89.85: shown 89.9 as a spreadsheet shows it (binary rounding gave 89.8); a
    share of land area keeps Ofcom's two decimals, so 99.98% of land area is never printed as 100.0%."""
    from pipeline.wording import half_up, percent

    assert half_up(89.85, 1) == "89.9" and half_up(1.45, 1) == "1.5" and half_up(7.05, 1) == "7.1"
    assert half_up("31967.0") == "31,967"
    assert percent(99.98, "coverage_4g_area_pct") == "99.98%"
    assert percent(77.5, "gigabit_capable_pct") == "77.5%"


def test_a_gap_in_a_district_whose_broadband_input_misses_ofcom_says_so_after_ofcoms_figure(
    real_run, monkeypatch, capsys
):
    """SG10 6DE (East Hertfordshire, infrastructure gap): the district's postcode-district means miss Ofcom's July
    2024 figure by more than the setting allows, so the gap line ends with a caution, Ofcom's figure first; a
    Harlow postcode, whose means agree, has none."""
    from pipeline import lookup

    monkeypatch.setenv("DIZ_OUTPUT_ROOT", str(real_run.root))
    lookup.main(["SG10 6DE"])
    out = capsys.readouterr().out
    gap = next(line for line in out.splitlines() if line.startswith("Connectivity gap"))
    assert "Caution: for July 2024, Ofcom counts 77.5% of premises in East Hertfordshire gigabit-capable" in gap
    assert gap.index("77.5%") < gap.index("68.8%")
    lookup.main(["CM20 1DS"])
    assert "Caution" not in capsys.readouterr().out


def test_practice_names_given_in_capitals_read_as_people_write_them():
    from pipeline.wording import display_name

    assert display_name("GARDENS AND JACOBS MEDICAL PARTNERSHIP") == "Gardens and Jacobs Medical Partnership"
    assert display_name("THE MAPLES") == "The Maples"  # a first word keeps its capital
    assert display_name("ST JOHN'S SURGERY") == "St John's Surgery"
    assert display_name("Abbey Road Surgery") == "Abbey Road Surgery"  # mixed case as published


def test_the_three_priority_labels_describe_the_same_draws_in_the_same_words():
    """Robust, weight-dependent and rarely in the top tenth are shares of one set of draws: a reader comparing
    two labels must not wonder whether 'need weights and scaling choices' are other draws than 'need weights,
    scaling base and internet-use mapping'."""
    from conftest import PROJECT_ROOT

    from pipeline.settings import load_settings
    from pipeline.wording import terms

    t = terms(load_settings(PROJECT_ROOT / "config" / "diz.toml"))
    assert "internet-use mapping" in t.draws
    for label in (t.robust, t.weight_dependent, t.rarely):
        assert label.endswith(t.draws), label


def test_a_briefings_header_says_its_neighbourhood_broadband_figures_are_a_third_partys_means_over_postcodes():
    """The header is read before any note: postcode-district figures are means over postcodes, each counted
    once, computed by a third party, so the header says so and never lets them pass as shares of premises."""
    from pipeline.outputs.briefings import briefing_release_line

    line = briefing_release_line(
        [{"broadband_release": "2024-07", "broadband_resolution": "postcode_district"}], "LSOA (2021)"
    )
    assert "July 2024, as a third party's postcode-district means (residential premises; each postcode" in line
    assert "not shares of premises" in line
    postcodes = briefing_release_line([{"broadband_release": "2024-07", "broadband_resolution": "postcode"}], "x")
    assert postcodes.endswith("July 2024, as postcode figures") and "third party" not in postcodes


def test_the_need_and_targeting_maps_word_the_draws_from_the_settings_and_never_as_a_bare_p(real_run):
    """The need map said 'P ≥ 0.8' and '≥ 80% of draws' in words of its own, and 'P' was explained nowhere; the
    targeting map's rank range did not say it was the middle 90% of the draws."""
    from conftest import PROJECT_ROOT

    from pipeline.settings import load_settings
    from pipeline.wording import terms

    settings = load_settings(PROJECT_ROOT / "config" / "diz.toml")
    t = terms(settings)
    need = (real_run.live / "maps" / "need.html").read_text(encoding="utf-8")
    assert f"robust: {t.robust}" in need and "P ≥" not in need and "(P = " not in need
    assert f"of the {settings.uncertainty.draws:,} seeded draws" in need
    targeting = (real_run.live / "maps" / "inclusion_targeting.html").read_text(encoding="utf-8")
    assert f"% of the {t.draws}; in 90% of them its rank was between " in targeting


def test_every_reconciliation_row_that_misses_ofcoms_figure_carries_its_districts_caution(real_run):
    """The column says 'empty where they agree': it was empty on every row, the misses included, because the
    caution was joined only to rows named as the neighbourhood indicators are, not as Ofcom names its measures."""
    import csv

    with (real_run.live / "tables" / "reconciliation.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    missed = [r for r in rows if r["within_threshold"] == "false"]
    assert missed and all(r["broadband_caution"].startswith("Caution: for ") for r in missed)
    cautioned = {r["lad_code"] for r in missed}
    assert not [r for r in rows if r["broadband_caution"] and r["lad_code"] not in cautioned]


def test_the_zones_pace_is_published_as_its_estimates_never_under_ofcoms_unit_alone(real_run):
    """Ofcom publishes no figure for the zone: its rows in peer_pace say they are the estimate's (how weighted),
    and the zone briefing's note for its pace says so before Ofcom's unit, as it does for the zone's value."""
    with (real_run.paths.processed / "tables" / "peer_pace.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    zone = [r for r in rows if r["area_type"] == "zone"]
    assert zone and all(r["estimate"] == "true" and r["weighted_by"] for r in zone)
    assert all(r["estimate"] == "false" for r in rows if r["area_type"] != "zone")
    sidecar = json.loads((real_run.paths.processed / "tables" / "peer_pace.sources.json").read_text())
    assert any("not shares counted by Ofcom" in note for note in sidecar["notes"])
    area = next(p for p in (real_run.paths.processed / "briefings").glob("*.pdf") if "zone" in p.name)
    notes = [n for n in re.findall(r"(?:^|\s)[⁰¹²³⁴⁵⁶⁷⁸⁹]+ ([^⁰¹²³⁴⁵⁶⁷⁸⁹]*?table peer_pace)", pdf_text(area))]
    own = [n for n in notes if "(the zone's estimate" in n or "The zone's estimate" in n]
    assert own, notes
    assert all(n.startswith("The zone's estimate (the mean of its districts' Ofcom figures") for n in own), own


def test_areas_ons_marks_as_aggregated_are_quoted_as_onss_aggregates_never_as_ofcoms_own(real_run):
    """ONS's file marks the rows it summed (counties, England, the UK) 'This data has been aggregated ...'; its
    district rows carry no note. The series keeps the note, and the headlines name those figures as ONS's."""
    with (NATIONAL / "gigabit-capable-broadband.csv").open(encoding="utf-8-sig", newline="") as fh:
        marked = {r["areacd"] for r in csv.DictReader(fh) if r["notes"].strip()}
    with (real_run.paths.processed / "tables" / "connectivity_series.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["indicator"] == "gigabit_capable_pct" and r["release"] == "2026-01"]
    assert {r["area_code"] for r in rows if r["ons_note"]} == {r["area_code"] for r in rows} & marked
    assert not [r for r in rows if r["area_type"] == "study district" and r["ons_note"]]
    headlines = " ".join((real_run.paths.processed / "headlines.md").read_text().split())
    own, _, rest = headlines.partition("ONS's aggregates of Ofcom's figures for the larger areas")
    assert rest, "the aggregated comparators are not named as ONS's"
    sentence = own[own.rindex("Ofcom's own figures for") :]
    for r in rows:
        place = f"in {'the ' if r['area_code'].startswith('K') else ''}{r['area_name']}"
        assert (place in rest.split(". ")[0]) == bool(r["ons_note"]), r["area_name"]
        assert (place in sentence) == (r["area_type"] == "study district"), r["area_name"]
    assert "(ONS's aggregate of Ofcom's figures" in headlines  # and each one's note says so


def test_a_triage_count_note_pasted_alone_keeps_its_districts_broadband_caution(real_run):
    """The notes of the residents in each triage class carry, in one sentence, the districts whose neighbourhood
    broadband figures miss Ofcom's by more than the settings allow: the study area's all of them, a district's
    its own, and none where they agree."""
    with (real_run.live / "tables" / "reconciliation.csv").open(encoding="utf-8") as fh:
        missed = {r["area_name"] for r in csv.DictReader(fh) if r["within_threshold"] == "false"}
    assert missed
    lines = (real_run.paths.processed / "headlines.md").read_text().splitlines()
    notes = {ln: ln for ln in lines if re.match(r"\[\d+\] Residents in .*LSOAs", ln) or "triage class" in ln}
    assert notes
    for note in notes:
        place = re.search(r"LSOAs(?: classed \w+)?, ([^:]+):|triage class", note)
        cautioned = re.search(r"Caution: in (.+?), the broadband input behind the gap", note)
        if "triage_summary.csv | area_code=ALL" in note:
            assert cautioned and set(re.split(r", | and ", cautioned[1])) == missed, note
        elif place and place.group(1):
            assert bool(cautioned) == (place.group(1) in missed), note
    with (real_run.live / "tables" / "triage_summary.csv").open(encoding="utf-8") as fh:
        summary = list(csv.DictReader(fh))
    for r in summary:
        district = {"study area": None, "district": r["area_name"]}.get(r["area_type"], r["district"])
        expected = bool(missed) if district is None else district in missed
        assert bool(r["broadband_caution"]) == expected, r


def test_the_neighbourhood_broadband_input_is_said_to_count_residential_premises_where_compared_with_ofcoms(
    real_run,
):
    """PROVENANCE: the postcode-district means come from Ofcom's residential postcode file. Its rows in the
    reconciliation say so, and so does each sentence setting them beside Ofcom's district figure."""
    with (real_run.live / "tables" / "reconciliation.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {r["derived_premises"] for r in rows if r["derived_pct"]} == {"residential premises"}
    headlines = " ".join((real_run.paths.processed / "headlines.md").read_text().split())
    compared = re.findall(r"The broadband input holds that release as [^;]*;", headlines)
    assert len(compared) == len(STUDY_LADS)
    assert all("(residential premises only)" in c for c in compared), compared


def test_the_zone_briefings_indicator_table_names_each_value_a_zone_estimate_before_the_measure(real_run):
    """'Premises without a service above 30 Mbit/s (...): 2.3%' was easy to lift as a share Ofcom counted: each
    of the zone's values in the table now opens with what it is."""
    area = next(p for p in (real_run.paths.processed / "briefings").glob("*.pdf") if "zone" in p.name)
    text = pdf_text(area)
    assert text.count("Zone estimate, not an Ofcom figure:") == 4  # gigabit, below 30 Mbit/s, 4G, 5G
    assert "(estimate: its districts'" not in text


def test_a_below_30_comparison_with_ofcom_says_the_input_counts_residential_premises(real_run):
    headlines = " ".join((real_run.paths.processed / "headlines.md").read_text().split())
    below = re.findall(r"For premises below 30 Mbit/s in [^:]*:", headlines)
    assert below and all("residential premises only" in b for b in below), below
