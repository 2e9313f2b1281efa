"""Hostile text in a source (a practice name that is HTML, script or a spreadsheet formula) shows
as text in every map and table, and never runs."""

from __future__ import annotations

import csv
import os
import shutil

import pytest

from tests.browser import Browser
from tests.conftest import MIRROR

pytestmark = [pytest.mark.slow, pytest.mark.browser]

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = '"><script>alert(2)</script>'
FORMULA = '=HYPERLINK("http://example.invalid","click")'
# Much Hadham is the least-ready site, so it also reaches headlines.md.
RENAMES = {"E82021": IMG, "F81027": FORMULA, "E82021002": SCRIPT}
TRAP = "window.__alerts = []; window.alert = m => window.__alerts.push(String(m));"


def _rename(source: str, dest, renames: dict[str, str]) -> None:
    rows = list(csv.reader(open(source, newline="", encoding="utf-8")))
    for row in rows:
        row[1] = renames.get(row[0], row[1])
    with open(dest, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL).writerows(rows)


@pytest.fixture(scope="module")
def hostile_run(real_run, tmp_path_factory):
    import dagster as dg

    root = tmp_path_factory.mktemp("hostile_run")
    shutil.copytree(real_run.paths.raw, root / "data" / "raw")
    _rename(MIRROR / "nhs-ods" / "epraccur_2025-09_QM7_06K_06N_07H.csv", root / "data" / "raw" / "epraccur.csv", RENAMES)
    _rename(MIRROR / "nhs-ods" / "ebranchs_2017-08_5districts.csv", root / "data" / "raw" / "ebranchs.csv", RENAMES)
    previous = os.environ.get("DIZ_OUTPUT_ROOT")
    os.environ["DIZ_OUTPUT_ROOT"] = str(root)
    try:
        from assets.definitions import defs
        from assets.run import partition_tags

        defs.resolve_job_def("everything").execute_in_process(instance=dg.DagsterInstance.ephemeral(),
                                                              tags=partition_tags(), raise_on_error=True)
    finally:
        if previous is None:
            os.environ.pop("DIZ_OUTPUT_ROOT")
        else:
            os.environ["DIZ_OUTPUT_ROOT"] = previous
    return root


OPEN_LABEL_OF = """(text => { for (const k in window) { const v = window[k];
    if (v && v._latlng && v.getTooltip && v.getTooltip()) {
        const t = v.getTooltip().getContent();
        if (typeof t === 'string' && t.includes(text)) { v.openTooltip(); if (v.getPopup()) v.openPopup(); return true; }
    } } return false; })"""


@pytest.mark.parametrize("map_name", ["gp_readiness", "fibre_planning"])
def test_hostile_practice_names_show_as_text_in_the_maps(hostile_run, map_name):
    with Browser() as browser:
        browser.open(hostile_run / "maps" / f"{map_name}.html", settle=3, before_load=TRAP)
        assert browser.console_errors(allow_urls=("tile.openstreetmap.org",)) == []
        for name in (IMG, SCRIPT):
            escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            assert browser.evaluate(f"{OPEN_LABEL_OF}({escaped[:20]!r})"), f"{name} not found in {map_name}"
            browser.wait(0.5)
            shown = browser.evaluate("[...document.querySelectorAll('.leaflet-tooltip, .leaflet-popup-content')]"
                                     ".map(e => e.innerText).join(' ')")
            assert name in shown
        assert browser.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
        assert browser.evaluate("window.__alerts") == [], "a name ran as script"
    page = (hostile_run / "maps" / f"{map_name}.html").read_text()
    assert IMG not in page and "<script>alert(2)" not in page


def test_hostile_practice_names_are_plain_text_in_csv_xlsx_and_headlines(hostile_run):
    from openpyxl import load_workbook

    processed = hostile_run / "data" / "processed"
    names = {r["site_code"]: r["name"] for r in csv.DictReader(open(processed / "tables" / "gp_readiness.csv"))}
    assert (names["E82021"], names["F81027"], names["E82021002"]) == (IMG, FORMULA, SCRIPT)

    sheet = load_workbook(processed / "diz_evidence_pack.xlsx")["GP readiness"]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value in (IMG, FORMULA, SCRIPT)}
    assert set(cells) == {IMG, FORMULA, SCRIPT}
    assert all(c.data_type == "s" for c in cells.values()), "a formula-like name must be a text cell"

    headlines = (processed / "headlines.md").read_text()
    assert r"&lt;img src=x onerror=alert\(1\)&gt;" in headlines and "<img" not in headlines
