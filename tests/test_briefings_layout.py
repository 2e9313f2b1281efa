"""The PDF briefings as a bid writer pastes from them: the triage map's legend clear of the map and
its labels apart (measured on the figure's own bounding boxes), area averages hatched and said so,
no near-empty page, no word broken in a table, sentences that read well when a count is zero, and
notes that name publisher, dataset and release."""

from __future__ import annotations

import re
import shutil
import subprocess
from itertools import combinations

import pytest
from conftest import STUDY_LADS

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"  # the briefings' note numbers

ALL_AREA = "ALL"


def _briefing_names(real_run) -> dict[str, tuple[str, str, list[str]]]:
    """{pdf file: (code, name, lads)} for every briefing of the run, as build_briefings makes them."""
    from pipeline.outputs.briefings import briefing_file
    from pipeline.outputs.headlines import Notes
    from pipeline.settings import load_settings

    rows = Notes(real_run.paths.tables).rows("district_summary")
    districts = [r for r in rows if r["lad_code"] != ALL_AREA]
    out = {briefing_file(r["area_name"]): (r["lad_code"], r["area_name"], [r["lad_code"]]) for r in districts}
    name = load_settings().study_area.name
    out[briefing_file(name)] = (ALL_AREA, name, [r["lad_code"] for r in districts])
    return out


@pytest.fixture(scope="module")
def built_maps(real_run, tmp_path_factory):
    """Each briefing built again from the real run's tables, keeping the map Figure it drew (before
    it became a PNG): {pdf file: (figure, lads, wards the briefing's table lists)}."""
    from pipeline import duck
    from pipeline.inputs import register_inputs
    from pipeline.outputs import briefings
    from pipeline.outputs.headlines import Notes
    from pipeline.settings import load_settings
    from pipeline.steps import BY_NAME

    settings = load_settings()
    con = duck.connect()
    register_inputs(con, real_run.paths, BY_NAME["briefings"].deps)
    folder = tmp_path_factory.mktemp("briefings")
    drawn = []
    original = briefings.triage_figure

    def keep(*args, **kwargs):
        drawn.append(original(*args, **kwargs))
        return drawn[-1]

    out = {}
    briefings.triage_figure = keep
    try:
        for file, (code, name, lads) in _briefing_names(real_run).items():
            briefings.build_one(con, real_run.paths, settings, code, name, lads, folder / file, "test")
            wards = [w["ward_name"] for w in briefings._top_wards(Notes(real_run.paths.tables), lads)]
            out[file] = (drawn[-1], lads, wards if code != ALL_AREA else [])
    finally:
        briefings.triage_figure = original
        con.close()
    return out


def _boxes(fig):
    """Display-space boxes of the map's drawn polygons and lines (each path of its collections), its legends and
    its labels."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    data = [path.transformed(ax.transData).get_extents() for c in ax.collections for path in c.get_paths()]
    legends = [legend.get_window_extent(renderer) for legend in [*fig.legends, ax.get_legend()] if legend]
    labels = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_visible()]
    return data, legends, labels


def test_every_briefing_has_its_triage_map(built_maps):
    assert len(built_maps) == len(STUDY_LADS) + 1


def test_triage_map_legends_cover_none_of_the_map(built_maps):
    for file, (fig, _, _) in built_maps.items():
        data, legends, _ = _boxes(fig)
        assert data and legends, file
        touching = [i for i, box in enumerate(data) for legend in legends if box.overlaps(legend)]
        assert touching == [], f"{file}: the legend covers {len(touching)} drawn shapes"


def test_triage_map_labels_do_not_overlap_each_other_or_the_legend(built_maps):
    for file, (fig, _, _) in built_maps.items():
        _, legends, labels = _boxes(fig)
        assert len(labels) >= 5, file
        halo = 1.1 * fig.dpi / 72  # half the white halo's 2.2 pt stroke: two names' halos must not meet either
        labels = [(name, box.padded(halo)) for name, box in labels]
        clashes = [(a, b) for (a, box_a), (b, box_b) in combinations(labels, 2) if box_a.overlaps(box_b)]
        assert clashes == [], f"{file}: labels overlap: {clashes}"
        assert not [name for name, box in labels for legend in legends if box.overlaps(legend)], file
        page = fig.bbox
        cut = [
            name for name, box in labels if box.x0 < page.x0 or box.x1 > page.x1 or box.y0 < page.y0 or box.y1 > page.y1
        ]
        assert cut == [], f"{file}: labels cut off at the figure's edge: {cut}"


def test_triage_map_labels_every_ward_its_briefing_lists(built_maps):
    for file, (fig, _, wards) in built_maps.items():
        shown = {t.get_text() for t in fig.axes[0].texts}
        assert set(wards) <= shown, f"{file}: table wards without a label: {set(wards) - shown}"


def test_triage_map_hatches_area_averages_and_its_legend_says_so(built_maps, real_run):
    from pipeline.outputs.briefings import AVERAGE_WORDS, HATCH

    for file, (fig, lads, _) in built_maps.items():
        averaged, total, resolutions = real_run.sql(
            f"""SELECT count(*) FILTER (gap_is_area_average), count(*),
                       list_sort(list(DISTINCT broadband_resolution) FILTER (gap_is_area_average))
                FROM {real_run.table("lsoa_triage")} WHERE list_contains($lads, lad_code)""",
            {"lads": lads},
        )[0]
        hatched = [path for c in fig.axes[0].collections if c.get_hatch() == HATCH for path in c.get_paths()]
        legend = " ".join(t.get_text() for legend in fig.legends for t in legend.get_texts()).replace("\n", " ")
        if averaged:
            assert len(hatched) >= averaged, file  # a multi-part neighbourhood draws one hatch per part
            assert f"{averaged:,} of {total:,} neighbourhoods" in legend, legend
            for resolution in resolutions:
                assert AVERAGE_WORDS[resolution] in legend.replace("- ", "-"), legend
        else:
            assert hatched == [] and "hatched" not in legend


def _page_fill(png) -> float:
    """Share of a page's text area (A4, 16 mm top margin, 18 mm bottom band for the footer) that
    holds anything: the lowest non-white row, measured on the rendered page."""
    from PIL import Image

    image = Image.open(png).convert("L")
    width, height = image.size
    top, bottom = round(height * 16 / 297), round(height * (297 - 18) / 297)
    pixels = image.load()
    used = [y for y in range(top, bottom) if any(pixels[x, y] < 200 for x in range(0, width, 2))]
    return (max(used) - top) / (bottom - top) if used else 0.0


def test_no_briefing_page_is_nearly_empty(real_run, tmp_path):
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.fail("pdftoppm (Debian poppler-utils) is not installed: make test-tools installs it")
    fills = {}
    for pdf in sorted((real_run.paths.processed / "briefings").glob("*.pdf")):
        subprocess.run([pdftoppm, "-r", "30", "-png", str(pdf), str(tmp_path / pdf.stem)], check=True)
        for png in sorted(tmp_path.glob(f"{pdf.stem}-*.png")):
            fills[png.stem] = round(_page_fill(png), 2)
    assert len(fills) >= 6 * 2
    assert {page: fill for page, fill in fills.items() if fill < 0.25} == {}, fills


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_every_briefings_gp_section_credits_the_lists_whose_sites_it_counts(real_run):
    """The GP section counts the study area's sites, the 2017 branch list's among them, whatever the district's
    own table shows: its source line names that list in every briefing (Harlow's had lost it when the catchment
    need stopped being credited to it)."""
    for path in sorted((real_run.paths.processed / "briefings").glob("*.pdf")):
        text = " ".join(_pdf_text(path).split())
        assert "of the study area's" in text and "GP branch surgeries (ebranchs)" in text, path.name


def test_briefing_tables_never_break_a_word(real_run):
    from pipeline.outputs.briefings import _gp_rows, _lsoa_rows, _ward_rows, prose
    from pipeline.outputs.headlines import Notes
    from pipeline.settings import load_settings

    cap_m = load_settings().gp_readiness.catchment_cap_m
    for file, (code, _, lads) in _briefing_names(real_run).items():
        words = set(_pdf_text(real_run.paths.processed / "briefings" / file).split())
        n = Notes(real_run.paths.tables)
        whole = code == ALL_AREA
        cells = [
            c
            for rows in (_ward_rows(n, lads, whole), _lsoa_rows(n, lads, whole), _gp_rows(n, lads, cap_m)[2])
            for row in rows
            for c in row
        ]
        assert cells, file
        broken = sorted({w for cell in cells for w in prose(cell).split() if len(w) > 3 and w not in words})
        assert broken == [], f"{file}: table words broken across lines: {broken}"


BAD_GRAMMAR = re.compile(r"\bno (?:where|in|of|stay|live)\b|\bno figure\b|\bnone (?:residents|neighbourhoods)\b")


def test_sentences_read_well_where_a_count_is_zero(real_run):
    texts = {f: _pdf_text(real_run.paths.processed / "briefings" / f) for f in _briefing_names(real_run)}
    texts["headlines.md"] = (real_run.paths.processed / "headlines.md").read_text(encoding="utf-8")
    bad = {f: BAD_GRAMMAR.findall(" ".join(t.split())) for f, t in texts.items()}
    assert {f: b for f, b in bad.items() if b} == {}


def test_a_zero_count_is_cited_as_zero_and_a_missing_value_never_as_a_bare_word(tmp_path):
    import json

    from pipeline.outputs.headlines import MISSING, Notes, check_footnotes

    (tmp_path / "counts.csv").write_text("area_name,lad_code,residents_both,pct\nSynthetic test area,X1,0,\n")
    (tmp_path / "counts.sources.json").write_text(
        json.dumps(
            {
                "columns": [],
                "sources": [{"source": "census_ts007a", "title": "t", "publisher": "p", "release": "r", "rows": 1}],
            }
        )
    )
    n = Notes(tmp_path)
    zero = n.cite("counts", "residents_both", lad_code="X1")
    assert zero == "0[1]"
    assert n.cite("counts", "pct", 1, "%", lad_code="X1") == MISSING
    assert n.cite("counts", "residents_both", lad_code="NOPE") == MISSING
    text = f"Synthetic: {zero} residents.\n\n## Footnotes\n\n" + "\n".join(n.lines)
    assert check_footnotes(tmp_path, text) == []
    assert "ONS, Census 2021 table TS007A" in n.notes[0].citation


def test_notes_name_the_sources_behind_each_column_not_every_source_of_the_table(real_run):
    from pipeline.outputs.headlines import Notes

    n = Notes(real_run.paths.tables)
    code = STUDY_LADS[0]
    n.cite("district_summary", "residents_2021", lad_code=code)
    n.cite("district_summary", "ofcom_gigabit_pct", 1, "%", lad_code=code)
    n.cite("district_summary", "derived_pct_no_gigabit", 1, "%", lad_code=code)
    n.cite("district_summary", "gp_sites", lad_code=code)
    residents, gigabit, derived, gp = (note.citation for note in n.notes)
    assert "Census 2021 table TS007A" in residents and "Ofcom" not in residents and "NHS" not in residents
    assert (
        "local authority and nation figures via ONS" in gigabit
        and "broadbandpicker" not in gigabit
        and "Census" not in gigabit
    )
    assert "broadbandpicker" in derived and "Census" not in derived and "NHS" not in derived
    assert "NHS England ODS" in gp and "Census" not in gp and "Ofcom" not in gp
    assert all("via the DIZ evidence pipeline, table district_summary" in c for c in (residents, gigabit, derived, gp))


def test_briefing_notes_are_citations_in_words_with_table_references_apart(real_run):
    text = " ".join(_pdf_text(real_run.paths.processed / "briefings" / "harlow.pdf").split())
    assert "Citations to paste" in text and "Table references" in text
    # a figure with what it measures, the place and the value; its sources after it (once for a run of figures
    # read from the same table and sources)
    assert re.search(
        r"Usual residents, Census 2021 \(TS007A\), Harlow: [\d,]+[;(].{0,200}?\(ONS, Census 2021 table TS007A; "
        r"via the DIZ evidence pipeline, table district_summary\)",
        text,
    ), text[:3000]
    assert "district_summary (sheet 'District summary'), lad_code E07000073:" in text
    assert ".csv |" not in text and "data/processed" not in text


def test_a_briefing_that_counts_branch_surgeries_names_the_branch_list_among_its_sources(real_run):
    """East Hertfordshire's GP section counts its own branch surgeries shown but not ranked, from the NHS branch
    list: that list is then a source of the section's table and of the briefing (it was named in the sentence
    only). A district's section counts its own sites, not the study area's."""
    text = " ".join(_pdf_text(real_run.paths.processed / "briefings" / "east-hertfordshire.pdf").split())
    assert "but not ranked in this district: 12 branch surgeries known only from the NHS branch-surgery list" in text
    caption = re.search(r"Table gp_readiness \(evidence pack sheet '[^']+'\), from (.*?)\. [A-Z]", text).group(1)
    assert "GP branch surgeries (ebranchs)" in caption, caption
    sources = text.split("Sources and licences", 1)[1]
    assert "GP branch surgeries (ebranchs)" in sources


def test_table_references_put_the_same_cell_of_several_rows_on_one_line_and_keep_other_rows_apart():
    """The zone's briefing cites one cell of each district: one line naming the column once, each row's key
    value with its note, instead of a line per district (its notes ran onto a sixth page on the 2011 base)."""
    from pipeline.outputs.briefings import reference_lines
    from pipeline.outputs.headlines import Note

    def note(number, table, column, **keys):
        return Note(number, table, column, tuple(keys.items()), "1", "what", f"place {number}", "tail")

    notes = [
        note(1, "district_summary", "residents_2021", lad_code="ALL"),
        note(2, "district_summary", "lsoas", lad_code="ALL"),
        *(note(3 + i, "district_summary", "ofcom_gigabit_pct", lad_code=c) for i, c in enumerate(["E1", "E2", "E3"])),
        note(6, "connectivity_series", "value", area_code="E10", indicator="gigabit", release="2026-01"),
        note(7, "connectivity_series", "value", area_code="E92", indicator="gigabit", release="2026-01"),
        note(8, "connectivity_series", "value", area_code="E92", indicator="gigabit", release="2025-07"),
        note(9, "siting_curve", "pct_covered", k="0"),
    ]
    groups: dict[tuple, list] = {}
    for n in notes:
        groups.setdefault((n.table, n.keys), []).append(n)
    assert [line.replace("\u00a0", "~") for line in reference_lines(groups)] == [
        "district_summary (sheet 'District summary'), lad_code ALL: ¹~residents_2021, ²~lsoas",
        "district_summary (sheet 'District summary'), column ofcom_gigabit_pct, by lad_code: ³~E1 (place 3), "
        "⁴~E2 (place 4), ⁵~E3 (place 5)",
        "connectivity_series (sheet 'Connectivity series'), indicator gigabit, release 2026-01, column value, "
        "by area_code: ⁶~E10 (place 6), ⁷~E92 (place 7)",
        "connectivity_series (sheet 'Connectivity series'), area_code E92, indicator gigabit, release 2025-07: ⁸~value",
        "siting_curve (sheet 'Siting curve'), k 0: ⁹~pct_covered",
    ]


@pytest.fixture(scope="module")
def briefing_con(real_run):
    """A connection holding the briefing step's inputs from the real run, to draw its figures again."""
    from pipeline import duck
    from pipeline.inputs import register_inputs
    from pipeline.steps import BY_NAME

    con = duck.connect()
    register_inputs(con, real_run.paths, BY_NAME["briefings"].deps)
    yield con
    con.close()


def test_connectivity_over_time_chart_keeps_its_axis_label_and_legend_inside_and_ticks_at_years(briefing_con):
    from pipeline.outputs.briefings import TREND_MM, trend_figure

    for lads in ([lad] for lad in STUDY_LADS):
        fig = trend_figure(briefing_con, lads, size=(170 / 25.4, TREND_MM / 25.4))
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        page = fig.bbox
        lo, hi = ax.get_xlim()
        shown = [t for t in ax.get_xticklabels() if lo <= t.get_position()[0] <= hi]  # ticks drawn, not spares
        drawn = [ax.yaxis.label, *ax.get_legend().get_texts(), ax.get_legend().get_title(), *shown]
        cut = [
            t.get_text()
            for t in drawn
            if t.get_text()
            and (
                (box := t.get_window_extent(renderer)).x0 < page.x0
                or box.x1 > page.x1
                or box.y0 < page.y0
                or box.y1 > page.y1
            )
        ]
        assert cut == [], f"{lads}: cut off at the chart's edge: {cut}"
        ticks = [t.get_text() for t in shown if t.get_text()]
        assert ticks and all(re.fullmatch(r"20\d\d", t) for t in ticks), ticks


def test_peer_ranks_print_as_the_data_holds_them_and_only_the_csv_carries_the_formula_guard(real_run):
    from openpyxl import load_workbook

    labels = [r[0] for r in real_run.sql(f"SELECT rank_label FROM {real_run.table('peer_benchmark')}")]
    shared = [label for label in labels if label.startswith("=")]
    assert shared, "no shared rank in this run: nothing to prove"
    for file in _briefing_names(real_run):
        text = _pdf_text(real_run.paths.processed / "briefings" / file)
        assert "'=" not in text, file
    text = (real_run.paths.processed / "headlines.md").read_text(encoding="utf-8")
    assert "'=" not in text
    csv_text = (real_run.paths.tables / "peer_benchmark.csv").read_text(encoding="utf-8")
    assert f"'{shared[0]}" in csv_text  # the spreadsheet guard stays where a spreadsheet opens the file
    book = load_workbook(real_run.paths.processed / "diz_evidence_pack.xlsx")
    cells = [c for row in book["Peer benchmark"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(c.value == shared[0] and c.data_type == "s" for c in cells)
    assert not any(c.value.startswith("'=") for c in cells)


def test_highest_need_table_says_why_rows_rarely_in_the_top_tenth_are_listed(real_run):
    from pipeline.outputs.briefings import _lsoa_rows
    from pipeline.outputs.headlines import Notes

    explained = 0
    for file, (code, _, lads) in _briefing_names(real_run).items():
        rows = _lsoa_rows(Notes(real_run.paths.tables), lads, code == ALL_AREA)
        text = " ".join(_pdf_text(real_run.paths.processed / "briefings" / file).split())
        if any(r[-1].startswith("rarely in the top tenth") for r in rows):
            assert "rarely in the top tenth: an inclusion priority by its need decile" in text, file
            assert all("need decile" in r[-1] for r in rows if r[-1].startswith("rarely")), file
            explained += 1
        else:
            assert "rarely in the top tenth:" not in text, file
    assert explained, "no briefing lists a row rarely in the top tenth: nothing to prove"


def test_a_district_whose_neighbourhood_data_miss_ofcoms_figure_says_by_how_much_and_which_way(real_run):
    """Where the mean over postcodes misses Ofcom's own district figure for the same release by more than the
    setting allows (East Hertfordshire here), the briefing says so beside the caveat, with both figures."""
    import csv

    with open(real_run.paths.processed / "tables" / "reconciliation.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["indicator"] == "gigabit_capable_pct"]
    over = [r for r in rows if r["within_threshold"] == "false"]
    assert over, "the mirror's East Hertfordshire figures are known to miss Ofcom's by more than the setting"
    for r in rows:
        slug = r["area_name"].lower().replace(" ", "-")
        noted = " ".join(_pdf_text(real_run.paths.processed / "briefings" / f"{slug}.pdf").split())
        text = re.sub(f"[{SUPERSCRIPTS}]+", "", noted)  # both figures carry notes, like every other figure
        said = (
            f"Ofcom counts {float(r['official_pct']):.1f}% of premises gigabit-capable; averaged over the district's "
            f"postcodes (residential premises only), each counted once, they give {float(r['derived_pct']):.1f}%"
        )
        assert (said in text) == (r in over), (r["area_name"], said)
        if r in over:
            assert re.search(rf"Ofcom counts {float(r['official_pct']):.1f}%[{SUPERSCRIPTS}]+ of premises", noted)
    area = real_run.paths.processed / "briefings" / "essex-herts-digital-innovation-zone.pdf"
    text = " ".join(_pdf_text(area).split())
    for r in over:  # the area briefing names each district that misses; the figures, with notes, are its own
        assert re.search(rf"{r['area_name']} \(gigabit-capable( and below 30 Mbit/s)?\)", text), r["area_name"]
        assert f"derived here: {float(r['derived_pct']):.1f}%" not in text  # no figure without its note
    assert "Each district's briefing quotes them with their sources" in text


def test_fast_text_widths_lay_out_a_briefing_to_the_same_bytes_as_fpdfs_own():
    """The briefings measure text through ``FastWidthFont``: the same widths as fpdf's own method, so the
    same line breaks and the same PDF, only sooner (a paragraph with accents, superscripts and a symbol)."""
    from fpdf.fonts import TTFFont

    from pipeline.outputs import pdf_text
    from pipeline.outputs.briefings import BriefingPDF

    text = ("Harlow’s 12,345³ residents – 4.1% of them – live ≥ 2 km from a venue; Ōtāhuhu café naïve. " * 40).strip()

    def draw(fast: bool) -> bytes:
        pdf = BriefingPDF("Test area", "footer")
        for font in pdf.fonts.values():
            font.__class__ = pdf_text.FastWidthFont if fast else TTFFont
        pdf.add_page()
        for size in (10, 6.8, 6.2):
            pdf.set_font("DejaVu", size=size)
            pdf.multi_cell(0, size * 0.45, text, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", "B", size=size)
            pdf.multi_cell(60, size * 0.45, text[:400], new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())

    assert all(type(f) is pdf_text.FastWidthFont for f in BriefingPDF("a", "b").fonts.values())
    pdf_text.uninstall()  # fpdf's own line breaking, so only the widths differ
    try:
        assert draw(fast=True) == draw(fast=False)
    finally:
        assert pdf_text.install()


def test_lines_remembered_from_another_document_lay_out_the_same_bytes_as_fpdfs_own_line_breaking():
    """A paragraph laid out again (measured on a scratch document, then drawn on the briefing) takes the lines
    remembered from the first time, its text in the fonts of the document it is drawn on: the PDF is the one
    fpdf's own line breaking makes, cells, bold runs, superscripts, balanced columns and a table alike."""
    from pipeline.outputs import pdf_text
    from pipeline.outputs.briefings import BriefingPDF

    words = "Harlow’s 12,345³ residents – 4.1% of them – live ≥ 2 km from a venue; Ōtāhuhu café naïve. " * 12

    def draw() -> bytes:
        pdf = BriefingPDF("Test area", "footer")
        pdf.add_page()
        pdf.para(words)
        pdf.bullets([words[:300], "**bold** " + words[:200]])
        pdf.grid(["Ward", "Residents"], [["Rosedale and Bury Green", "10,005"], [words[:90], "7"]], [3, 1], "a source")
        for size in (6.8, 6.2):
            with pdf.text_columns(ncols=2, gutter=6, text_align="LEFT", line_height=1.15, balance=True) as columns:
                pdf.set_font("DejaVu", size=size)
                for part in range(8):
                    with columns.paragraph(bottom_margin=0.6) as par:
                        par.write(f"{part + 1}. " + words[part * 40 :])
        return bytes(pdf.output())

    pdf_text.uninstall()
    try:
        own = draw()
    finally:
        assert pdf_text.install()
    pdf_text._LINES.clear()
    first, again = draw(), draw()  # the second document is laid out from the lines the first one left
    assert first == own
    assert again == own
    assert pdf_text._LINES


def test_a_briefing_map_and_chart_drawn_from_kept_drawings_are_the_same_bytes_as_drawn_afresh(briefing_con, tmp_path):
    """Where the ward names go and the chart of Ofcom's district series are kept between runs (a weight change
    reaches neither); the map and chart made from them must be the bytes made without them."""
    from pipeline.outputs.briefings import TREND_MM, _figure_png, trend_figure, trend_png, triage_figure

    lads = [STUDY_LADS[0]]
    size = (170 / 25.4, TREND_MM / 25.4)
    afresh = _figure_png(triage_figure(briefing_con, lads, label_wards=True))
    first = _figure_png(triage_figure(briefing_con, lads, label_wards=True, kept_in=tmp_path))
    assert len(list((tmp_path / "briefing-ward-names").glob("*.bin"))) == 1
    again = _figure_png(triage_figure(briefing_con, lads, label_wards=True, kept_in=tmp_path))
    assert afresh == first == again
    chart = trend_png(briefing_con, tmp_path, lads, size)
    assert chart == trend_png(briefing_con, tmp_path, lads, size)
    assert chart == _figure_png(trend_figure(briefing_con, lads, size))
    # a kept entry is found by its key: changing what is drawn (another district) makes a new one
    trend_png(briefing_con, tmp_path, [STUDY_LADS[1]], size)
    assert len(list((tmp_path / "briefing-trend").glob("*.bin"))) == 2


def test_a_caution_about_broadband_figures_says_where_its_briefing_gives_them(real_run):
    """The triage caution names districts whose neighbourhood broadband figures miss Ofcom's own: a district's
    briefing gives both figures below it; the area's briefing gives them nowhere (each district's does), so it
    never says 'below'."""
    import csv

    with open(real_run.paths.processed / "tables" / "reconciliation.csv", encoding="utf-8") as f:
        over = {r["area_name"] for r in csv.DictReader(f) if r["within_threshold"] == "false"}
    assert over, "the mirror's East Hertfordshire figures are known to miss Ofcom's by more than the setting"
    for file, (code, name, _) in _briefing_names(real_run).items():
        text = re.sub(
            f"[{SUPERSCRIPTS}]+", "", " ".join(_pdf_text(real_run.paths.processed / "briefings" / file).split())
        )
        if code == ALL_AREA:
            assert "(each district's briefing gives the figures)" in text
            assert "given below" not in text
        elif name in over:
            caution = text.index("(the figures are given below)")
            assert "Ofcom counts" in text[caution:], name
        else:
            assert "given below" not in text, name


def test_district_names_that_would_touch_move_apart_and_stay_inside_their_districts():
    """Two districts whose label points are less than a name's height apart (Broxbourne above Epping Forest's
    south, on the area's small map; synthetic shapes, built here): the later one moves until the names keep the
    labels' gap, its centre still inside its own district."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from shapely.geometry import Point, box

    from pipeline.outputs.briefings import LABEL_GAP_PX, _label_point, _place_labels

    larger, smaller = box(0, 0, 100, 14), box(0, 14, 40, 28)
    fig = Figure(figsize=(1, 1), dpi=200)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_aspect("equal")
    _place_labels(fig, ax, [("Epping Forest", larger), ("Broxbourne", smaller)], 9, districts=True)
    renderer = fig.canvas.get_renderer()
    first, second = ax.texts
    at_points = [_label_point(larger).y, _label_point(smaller).y]
    height = first.get_window_extent(renderer).height
    assert (at_points[1] - at_points[0]) * 2 < height + 2 * LABEL_GAP_PX  # at their points, the names would touch
    a, b = (t.get_window_extent(renderer).padded(LABEL_GAP_PX) for t in (first, second))
    assert not a.overlaps(b)
    assert first.get_position() == (_label_point(larger).x, at_points[0])  # the larger district's name stays
    assert larger.contains(Point(*first.get_position())) and smaller.contains(Point(*second.get_position()))
