"""Shared pieces of the planner maps: base map, GeoJSON from DuckDB, classes, legend, sources.

Every string that comes from data (names, addresses, codes) goes through ``esc`` before it is
placed in a tooltip, popup or box: Folium inserts those as HTML.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import branca.element
import duckdb
import folium
import jinja2
from branca.element import Element

from pipeline.outputs.kept_drawings import kept
from pipeline.outputs.offline_html import inline_resources
from pipeline.registry import SOURCES, licence_lines
from pipeline.store import write_text

JINJA_SYNTAX = ("{{", "{%", "{#")


class RenderedText:
    """What ``jinja2.Template(text).render()`` gives for a text without template syntax (the text, less one
    trailing newline, as Jinja drops it), without compiling it. Branca wraps every element's rendered
    script and html in a new ``Element(text)``, which compiled each one as a template: about a thousand
    compilations per run, a third of drawing the maps, to give the text back unchanged."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text[:-1] if text.endswith("\n") else text

    def render(self, *args, **kwargs) -> str:
        return self.text


def element_template(source: str):
    """A template for ``Element(source)``: compiled only when the source has template syntax (or carriage
    returns, which Jinja would turn into newlines)."""
    if "\r" in source or any(mark in source for mark in JINJA_SYNTAX):
        return jinja2.Template(source)
    return RenderedText(source)


branca.element.Template = element_template  # only Element(text) looks the name up after import

# ColorBrewer YlOrRd (5 classes) for risk; RdYlGn for availability (red = poor).
RISK_COLOURS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
GOOD_TO_BAD = ["#1a9641", "#a6d96a", "#ffffbf", "#fdae61", "#d7191c"]
NO_DATA = "#bdbdbd"


def esc(value) -> str:
    """Text for HTML: escaped, with numbers shown as given."""
    return html.escape("" if value is None else str(value), quote=True)


def fmt(value, digits: int = 1, suffix: str = "") -> str:
    if value is None:
        return "no data"
    if isinstance(value, float):
        return f"{value:,.{digits}f}{suffix}"
    return f"{value:,}{suffix}" if isinstance(value, int) else esc(value)


RESOLUTION_LABELS = {
    "postcode": "postcode",
    "postcode_district": "postcode-district",
    "local_authority": "local-authority",
    "none": "no",
}


def resolution_label(code: str | None) -> str:
    return RESOLUTION_LABELS.get(code or "none", esc(code))


def rows_html(title: str, rows: Sequence[tuple[str, str]]) -> str:
    """A small table for tooltips and popups; ``title`` and labels are escaped, values must be already."""
    body = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<div class=diz-tip><b>{esc(title)}</b><table>{body}</table></div>"


TIP_CSS = (
    "<style>.diz-tip{font:12px sans-serif}.diz-tip th{text-align:left;padding-right:8px;font-weight:600}"
    ".diz-tip td{white-space:nowrap}</style>"
)


def features(
    con: duckdb.DuckDBPyConnection,
    query: str,
    build: Callable[[dict], dict],
    *,
    params: dict | None = None,
    simplify_m: float = 0,
) -> dict:
    """A WGS84 FeatureCollection from a query with a ``geom`` column in EPSG:27700.

    ``build`` turns each row (a dict, without geom) into the feature's properties.
    Polygons are simplified by ``simplify_m`` metres and coordinates kept to 4 decimals (~10 m).
    """
    geom = "geom" if not simplify_m else f"ST_SimplifyPreserveTopology(geom, {simplify_m})"
    rel = con.execute(
        f"""SELECT * EXCLUDE (geom),
        ST_AsGeoJSON(ST_Transform({geom}, 'EPSG:27700', 'EPSG:4326', always_xy := true)) AS _geometry
        FROM ({query})""",
        params or {},
    )
    names = [d[0] for d in rel.description]
    out = []
    for row in rel.fetchall():
        record = dict(zip(names, row, strict=False))
        geometry = _round(json.loads(record.pop("_geometry")))
        out.append({"type": "Feature", "properties": build(record), "geometry": geometry})
    return {"type": "FeatureCollection", "features": out}


def _round(geometry: dict, digits: int = 4) -> dict:
    def walk(c):
        return [walk(x) for x in c] if isinstance(c[0], list) else [round(v, digits) for v in c]

    if geometry["type"] == "GeometryCollection":
        return {"type": "GeometryCollection", "geometries": [_round(g, digits) for g in geometry["geometries"]]}
    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def classes(values: Sequence[float], n: int = 5) -> list[float]:
    """Quantile class breaks (n-1 inner breaks), rounded to 2 dp."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return []
    return [round(ordered[min(len(ordered) - 1, int(len(ordered) * i / n))], 2) for i in range(1, n)]


def colour_for(value, breaks: Sequence[float], colours: Sequence[str]) -> str:
    if value is None:
        return NO_DATA
    for i, b in enumerate(breaks):
        if value < b:
            return colours[i]
    return colours[len(breaks)]


def class_labels(breaks: Sequence[float], lowest: float, highest: float, digits: int = 1) -> list[str]:
    edges = [lowest, *breaks, highest]
    return [f"{edges[i]:.{digits}f} – {edges[i + 1]:.{digits}f}" for i in range(len(edges) - 1)]


def new_map(bounds: tuple[float, float, float, float]) -> folium.Map:
    """A map fitted to (south, west, north, east), with an OpenStreetMap basemap that loads when online."""
    south, west, north, east = bounds
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=10, tiles=None, control_scale=True)
    folium.TileLayer(
        "OpenStreetMap", name="Basemap: OpenStreetMap (needs internet)", attr="&copy; OpenStreetMap contributors"
    ).add_to(m)
    m.get_root().header.add_child(folium.Element(TIP_CSS + PANEL_CSS))
    KeepClear(bounds).add_to(m)
    return m


# Narrow windows: the layer list folds into Leaflet's layers button (open on hover or tap), the
# title column leaves room for it, so the panels do not cover the study area, and tooltip text wraps.
PANEL_CSS = """<style>.diz-yield{visibility:hidden}
@media (max-width: 899px){ #diz-topleft{max-width:calc(100vw - 130px)!important}
.leaflet-control-layers:not(:hover):not(:focus-within) .leaflet-control-layers-list{display:none}
.leaflet-control-layers:not(:hover):not(:focus-within) .leaflet-control-layers-toggle{display:block}
.leaflet-control-layers:not(:hover):not(:focus-within){padding:0}
.leaflet-tooltip{white-space:normal;max-width:calc(100vw - 40px)}.diz-tip td{white-space:normal;min-width:9em}}</style>"""

# The panels (title, sources, legend: fixed boxes above the map) and Leaflet's own controls sit
# in front of the map's panes, so a popup or tooltip drawn under one would be hidden. Popups pan
# the map until they are clear of every panel; tooltips move clear of them. Where the window
# leaves no clear place, the panels a popup or tooltip would cover step aside until it closes.
KEEP_CLEAR_JS = """
window.diz = window.diz || {};
diz.obstacles = function (map) {
  var out = [];
  document.querySelectorAll('.diz-box, .leaflet-control').forEach(function (el) {
    var r = diz.rectOf(el, map);
    if (r.right > r.left && r.bottom > r.top && getComputedStyle(el).display !== 'none') { r.el = el; out.push(r); }
  });
  return out;
};
// Boxes of the point markers drawn now (venues, sites, chosen rings): names are placed clear of them.
diz.markers = function (map) {
  var out = [];
  map.eachLayer(function (l) {
    if (!(l instanceof L.CircleMarker) || l instanceof L.Circle || !l._map) return;
    var p = map.latLngToContainerPoint(l.getLatLng()), r = l.getRadius() + (l.options.weight || 0) / 2 + 1;
    out.push({left: p.x - r, top: p.y - r, right: p.x + r, bottom: p.y + r});
  });
  return out;
};
diz.rectOf = function (el, map) {  // an element's box in the map's container coordinates
  var box = map.getContainer().getBoundingClientRect(), r = el.getBoundingClientRect();
  return {left: r.left - box.left, top: r.top - box.top, right: r.right - box.left, bottom: r.bottom - box.top};
};
diz.overlaps = function (a, b) {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
};
// The smallest move {x, y} that puts rect r inside the map and clear of every obstacle, or null.
diz.clearShift = function (r, obstacles, size, pad) {
  var xs = [0, pad - r.left, size.x - pad - r.right], ys = [0, pad - r.top, size.y - pad - r.bottom], best = null;
  obstacles.forEach(function (o) {
    xs.push(o.right + pad - r.left, o.left - pad - r.right);
    ys.push(o.bottom + pad - r.top, o.top - pad - r.bottom);
  });
  xs.forEach(function (dx) { ys.forEach(function (dy) {
    var s = {left: r.left + dx, top: r.top + dy, right: r.right + dx, bottom: r.bottom + dy};
    if (s.left < pad - 0.5 || s.top < pad - 0.5 || s.right > size.x - pad + 0.5 || s.bottom > size.y - pad + 0.5) return;
    if (obstacles.some(function (o) { return diz.overlaps(s, o); })) return;
    var cost = Math.abs(dx) + Math.abs(dy);
    if (!best || cost < best.cost) best = {x: dx, y: dy, cost: cost};
  }); });
  return best;
};
diz.stepAside = function (r, obstacles) {
  obstacles.forEach(function (o) { if (diz.overlaps(r, o)) o.el.classList.add('diz-yield'); });
};
// At opening, a study area partly under a top or bottom panel (a long note on a narrow window)
// moves into the band the panels leave, at the same zoom (centred in it if it is taller).
diz.fitClear = function (map, bounds) {
  var size = map.getSize(), nw = map.latLngToContainerPoint(bounds.getNorthWest()),
      se = map.latLngToContainerPoint(bounds.getSouthEast()), top = 0, bottom = 0;
  var area = {left: nw.x, top: nw.y, right: se.x, bottom: se.y};
  diz.obstacles(map).forEach(function (o) {
    if (!diz.overlaps(area, o)) return;
    if (o.top + o.bottom < size.y) top = Math.max(top, o.bottom); else bottom = Math.max(bottom, size.y - o.top);
  });
  if (!top && !bottom) return;
  var low = top + 6, high = size.y - bottom - 6, dy = 0;
  // too tall for the room between them: clear the panels above (the title and sources, read first; a legend
  // below can be folded) as far as the map's bottom edge allows
  if (area.bottom - area.top > high - low) dy = Math.max(0, low - area.top);
  else if (area.top < low) dy = low - area.top;
  else if (area.bottom > high) dy = high - area.bottom;
  // never off the map's own edges for a panel's sake: an area that fits the map stays whole on it
  if (area.bottom - area.top <= size.y) dy = Math.max(-area.top, Math.min(size.y - area.bottom, dy));
  if (dy) map.panBy([0, -dy], {animate: false});
};
diz.stepBack = function () {
  document.querySelectorAll('.diz-yield').forEach(function (el) { el.classList.remove('diz-yield'); });
};
if (!L.Popup.prototype._dizClear) {
  var adjustPan = L.Popup.prototype._adjustPan;
  L.Popup.prototype._dizClear = true;
  L.Popup.prototype._adjustPan = function () {
    var map = this._map, c = this._container;
    if (!this.options.autoPan || !map || !c) return adjustPan.call(this);
    var h = c.offsetHeight + (parseInt(L.DomUtil.getStyle(c, 'marginBottom'), 10) || 0);
    var at = map.layerPointToContainerPoint(
      L.point(this._containerLeft, -h - this._containerBottom)._add(L.DomUtil.getPosition(c)));
    var r = {left: at.x, top: at.y, right: at.x + this._containerWidth, bottom: at.y + h};
    var obstacles = diz.obstacles(map), move = diz.clearShift(r, obstacles, map.getSize(), 8);
    if (!move) {
      adjustPan.call(this);
      var self = this;
      map.once('moveend', function () { if (self._map) diz.stepAside(diz.rectOf(self._container, map), obstacles); });
      if (!map._panAnim || !map._panAnim._inProgress) diz.stepAside(diz.rectOf(c, map), obstacles);
      return;
    }
    if (move.x || move.y) {
      if (map._panAnim) map._panAnim.stop();
      map.fire('autopanstart').panBy([-move.x, -move.y]);
    }
  };
  var setPosition = L.Tooltip.prototype._setPosition;
  L.Tooltip.prototype._setPosition = function (pos) {
    setPosition.call(this, pos);
    var map = this._map, c = this._container;
    if (!map || !c || !c.offsetWidth) return;
    var at = L.DomUtil.getPosition(c), p = map.layerPointToContainerPoint(at);
    var r = {left: p.x, top: p.y, right: p.x + c.offsetWidth, bottom: p.y + c.offsetHeight};
    var obstacles = diz.obstacles(map), move = diz.clearShift(r, obstacles, map.getSize(), 4), clear = !!move;
    diz.stepBack();
    move = move || diz.clearShift(r, [], map.getSize(), 4) || {x: 0, y: 0};  // at least inside the map
    if (move.x || move.y) L.DomUtil.setPosition(c, at.add([move.x, move.y]));
    if (!clear) diz.stepAside({left: r.left + move.x, top: r.top + move.y, right: r.right + move.x,
                               bottom: r.bottom + move.y}, obstacles);
  };
}
"""


class KeepClear(folium.MacroElement):
    """The study area fitted to the map, clear of the panels, and popups and tooltips shown clear of them
    (``KEEP_CLEAR_JS``)."""

    _template = folium.template.Template(
        """{% macro script(this, kwargs) %}"""
        + KEEP_CLEAR_JS
        + """
{{ this._parent.get_name() }}.on('popupclose tooltipclose', function () { diz.stepBack(); });
// fitted at once, not animated: an animation ending later would put back the view it was heading for
{{ this._parent.get_name() }}.fitBounds(L.latLngBounds({{ this.bounds }}), {animate: false});
diz.fitClear({{ this._parent.get_name() }}, L.latLngBounds({{ this.bounds }}));
// again once every panel is in place (the layer list is added after this, and opens at its full size)
window.addEventListener('load', function () {
  diz.fitClear({{ this._parent.get_name() }}, L.latLngBounds({{ this.bounds }}));
});
{% endmacro %}"""
    )

    def __init__(self, bounds: tuple[float, float, float, float]):
        super().__init__()
        south, west, north, east = bounds
        self.bounds = json.dumps([[south, west], [north, east]])


class HiddenAtStart(folium.MacroElement):
    """Take a layer off the map once built (for layers whose Folium template ignores ``show=False``).

    Added to the map after the layer and before the LayerControl, so the control starts unticked.
    """

    _template = folium.template.Template(
        "{% macro script(this, kwargs) %}{{ this.layer.get_name() }}.remove();{% endmacro %}"
    )

    def __init__(self, layer):
        super().__init__()
        self.layer = layer


def _box(position: str, content: str, width: int = 320) -> str:
    return (
        f"<div class='diz-box' style='position:fixed;{position};z-index:900;background:rgba(255,255,255,.94);"
        f"padding:8px 10px;border:1px solid #888;border-radius:4px;max-width:{width}px;font:12px sans-serif'>"
        f"{content}</div>"
    )


STACK = "diz-topleft"
HEX32 = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")  # a Folium element id, where it stands alone


def _panel(content: str, width: int) -> str:
    return (
        f"<div class='diz-box' style='background:rgba(255,255,255,.94);padding:8px 10px;border:1px solid #888;"
        f"border-radius:4px;max-width:{width}px;font:12px sans-serif'>{content}</div>"
    )


def add_title(m: folium.Map, title: str, subtitle: str) -> None:
    """The title, top left, in a column the sources box joins below it (so neither hides the other); and the
    page's own title, which a browser's tab, history and bookmarks show."""
    m.get_root().header.add_child(folium.Element(f"<title>{esc(title)}</title>"))
    m.get_root().html.add_child(
        folium.Element(
            f"<div id='{STACK}' style='position:fixed;top:10px;left:60px;z-index:900;display:flex;"
            f"flex-direction:column;gap:6px;max-width:480px'>"
            + _panel(f"<div style='font:bold 16px sans-serif'>{esc(title)}</div><div>{esc(subtitle)}</div>", 480)
            + "</div>"
        )
    )


def add_legend(
    m: folium.Map,
    blocks: Sequence[tuple[str, Sequence[tuple[str, str]]]],
    note: str = "",
    position: str = "bottom:30px;right:10px",
) -> None:
    """Legend blocks: (heading, [(colour or CSS style, label)]), in a box at ``position`` (CSS)."""
    parts = []
    for heading, items in blocks:
        parts.append(f"<div style='margin-top:4px'><b>{esc(heading)}</b></div>")
        for swatch, label in items:
            style = swatch if ":" in swatch else f"background:{swatch}"
            parts.append(
                f"<div><span style='display:inline-block;width:14px;height:10px;margin-right:6px;"
                f"border:1px solid #555;{style}'></span>{esc(label)}</div>"
            )
    if note:
        parts.append(f"<div style='margin-top:6px;color:#444'>{esc(note)}</div>")
    # Open on a wide window; folded to its heading on a narrow one, where it would cover the area.
    legend = (
        f"<details id='diz-legend' open><summary><b>Legend</b></summary>{''.join(parts)}</details>"
        "<script>if(window.innerWidth<900)document.getElementById('diz-legend').open=false;</script>"
    )
    m.get_root().html.add_child(folium.Element(_box(position, legend, 300)))


def add_sources(m: folium.Map, sources: dict[str, int], notes: Sequence[str] = ()) -> None:
    """The sources that fed the map's layers, with their releases and licence lines. No row counts: a count of
    the rows a source gave some table reads as the size of the source, which it is not."""
    items = "".join(f"<li>{esc(SOURCES[k].title)} — {esc(SOURCES[k].release)}</li>" for k, n in sources.items() if n)
    caveats = "".join(f"<div style='margin-top:4px'><b>Note:</b> {esc(n)}</div>" for n in notes)
    if notes:  # open on a wide window; folded to a line on a narrow one, where they would cover the area
        caveats = (
            f"<details id='diz-notes' open><summary><b>Notes ({len(notes)})</b></summary>{caveats}</details>"
            "<script>if(window.innerWidth<900)document.getElementById('diz-notes').open=false;</script>"
        )
    lines = "<br>".join(esc(line) for line in licence_lines([k for k, n in sources.items() if n]))
    box = _panel(
        f"<details><summary><b>Sources and licences</b></summary><ul style='padding-left:16px;margin:4px 0'>"
        f"{items}</ul><div style='color:#444'>{lines}</div></details>{caveats}",
        480,
    )
    m.get_root().html.add_child(
        folium.Element(
            f"<div id='diz-sources'>{box}</div><script>(function(){{var s=document.getElementById('{STACK}');"
            f"if(s)s.appendChild(document.getElementById('diz-sources'));}})();</script>"
        )
    )


def save(m: folium.Map, dest) -> int:
    """Render, inline every resource, and write atomically. Returns the file size in bytes."""
    root = m.get_root()
    page = inline_resources(stable_ids(root.render(), element_ids(root)))
    write_text(dest, page)
    return len(page.encode("utf-8"))


def element_ids(element) -> list[str]:
    """The ``_id`` of every element in a Folium/branca tree (each random: 32 hex digits from os.urandom)."""
    ids, todo, seen = [], [element], set()
    while todo:
        el = todo.pop()
        if id(el) in seen:
            continue
        seen.add(id(el))
        if getattr(el, "_id", None):
            ids.append(el._id)
        # children, and the parts some elements keep outside their children (a Popup's or Figure's
        # header, html and script)
        todo += list(getattr(el, "_children", {}).values())
        todo += [v for k, v in vars(el).items() if k != "_parent" and isinstance(v, Element)]
    return ids


def stable_ids(page: str, ids: Sequence[str]) -> str:
    """The page with Folium's random element ids replaced by ids derived from its content (the page
    with the ids blanked, and each id's place in it), so identical data writes identical bytes.

    Ids are 32 lowercase hex digits (branca's ``uuid4().hex``): one scan finds every run of 32 hex digits
    and keeps those that are ids, rather than searching the page for each of a map's thousands of ids."""
    known = set(ids)
    spans = [m.span() for m in HEX32.finditer(page) if m[0] in known]
    if not spans:
        return page
    kept, start = [], 0
    for a, b in spans:
        kept.append(page[start:a])
        start = b
    kept.append(page[start:])
    base = hashlib.sha256("".join(kept).encode("utf-8"))
    order: dict[str, str] = {}
    for a, b in spans:
        if page[a:b] not in order:
            digest = base.copy()
            digest.update(str(len(order)).encode())
            order[page[a:b]] = digest.hexdigest()[:32]
    out = [kept[0]]
    for (a, b), rest in zip(spans, kept[1:], strict=True):
        out += [order[page[a:b]], rest]
    return "".join(out)


def study_bounds(con: duckdb.DuckDBPyConnection) -> tuple[float, float, float, float]:
    """(south, west, north, east) of the study-area LSOAs in WGS84."""
    return con.execute("""SELECT ST_YMin(g), ST_XMin(g), ST_YMax(g), ST_XMax(g) FROM (
        SELECT ST_Transform(ST_Extent_Agg(geom)::GEOMETRY, 'EPSG:27700', 'EPSG:4326', always_xy := true) AS g
        FROM lsoa_areas WHERE geom IS NOT NULL)""").fetchone()


def district_outlines(m: folium.Map | folium.FeatureGroup, backdrop: Backdrop) -> None:
    """District lines (thick, dark) and ward lines (thin, dashed grey), so both read at any zoom."""
    if backdrop.wards is not None:
        folium.GeoJson(
            backdrop.wards,
            name="Ward boundaries (May 2024)",
            interactive=False,
            style_function=lambda f: {"color": "#555", "weight": 1.2, "dashArray": "4 3", "fill": False},
        ).add_to(m)
    folium.GeoJson(
        backdrop.districts,
        name="District boundaries",
        interactive=False,
        style_function=lambda f: {"color": "#111", "weight": 3, "fill": False},
    ).add_to(m)


@dataclass(frozen=True)
class Backdrop:
    """What every map page draws whatever it shows: the study area's bounds (south, west, north, east), the ward
    and district lines (GeoJSON; no wards without the ward file) and every place name (``label_items``)."""

    bounds: tuple[float, float, float, float]
    wards: dict | None
    districts: dict
    labels: list[dict]


# the tables a backdrop is drawn from: a page's backdrop is kept between runs while their files are the same bytes
BACKDROP_TABLES = ("lsoa_areas", "lad_boundaries", "ward_boundaries", "settlements")


def backdrop(con: duckdb.DuckDBPyConnection, paths) -> Backdrop:
    """The maps' backdrop, kept between runs (``kept_drawings``) by the bytes of the tables it is drawn from: a
    weight change does not move it, and reprojecting it costs about a fifth of a second for each page."""
    parts = {
        "tables": {t: hashlib.sha256(paths.table_path(t).read_bytes()).hexdigest() for t in BACKDROP_TABLES},
        "duckdb": duckdb.__version__,  # its spatial extension reprojects the lines
    }
    data = kept(
        paths.kept_drawings,
        "map-backdrop",
        Path(__file__),
        parts,
        lambda: json.dumps(_backdrop(con), separators=(",", ":")).encode("utf-8"),
    )
    made = json.loads(data)
    return Backdrop(tuple(made["bounds"]), made["wards"], made["districts"], made["labels"])


def _backdrop(con: duckdb.DuckDBPyConnection) -> dict:
    wards = None
    if con.execute("SELECT count(*) FROM ward_boundaries").fetchone()[0]:
        wards = features(con, "SELECT ward_code, ward_name, geom FROM ward_boundaries", lambda r: {}, simplify_m=15)
    districts = features(
        con,
        "SELECT lad_code, lad_name, geom FROM lad_boundaries",
        lambda r: {"name": esc(r["lad_name"])},
        simplify_m=20,
    )
    return {"bounds": study_bounds(con), "wards": wards, "districts": districts, "labels": label_items(con)}


LABEL_CSS = """<style>.diz-label{position:absolute;z-index:2;white-space:nowrap;pointer-events:none;
font:600 12px sans-serif;
color:#222;line-height:1.15;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff,0 0 2px #fff}
.diz-label.district{font-size:15px;letter-spacing:.04em;text-transform:uppercase;color:#111}
.diz-label.ward{font:italic 500 11px sans-serif;color:#4a3d73}
.diz-label.town{font-size:13.5px;color:#000}
.diz-label.village{font-weight:500;font-size:11.5px}
.diz-label.suburb{font-weight:500;font-size:11px;color:#333;letter-spacing:.02em}
.diz-label.hamlet,.diz-label.other{font-weight:400;font-size:10.5px;color:#444}
.diz-label.outside{color:#666}
.diz-dot{position:absolute;z-index:1;border-radius:50%;background:#111;border:1.5px solid #fff;box-sizing:content-box;
pointer-events:none}.diz-dot.outside{background:#777}</style>"""

# OS Open Names LOCAL_TYPE -> label kind, and the zoom from which each kind is labelled. Towns and
# cities show at every zoom (the maps open at about zoom 10); districts give way to wards at 12.
# Smaller places outside the study area wait one zoom more.
SETTLEMENT_KINDS = {
    "City": "town",
    "Town": "town",
    "Village": "village",
    "Suburban Area": "suburb",
    "Other Settlement": "other",
    "Hamlet": "hamlet",
}
LABEL_MIN_ZOOM = {"town": 0, "village": 11, "ward": 12, "suburb": 12, "other": 12, "hamlet": 13}
DISTRICT_MAX_ZOOM = 11
# Drawing order: a label is dropped where it would overlap one drawn before it, so what matters
# most comes first (the study area's towns are always drawn).
LABEL_ORDER = ("town", "district", "ward", "village", "suburb", "other", "hamlet")


class PlaceLabels(folium.MacroElement):
    """Names drawn in the browser from the data (no tiles needed), so a map read offline still
    says where it is: the study area's towns at every zoom, district names until wards take over,
    villages, suburbs and hamlets as one zooms in, places just over the border in grey.

    Each settlement has a dot and its name at the first of 24 places around it (three rings) that
    overlaps no name already drawn, no panel and no edge; area names (districts, wards) sit at a
    point inside the area, just above or below it, or a little to one side. A place clear of point
    markers (venues, sites) is preferred; the names are drawn above them either way. Labels are laid
    out again after every zoom, pan and layer change."""

    _template = folium.template.Template("""{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var pane = map.createPane('dizLabels');
  pane.style.zIndex = 450;
  pane.style.pointerEvents = 'none';
  L.DomUtil.addClass(pane, 'leaflet-zoom-hide');
  var items = {{ this.items }}, dots = {town: 3, village: 2, hamlet: 1.5, other: 1.5};
  items.forEach(function (it) {
    it.ll = L.latLng(it.lat, it.lon);
    it.el = L.DomUtil.create('div', 'diz-label ' + it.kind + (it.outside ? ' outside' : ''));
    it.el.textContent = it.name;
    it.el.style.visibility = 'hidden';
    pane.appendChild(it.el);
    it.r = it.kind in dots ? dots[it.kind] + 1.5 : 0;
  });
  items.forEach(function (it) { it.w = it.el.offsetWidth; it.h = it.el.offsetHeight; });
  pane.textContent = '';
  items.forEach(function (it) { it.el.style.visibility = ''; });

  function candidates(it, p) {
    var w = it.w, h = it.h, out = [];
    if (it.r) {  // eight places beside the dot, then the same eight further out (past a marker on the dot)
      [it.r + 2, it.r + 12, it.r + 22].forEach(function (g) {
        var d = g * 0.7;
        [[g, -h / 2], [-g - w, -h / 2], [d, -d - h + 2], [d, d - 2], [-d - w, -d - h + 2], [-d - w, d - 2],
         [-w / 2, -g - h], [-w / 2, g]].forEach(function (o) { out.push([p.x + o[0], p.y + o[1]]); });
      });
    } else {
      [0, -1.1, 1.1, -2.2, 2.2, -3.3, 3.3].forEach(function (k) { out.push([p.x - w / 2, p.y - h / 2 + k * h]); });
      [-0.35, 0.35].forEach(function (j) {  // then sideways, still over the area: room between markers
        [0, -1.1, 1.1, -2.2, 2.2].forEach(function (k) { out.push([p.x - w / 2 + j * w, p.y - h / 2 + k * h]); });
      });
    }
    var boxes = out.map(function (c) { return {left: c[0], top: c[1], right: c[0] + w, bottom: c[1] + h}; });
    if (!it.box) return boxes;
    // an area's name stays over the area: its middle inside the area's extent and its whole height within it
    // (a name straddling the edge reads as its neighbour's)
    var sw = map.latLngToContainerPoint([it.box[0], it.box[1]]), ne = map.latLngToContainerPoint([it.box[2], it.box[3]]);
    return boxes.filter(function (b) {
      var x = (b.left + b.right) / 2;
      return x >= sw.x && x <= ne.x && b.top >= ne.y && b.bottom <= sw.y;
    });
  }
  function clear(box, taken, size, marks) {
    return box.left >= 2 && box.top >= 2 && box.right <= size.x - 2 && box.bottom <= size.y - 2 &&
      !taken.some(function (t) { return diz.overlaps(box, t); }) &&
      !(marks || []).some(function (t) { return diz.overlaps(box, t); });
  }
  function layout() {
    var z = map.getZoom(), size = map.getSize(), view = map.getBounds().pad(0.02), marks = diz.markers(map);
    var taken = diz.obstacles(map).map(function (o) { return {left: o.left - 2, top: o.top - 2, right: o.right + 2,
                                                              bottom: o.bottom + 2}; });
    var panels = taken.length;
    pane.textContent = '';
    items.forEach(function (it) {
      if (z < it.min || z > it.max || !view.contains(it.ll)) return;
      var p = map.latLngToContainerPoint(it.ll), dot = null;
      if (it.r) {
        dot = {left: p.x - it.r, top: p.y - it.r, right: p.x + it.r, bottom: p.y + it.r};
        if (!it.must && !clear(dot, taken, size)) return;
      }
      var boxes = candidates(it, p), box = null;
      // clear of point markers where a place allows it; else over one (labels draw above markers), never dropped
      for (var i = 0; i < boxes.length && !box; i++) if (clear(boxes[i], taken, size, marks)) box = boxes[i];
      for (var j = 0; j < boxes.length && !box; j++) if (clear(boxes[j], taken, size)) box = boxes[j];
      if (!box && it.must) {  // the study area's towns are drawn wherever a panel or edge does not hide them,
        var least = Infinity;   // overlapping as little as possible of the names already drawn
        boxes.forEach(function (b) {
          if (!clear(b, taken.slice(0, panels), size)) return;
          var cover = 0;
          taken.slice(panels).concat(marks).forEach(function (t) {
            if (diz.overlaps(b, t)) cover += (Math.min(b.right, t.right) - Math.max(b.left, t.left)) *
                                             (Math.min(b.bottom, t.bottom) - Math.max(b.top, t.top));
          });
          if (cover < least) { least = cover; box = b; }
        });
      }
      if (!box) return;
      var gap = it.must ? 1 : 3;
      taken.push({left: box.left - gap, top: box.top - gap, right: box.right + gap, bottom: box.bottom + gap});
      if (dot) {
        taken.push(dot);
        var d = L.DomUtil.create('div', 'diz-dot' + (it.outside ? ' outside' : ''), pane);
        var s = 2 * it.r - 3;
        d.style.width = d.style.height = s + 'px';
        L.DomUtil.setPosition(d, map.containerPointToLayerPoint([p.x - s / 2 - 1.5, p.y - s / 2 - 1.5]));
      }
      L.DomUtil.setPosition(it.el, map.containerPointToLayerPoint([box.left, box.top]));
      pane.appendChild(it.el);
    });
  }
  map.on('zoomend moveend resize overlayadd overlayremove', layout);
  document.addEventListener('toggle', function () { layout(); }, true);
  layout();
})();
{% endmacro %}""")

    def __init__(self, items: list[dict]):
        super().__init__()
        self.items = json.dumps(items, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def label_items(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every name the maps may draw, in ``LABEL_ORDER``, with the zooms at which it is drawn."""

    def points(query: str, area: bool = False) -> list[tuple]:
        # an area's name also carries its extent (south, west, north, east), which its label must not leave
        box = "ST_Transform(geom, 'EPSG:27700', 'EPSG:4326', always_xy := true)" if area else "NULL::GEOMETRY"
        return con.execute(f"""
            SELECT round(ST_Y(p), 5), round(ST_X(p), 5), name, kind, outside,
                   CASE WHEN b IS NOT NULL THEN [round(ST_YMin(b), 5), round(ST_XMin(b), 5), round(ST_YMax(b), 5),
                                                 round(ST_XMax(b), 5)] END
            FROM (SELECT ST_Transform(pt, 'EPSG:27700', 'EPSG:4326', always_xy := true) AS p, {box} AS b, *
                  FROM ({query}))
            ORDER BY ord, size DESC NULLS LAST, name""").fetchall()

    rows = points(
        """SELECT ST_PointOnSurface(geom) AS pt, lad_name AS name, 'district' AS kind, false AS outside,
                            0 AS ord, NULL AS size, geom FROM lad_boundaries""",
        area=True,
    )
    if con.execute("SELECT count(*) FROM ward_boundaries").fetchone()[0]:
        rows += points(
            """SELECT ST_PointOnSurface(geom) AS pt, ward_name AS name, 'ward' AS kind, false AS outside,
                                 0 AS ord, ST_Area(geom) AS size, geom FROM ward_boundaries""",
            area=True,
        )
    # Larger places first within a kind: the OS's most detailed view scale grows with a place's extent.
    kinds = "CASE local_type " + " ".join(f"WHEN '{t}' THEN '{k}'" for t, k in SETTLEMENT_KINDS.items()) + " END"
    if con.execute("SELECT count(*) FROM settlements").fetchone()[0]:  # none without the optional OS file
        rows += points(f"""SELECT geom AS pt, name, {kinds} AS kind, NOT in_study_area AS outside,
                                  CASE WHEN in_study_area THEN 0 ELSE 1 END AS ord, most_detail_view_res AS size
                           FROM settlements WHERE {kinds} IS NOT NULL""")
    # A district named after its town (Harlow) is named once, by the town: two names on its centre would cover
    # the neighbourhoods there
    towns = {r[2].lower() for r in rows if r[3] == "town" and not r[4]}
    rows = [r for r in rows if not (r[3] == "district" and r[2].lower() in towns)]
    order = {k: i for i, k in enumerate(LABEL_ORDER)}
    # Outside the study area, places come after every label inside it, whatever their kind.
    rows.sort(key=lambda r: (r[4], order[r[3]]))
    return [
        {
            "lat": lat,
            "lon": lon,
            "name": name,
            "kind": kind,
            "outside": outside,
            "min": LABEL_MIN_ZOOM.get(kind, 0) + (1 if outside and kind != "town" else 0),
            "max": DISTRICT_MAX_ZOOM if kind == "district" else 99,
            "must": kind == "town" and not outside,
            **({"box": box} if box else {}),
        }
        for lat, lon, name, kind, outside, box in rows
    ]


def place_labels(m: folium.Map, backdrop: Backdrop) -> None:
    """Label layer: towns, districts, wards and smaller places by zoom (``PlaceLabels``)."""
    m.get_root().header.add_child(folium.Element(LABEL_CSS))
    PlaceLabels(backdrop.labels).add_to(m)


class Hatch(folium.MacroElement):
    """SVG hatch patterns, one per colour, for values known only as an area average: a path styled
    with fillColor 'url(#hatch-<n>)' shows its colour crossed by white diagonal lines."""

    _template = folium.template.Template("""{% macro script(this, kwargs) %}
(function () {
  var ns = 'http://www.w3.org/2000/svg';
  var holder = document.createElementNS(ns, 'svg');
  holder.setAttribute('width', 0); holder.setAttribute('height', 0);
  holder.setAttribute('style', 'position:absolute;width:0;height:0');
  var defs = document.createElementNS(ns, 'defs');
  {{ this.colours }}.forEach(function (c, i) {
    var p = document.createElementNS(ns, 'pattern');
    p.setAttribute('id', '{{ this.prefix }}-' + i); p.setAttribute('patternUnits', 'userSpaceOnUse');
    p.setAttribute('width', 8); p.setAttribute('height', 8);
    p.setAttribute('patternTransform', 'rotate(45)');
    var bg = document.createElementNS(ns, 'rect');
    bg.setAttribute('width', 8); bg.setAttribute('height', 8); bg.setAttribute('fill', c);
    var line = document.createElementNS(ns, 'rect');
    line.setAttribute('width', 2); line.setAttribute('height', 8); line.setAttribute('fill', 'rgba(40,40,40,0.45)');
    p.appendChild(bg); p.appendChild(line); defs.appendChild(p);
  });
  holder.appendChild(defs);
  document.body.appendChild(holder);
})();
{% endmacro %}""")

    def __init__(self, colours: Sequence[str], prefix: str = "hatch"):
        super().__init__()
        self.colours = json.dumps(list(colours))
        self.prefix = prefix

    def fill(self, colour: str) -> str:
        """The fillColor that draws ``colour`` hatched."""
        return f"url(#{self.prefix}-{json.loads(self.colours).index(colour)})"


def hatch_legend_style(index: int, colour: str) -> str:
    """CSS for a legend swatch showing hatch ``index`` of ``colour``."""
    return f"background:repeating-linear-gradient(45deg,{colour} 0 5px,rgba(40,40,40,.45) 5px 7px)"
