"""The maps as planners open them, offline, in headless Chromium: the study area's towns named at
the default zoom (the names read back from what the page drew, the towns from the OS Open Names
file itself), popups and tooltips clear of the panels, and the index page's links working from
the project's maps/ folder and from the generation folder shared on its own."""

from __future__ import annotations

import csv
import html
import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import MIRROR

MAPS = [
    "triage.html",
    "need.html",
    "fibre_planning.html",
    "gp_readiness.html",
    "inclusion_targeting.html",
    "access.html",
]
STUDY_DISTRICTS = {"Broxbourne", "East Hertfordshire", "Epping Forest", "Harlow", "Uttlesford"}
SIZES = [(1400, 900), (700, 900)]

RECT = "function rect(e) { var r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"
PANELS = f"""(function () {{ {RECT}
  return Array.from(document.querySelectorAll('.diz-box, .leaflet-control'))
    .filter(function (e)
    {{ return e.offsetWidth > 0 && getComputedStyle(e).visibility !== 'hidden'; }}).map(rect); }})()"""
LABELS = f"""(function () {{ {RECT}
  return Array.from(document.querySelectorAll('.diz-label')).map(function (e) {{
    return {{text: e.textContent, cls: e.className, rect: rect(e)}}; }}); }})()"""
MAP = "window[Object.keys(window).find(function (k) { return k.startsWith('map_'); })]"


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(a, width, height) -> bool:
    return a[0] >= 0 and a[1] >= 0 and a[2] <= width and a[3] <= height


def study_towns() -> list[str]:
    """The towns and cities of the five districts, as the mirror's OS Open Names extract lists them."""
    path = MIRROR / "os-open-names" / "SUBSET_gb_populated_places_all_BNG_5districts.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return sorted(
            {
                r["NAME1"]
                for r in csv.DictReader(fh)
                if r["LOCAL_TYPE"] in ("Town", "City") and r["DISTRICT_BOROUGH"] in STUDY_DISTRICTS
            }
        )


@pytest.fixture(scope="module")
def browser():
    from browser import Browser

    with Browser() as b:
        yield b


def window(browser, width: int, height: int) -> None:
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        session=True,
        width=width,
        height=height,
        deviceScaleFactor=1,
        mobile=False,
    )


def test_settlements_hold_every_place_of_the_study_districts_and_a_margin_around_them(real_run):
    path = MIRROR / "os-open-names" / "SUBSET_gb_populated_places_all_BNG_5districts.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        ids = {r["ID"] for r in csv.DictReader(fh)}
    table = real_run.table("settlements")
    kept = {r[0] for r in real_run.sql(f"SELECT settlement_id FROM {table}")}
    assert ids <= kept
    towns = [
        r[0]
        for r in real_run.sql(
            f"SELECT name FROM {table} WHERE in_study_area AND local_type IN ('Town', 'City') ORDER BY name"
        )
    ]
    assert towns == study_towns()
    assert real_run.scalar(f"SELECT max(distance_to_study_m) FROM {table}") <= 5000
    assert real_run.scalar(f"SELECT count(*) FROM {table} WHERE NOT in_study_area AND local_type = 'Town'") > 0


@pytest.mark.parametrize("page", MAPS)
def test_every_map_cites_os_open_names_with_its_licence_lines(real_run, page):
    text = (real_run.live / "maps" / page).read_text(encoding="utf-8")
    sources = text[text.index("<div id='diz-sources'>") :]
    assert "OS Open Names populated places" in sources
    assert "Contains OS data © Crown copyright and database right 2017" in sources
    assert "Contains Royal Mail data © Royal Mail copyright and database right 2017" in sources


@pytest.mark.browser
@pytest.mark.parametrize("page", MAPS)
def test_every_os_open_names_town_of_the_study_districts_is_labelled_at_the_default_zoom(real_run, browser, page):
    towns = study_towns()
    assert len(towns) == 18  # as the mirror's PROVENANCE counts them
    window(browser, 1400, 900)
    browser.open(real_run.root / "maps" / page, settle=3)
    assert browser.console_errors(allow_urls=("tile.openstreetmap",)) == []
    drawn, panels = browser.evaluate(LABELS), browser.evaluate(PANELS)
    labelled = {d["text"]: d["rect"] for d in drawn if "town" in d["cls"].split()}
    assert [t for t in towns if t not in labelled] == []
    for town in towns:
        assert inside(labelled[town], 1400, 900), town
        assert not any(overlaps(labelled[town], p) for p in panels), f"{town} is under a panel"
    clashes = [
        (a["text"], b["text"]) for i, a in enumerate(drawn) for b in drawn[i + 1 :] if overlaps(a["rect"], b["rect"])
    ]
    assert clashes == []
    districts = {d["text"] for d in drawn if "district" in d["cls"].split()}
    # Harlow is named once, by its town: a second name on its centre covered the neighbourhoods there
    assert "Uttlesford" in districts and "Harlow" not in districts and "Harlow" in labelled
    assert district_labels_outside_their_district(real_run, browser, drawn) == []


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("page", ["triage.html", "access.html"])
def test_district_names_stay_over_their_own_district_at_every_window_size(real_run, browser, page, size):
    """At 700 px the Harlow town label takes the middle of the small district; its district name used to be
    pushed below the edge, over Epping Forest. A name that cannot stay inside waits for a closer zoom."""
    window(browser, *size)
    browser.open(real_run.root / "maps" / page, settle=3)
    assert district_labels_outside_their_district(real_run, browser, browser.evaluate(LABELS)) == []


def district_labels_outside_their_district(real_run, browser, drawn: list[dict]) -> list[str]:
    """District names drawn with their middle outside the district's extent, or straddling its top or bottom
    (a name over a neighbour)."""
    extents = dict(
        real_run.con.execute(f"""
            SELECT lad_name, [ST_YMin(g), ST_XMin(g), ST_YMax(g), ST_XMax(g)]
            FROM (SELECT lad_name, ST_Transform(geom, 'EPSG:27700', 'EPSG:4326', always_xy := true) AS g
                  FROM read_parquet('{real_run.paths.table_path("lad_boundaries")}'))""").fetchall()
    )
    outside = []
    for d in (d for d in drawn if "district" in d["cls"].split()):
        s, w, n, e = extents[d["text"]]
        sw, ne = browser.evaluate(f"""(function () {{ var m = {MAP};
          return [m.latLngToContainerPoint([{s}, {w}]), m.latLngToContainerPoint([{n}, {e}])]
            .map(function (p) {{ return [p.x, p.y]; }}); }})()""")
        x = (d["rect"][0] + d["rect"][2]) / 2
        if not (sw[0] <= x <= ne[0] and ne[1] <= d["rect"][1] and d["rect"][3] <= sw[1]):
            outside.append(d["text"])
    return outside


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_gp_popup_opened_next_to_the_sources_box_shows_clear_of_every_panel(real_run, browser, size):
    window(browser, *size)
    browser.open(real_run.root / "maps" / "gp_readiness.html", settle=3)
    browser.evaluate("document.querySelector('#diz-sources details').open = true; 0")  # the box at its largest
    browser.wait(0.3)
    # The site is moved to just below the sources box, where its popup used to open behind it.
    browser.evaluate(f"""(function () {{ var map = {MAP}, site = null;
      map.eachLayer(function (l) {{ if (!site && l instanceof L.CircleMarker && l.getPopup()) site = l; }});
      var box = document.querySelector('#diz-sources .diz-box').getBoundingClientRect();
      var at = map.latLngToContainerPoint(site.getLatLng());
      map.panBy(at.subtract(L.point(box.left + 120, box.bottom + 30)), {{animate: false}});
      site.openPopup(); return 0; }})()""")
    browser.wait(1.5)
    popup = browser.evaluate(f"(function () {{ {RECT} return rect(document.querySelector('.leaflet-popup')); }})()")
    panels = browser.evaluate(PANELS)
    assert inside(popup, *size)
    assert [p for p in panels if overlaps(popup, p)] == []
    # no broadband part is scored with the mirror: the popup calls the rank what it rests on
    assert "Rank by catchment need" in browser.evaluate("document.querySelector('.leaflet-popup').innerText")


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_tooltip_next_to_the_title_panels_shows_clear_of_them(real_run, browser, size):
    window(browser, *size)
    browser.open(real_run.root / "maps" / "triage.html", settle=3)
    box = browser.evaluate(
        "(function () { var r = document.querySelector('#diz-sources .diz-box')"
        ".getBoundingClientRect(); return [r.left, r.bottom]; })()"
    )
    x, y = box[0] + 100, box[1] + 12
    # Harlow town centre (inside a neighbourhood polygon) moved to just below the sources box.
    browser.evaluate(f"""(function () {{ var map = {MAP}, at = map.latLngToContainerPoint([51.7695, 0.0935]);
      map.panBy(at.subtract(L.point({x}, {y})), {{animate: false}}); return 0; }})()""")
    browser.wait(0.5)
    browser.hover(x, y)
    browser.hover(x + 2, y + 1)
    tips = browser.evaluate(f"""(function () {{ {RECT} return Array.from(document.querySelectorAll('.leaflet-tooltip'))
      .filter(function (e) {{ return e.offsetWidth > 0; }}).map(rect); }})()""")
    assert len(tips) == 1, "no tooltip on hover"
    assert inside(tips[0], *size)
    assert [p for p in browser.evaluate(PANELS) if overlaps(tips[0], p)] == []


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("page", [*MAPS, "what_if.html"])
def test_the_study_area_opens_whole_and_clear_of_the_title_and_sources_where_the_window_has_room(
    real_run, browser, page, size
):
    """At 700 px the what-if page's title and sources covered north Uttlesford: an animated first fit ended after
    the study area had been moved clear of the panels, and put it back. The area opens inside the map and below
    the panels above it, or, where it is too tall for that, as far below them as the map's bottom edge allows."""
    import json
    import re

    html = (real_run.root / "maps" / page).read_text(encoding="utf-8")
    (south, west), (north, east) = json.loads(re.search(r"fitBounds\(L\.latLngBounds\((\[\[.*?\]\])\)", html)[1])
    window(browser, *size)
    browser.open(real_run.root / "maps" / page, settle=3)
    top, bottom, height = browser.evaluate(f"""(function () {{ var m = {MAP};
      return [m.latLngToContainerPoint([{north}, {west}]).y, m.latLngToContainerPoint([{south}, {east}]).y,
              m.getSize().y]; }})()""")
    left, right = browser.evaluate(f"""(function () {{ var m = {MAP}, c = m.getContainer().getBoundingClientRect();
      return [c.left + m.latLngToContainerPoint([{north}, {west}]).x,
              c.left + m.latLngToContainerPoint([{south}, {east}]).x]; }})()""")
    assert 0 <= round(top) and round(bottom) <= height, (top, bottom, height)
    above = [p for p in browser.evaluate(PANELS) if p[0] < right and left < p[2] and p[1] < top + 1 and p[3] > top]
    assert above == [] or round(bottom) == height, f"the area's north edge is under {above}"


def _link_or_copy(src, dest):
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


@pytest.mark.browser
def test_index_links_resolve_from_the_projects_maps_folder_and_in_a_shared_generation_folder(
    real_run, browser, tmp_path
):
    shared = tmp_path / "outputs-shared"  # the generation folder copied on its own, as README says to share it
    shutil.copytree(real_run.live, shared, copy_function=_link_or_copy)
    for entry, home in (
        (real_run.root / "maps" / "index.html", real_run.paths.current),
        (shared / "maps" / "index.html", shared),
    ):
        browser.open(entry, settle=1.5)
        here = Path(unquote(urlparse(browser.evaluate("location.href")).path))
        assert here == home / "maps" / "index.html", "the page did not open the generation's index"
        hrefs = browser.evaluate("Array.from(document.links).map(function (a) { return a.href; })")
        files = [Path(unquote(urlparse(h).path)) for h in hrefs if h.startswith("file:")]
        assert len(files) > 30
        assert [f for f in files if not f.is_file()] == []
        assert all(f.resolve().is_relative_to(home.resolve()) for f in files), "a link leaves the shared folder"
        for target in ("headlines.html", "district_summary.csv"):
            assert any(f.name == target for f in files), target
        browser.evaluate("document.querySelector(\"a[href$='headlines.html']\").click(); 0")
        browser.wait(1.0)
        assert browser.evaluate("location.href").endswith("/headlines.html")
        assert "Footnotes" in browser.evaluate("document.body.innerText")


def _legend(real_run, page: str) -> str:
    """The text of a map's legend box, as written into the page."""
    text = (real_run.root / "maps" / page).read_text(encoding="utf-8")
    start = text.index("<details id='diz-legend'")
    return " ".join(html.unescape(text[start : text.index("</details>", start)]).split())


def test_inclusion_legend_shows_only_the_sureness_classes_some_priority_has_each_with_its_count(real_run):
    counts = dict(real_run.sql(f"SELECT robustness, count(*) FROM {real_run.table('inclusion_priorities')} GROUP BY 1"))
    legend = _legend(real_run, "inclusion_targeting.html")
    for cls in ("robust", "weight-dependent", "rarely in the top tenth"):
        if counts.get(cls):
            assert f"{cls}: " in legend and f"({counts[cls]:,})" in legend, cls
        else:
            assert f"{cls}: " not in legend, cls
    assert "not in the top decile in most draws" not in legend
    others = real_run.scalar(f"SELECT count(*) FROM {real_run.table('lsoa_need')}") - sum(counts.values())
    assert "not a priority: need decile" in legend and f"({others:,})" in legend


def test_every_default_layer_and_outline_has_a_legend_entry(real_run):
    robust = real_run.scalar(
        f"SELECT count(*) FROM {real_run.table('rank_uncertainty')} WHERE score = 'need' AND priority = 'robust'"
    )
    assert f"dotted black outline: {robust} LSOAs robust" in _legend(real_run, "triage.html")
    subicbs = real_run.scalar(f"SELECT count(*) FROM {real_run.table('subicb_boundaries')}")
    assert f"Sub-ICB locations (July 2022 outlines; {subicbs})" in _legend(real_run, "gp_readiness.html")


def test_access_map_draws_the_high_need_neighbourhoods_its_title_counts_and_its_legend_is_honest(real_run):
    high = real_run.scalar(f"SELECT count(*) FILTER (high_need) FROM {real_run.table('lsoa_access')}")
    page = (real_run.root / "maps" / "access.html").read_text(encoding="utf-8")
    assert f"High-need neighbourhoods, outlined ({high})" in page  # the layer
    legend = _legend(real_run, "access.html")
    assert f"purple outline: high need ({high} LSOAs)" in legend and "of the study area's neighbourhoods" in legend
    assert "pale colours: within reach" in legend and "linear-gradient" in legend  # one swatch, all five tints
    assert "pale: within reach" not in legend


def test_the_fibre_map_and_index_describe_only_what_is_drawn_and_published(real_run):
    measured = real_run.scalar(f"SELECT count(*) FILTER (NOT area_average) FROM {real_run.table('fibre_gap_cells')}")
    known = real_run.scalar(f"SELECT count(*) FILTER (site_own_gigabit_known) FROM {real_run.table('gp_readiness')}")
    index = " ".join(html.unescape((real_run.live / "maps" / "index.html").read_text(encoding="utf-8")).split())
    fibre = _legend(real_run, "fibre_planning.html")
    assert ("1 km cells" in index.split("fibre_planning.html")[1][:400]) == bool(measured)
    if not known:
        assert "GP site: gigabit at the site" not in fibre
        assert "no site's own gigabit status is known with these data" in fibre
    lsoas_informative = real_run.scalar(
        f"SELECT count(*) FILTER (NOT area_average) FROM {real_run.table('fibre_gap_lsoas')}"
    )
    published = (real_run.paths.tables / "fibre_gap_lsoas.csv").exists()
    assert published == bool(lsoas_informative)
    if not published:
        assert "fibre_gap_lsoas: not published with these data" in index


def _covered(a, b) -> float:
    """The area of box a that box b covers."""
    w, h = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1400, 1000), (700, 900)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_place_names_on_the_access_map_stay_readable_over_venue_markers_and_chosen_rings(real_run, browser, size):
    """Names are drawn above the markers, and a place's name is placed clear of them where a place beside
    its dot allows: none has more than a sliver under a marker (the reviewer saw whole names covered).
    District names sit over their area, markers or not, above them."""
    window(browser, *size)
    browser.open(real_run.root / "maps" / "access.html", settle=3)
    drawn = browser.evaluate(LABELS)
    marks = browser.evaluate(f"""(function () {{ var map = {MAP}, box = map.getContainer().getBoundingClientRect();
      return diz.markers(map).map(function (r) {{
        return [r.left + box.left, r.top + box.top, r.right + box.left, r.bottom + box.top]; }}); }})()""")
    assert marks and drawn
    above = browser.evaluate(f"""(function () {{ var map = {MAP};
      return +map.getPane('dizLabels').style.zIndex > +getComputedStyle(map.getPane('overlayPane')).zIndex; }})()""")
    assert above, "names are drawn under the markers"
    covered = {}
    for d in (d for d in drawn if not {"district", "ward"} & set(d["cls"].split())):  # place names, with a dot
        r = d["rect"]
        share = sum(_covered(r, m) for m in marks) / ((r[2] - r[0]) * (r[3] - r[1]))
        if share > 0.15:
            covered[d["text"]] = round(share, 2)
    assert covered == {}


@pytest.mark.browser
def test_place_names_are_drawn_above_every_settlement_dot_on_the_what_if_map_at_700px(real_run, browser):
    """At 700 px a town's name can only go where another place's dot is: the name stays on top."""
    window(browser, 700, 900)
    browser.open(real_run.root / "maps" / "what_if.html", settle=3)
    order = browser.evaluate("""(function () {
      var label = document.querySelector('.diz-label'), dot = document.querySelector('.diz-dot');
      return [+getComputedStyle(label).zIndex, +getComputedStyle(dot).zIndex]; })()""")
    assert order[0] > order[1], order
