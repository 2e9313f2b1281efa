"""Sources, licences and citations say exactly what fed each figure: a derived table takes on the sources
of the columns it read, not every source of the tables those columns sit in; the lists of sources and
licences under the headlines and the briefings follow the figures they print."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

# Sources the access and siting tables cannot draw on: the GP sites' list sizes, PCNs, branch lists,
# practice IMD and Sub-ICB outlines (no venue uses them) and any broadband data (no access column holds it).
NOT_ACCESS = {
    "ebranchs",
    "ebranchs_2017",
    "gp_list_sizes",
    "gp_list_sizes_2021",
    "gp_pcn_mapping",
    "gp_imd_score",
    "subicb_boundaries",
    "lsoa_ccg_lookup",
    "ofcom_postcode_district",
    "ofcom_postcode_coverage",
    "ofcom_la_coverage",
    "ons_local_indicators",
}
ACCESS_TABLES = ("lsoa_access", "siting_curve", "siting_by_district", "venue_siting", "access_validation")


def test_a_table_drawn_from_some_columns_takes_on_only_their_sources(con, tmp_path):
    from pipeline.store import drawn_from, read_provenance, sources_of, write_parquet

    wide = tmp_path / "wide.parquet"
    write_parquet(
        con,
        "SELECT 1 AS need, 2 AS gap, 'x' AS label",
        wide,
        sources={"census_ts007a": "count(*)", "ofcom_postcode_district": "count(*)"},
        columns={"need": ["census_ts007a"], "gap": ["ofcom_postcode_district"]},
    )
    assert sources_of(wide, "need") == ["census_ts007a"]
    assert sources_of(wide, "label") == ["census_ts007a", "ofcom_postcode_district"]  # no record: every source
    assert drawn_from((wide, ["need"])) == {"census_ts007a": "count(*)"}
    assert drawn_from(wide) == {"census_ts007a": "count(*)", "ofcom_postcode_district": "count(*)"}
    assert read_provenance(wide)["columns"] == {"need": ["census_ts007a"], "gap": ["ofcom_postcode_district"]}


def test_a_column_record_never_names_a_source_that_gave_the_table_no_rows(con, tmp_path):
    from pipeline.store import read_provenance, write_parquet

    dest = tmp_path / "t.parquet"
    write_parquet(
        con,
        "SELECT 1 AS a",
        dest,
        sources={"census_ts007a": "count(*)", "libraries": 0},
        columns={"a": ["libraries", "census_ts007a"]},
    )
    assert read_provenance(dest)["columns"] == {"a": ["census_ts007a"]}


def test_a_column_whose_sources_differ_by_row_gives_each_row_the_first_matching_record(con, tmp_path):
    """A zone's estimate rests on its weights and a district's own figure does not: the record names, per
    ``where``, the sources of the rows it picks; a row matching none keeps the column's own."""
    from pipeline.store import read_provenance, row_sources, write_parquet

    dest = tmp_path / "t.parquet"
    write_parquet(
        con,
        "SELECT 'zone' AS area_type, 1 AS value",
        dest,
        sources={"ons_local_indicators": "count(*)", "census_ts007a": "count(*)", "libraries": 0},
        columns={"value": ["ons_local_indicators", "census_ts007a"]},
        rows={
            "value": [
                ({"area_type": ["zone"], "estimate": [True]}, ["ons_local_indicators", "census_ts007a", "libraries"]),
                ({"k": [0]}, ["ons_local_indicators"]),
            ]
        },
    )
    entries = read_provenance(dest)["column_rows"]["value"]
    assert entries[0] == {
        "where": {"area_type": ["zone"], "estimate": ["true"]},
        "sources": ["ons_local_indicators", "census_ts007a"],
    }  # no rows from the libraries
    assert row_sources(entries, {"area_type": "zone", "estimate": "true"}) == ["ons_local_indicators", "census_ts007a"]
    assert row_sources(entries, {"area_type": "zone", "estimate": True}) == ["ons_local_indicators", "census_ts007a"]
    assert row_sources(entries, {"area_type": "district", "k": "0"}) == ["ons_local_indicators"]
    assert row_sources(entries, {"area_type": "district", "k": "1"}) is None


def _sidecar(real_run, name: str) -> dict:
    return json.loads((real_run.live / "tables" / f"{name}.sources.json").read_text(encoding="utf-8"))


def test_a_gp_catchments_mean_need_is_credited_to_neither_broadband_nor_the_old_branch_list(real_run):
    """A catchment's mean need rests on which postcodes are nearest which ranked site, their residents and their
    neighbourhoods' need: no broadband figure enters it, and no branch only the 2017 list names is ranked here."""
    from pipeline.columns import BROADBAND

    columns = {c["name"]: set(c["sources"]) for c in _sidecar(real_run, "gp_readiness")["columns"]}
    need = columns["catchment_mean_need"]
    assert not need & set(BROADBAND) and "ebranchs_2017" not in need
    assert {"epraccur", "gp_list_sizes", "codepoint_open", "census_ts007a", "iod2025"} <= need
    assert "ofcom_postcode_district" in columns["catchment_pct_no_gigabit"]  # the broadband columns keep theirs


@pytest.mark.parametrize("table", ACCESS_TABLES)
def test_the_access_tables_sources_are_exactly_those_that_fed_them(real_run, table):
    from pipeline.registry import licence_lines

    sidecar = _sidecar(real_run, table)
    keys = {s["source"] for s in sidecar["sources"]}
    assert not keys & NOT_ACCESS, f"{table} names sources that did not feed it: {sorted(keys & NOT_ACCESS)}"
    assert sidecar["licence"] == licence_lines([s["source"] for s in sidecar["sources"]])
    for column in sidecar["columns"]:
        assert not set(column["sources"]) & NOT_ACCESS, (table, column["name"])
    if table == "access_validation":  # GP distances against IoD 2025: no library, no need score
        assert keys == {"iod2025", "lsoa_pwc", "epraccur", "codepoint_open"}
    else:  # where people live, the venues, residents and need
        assert {"lsoa_pwc", "libraries", "epraccur", "codepoint_open", "census_ts007a"} <= keys


def test_an_access_distance_names_the_venues_it_is_to(real_run):
    columns = {c["name"]: set(c["sources"]) for c in _sidecar(real_run, "lsoa_access")["columns"]}
    assert columns["nearest_library_km"] == {"lsoa_pwc", "libraries"}
    assert columns["nearest_gp_site_km"] == {"lsoa_pwc", "epraccur", "codepoint_open"}
    assert columns["distance_kind"] == set()
    assert "iuc2018" in columns["high_need_residents_beyond_reach"]
    assert "iuc2018" not in columns["residents_beyond_reach"]


def test_the_district_triage_counts_cite_the_triage_and_not_the_district_figures(real_run):
    summary = {c["name"]: c["sources"] for c in _sidecar(real_run, "district_summary")["columns"]}
    triage = {c["name"]: c["sources"] for c in _sidecar(real_run, "triage")["columns"]}
    for column in ("residents_both", "residents_adoption_gap", "residents_infrastructure_gap"):
        assert "ons_local_indicators" not in summary[column]
        assert set(summary[column]) == set(triage["triage_class"]) | {"census_ts007a"}
    assert summary["ofcom_gigabit_pct"] == ["ons_local_indicators"]


def test_the_zone_row_carries_the_zone_estimate_named_as_an_estimate(real_run):
    import csv

    with (real_run.live / "tables" / "district_summary.csv").open(encoding="utf-8") as fh:
        zone = next(r for r in csv.DictReader(fh) if r["lad_code"] == "ALL")
    estimate = real_run.scalar(
        f"""SELECT arg_max(value, release) FROM {real_run.table("peer_benchmark")}
            WHERE estimate AND indicator = 'gigabit_capable_pct'"""
    )
    assert float(zone["estimated_gigabit_pct"]) == round(estimate, 1)
    assert zone["estimated_weighted_by"] and not zone["ofcom_gigabit_pct"]
    described = {c["name"]: c["description"] for c in _sidecar(real_run, "district_summary")["columns"]}
    assert described["derived_pct_no_gigabit"].startswith("Derived mean over postcodes, never a share of premises")
    assert "estimate" in described["estimated_gigabit_pct"]
    # how it was made comes first, and it is never called a share of premises (the official unit)
    assert described["estimated_gigabit_pct"].startswith("Mean of the districts' Ofcom gigabit-capable figures")
    assert "not a share of premises Ofcom counted" in described["estimated_gigabit_pct"]
    headlines = " ".join((real_run.live / "headlines.md").read_text(encoding="utf-8").split())
    assert "Estimate of premises" not in headlines
    assert (
        "Mean of its districts' Ofcom figures for premises with gigabit-capable broadband (%), weighted by" in headlines
    )


def _headlines(real_run) -> str:
    return (real_run.live / "headlines.md").read_text(encoding="utf-8")


def _section(text: str, title: str) -> list[str]:
    body = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    return [line[2:].replace("\\", "") for line in body.splitlines() if line.startswith("- ")]


def test_every_licence_line_in_the_headlines_belongs_to_a_source_of_a_cited_figure(real_run):
    from pipeline.outputs.headlines import Notes
    from pipeline.registry import SOURCES, licence_lines

    text = _headlines(real_run)
    footnotes = text.split("## Footnotes", 1)[1].split("## Releases", 1)[0]
    cited = [
        k
        for k in SOURCES
        if SOURCES[k].citation.replace("(", "").replace(")", "")
        in footnotes.replace("\\", "").replace("(", "").replace(")", "")
    ]
    assert _section(text, "Licences") == licence_lines(cited)
    assert "Source: Arts Council England (public libraries basic dataset 2023), Open Government Licence v3.0." in (
        _section(text, "Licences")
    )
    assert not any("Fingertips" in line for line in _section(text, "Licences"))
    releases = _section(text, "Releases")
    for key in ("libraries", "lsoa_pwc", "ons_similar_areas"):
        assert f"{SOURCES[key].title}: {SOURCES[key].release}" in releases, key
    assert Notes  # the lists are Notes.cited_sources(): the same machinery as the footnotes


def test_a_siting_note_describes_the_figure_quoted_and_names_the_place(real_run):
    text = _headlines(real_run)
    notes = [line for line in text.splitlines() if "`siting_curve.csv`" in line or "`siting_by_district.csv`" in line]
    assert notes
    for line in notes:
        assert "Residents of the LSOA" not in line, line
        assert not re.search(r", \d+: ", line), line  # a row number is not a place
    zone = next(line for line in notes if "k=0" in line and "`residents_beyond_reach`" in line)
    assert "more than 2 km in a straight line from any venue (the existing ones and the new ones named" in zone
    assert "row's" not in zone  # a citation does not speak of table rows
    assert "existing venues only" in zone


def test_a_footnote_to_a_release_dated_only_by_onss_period_label_says_so(real_run):
    """September 2022 has no Ofcom date in ONS's metadata: the footnote a bid writer pastes says so, as the
    sentence does, not only the body text."""
    notes = [line for line in _headlines(real_run).splitlines() if "`change_over_time.csv`" in line]
    first = [line for line in notes if "`first_value`" in line or "`change_pp_per_year`" in line]
    assert first and all("September 2022 (by ONS's period label only)" in line for line in first)
    assert not any("January 2026 (by ONS's period label only)" in line for line in notes)


def test_the_reconciliation_quotes_ofcom_before_the_derived_mean(real_run):
    text = _headlines(real_run)
    paragraphs = [p for p in text.split("\n\n") if "derived here, not an Ofcom figure" in p]
    assert paragraphs
    for p in paragraphs:
        derived = "gigabit-capable availability" if "gigabit-capable availability" in p else "the same average"
        assert p.index("Ofcom's own figure") < p.index(derived), p


def test_the_study_area_quotes_ofcom_district_figures_before_the_estimate(real_run):
    section = _headlines(real_run).split("## The study area", 1)[1].split("\n## ", 1)[0]
    ofcom = section.index("Ofcom's own figures")
    assert ofcom < section.index("An estimate from the districts' figures")
    assert "Hertfordshire" in section[ofcom:] and "England" in section[ofcom:]


def _pdf_text(path) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.fail("pdftotext (Debian poppler-utils) is not installed: make test-tools installs it")
    out = subprocess.run([pdftotext, str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def test_every_licence_line_in_a_briefing_belongs_to_a_source_of_a_printed_figure(real_run):
    from pipeline.outputs.briefings import _sources
    from pipeline.outputs.headlines import Notes
    from pipeline.registry import SOURCES

    n = Notes(real_run.paths.tables)
    n.cite("siting_by_district", "residents_beyond_reach", lad_code="E07000095")
    keys = _sources(real_run.paths, n, chart=True)
    assert {"libraries", "lsoa_pwc"} <= set(keys)  # the access figure rests on them
    assert "ruc2021" not in keys and "gp_imd_score" not in keys  # nothing printed rests on them
    pdfs = sorted((real_run.live / "briefings").glob("*.pdf"))
    assert len(pdfs) == 6
    for pdf in pdfs:
        text = _pdf_text(pdf)
        notes = text.split("Sources and licences", 1)[1]
        assert "Source: Arts Council England (public libraries basic dataset 2023)" in notes, pdf.name
        assert "Clustering similar local authorities and statistical nearest neighbours in the UK, licensed" in notes
        assert SOURCES["lsoa_pwc"].title in notes, pdf.name
        assert "Rural Urban Classification" not in notes and "Fingertips" not in notes, pdf.name


def test_a_briefing_note_for_another_figure_keeps_its_words_and_names_its_sources_by_their_letters(real_run):
    """The briefings' other figures point at their publishers through the lettered list of sources (a funder can
    still trace each one), in fewer words than the key figures' citations."""
    from pipeline.outputs.briefings import source_letters
    from pipeline.outputs.headlines import Notes

    n = Notes(real_run.paths.tables)
    n.cite("siting_curve", "pct_covered", 1, "%", k="0")
    note = n.notes[0]
    assert {"libraries", "census_ts007a"} <= set(note.source_keys)
    letters = source_letters(list(n.cited_sources()))
    short = note.short(letters)
    named = ", ".join(sorted(letters[k] for k in note.source_keys))
    assert short.endswith(f": {note.shown} (sources {named}; table siting_curve).")
    assert "existing venues only" in short and "December 2023" not in short


def test_map_source_panels_and_the_index_list_releases_without_row_counts(real_run):
    pages = sorted((real_run.live / "maps").glob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if "<div id='diz-sources'>" in text:
            panel = text[text.index("<div id='diz-sources'>") :][:20000]
            assert not re.search(r"\([\d,]+ rows\)", panel), page.name
    index = (real_run.live / "maps" / "index.html").read_text(encoding="utf-8")
    assert "Rows used" not in index


def test_boundary_files_carry_no_os_copyright_year_the_provenance_does_not_state():
    from pipeline.registry import SOURCES

    for key in ("lad2013_boundaries", "lsoa2011_boundaries"):
        os_lines = [line for line in SOURCES[key].licence if line.startswith("Contains OS data")]
        assert os_lines and not any(re.search(r"\d{4}", line) for line in os_lines), key


def test_quoted_gp_list_sizes_carry_the_caveat_on_their_copy():
    from pipeline.registry import SOURCES

    source = SOURCES["gp_list_sizes"]
    assert "not byte-checked" in source.release and "not byte-checked" in source.citation


def test_residents_beyond_reach_of_existing_venues_cite_no_need_source(real_run):
    columns = {c["name"]: set(c["sources"]) for c in _sidecar(real_run, "siting_by_district")["columns"]}
    assert "iuc2018" not in columns["residents_beyond_reach"]  # where people live, venues and the Census only
    assert {"lsoa_pwc", "libraries", "census_ts007a"} <= columns["residents_beyond_reach"]
    assert "epraccur" not in columns["residents_beyond_reach"]  # GP practices are candidate sites, not existing
    assert "iuc2018" in columns["high_need_residents_beyond_reach"]  # high need rests on the need score
    assert "epraccur" not in columns["high_need_residents_beyond_reach"]  # still existing venues only


def test_the_siting_figures_for_existing_venues_only_cite_none_of_what_chose_new_sites(real_run):
    """The curve's k = 0 row counts existing venues only: its notes name where people live, the venues, the
    Census and (for need-weighted or high-need figures) the need sources, never the candidate GP sites, their
    postcodes or the ward lookup; a row with new venues names the candidates too."""
    from pipeline.outputs.headlines import Notes

    n = Notes(real_run.paths.tables)
    for column in ("residents_beyond_reach", "high_need_residents_beyond_reach", "pct_covered"):
        n.cite("siting_curve", column, k="0")
    n.cite("siting_curve", "pct_covered", k="1")
    plain, high, weighted, chosen = (set(note.source_keys) for note in n.notes)
    assert plain == {"lsoa_pwc", "libraries", "census_ts007a"}
    assert {"iuc2018", "iod2025"} <= high and {"iuc2018", "iod2025"} <= weighted
    for keys in (plain, high, weighted):
        assert not keys & {"epraccur", "codepoint_open", "lsoa21_ward_lookup"}, keys
    assert {"epraccur", "iuc2018"} <= chosen
    column = next(c for c in _sidecar(real_run, "siting_curve")["columns"] if c["name"] == "residents_beyond_reach")
    assert column["sources_by_row"][0]["where"] == {"k": ["0"]}


def test_a_peer_tables_sidecar_tells_the_zones_rows_from_the_districts(real_run):
    """The peer tables name, per column, the sources of the zone's rows (with the weight its unit uses) apart from
    the districts' (Ofcom's figures and ONS's groupings alone), in the sidecar an analyst reads, not only in notes."""
    for table, column in (("peer_benchmark", "group_median"), ("peer_pace", "first_value"), ("peer_league", "value")):
        entries = next(c for c in _sidecar(real_run, table)["columns"] if c["name"] == column)["sources_by_row"]
        premises, land, other = entries
        assert "census_ts007a" in premises["sources"] and "gigabit_capable_pct" in premises["where"]["indicator"]
        assert any(k.endswith("_boundaries") for k in land["sources"]) and "census_ts007a" not in land["sources"]
        assert other["where"] == {} and not {"census_ts007a"} & set(other["sources"]), (table, other)


def test_the_connectivity_gap_names_the_postcode_files_that_place_its_values_in_neighbourhoods(real_run):
    """An LSOA's broadband value is built from the postcodes in it (Code-Point's list, ONS's postcode to LSOA
    lookup): the gap, the triage and the zone estimate's citation name the sources that fed them, and only those."""
    gap = {s["source"] for s in _sidecar(real_run, "lsoa_supply_gap")["sources"]}
    assert {"codepoint_open", "ons_postcode_lookup"} <= gap
    triage = {c["name"]: set(c["sources"]) for c in _sidecar(real_run, "triage")["columns"]}
    assert {"codepoint_open", "ons_postcode_lookup"} <= triage["triage_class"]
    summary = {c["name"]: set(c["sources"]) for c in _sidecar(real_run, "district_summary")["columns"]}
    assert "la_neighbours" not in summary["estimated_gigabit_pct"]
    assert "census_ts007a" in summary["estimated_gigabit_pct"]  # weighted by residents


def test_every_table_naming_wards_lists_the_ward_lookup_behind_its_ward_names(real_run):
    """A row's ward comes from ONS's LSOA-to-ward lookup (through lsoa_areas): every published table that names
    wards lists that lookup among its sources, and its ward_name column names that lookup alone (it had been
    dropped after lsoa_areas, so the need and triage tables' ward names were credited to Census and IoD)."""
    checked = 0
    for path in sorted((real_run.live / "tables").glob("*.sources.json")):
        sidecar = json.loads(path.read_text(encoding="utf-8"))
        ward = next((c for c in sidecar.get("columns", []) if c["name"] == "ward_name"), None)
        if ward is None or path.name.startswith("ward_boundaries"):
            continue
        checked += 1
        assert "lsoa21_ward_lookup" in {s["source"] for s in sidecar["sources"]}, path.name
        assert ward["sources"] == ["lsoa21_ward_lookup"], (path.name, ward["sources"])
    assert checked >= 8


def test_a_readiness_rank_resting_on_need_alone_is_cited_as_a_rank_by_need(real_run):
    """With no broadband part known, a site's readiness rank is its catchment's need rank: the pasted citation says
    so rather than claim a telehealth readiness the method did not measure."""
    import csv

    from pipeline.outputs.headlines import Notes

    rows = list(csv.DictReader((real_run.live / "tables" / "gp_readiness.csv").open(encoding="utf-8")))
    site = next(r for r in rows if r["readiness_rank"] and r["readiness_parts"].startswith("catchment need 1"))
    n = Notes(real_run.paths.tables)
    n.cite("gp_readiness", "readiness_rank", site_code=site["site_code"])
    assert n.notes[0].what.startswith("GP site's rank by its catchment's inclusion need alone (1 = most need")
    assert "Telehealth readiness" not in n.notes[0].citation


def test_a_districts_own_peer_figure_credits_ofcom_and_the_zones_estimate_its_weights(real_run):
    """A note names the zone's weights (residents, land area) only for the zone's estimate, and only the one its
    unit is weighted by: a district's own figure is Ofcom's."""
    from pipeline.outputs.headlines import Notes

    n = Notes(real_run.paths.tables)
    keys = {"group_kind": "neighbours", "indicator": "gigabit_capable_pct", "release": "2026-01"}
    n.cite("peer_benchmark", "value", 1, "%", area_code="E07000073", **keys)
    n.cite("peer_benchmark", "value", 1, "%", area_code="ZONE", **keys)
    district, zone = (note.source_keys for note in n.notes)
    assert "ons_local_indicators" in district and "census_ts007a" not in district
    assert not any(k.endswith("_boundaries") for k in district)
    assert "census_ts007a" in zone and not any(k.endswith("_boundaries") for k in zone)


def test_a_derived_district_figure_never_takes_ofcoms_unit_in_its_citation(real_run):
    from pipeline.outputs.headlines import Notes

    n = Notes(real_run.paths.tables)
    n.cite(
        "reconciliation",
        "derived_pct",
        1,
        "%",
        lad_code="E07000242",
        release="2024-07",
        indicator="gigabit_capable_pct",
    )
    n.cite(
        "reconciliation",
        "official_pct",
        1,
        "%",
        lad_code="E07000242",
        release="2024-07",
        indicator="gigabit_capable_pct",
    )
    derived, official = (note.what for note in n.notes)
    assert derived.startswith(
        "Derived here (mean over postcodes, each counted once) as the postcode-district averages of "
    )
    assert "not a share of the district's premises" in derived and not derived.startswith("Premises")
    assert "averages of each postcode's share of premises with gigabit-capable broadband (the input counts " in derived
    assert "residential premises); not a share" in derived
    assert official.startswith("Premises with gigabit-capable broadband (%): Ofcom's own district figure")
    # the mean is over the district's Code-Point postcodes, whose broadband is the third party's district means
    assert {"codepoint_open", "ofcom_postcode_district"} <= set(n.notes[0].source_keys)


def test_a_tied_readiness_rank_is_pasted_as_a_tie(real_run):
    """Tied sites share the lowest rank: the note a bid writer pastes says '=3, tied', as the text beside it does,
    not a bare '3' that reads as the site's own place."""
    import csv
    from collections import Counter

    from pipeline.outputs.headlines import Notes

    rows = list(csv.DictReader((real_run.live / "tables" / "gp_readiness.csv").open(encoding="utf-8")))
    counts = Counter(r["readiness_rank"] for r in rows if r["readiness_rank"])
    tied = next(r for r in rows if r["readiness_rank"] and counts[r["readiness_rank"]] > 1)
    alone = next(r for r in rows if r["readiness_rank"] and counts[r["readiness_rank"]] == 1)
    n = Notes(real_run.paths.tables)
    assert n.cite("gp_readiness", "readiness_rank", site_code=tied["site_code"]).startswith(tied["readiness_rank"])
    n.cite("gp_readiness", "readiness_rank", site_code=alone["site_code"])
    assert n.notes[0].shown == f"={tied['readiness_rank']}, tied"
    assert n.notes[1].shown == alone["readiness_rank"]


def test_ward_codes_credit_where_the_ward_comes_from_and_every_score_table_its_need_sources(real_run):
    """A neighbourhood's ward code comes from ONS's LSOA-to-ward lookup, a GP site's from its postcode in Code-Point
    Open; the scores table's need score names the 2011-2021 lookup its carried IUC groups rest on, as lsoa_need's
    does (one weight set's source count had stood for another's)."""

    def column(table, name):
        return next(c for c in _sidecar(real_run, table)["columns"] if c["name"] == name)["sources"]

    for table in ("lsoa_need", "lsoa_scores", "triage", "lsoa_access"):
        assert column(table, "ward_code") == ["lsoa21_ward_lookup"], table
    assert column("gp_readiness", "ward_code") == ["codepoint_open"]
    assert "lsoa11_lsoa21_lookup" in column("lsoa_scores", "need_score")
    assert column("lsoa_scores", "need_score") == column("lsoa_need", "need_score")
