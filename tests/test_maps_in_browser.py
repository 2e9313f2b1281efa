"""Open every map in headless Chromium with no network: no console errors, the layers drawn,
tooltips on hover, and a screenshot saved next to each map."""

from __future__ import annotations

import pytest

from tests.browser import Browser

pytestmark = [pytest.mark.slow, pytest.mark.browser]
TILES = ("tile.openstreetmap.org",)  # the basemap: expected to fail offline, and nothing else may


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


def _open(browser, real_run, name):
    path = real_run.paths.maps / f"{name}.html"
    browser.open(path, settle=3)
    browser.screenshot(path.with_suffix(".png"))
    remote = [u for u in browser.requests() if not u.startswith(("file:", "data:")) and not any(t in u for t in TILES)]
    assert remote == [], f"{name} fetched {remote[:3]}"
    assert browser.console_errors(allow_urls=TILES) == []
    return browser


def _count(browser, selector):
    return browser.evaluate(f"document.querySelectorAll({selector!r}).length")


def test_exclusion_map_draws_every_lsoa_hotspot_outlines_and_districts(browser, real_run):
    _open(browser, real_run, "exclusion_hotspots")
    hot = real_run.scalar(f"SELECT count(*) FROM {real_run.table('hotspots')} WHERE hotspot_class <> 'not significant'")
    assert _count(browser, ".leaflet-overlay-pane path") == 318 + hot + 5
    overlays = browser.evaluate("[...document.querySelectorAll('.leaflet-control-layers-overlays label')].map(l => l.innerText.trim())")
    assert overlays[0].startswith("Digital exclusion index") and any("Gi*" in o for o in overlays)
    assert sum(o.startswith("Component:") for o in overlays) == 4
    assert "Index (quintiles of the study area)" in browser.evaluate("document.body.innerText")
    browser.hover(700, 450)
    assert "Index (0–10)" in browser.evaluate("(document.querySelector('.leaflet-tooltip') || {}).innerText || ''")


def test_fibre_map_draws_ranked_cells_gp_sites_and_clusters_on_request(browser, real_run):
    _open(browser, real_run, "fibre_planning")
    cells = real_run.scalar(f"SELECT count(*) FROM {real_run.table('fibre_gap_cells')}")
    sites = real_run.scalar(f"SELECT count(*) FROM {real_run.table('gp_readiness')}")
    assert _count(browser, ".leaflet-overlay-pane path") == cells + sites + 5
    assert _count(browser, ".marker-cluster") == 0  # the postcode layer starts switched off
    browser.evaluate("[...document.querySelectorAll('.leaflet-control-layers-overlays label')]"
                     ".find(l => l.innerText.includes('Postcodes lacking gigabit')).querySelector('input').click()")
    browser.wait(1.5)
    assert _count(browser, ".marker-cluster") > 0
    assert browser.console_errors(allow_urls=TILES) == []


def test_gp_map_draws_catchments_and_sized_sites_with_ranks_in_popups(browser, real_run):
    _open(browser, real_run, "gp_readiness")
    sites = real_run.scalar(f"SELECT count(*) FROM {real_run.table('gp_readiness')}")
    locations = real_run.scalar(f"SELECT count(*) FROM {real_run.table('gp_catchments')}")
    assert _count(browser, ".leaflet-overlay-pane path") == locations + sites + 5
    radii = browser.evaluate("[...document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive')]"
                             ".map(p => p.getBBox().width)")
    assert max(radii) > 2 * min(radii), "circles are sized by list size"
    popup = browser.evaluate("(() => { for (const k in window) { const v = window[k];"
                             " if (v && v.getPopup && v.getPopup() && v._latlng) { v.openPopup();"
                             " return document.querySelector('.leaflet-popup-content').innerText; } } })()")
    assert "Readiness rank" in popup and "1 = least ready" in popup


def test_inclusion_map_draws_priority_lsoas_with_residents(browser, real_run):
    _open(browser, real_run, "inclusion_targeting")
    priorities = real_run.scalar(f"SELECT count(*) FROM {real_run.table('inclusion_priorities')}")
    assert _count(browser, ".leaflet-overlay-pane path") == 318 + 5
    text = browser.evaluate("document.body.innerText")
    assert f"{priorities} priority LSOAs" in text and "aged 65+" in text
    assert "digital skills (older residents)" in text


def test_index_page_links_every_map_and_lists_releases_and_licences(browser, real_run):
    _open(browser, real_run, "index")
    links = browser.evaluate("[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    for name in ("exclusion_hotspots", "fibre_planning", "gp_readiness", "inclusion_targeting"):
        assert f"{name}.html" in links
        assert (real_run.paths.maps / f"{name}.html").exists()
    text = browser.evaluate("document.body.innerText")
    assert "Contains OS data © Crown copyright and database right 2025." in text
    assert "Dataset version 2025.2.0" in text and "gigabit_over_time.png" in " ".join(links)
