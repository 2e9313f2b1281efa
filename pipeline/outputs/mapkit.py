"""Shared pieces of the planner maps: base map, GeoJSON from DuckDB, classes, legend, sources.

Every string that comes from data (names, addresses, codes) goes through ``esc`` before it is
placed in a tooltip, popup or box: Folium inserts those as HTML.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence

import duckdb
import folium

from pipeline.outputs.offline_html import inline_resources
from pipeline.registry import SOURCES, licence_lines
from pipeline.store import write_text

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


RESOLUTION_LABELS = {"postcode": "postcode", "postcode_district": "postcode-district",
                     "local_authority": "local-authority", "none": "no"}


def resolution_label(code: str | None) -> str:
    return RESOLUTION_LABELS.get(code or "none", esc(code))


def rows_html(title: str, rows: Sequence[tuple[str, str]]) -> str:
    """A small table for tooltips and popups; ``title`` and labels are escaped, values must be already."""
    body = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<div class=diz-tip><b>{esc(title)}</b><table>{body}</table></div>"


TIP_CSS = ("<style>.diz-tip{font:12px sans-serif}.diz-tip th{text-align:left;padding-right:8px;font-weight:600}"
           ".diz-tip td{white-space:nowrap}</style>")


def features(con: duckdb.DuckDBPyConnection, query: str, build: Callable[[dict], dict], *,
             params: dict | None = None, simplify_m: float = 0) -> dict:
    """A WGS84 FeatureCollection from a query with a ``geom`` column in EPSG:27700.

    ``build`` turns each row (a dict, without geom) into the feature's properties.
    Polygons are simplified by ``simplify_m`` metres and coordinates kept to 4 decimals (~10 m).
    """
    geom = "geom" if not simplify_m else f"ST_SimplifyPreserveTopology(geom, {simplify_m})"
    rel = con.execute(f"""SELECT * EXCLUDE (geom),
        ST_AsGeoJSON(ST_Transform({geom}, 'EPSG:27700', 'EPSG:4326', always_xy := true)) AS _geometry
        FROM ({query})""", params or {})
    names = [d[0] for d in rel.description]
    out = []
    for row in rel.fetchall():
        record = dict(zip(names, row))
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
    folium.TileLayer("OpenStreetMap", name="Basemap: OpenStreetMap (needs internet)",
                     attr="&copy; OpenStreetMap contributors").add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    m.get_root().header.add_child(folium.Element(TIP_CSS))
    return m


class HiddenAtStart(folium.MacroElement):
    """Take a layer off the map once built (for layers whose Folium template ignores ``show=False``).

    Added to the map after the layer and before the LayerControl, so the control starts unticked.
    """

    _template = folium.template.Template(
        "{% macro script(this, kwargs) %}{{ this.layer.get_name() }}.remove();{% endmacro %}")

    def __init__(self, layer):
        super().__init__()
        self.layer = layer


def _box(position: str, content: str, width: int = 320) -> str:
    return (f"<div class='diz-box' style='position:fixed;{position};z-index:900;background:rgba(255,255,255,.94);"
            f"padding:8px 10px;border:1px solid #888;border-radius:4px;max-width:{width}px;font:12px sans-serif'>"
            f"{content}</div>")


STACK = "diz-topleft"


def _panel(content: str, width: int) -> str:
    return (f"<div class='diz-box' style='background:rgba(255,255,255,.94);padding:8px 10px;border:1px solid #888;"
            f"border-radius:4px;max-width:{width}px;font:12px sans-serif'>{content}</div>")


def add_title(m: folium.Map, title: str, subtitle: str) -> None:
    """The title, top left, in a column the sources box joins below it (so neither hides the other)."""
    m.get_root().html.add_child(folium.Element(
        f"<div id='{STACK}' style='position:fixed;top:10px;left:60px;z-index:900;display:flex;"
        f"flex-direction:column;gap:6px;max-width:480px'>"
        + _panel(f"<div style='font:bold 16px sans-serif'>{esc(title)}</div><div>{esc(subtitle)}</div>", 480)
        + "</div>"))


def add_legend(m: folium.Map, blocks: Sequence[tuple[str, Sequence[tuple[str, str]]]], note: str = "") -> None:
    """Legend blocks: (heading, [(colour or CSS style, label)])."""
    parts = []
    for heading, items in blocks:
        parts.append(f"<div style='margin-top:4px'><b>{esc(heading)}</b></div>")
        for swatch, label in items:
            style = swatch if ":" in swatch else f"background:{swatch}"
            parts.append(f"<div><span style='display:inline-block;width:14px;height:10px;margin-right:6px;"
                         f"border:1px solid #555;{style}'></span>{esc(label)}</div>")
    if note:
        parts.append(f"<div style='margin-top:6px;color:#444'>{esc(note)}</div>")
    m.get_root().html.add_child(folium.Element(_box("bottom:30px;right:10px", "".join(parts), 300)))


def add_sources(m: folium.Map, sources: dict[str, int], notes: Sequence[str] = ()) -> None:
    """The sources that fed the map's layers (with the rows each contributed), and their licence lines."""
    items = "".join(f"<li>{esc(SOURCES[k].title)} — {esc(SOURCES[k].release)} ({n:,} rows)</li>"
                    for k, n in sources.items() if n)
    caveats = "".join(f"<div style='margin-top:4px'><b>Note:</b> {esc(n)}</div>" for n in notes)
    lines = "<br>".join(esc(line) for line in licence_lines([k for k, n in sources.items() if n]))
    box = _panel(f"<details><summary><b>Sources and licences</b></summary><ul style='padding-left:16px;margin:4px 0'>"
                 f"{items}</ul><div style='color:#444'>{lines}</div></details>{caveats}", 480)
    m.get_root().html.add_child(folium.Element(
        f"<div id='diz-sources'>{box}</div><script>(function(){{var s=document.getElementById('{STACK}');"
        f"if(s)s.appendChild(document.getElementById('diz-sources'));}})();</script>"))


def save(m: folium.Map, dest) -> int:
    """Render, inline every resource, and write atomically. Returns the file size in bytes."""
    page = inline_resources(m.get_root().render())
    write_text(dest, page)
    return len(page.encode("utf-8"))


def study_bounds(con: duckdb.DuckDBPyConnection) -> tuple[float, float, float, float]:
    """(south, west, north, east) of the study-area LSOAs in WGS84."""
    return con.execute("""SELECT ST_YMin(g), ST_XMin(g), ST_YMax(g), ST_XMax(g) FROM (
        SELECT ST_Transform(ST_Extent_Agg(geom)::GEOMETRY, 'EPSG:27700', 'EPSG:4326', always_xy := true) AS g
        FROM lsoa_areas WHERE geom IS NOT NULL)""").fetchone()


def district_outlines(con: duckdb.DuckDBPyConnection, m: folium.Map | folium.FeatureGroup) -> None:
    """District lines (thick, dark) and ward lines (thin, dashed grey), so both read at any zoom."""
    if con.execute("SELECT count(*) FROM ward_boundaries").fetchone()[0]:
        wards = features(con, "SELECT ward_code, ward_name, geom FROM ward_boundaries", lambda r: {}, simplify_m=15)
        folium.GeoJson(wards, name="Ward boundaries (May 2024)", interactive=False, style_function=lambda f: {
            "color": "#555", "weight": 1.2, "dashArray": "4 3", "fill": False}).add_to(m)
    data = features(con, "SELECT lad_code, lad_name, geom FROM lad_boundaries",
                    lambda r: {"name": esc(r["lad_name"])}, simplify_m=20)
    folium.GeoJson(data, name="District boundaries", interactive=False,
                   style_function=lambda f: {"color": "#111", "weight": 3, "fill": False}).add_to(m)


LABEL_CSS = """<style>.diz-label{background:none;border:none;white-space:nowrap;text-align:center;
pointer-events:none;font:600 12px sans-serif;color:#222;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff}
.diz-label.district{font-size:15px;letter-spacing:.04em;text-transform:uppercase;color:#111}
.diz-label.ward{font-weight:500;font-size:11px;color:#333}</style>"""


class PlaceLabels(folium.MacroElement):
    """District names at every zoom, ward names from ``ward_zoom`` in: text drawn in the browser
    from the data (no tiles needed), so a map read offline still says where it is."""

    _template = folium.template.Template("""{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  function group(items, cls) {
    var g = L.layerGroup();
    items.forEach(function (p) {
      var icon = L.divIcon({className: 'diz-label ' + cls, html: p[2], iconSize: null});
      L.marker([p[0], p[1]], {icon: icon, interactive: false, keyboard: false}).addTo(g);
    });
    return g;
  }
  var districts = group({{ this.districts }}, 'district');
  var wards = group({{ this.wards }}, 'ward');
  districts.addTo(map);
  function show() {
    var z = map.getZoom();
    if (z >= {{ this.ward_zoom }}) { wards.addTo(map); districts.remove(); }
    else { wards.remove(); districts.addTo(map); }
  }
  map.on('zoomend', show);
  show();
})();
{% endmacro %}""")

    def __init__(self, districts: list, wards: list, ward_zoom: int = 12):
        super().__init__()
        self.districts, self.wards, self.ward_zoom = json.dumps(districts), json.dumps(wards), ward_zoom


def place_labels(con: duckdb.DuckDBPyConnection, m: folium.Map) -> None:
    """Label layer: district names, and ward names when zoomed in (escaped: names come from data)."""
    def points(query: str) -> list:
        return [[round(lat, 5), round(lon, 5), esc(name)] for lat, lon, name in con.execute(f"""
            SELECT ST_Y(p), ST_X(p), name FROM (
                SELECT ST_Transform(ST_PointOnSurface(geom), 'EPSG:27700', 'EPSG:4326', always_xy := true) AS p, name
                FROM ({query})) ORDER BY name""").fetchall()]
    districts = points("SELECT lad_name AS name, geom FROM lad_boundaries")
    wards = points("SELECT ward_name AS name, geom FROM ward_boundaries") if con.execute(
        "SELECT count(*) FROM ward_boundaries").fetchone()[0] else []
    m.get_root().header.add_child(folium.Element(LABEL_CSS))
    PlaceLabels(districts, wards).add_to(m)


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
