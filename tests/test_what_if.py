"""The what-if page computes what the pipeline computes: loaded in headless Chromium with weights in
its address fragment, its ranked list (``data-lsoa``, ``data-rank``) equals the ranks of the
pipeline's own scoring (``scores.prepare``, ``scale``, ``combine``, ``scored_lsoas_sql``) run with
the same weights on the published run; and the TOML it offers is a weights file the pipeline reads
as those weights."""

from __future__ import annotations

import pytest

# A fragment per case: the published weights, two other weight sets (components; indicators within
# components) and another scaling base.
CASES = {
    "published weights": "",
    "component weights changed": "age=1&disability=0&deprivation=0&engagement=0",
    "indicator weights changed": "age.pct_75_plus=0.1&age.pct_65_74=0.9&deprivation.income=1&deprivation.older_income=0"
    "&disability.health=2",
    "district scaling base": "base=district&engagement=0.5",
}
ROWS = (
    "Array.from(document.querySelectorAll('#wi-list tr[data-lsoa]')).map(function (r) {"
    " return [r.getAttribute('data-lsoa'), Number(r.getAttribute('data-rank')), r.className]; })"
)


@pytest.fixture(scope="module")
def browser():
    from browser import Browser

    with Browser() as b:
        yield b


def settings():
    from pipeline.settings import load_settings

    return load_settings()


def published_weights() -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """The weights file's own numbers, as a person edits them."""
    from pipeline.settings import read_weights_file

    checked = read_weights_file(settings().weights_path("need"))
    return dict(checked.components), checked.indicators()


def apply(fragment: str) -> tuple[dict, dict, str]:
    """The published weights with the fragment's changes: (components, indicators, scaling base)."""
    components, indicators = published_weights()
    base = settings().index.scaling_base
    for part in filter(None, fragment.split("&")):
        key, value = part.split("=")
        if key == "base":
            base = value
        elif "." in key:
            component, name = key.split(".")
            indicators[component][name] = float(value)
        else:
            components[key] = float(value)
    return components, indicators, base


def pipeline_ranks(real_run, fragment: str) -> dict[str, int]:
    """Each LSOA's rank from the pipeline's own scoring with these weights and base: scores rounded to
    1e-9, ties sharing the lowest rank."""
    from pipeline import duck
    from pipeline.analysis.scores import combine, normalised, prepare, scale, scored_lsoas_sql
    from pipeline.inputs import register_inputs
    from pipeline.steps import BY_NAME

    components, indicators, base = apply(fragment)
    con = duck.connect()
    try:
        register_inputs(con, real_run.paths, BY_NAME["scores"].deps)
        prepare(con, real_run.paths, settings())
        scale(con, base)
        combine(con, normalised("need", components, indicators))
        scores = dict(
            con.execute(f"SELECT lsoa_code, need_score FROM ({scored_lsoas_sql('need', list(components))})").fetchall()
        )
    finally:
        con.close()
    key = {code: (round(s, 9) if s is not None else float("-inf")) for code, s in scores.items()}
    return {code: 1 + sum(1 for other in key.values() if other > k) for code, k in key.items()}


def open_page(browser, real_run, fragment: str) -> list[list]:
    browser.call("Page.navigate", session=True, url="about:blank")
    browser.wait(0.3)
    browser.events.clear()
    url = (real_run.root / "maps" / "what_if.html").resolve().as_uri() + ("#" + fragment if fragment else "")
    browser.call("Page.navigate", session=True, url=url)
    browser.wait(3)
    assert browser.console_errors(allow_urls=("tile.openstreetmap",)) == []
    return browser.evaluate(ROWS)


@pytest.mark.browser
@pytest.mark.parametrize("case", CASES)
def test_what_if_page_ranks_every_neighbourhood_as_the_pipeline_scores_it(real_run, browser, case):
    rows = open_page(browser, real_run, CASES[case])
    page = {code: rank for code, rank, _ in rows}
    expected = pipeline_ranks(real_run, CASES[case])
    assert len(rows) == len(page) == len(expected) == 333
    assert page == expected
    published = pipeline_ranks(real_run, "")
    if CASES[case]:  # the case really moves the ranking, so agreeing with the pipeline means something
        assert sum(expected[c] != published[c] for c in expected) > 50
    top = -(-len(expected) // 10)
    enter = {c for c, r in expected.items() if r <= top and published[c] > top}
    leave = {c for c, r in expected.items() if r > top and published[c] <= top}
    assert {c for c, _, cls in rows if cls == "enter"} == enter
    assert {c for c, _, cls in rows if cls == "leave"} == leave
    summary = browser.evaluate("document.getElementById('wi-summary').innerText")
    assert f"{len(enter)} enter the top tenth" in summary and f"{len(leave)} leave the top tenth" in summary
    assert "computed around the published weights" in summary


@pytest.mark.browser
def test_what_if_toml_block_is_a_weights_file_the_pipeline_reads_as_the_page_weights(real_run, browser, tmp_path):
    from pipeline.analysis.scores import load_weights, normalised

    fragment = CASES["indicator weights changed"] + "&engagement=0.25"
    open_page(browser, real_run, fragment)
    block = browser.evaluate("document.getElementById('wi-toml').textContent")
    path = tmp_path / "need.toml"
    path.write_text(block, encoding="utf-8")
    read = load_weights(path, "need")  # pipeline.settings.WeightsFile, then the indicators' sides
    components, indicators, _ = apply(fragment)
    assert read == normalised("need", components, indicators)


@pytest.mark.browser
def test_what_if_refuses_weights_the_pipeline_would_refuse_and_shows_the_published_ranking(real_run, browser):
    from pipeline.settings import WeightsFile

    fragment = "age.pct_75_plus=0&age.pct_65_74=0"
    rows = open_page(browser, real_run, fragment)
    error = browser.evaluate("document.getElementById('wi-error').innerText")
    assert "[age]: indicator weights are all zero" in error
    components, indicators, _ = apply(fragment)
    with pytest.raises(ValueError, match=r"\[age\]: indicator weights are all zero"):
        WeightsFile(components=components, **indicators)
    assert {code: rank for code, rank, _ in rows} == pipeline_ranks(real_run, "")


@pytest.mark.browser
def test_what_if_csv_export_is_the_ranking_the_page_shows(real_run, browser):
    import csv
    import io

    fragment = CASES["component weights changed"]
    browser.call(
        "Page.addScriptToEvaluateOnNewDocument",
        session=True,
        source=(
            "window.__blobs = []; var make = URL.createObjectURL;"
            "URL.createObjectURL = function (b) { window.__blobs.push(b); return make(b); };"
        ),
    )
    rows = open_page(browser, real_run, fragment)
    browser.evaluate("document.getElementById('wi-csv').click(); 0")
    text = browser.call(
        "Runtime.evaluate", session=True, expression="window.__blobs[0].text()", awaitPromise=True, returnByValue=True
    )["result"]["value"]
    notes = [line for line in text.splitlines() if line.startswith("# ")]
    table = list(csv.DictReader(io.StringIO("\n".join(line for line in text.splitlines() if not line.startswith("#")))))
    assert [(r["lsoa_code"], int(r["rank"])) for r in table] == [(code, rank) for code, rank, _ in rows]
    assert {r["settings"] for r in table} == {browser.evaluate("location.hash").lstrip("#")}
    assert "p_top_tenth_around_published_weights" in table[0]
    # the file says where its figures come from once it leaves the page: sources, releases, licence lines
    assert "# Census 2021 TS007A: Age by five-year age bands; Census 2021" in notes
    assert any(line.startswith("# Internet User Classification 2018, Consumer Data Research Centre") for line in notes)
    assert "# Source: Office for National Statistics, licensed under the Open Government Licence v3.0." in notes
    # and only the sources of its columns: not the boundaries and places the page draws
    assert not [line for line in notes if "OS Open Names" in line or "UK-GeoJSON" in line or "2017." in line]


def test_what_if_page_carries_the_licence_lines_of_the_need_sources_only(real_run):
    text = (real_run.live / "maps" / "what_if.html").read_text(encoding="utf-8")
    sources = text[text.index("<div id='diz-sources'>") : text.index('<div id="wi-panel">')]
    for title in (
        "Census 2021 TS007A",
        "Census 2021 TS038",
        "English Indices of Deprivation 2025",
        "Internet User Classification 2018",
        "OS Open Names populated places",
    ):
        assert title in sources, title
    assert "Ofcom" not in sources  # the need score takes no broadband figure
