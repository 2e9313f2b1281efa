"""District briefings: a 2-5 page A4 PDF per study district and one for the whole area.

Written for councillors and bid writers who will not open a map or a table: the key figures as
sentences, each with a numbered note that is a citation to paste (the figure, what it measures,
the place, and the publisher, dataset and release behind it; the same notes as ``headlines.md``),
a static map drawn from the data, the connectivity trend, the wards and neighbourhoods of highest
need, the GP sites with the lowest telehealth-readiness scores, what the broadband data can and cannot say, the
table, row and column each figure was read from, and the sources and licences of exactly the
tables used.

The map is a matplotlib ``Figure`` (``triage_figure``) before it becomes a PNG, so its layout can
be checked from its own bounding boxes: the legend sits beside the map, and ward labels are moved
apart (adjustText) and any that would still touch another are left off, least important first.

fpdf2 with DejaVu Sans (shipped inside matplotlib, embedded and subset), no network, and a fixed
creation date so an unchanged input writes the same bytes.
"""

from __future__ import annotations

import io
import json
import re
import textwrap
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import matplotlib
import matplotlib.dates as mdates
import matplotlib.patheffects as effects
import numpy as np
from adjustText import adjust_text
from fpdf import FPDF
from fpdf.fonts import FontFace
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Patch
from shapely import Point, from_wkb
from shapely.ops import polylabel

from pipeline.analysis.gp_readiness import SCORE_DECIMALS
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult
from pipeline.ingest.result import made as produced
from pipeline.outputs.access_text import district_access_sentence, zone_access_sentence
from pipeline.outputs.charts import AGGREGATED, drawn_name
from pipeline.outputs.gp_text import (
    broadband_scored,
    list_month,
    not_ranked_sentence,
    own_gigabit_sentence,
    rank_label,
    rank_words,
    ranked,
    ranking_rests_on,
    ranks_sentence_start,
    section_heading,
    sites_in_lists,
)
from pipeline.outputs.headlines import (
    Notes,
    broadband_misses,
    change_sentence,
    cite_as,
    district_triage,
    gap_resolution_clause,
    gp_sentence,
    is_are,
    latest_peer_row,
    ofcom_area_sentences,
    official_sentence,
    peer_line,
    premises_counted,
    readiness_caution,
    source_words,
    table_caution,
    triage_caution,
)
from pipeline.outputs.kept_drawings import kept
from pipeline.outputs.map_index import briefing_file
from pipeline.outputs.map_triage import TRIAGE_COLOURS, TRIAGE_WORDS
from pipeline.outputs.pdf_text import fast_fonts, install
from pipeline.outputs.peer_text import INDICATOR_WORDS, pace_sentence, similar_means, zone_weighting
from pipeline.outputs.side_by_side import draw_all
from pipeline.outputs.tables import TABLES
from pipeline.paths import Paths
from pipeline.registry import SOURCES, licence_lines
from pipeline.settings import Settings
from pipeline.store import read_provenance, sources_of, write_text
from pipeline.wording import (
    OFCOM_VIA_ONS,
    Terms,
    display_name,
    half_up,
    month_name,
    percent,
    points,
    release_names,
    terms,
    triage_cuts,
    triage_residents,
)

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)  # stands in for "now": reproducible bytes
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
CITED = re.compile(r"\[(\d+)\]")
ALL = "ALL"
MAP_TABLES = ("lsoa_triage", "lsoa_areas", "ward_boundaries", "lad_boundaries")
SHEETS = {t.name: t.sheet for t in TABLES}

TREND_MM = 46  # the connectivity-over-time chart's height on page 2 (the ward table must fit below it)
MAP_STEP_MM = 6  # the briefing map's height is a whole number of these
MAP_INCHES = (7.0, 4.9)  # the page's text width by the room page 1 leaves: drawn at the size it is printed
LEGEND_INCHES = 2.0  # a column right of the map holds the legend, so it never covers the map
HATCH = "///"
HATCH_COLOUR = (0.1, 0.1, 0.1, 0.42)
LABEL_GAP_PX = 2.5  # each label keeps this clear (display pixels): its white halo, and text drawn at 200 dpi
EDGE_PX = 4  # labels keep this far inside the map's frame (their white halo, and text drawn at another dpi)
ADJUST_ITERATIONS = 400  # a fixed number of iterations, not a time limit: the same map on any machine
ADJUST_EXPAND = (1.15, 1.4)  # the room adjustText keeps around each name (x, y)
NOTE_SIZE = 6.8  # pt: the notes, references and sources
NOTE_SIZES = (NOTE_SIZE, 6.5, 6.2, 5.9, 5.6)  # smaller only to keep the notes on the page they start on, or by page 5
MIN_PAGE_FILL = 0.3  # a page the notes would fill less than this is avoided by starting them on a new page
MAX_PAGES = 5  # a briefing is 2-5 pages (the check briefings_are_two_to_five_pages)
DOUBT = 1.25  # how far past the room an estimated height of the notes may be and still be laid out to see
SPLIT_MIN = 0.3  # a section split with less than this share of a page on either side starts on a new page instead
AVERAGE_WORDS = {"postcode_district": "a postcode-district average", "local_authority": "a district average"}


def prose(text: str) -> str:
    """'12,345[3]' -> '12,345³': the note number as a superscript, so figures read as sentences."""
    return CITED.sub(lambda m: m.group(1).translate(SUPERSCRIPT), text)


def superscript(number: int) -> str:
    return str(number).translate(SUPERSCRIPT)


# fpdf's line breaks, remembered per paragraph: the notes and sections are laid out to be measured first
install()


class BriefingPDF(FPDF):
    def __init__(self, area: str, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.area, self.footer_text = area, footer_text
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        fast_fonts(self)
        self.set_margins(16, 16, 16)
        self.set_auto_page_break(True, margin=18)
        self.set_creation_date(FIXED_DATE)
        self.set_title(f"Digital inclusion and connectivity briefing: {area}")
        self.set_author("Essex & Herts Digital Innovation Zone evidence pipeline")
        self.set_font("DejaVu", size=10)

    def block(self, height: float, text: str, **kwargs) -> None:
        """A left-aligned paragraph the full width; the next one starts at the left margin below it."""
        kwargs.setdefault("new_x", "LMARGIN")
        kwargs.setdefault("new_y", "NEXT")
        kwargs.setdefault("align", "L")
        self.multi_cell(0, height, text, **kwargs)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("DejaVu", size=7.5)
        self.set_text_color(90)
        self.cell(0, 4, f"{self.footer_text} · page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0)

    def heading(self, text: str, size: float = 13) -> None:
        if self.get_y() > self.h - 45:
            self.add_page()
        self.ln(2)
        self.set_font("DejaVu", "B", size)
        self.block(size * 0.5, text)
        self.ln(1)
        self.set_font("DejaVu", size=10)

    def together(self, draw) -> None:
        """Draw a section (its heading, words and table) whole on a new page when it would split with little of it
        on one side: a heading and a row at the foot of a page, or a row or two over it. A section that fits on
        neither side but has room for much of it here splits, its table's header repeated."""
        height = _height(draw)
        room = self.page_break_trigger - self.get_y()
        if room < height <= self.eph and (room < SPLIT_MIN * self.eph or height - room < SPLIT_MIN * self.eph):
            self.add_page()
        draw(self)

    def para(self, text: str, size: float = 10) -> None:
        self.set_font("DejaVu", size=size)
        self.block(size * 0.48, prose(text), align="L")
        self.ln(1.5)

    def bullets(self, items: list[str]) -> None:
        for item in items:
            self.set_x(self.l_margin)
            self.cell(5, 4.8, "•")
            self.block(4.8, prose(item), align="L", new_x="LMARGIN")
            self.ln(0.8)

    def grid(
        self, header: list[str], rows: list[list[str]], widths: list[float], source: str, size: float = 8.5
    ) -> None:
        """A table of published rows; ``source`` says where they come from, in words.

        ``widths`` are relative: columns are widened where a word would not fit, so no word is
        ever broken across lines (the font shrinks a little if the page is too narrow for that)."""
        cells = [[prose(v) for v in values] for values in [header, *rows]]
        while (fitted := self.column_widths(cells, widths, size)) is None and size > 6:
            size -= 0.5
        self.set_font("DejaVu", size=size)
        with self.table(
            col_widths=fitted or widths,
            width=self.epw,
            text_align="LEFT",
            line_height=size * 0.5,
            first_row_as_headings=True,
            headings_style=FontFace(family="DejaVu", emphasis="BOLD", fill_color=(235, 235, 235)),
            borders_layout="HORIZONTAL_LINES",
            padding=TABLE_PADDING,
        ) as table:
            for values in cells:
                row = table.row()
                for value in values:
                    row.cell(value)
        self.set_font("DejaVu", size=7)
        self.set_text_color(80)
        self.block(3.4, source)
        self.set_text_color(0)
        self.ln(2)
        self.set_font("DejaVu", size=10)

    def column_widths(self, cells: list[list[str]], widths: list[float], size: float) -> list[float] | None:
        """Widths (mm, summing to the text width) near ``widths`` in which each column's longest
        word fits on one line; None if the page is too narrow for that at this size."""
        need = []
        for i in range(len(widths)):
            longest = 0.0
            for r, values in enumerate(cells):
                self.set_font("DejaVu", "B" if r == 0 else "", size)
                longest = max([longest, *(self.get_string_width(word) for word in values[i].split())])
            need.append(longest + 2 * TABLE_PADDING + 1.2)
        if sum(need) > self.epw:
            return None
        out = [max(w * self.epw / sum(widths), n) for w, n in zip(widths, need, strict=False)]
        while (excess := sum(out) - self.epw) > 1e-6:  # give back what the widened columns took
            slack = [o - n for o, n in zip(out, need, strict=False)]
            out = [o - excess * s / sum(slack) for o, s in zip(out, slack, strict=False)]
        return out


TABLE_PADDING = 1.0


def _trend_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    rows = con.execute(f"""SELECT area_code, area_name, area_type, release, value, {AGGREGATED}
                           FROM district_connectivity_series
                           WHERE indicator = 'gigabit_capable_pct' AND dated_by <> 'year only'
                             AND (area_type = 'study district' OR area_code = 'E92000001')
                           ORDER BY area_type DESC, area_name, release""").fetchall()
    return [(code, drawn_name(name, kind, agg), kind, release, value) for code, name, kind, release, value, agg in rows]


def trend_figure(con: duckdb.DuckDBPyConnection, lads: list[str], size: tuple[float, float]) -> Figure | None:
    """Gigabit-capable premises over time for the study districts and England, drawn at print size: the
    briefing's own districts in colour, the others grey."""
    rows = _trend_rows(con)
    return _draw_trend(rows, lads, size) if rows else None


def trend_png(
    con: duckdb.DuckDBPyConnection, kept_in: Path, lads: list[str], size: tuple[float, float]
) -> bytes | None:
    """``trend_figure`` as PNG, kept between runs: a weight change does not reach Ofcom's district series."""
    rows = _trend_rows(con)
    if not rows:
        return None
    parts = {"rows": rows, "lads": lads, "size": size}
    return kept(kept_in, "briefing-trend", Path(__file__), parts, lambda: _figure_png(_draw_trend(rows, lads, size)))


def _draw_trend(rows: list[tuple], lads: list[str], size: tuple[float, float]) -> Figure:
    # constrained layout keeps the axis label and the legend (outside the axes) inside the figure
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    series: dict[tuple, list] = {}
    for code, name, kind, release, value in rows:
        series.setdefault((code, name, kind), []).append((date(int(release[:4]), int(release[5:7]), 1), value))
    palette = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"]
    colours = iter(palette)
    # more districts than colours (an England run's area briefing): every district a grey line, one legend entry
    crowd = sum(1 for code, _, kind in series if kind != "comparator" and code in lads) > len(palette)
    grey_label = f"Each of the {len({code for code, _, kind in series if kind != 'comparator'})} districts"
    for (code, name, kind), line in series.items():
        xs, ys = zip(*line, strict=False)
        label = f"{name} ({ys[-1]:.1f}%)"
        if kind == "comparator":
            style = {"color": "black", "linestyle": "--", "linewidth": 1.2}
        elif code in lads and not crowd:
            style = {"color": next(colours), "linewidth": 2.0, "marker": "o", "markersize": 2.5}
        else:
            style = {"color": "#bbbbbb", "linewidth": 0.9}
            if crowd:
                label, grey_label = grey_label, None  # one legend entry for them all
        ax.plot(xs, ys, label=label, **style)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of premises", fontsize=7)
    ax.xaxis.set_major_locator(mdates.YearLocator())  # ticks at years, never 2022.5
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.tick_params(labelsize=7)
    ax.grid(True, alpha=0.3)
    last = max(r[3] for r in rows)  # the legend's values are each line's last point: named by its release
    ax.legend(
        loc="center left",
        bbox_to_anchor=(1.02, 0.5),
        fontsize=6.5,
        frameon=False,
        title=f"Latest ({month_name(last)})",
        title_fontsize=7,
    )
    return fig


def _figure_png(fig: Figure) -> bytes:
    """A matplotlib figure as PNG bytes without a timestamp, at the size it was drawn."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=200, metadata={"Software": None})
    return buffer.getvalue()


def _shapes(con: duckdb.DuckDBPyConnection, query: str, params: dict) -> list[dict]:
    rel = con.execute(f"SELECT * EXCLUDE (geom), ST_AsWKB(geom) AS _wkb FROM ({query})", params)
    names = [d[0] for d in rel.description]
    out = []
    for row in rel.fetchall():
        record = dict(zip(names, row, strict=False))
        record["shape"] = from_wkb(bytes(record.pop("_wkb")))
        out.append(record)
    return out


def _rings(shape) -> list:
    """The exterior ring of each polygon of ``shape`` (holes are not drawn: a neighbourhood inside another is
    drawn over it), as coordinate arrays."""
    return [
        np.asarray(poly.exterior.coords) for poly in getattr(shape, "geoms", [shape]) if poly.geom_type == "Polygon"
    ]


def _fill(ax, shapes: list, facecolors: list, **style) -> None:
    """Every shape filled in one collection, in order (one artist, not one per polygon: the same picture, drawn in a
    fraction of the time)."""
    rings, faces = [], []
    for shape, face in zip(shapes, facecolors, strict=True):
        for ring in _rings(shape):
            rings.append(ring)
            faces.append(face)
    ax.add_collection(PolyCollection(rings, facecolors=faces, zorder=1, **style), autolim=True)


def _outlines(ax, shapes: list, **style) -> None:
    """The boundaries of ``shapes`` as one collection of lines, above the fills."""
    lines = [np.asarray(line.coords) for shape in shapes for line in getattr(shape.boundary, "geoms", [shape.boundary])]
    ax.add_collection(LineCollection(lines, zorder=2, **style), autolim=True)


def hatch_words(resolutions: list[str], hatched: int, total: int) -> str:
    """Legend text for neighbourhoods whose connectivity gap is an area average, from their resolutions."""
    kinds = list(dict.fromkeys(AVERAGE_WORDS.get(r, f"an area average ({r})") for r in sorted(resolutions)))
    return f"hatched: connectivity gap known only as {' or '.join(kinds)} ({hatched:,} of {total:,} neighbourhoods)"


def triage_figure(
    con: duckdb.DuckDBPyConnection,
    lads: list[str],
    label_wards: bool,
    first_wards: tuple[str, ...] = (),
    size: tuple[float, float] = MAP_INCHES,
    most_labels: int | None = None,
    kept_in: Path | None = None,
) -> Figure:
    """Triage class by LSOA, hatched where the connectivity gap is an area average, ward lines,
    district outline, and ward (or district) names; the legend in a column beside the map. More than
    ``most_labels`` districts (an England run) are drawn without names: hundreds would cover the map.

    Labels are placed at each area's representative point, moved apart by adjustText, and any
    that would still touch a label placed before it is left off: ``first_wards`` (the wards the
    briefing's table lists) first, then larger areas before smaller ones. With ``kept_in``, where the
    names go is kept there between runs (``_ward_places``)."""
    params = {"lads": lads}
    lsoas = _shapes(
        con,
        """SELECT t.triage_class, t.gap_is_area_average, t.broadband_resolution, a.geom
                            FROM lsoa_triage t JOIN lsoa_areas a USING (lsoa_code)
                            WHERE list_contains($lads, t.lad_code) AND a.geom IS NOT NULL ORDER BY t.lsoa_code""",
        params,
    )
    wards = _shapes(
        con,
        """SELECT ward_code, ward_name, geom FROM ward_boundaries WHERE list_contains($lads, lad_code)
                            ORDER BY ward_code""",
        params,
    )
    districts = _shapes(
        con, "SELECT lad_name, geom FROM lad_boundaries WHERE list_contains($lads, lad_code) ORDER BY lad_code", params
    )

    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    map_share = 1.0 - LEGEND_INCHES / size[0]
    ax = fig.add_axes((0.0, 0.0, map_share, 1.0))
    _fill(
        ax,
        [r["shape"] for r in lsoas],
        [TRIAGE_COLOURS[r["triage_class"]] for r in lsoas],
        edgecolors="#ffffff",
        linewidths=0.25,
    )
    averaged = [r for r in lsoas if r["gap_is_area_average"]]
    if averaged:
        _fill(
            ax,
            [r["shape"] for r in averaged],
            ["none"] * len(averaged),
            edgecolors="none",
            linewidths=0,
            hatch=HATCH,
            hatchcolor=HATCH_COLOUR,
        )
    if wards:
        _outlines(ax, [w["shape"] for w in wards], colors="#555555", linewidths=0.45)
    if districts:
        _outlines(ax, [d["shape"] for d in districts], colors="#111111", linewidths=1.4)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_axis_off()

    counts = {k: sum(r["triage_class"] == k for r in lsoas) for k in TRIAGE_COLOURS}
    handles = [
        Patch(facecolor=c, edgecolor="#999", label=_wrap(f"{TRIAGE_WORDS[k]} ({counts[k]:,})"))
        for k, c in TRIAGE_COLOURS.items()
    ]
    if averaged:
        handles.append(
            Patch(
                facecolor="white",
                edgecolor="#999",
                hatch=HATCH,
                hatchcolor=HATCH_COLOUR,
                label=_wrap(hatch_words([r["broadband_resolution"] for r in averaged], len(averaged), len(lsoas))),
            )
        )
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(map_share + 0.01, 0.98),
        fontsize=7,
        frameon=False,
        title="Triage class\n(number of neighbourhoods)",
        title_fontsize=7.5,
        alignment="left",
        labelspacing=0.9,
        handlelength=1.6,
    )

    listed = 0
    if label_wards:
        first = {name: i for i, name in enumerate(first_wards)}
        places = sorted(wards, key=lambda w: (first.get(w["ward_name"], len(first)), -w["shape"].area, w["ward_code"]))
        labels = [(w["ward_name"], w["shape"]) for w in places]
        listed = sum(w["ward_name"] in first for w in wards)
    elif most_labels is None or len(districts) <= most_labels:
        labels = [(d["lad_name"], d["shape"]) for d in sorted(districts, key=lambda d: -d["shape"].area)]
    else:
        labels = []
    _place_labels(
        fig, ax, labels, size=6 if label_wards else 7.5, districts=not label_wards, kept_in=kept_in, first=listed
    )
    return fig


def _wrap(text: str, width: int = 30) -> str:
    return "\n".join(textwrap.wrap(text, width))


def _label_point(shape):
    """Where an area's name goes: the point of its largest part farthest from its edges (the pole of
    inaccessibility), so a name fits inside a small or oddly shaped district rather than on its border."""
    parts = getattr(shape, "geoms", [shape])
    largest = max(parts, key=lambda g: g.area)
    return polylabel(largest, tolerance=max(largest.length / 2000, 1.0))


def _place_labels(
    fig: Figure, ax, labels: list, size: float, districts: bool, kept_in: Path | None = None, first: int = 0
) -> None:
    """Names at their areas; ward names are moved apart (a label still touching one placed before it is
    removed); district names stay where they are, inside their district (few, and far enough apart).

    Ward names are first placed in a fixed order, which a weight change does not move, so the places can be
    kept between runs; if that would leave one of the ``first`` labels (the wards the briefing's table lists)
    unnamed, they are placed again in their order of importance, which puts those first."""
    halo = [effects.withStroke(linewidth=2.2, foreground="white")]
    texts = []
    for name, shape in labels:
        point = _label_point(shape) if districts else shape.representative_point()
        texts.append(
            ax.text(
                point.x,
                point.y,
                name,
                fontsize=size,
                ha="center",
                va="center",
                path_effects=halo,
                color="#111111",
                fontweight="bold" if districts else "normal",
                zorder=5,
            )
        )
    if districts and texts:
        _part_district_names(fig, ax, texts, [shape for _, shape in labels])
    if not texts or districts:
        return
    ax.apply_aspect()  # the frame as drawn (equal aspect), for the boxes measured below
    arrows, hidden = _settle(fig, ax, texts, _ward_places(fig, ax, texts, kept_in, by_importance=False))
    if any(text in hidden for text in texts[:first]):
        for arrow in arrows:
            arrow.remove()
        arrows, hidden = _settle(fig, ax, texts, _ward_places(fig, ax, texts, kept_in, by_importance=True))
    for text in hidden:
        for arrow in [a for a in arrows if getattr(a, "patchA", None) is text]:
            arrow.remove()
        text.remove()


def _part_district_names(fig: Figure, ax, texts: list, shapes: list) -> None:
    """District names stay at their districts, but two small neighbours (Broxbourne above Epping Forest's
    south) can put their names on one another: a name that touches one placed before it (the larger districts
    first) moves up or down, a pixel at a time, to the nearest place where it touches none and still sits
    inside its own district. A name with no such place within three of its heights stays where it was."""
    ax.apply_aspect()
    renderer = fig.canvas.get_renderer()
    placed = []
    for text, shape in zip(texts, shapes, strict=True):
        box = text.get_window_extent(renderer).padded(LABEL_GAP_PX)
        x, y = ax.transData.transform(text.get_position())
        shifts = [0] + [dy for step in range(1, int(3 * box.height) + 1) for dy in (step, -step)]
        for dy in shifts:  # display pixels, up first
            centre = ax.transData.inverted().transform((x, y + dy))
            if not any(box.translated(0, dy).overlaps(o) for o in placed) and shape.contains(Point(*centre)):
                text.set_position(centre)
                box = box.translated(0, dy)
                break
        placed.append(box)


def _settle(fig: Figure, ax, texts: list, places: list[dict]) -> tuple[list, list]:
    """Put the names at ``places`` (with their arrows), move in any at the map's edge, and say which would
    still touch a name placed before it (in order of importance): (arrows, names to leave off)."""
    arrows = _apply_places(ax, texts, places)
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer).padded(-EDGE_PX)
    for text in texts:  # a label near the map's edge is moved in, so no name is cut off by the page
        box = text.get_window_extent(renderer)
        dx = max(inside.x0 - box.x0, 0) - max(box.x1 - inside.x1, 0)
        dy = max(inside.y0 - box.y0, 0) - max(box.y1 - inside.y1, 0)
        if dx or dy:
            x, y = ax.transData.transform(text.get_position())
            text.set_position(ax.transData.inverted().transform((x + dx, y + dy)))
            for arrow in [a for a in arrows if getattr(a, "patchA", None) is text]:
                arrow.set_positions(text.get_position(), None)
    shown, hidden = [], []
    for text in texts:  # in order of importance
        box = text.get_window_extent(renderer).expanded(1.0, 1.0).padded(LABEL_GAP_PX)
        if any(box.overlaps(other) for other in shown):
            hidden.append(text)
        else:
            shown.append(box)
    return arrows, hidden


ARROW = {
    "arrowstyle": "-",
    "color": "#000000",
    "lw": 0.7,
    "path_effects": [effects.withStroke(linewidth=2.0, foreground="white")],
}


def _ward_places(fig: Figure, ax, texts: list, kept_in: Path | None, by_importance: bool) -> list[dict]:
    """Where adjustText moves each name (its centre, and the arrow back to its area if it gets one), worked out
    on a blank copy of the map's frame (same size, position, limits and aspect; names only), so the map itself
    takes the same path whether the places are new or kept. The names go to adjustText in their order of
    importance (``by_importance``: the wards the briefing's table lists first, which follows need) or in a fixed
    order, by name and place, which a weight change does not move."""
    frame = {
        "figure": [*fig.get_size_inches(), fig.dpi],
        "axes": list(ax.get_position(original=True).bounds),
        "limits": [*ax.get_xlim(), *ax.get_ylim()],
        "aspect": ax.get_aspect(),
    }
    given = [[t.get_text(), *t.get_position(), t.get_fontsize(), t.get_fontweight()] for t in texts]
    order = list(range(len(given))) if by_importance else sorted(range(len(given)), key=lambda i: given[i])
    names = [given[i] for i in order]
    parts = {"frame": frame, "names": names, "iterations": ADJUST_ITERATIONS, "expand": ADJUST_EXPAND}

    def work_out() -> bytes:
        blank = Figure(figsize=frame["figure"][:2], dpi=frame["figure"][2])
        FigureCanvasAgg(blank)
        bax = blank.add_axes(frame["axes"])
        bax.set_xlim(*frame["limits"][:2])
        bax.set_ylim(*frame["limits"][2:])
        bax.set_aspect(frame["aspect"])
        bax.set_axis_off()
        copies = [
            bax.text(x, y, name, fontsize=fs, fontweight=fw, ha="center", va="center", zorder=5)
            for name, x, y, fs, fw in names
        ]
        _, patches = adjust_text(
            copies, ax=bax, iter_lim=ADJUST_ITERATIONS, ensure_inside_axes=True, expand=ADJUST_EXPAND, arrowprops=ARROW
        )
        arrow_of = {id(p.patchA): [list(map(float, xy)) for xy in p._posA_posB] for p in patches}
        places = [{"at": list(map(float, c.get_position())), "arrow": arrow_of.get(id(c))} for c in copies]
        return json.dumps(places).encode("utf-8")

    placed = json.loads(
        work_out() if kept_in is None else kept(kept_in, "briefing-ward-names", Path(__file__), parts, work_out)
    )
    out: list[dict] = [{}] * len(given)
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out


def _apply_places(ax, texts: list, places: list[dict]) -> list:
    """Move each name where ``_ward_places`` put it and draw its arrow, as adjustText itself does."""
    arrows = []
    for text, place in zip(texts, places, strict=True):
        text.set_verticalalignment("center")
        text.set_horizontalalignment("center")
        text.set_position(place["at"])
        if place["arrow"]:
            start, end = place["arrow"]
            arrow = FancyArrowPatch(posA=start, posB=end, patchA=text, transform=text.get_transform(), **ARROW)
            ax.add_patch(arrow)
            arrows.append(arrow)
    return arrows


def _rows(notes: Notes, table: str) -> list[dict[str, str]]:
    return notes.rows(table)


def _num(value: str, digits: int = 0) -> str:
    if value in ("", None):
        return "–"
    return half_up(value, digits)


def _sources(paths: Paths, n: Notes, chart: bool) -> list[str]:
    """Source keys behind what the briefing prints: every figure and table cited (``Notes`` remembers them),
    the map (triage classes and the boundaries it draws) and, when drawn, the chart of Ofcom's district
    series. A source of a published table that feeds nothing printed here is left out."""
    drawn = sources_of(paths.table_path("lsoa_triage"), "triage_class")
    for table in MAP_TABLES[1:]:
        drawn += [k for k in sources_of(paths.table_path(table)) if k.endswith("_boundaries")]
    if chart:
        drawn += sources_of(paths.table_path("district_connectivity_series"))
    used = set(n.cited_sources()) | set(drawn)
    return [k for k in SOURCES if k in used]


def _key_figures(n: Notes, code: str, name: str, whole: bool, t: Terms, most: int) -> list[str]:
    where = "the area" if whole else name
    row = n.row("district_summary", lad_code=code) or {}
    items = [
        f"{name} has {n.cite('district_summary', 'residents_2021', lad_code=code)} residents (Census 2021) in "
        f"{n.cite('district_summary', 'lsoas', lad_code=code)} neighbourhoods (LSOAs, 2021)."
    ]
    if whole:
        districts = [r for r in n.rows("district_summary") if r["lad_code"] != ALL]
        items += ofcom_area_sentences(n, districts, most)
    else:
        items.append(official_sentence(n, row) or "Ofcom publishes no district figure for it in the files read.")
    items += [
        f"{_cap(n.cite('district_summary', 'lsoas_in_top_need_decile', lad_code=code, zero='none'))} of those "
        f"neighbourhoods {is_are(row.get('lsoas_in_top_need_decile'))} in the study area's highest-need tenth for "
        "digital inclusion support; robust priorities among them "
        f"({t.robust}): {n.cite('district_summary', 'robust_need_priorities', lad_code=code, zero='none')}.",
        # the area's briefing names the districts but leaves their figures, each with its note, to their own
        triage_residents(district_triage(n, code))
        + gap_resolution_clause(row)
        + triage_caution(
            n, code, "each district's briefing gives the figures" if whole else "the figures are given below"
        ),
        gp_sentence(n, code, row, where),
    ]
    return items


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _trend_sentence(n: Notes, code: str, districts: int) -> str | None:
    row = n.row("change_over_time", area_code=code, indicator="gigabit_capable_pct")
    return change_sentence(n, row, code, districts) if row else None


def _top_wards(n: Notes, lads: list[str]) -> list[dict[str, str]]:
    """The six wards with the highest mean need (the ward table, and the labels the map places first)."""
    wards = [w for w in _rows(n, "ward_summary") if w["lad_code"] in lads and w["mean_need_score"]]
    wards.sort(key=lambda w: (-float(w["mean_need_score"]), w["ward_code"]))
    return wards[:6]


def _ward_rows(n: Notes, lads: list[str], whole: bool) -> list[list[str]]:
    out = []
    for w in _top_wards(n, lads):
        cells = [w["ward_name"]] + ([w["lad_name"]] if whole else [])
        cells += [
            _num(w["residents_2021"]),
            _num(w["mean_need_score"], 2),
            _num(w["high_need_lsoas"]),
            _num(w["residents_adoption_gap"]),
            _num(w["residents_both"]),
        ]
        out.append(cells)
    return out


def _lsoa_rows(n: Notes, lads: list[str], whole: bool) -> list[list[str]]:
    code_col = next(
        (k for k in (_rows(n, "inclusion_priorities") or [{}])[0] if k.startswith("lsoa") and k.endswith("cd")),
        "lsoa21cd",
    )
    name_col = code_col[:-2] + "nm"
    rows = [r for r in _rows(n, "inclusion_priorities") if r["lad_code"] in lads]
    rows.sort(key=lambda r: int(r["need_rank"]))
    out = []
    for r in rows[:6]:
        cells = [f"{r[name_col]} ({r[code_col]})", f"{r['ward_name']} ({r['lad_name']})" if whole else r["ward_name"]]
        sure = r["robustness"]
        if sure != "robust" and str(r["need_decile"]) != "1":  # a priority by its decile, not the tenth: say which
            sure += f" (need decile {r['need_decile']})"
        cells += [_num(r["residents_2021"]), _num(r["need_score"], 1), r["suggested_offer"], sure]
        out.append(cells)
    return out


def robustness_words(rows: list[list[str]], t: Terms) -> str:
    """What each robustness class in the table means, for the classes the table shows."""
    shown = {row[-1].split(" (")[0] for row in rows}
    meaning = {
        "robust": f"robust: {t.robust}",
        "weight-dependent": f"weight-dependent: {t.weight_dependent}",
        "rarely in the top tenth": (
            f"rarely in the top tenth: an inclusion priority by its need decile ({t.priorities}), {t.rarely}"
        ),
    }
    return "; ".join(text for key, text in meaning.items() if key in shown)


def _gp_rows(
    n: Notes, lads: list[str], cap_m: float
) -> tuple[str, list[str], list[list[str]], list[float], list[str], str, str]:
    """The five least-ready ranked sites of these districts as a table (heading, header, rows, widths, the columns
    cited, the source's words), and the sentences that introduce them. The catchment's broadband is a column only where
    it is part of the score: with area averages it is not, and the table shows what the ranking rests on. Need is
    shown to two decimals, as the score is, so the order of the rows can be read from it."""
    sites = _rows(n, "gp_readiness")
    chosen = [s for s in ranked(sites) if s["lad_code"] in lads][:5]
    scored = broadband_scored(sites)
    out = []
    for s in chosen:
        # what the score uses: the catchment's mean over its postcodes (never a share of premises), and the
        # site's own figure only where postcode-level data give one
        gigabit = f"{_num(s['catchment_pct_no_gigabit'], 0)}%" if s.get("catchment_pct_no_gigabit") else "none"
        if str(s.get("site_own_gigabit_known")).lower() == "true":
            gigabit += f" (site's own postcode: {_num(s['site_gigabit_pct'], 1)}% with gigabit)"
        row = [display_name(s["name"]), s["postcode"], rank_label(sites, s), _num(s["list_size"])]
        out.append(row + ([gigabit] if scored else []) + [_num(s["catchment_mean_need"], SCORE_DECIMALS)])
    header = (
        ["Site", "Postcode", "Rank", "Patients"]
        + (["Catchment without gigabit (mean over postcodes)"] if scored else [])
        + ["Catchment need (0-10)"]
    )
    widths = [50, 18, 12, 16] + ([48] if scored else []) + [21]
    words = (
        f"{'This area' if len(lads) > 1 else 'This district'}'s ranked GP sites {rank_words(sites)['lowest']}; "
        f"Rank is among all {len(ranked(sites))} ranked sites of the study area; = marks a tie, and tied sites are "
        "listed alphabetically."
        + (
            " Catchment without gigabit: "
            + catchment_broadband_words(sites)
            + ", the broadband part of the score; not a share of premises, and not an Ofcom figure."
            if scored
            else ""
        )
    )
    intro = (
        f"{ranks_sentence_start(sites)} of the study area's {len(sites)} GP sites shown "
        f"({sites_in_lists(sites, True)}; {rank_words(sites)['one']}) from {ranking_rests_on(sites, cap_m)}. "
        f"Patients: NHS England's registered lists at {list_month(sites)}."
    )
    # the district's own unranked sites: the study area's are the area briefing's
    not_ranked = not_ranked_sentence(
        [s for s in sites if s["lad_code"] in lads], where=" in this district" if len(lads) == 1 else "", counts=True
    )
    extra = [t for t in (readiness_caution(n, chosen), own_gigabit_sentence(sites), not_ranked) if t]
    cited = ["readiness_rank", "list_size"] + (["catchment_pct_no_gigabit"] if scored else []) + ["catchment_mean_need"]
    cited += ["not_ranked_reason"] if not_ranked else []  # it names the branch list the sentence counts from
    cited += ["listed_in"]  # the study area's sites the introduction counts: every list's, the old branch list's too
    return section_heading(sites), header, out, widths, cited, words, " ".join([intro] + extra)


def catchment_broadband_words(sites: list[dict]) -> str:
    """How a GP catchment's broadband figure is derived, from the resolution its rows record."""
    district = any(s.get("catchment_broadband_resolution") == "postcode_district" for s in sites)
    released = release_names(
        ", ".join(sorted({s["site_broadband_release"] for s in sites if s.get("site_broadband_release")}))
    )
    of = f"Ofcom's {released} postcode data" if released else "Ofcom's postcode data"
    return "the mean over the catchment's postcodes, each counted once, of the share without gigabit" + (
        f" of their postcode district (postcode-district averages of {of})" if district else f" at each postcode ({of})"
    )


def _broadband_caveat(resolution: str, release: str, since: str = "", example: str | None = None) -> list[str]:
    area_average = resolution != "postcode"
    lines = [
        f"District figures are Ofcom's own ({OFCOM_VIA_ONS}): the share of premises that could order a service, "
        "not how many do, nor what speed they get.",
        f"Neighbourhood figures rest on Ofcom Connected Nations {release} data as the broadband input holds it.{since}",
    ]
    if area_average:
        lines.append(
            f"Here that input is postcode-district averages{f' (such as {example})' if example else ''}, not counts "
            "for each neighbourhood: every "
            "neighbourhood in one postcode district carries that district's value, so the connectivity gap cannot "
            "rank neighbourhoods inside one postcode district against each other; the map hatches them and the "
            "tables mark them as area averages. Each postcode counts once in those averages, whatever its number of "
            "premises, so they are not shares of premises and differ from Ofcom's district figures."
        )
    else:
        lines.append("They are measured for each postcode and weighted by the premises of each neighbourhood.")
    lines.append(
        "Need for inclusion support is scored from people (age, disability, deprivation and how people use "
        "the internet); none of the connectivity gap's broadband figures is weighted in it (the internet-use groups "
        "may themselves reflect the broadband of 2018), and the gap is scored separately. "
        "A place can be "
        "high on one and low on the other: that is the point of the triage classes."
    )
    return lines


def _peer_section(pdf: BriefingPDF, n: Notes, code: str, settings: Settings) -> None:
    """How the district (or the zone) compares with ONS's similar places: one cited sentence, the pace,
    and a small table of every indicator in both groups at the latest release."""
    line = peer_line(n, code, settings)
    if line is None:
        return
    pdf.heading("Compared with similar places", 11)
    pdf.para(line, 9)
    pace = next(
        (
            r
            for r in n.rows("peer_pace")
            if r["area_code"] == code and r["group_kind"] == "neighbours" and r["indicator"] == "gigabit_capable_pct"
        ),
        None,
    )
    if pace:
        keys = {"area_code": code, "group_kind": "neighbours", "indicator": "gigabit_capable_pct"}
        pdf.para(pace_sentence(pace, lambda column: n.cite("peer_pace", column, 1, **keys)), 9)
    rows, shown_rows = [], []
    zone = code == settings.peers.zone_code  # the zone's value is an estimate, not a share Ofcom counted
    groups = {
        "neighbours": f"Nearest neighbours ({settings.peers.neighbours_release}, {settings.peers.neighbours_model})",
        "cluster": f"Cluster ({settings.peers.cluster_release}, {settings.peers.cluster_model})",
    }
    # a group the area is not in (the zone has no cluster) is left out, not shown as a column of dashes;
    # the caption says why
    shown = [g for g in groups if any(latest_peer_row(n, code, g, i) for i in INDICATOR_WORDS)]
    for indicator, (words, unit, _) in INDICATOR_WORDS.items():
        by = "residents" if "premises" in unit else "land area"
        own = latest_peer_row(n, code, "neighbours", indicator) or latest_peer_row(n, code, "cluster", indicator)
        value = f": {percent(own['value'], indicator)}" if own and own.get("value") else ""
        # the zone's value is named as an estimate before the measure, so it is never lifted as Ofcom's
        cells = [
            f"Zone estimate, not an Ofcom figure: {words} (its districts' {unit} weighted by {by}){value}"
            if zone
            else f"{words[:1].upper() + words[1:]} ({unit}){value}"
        ]
        for group in shown:
            r = latest_peer_row(n, code, group, indicator)
            cells.append(f"{r['rank_label']}; median {percent(r['group_median'], indicator)}" if r else "–")
            shown_rows += [r] if r else []
        rows.append(cells)
    latest = latest_peer_row(n, code)
    pdf.grid(
        ["Indicator"] + [groups[g] for g in shown],
        rows,
        [58] + [120 // max(1, len(shown))] * len(shown),
        f"Ranks at {latest['release_name'] if latest else 'the latest release'} (1 = best; ties share a rank). "
        + _table_source(
            n,
            "peer_benchmark",
            # the zone's own values are estimates weighted by residents or land area: those sources too
            ["rank_label", "group_median"] + (["value"] if zone else []),
            similar_means(settings) + (" " + zone_weighting(n.rows("peer_weighting_check"), True) if zone else ""),
            shown_rows,
        ),
        size=7.5,
    )


def _since(n: Notes, code: str, name: str, summary: dict, most: int) -> str:
    """How far the district moved between the neighbourhood data's release and the latest district figure, and,
    where the neighbourhood data miss Ofcom's own figure for their release by more than the setting allows, by
    how much and which way."""
    if code == ALL:
        return _since_for_the_area(n, most)
    recon = n.row("reconciliation", lad_code=code, indicator="gigabit_capable_pct")
    if not recon or not recon.get("official_pct"):
        return ""
    off = ""

    def cited(row: dict, column: str) -> str:  # a figure of this section, with its note like every other
        keys = {"lad_code": code, "indicator": row["indicator"], "release": row["release"]}
        return n.cite("reconciliation", column, 1, "%", **keys)

    if str(recon.get("within_threshold")).lower() == "false" and recon.get("derived_pct"):
        derived, official = float(recon["derived_pct"]), float(recon["official_pct"])
        off = (
            f" Even for {recon['release_name']} they do not match Ofcom's own figure here: Ofcom counts "
            f"{cited(recon, 'official_pct')} of premises gigabit-capable; averaged over the district's postcodes"
            f"{premises_counted(recon)}, each counted once, they give {cited(recon, 'derived_pct')}, "
            f"{abs(derived - official):.1f} points "
            f"{'lower' if derived < official else 'higher'} (more than the {float(recon['threshold_pp']):g} points "
            f"the settings allow): as a mean over postcodes, not a share of premises, they put gigabit coverage in "
            f"{name} {'lower' if derived < official else 'higher'} than Ofcom's count does."
        )
    below_30 = n.row("reconciliation", lad_code=code, indicator="premises_below_30_pct")
    if below_30 and str(below_30.get("within_threshold")).lower() == "false" and below_30.get("derived_pct"):
        derived, official = float(below_30["derived_pct"]), float(below_30["official_pct"])
        off += (
            f" {'Nor do they' if off else 'For ' + below_30['release_name'] + ' they do not'} match Ofcom's figure "
            f"for premises below 30 Mbit/s: Ofcom counts {cited(below_30, 'official_pct')}; "
            f"they give {cited(below_30, 'derived_pct')}{premises_counted(below_30)}, "
            f"{abs(derived - official):.1f} points "
            f"{'lower' if derived < official else 'higher'} "
            f"(more than the {points(below_30['threshold_pp'])} the settings allow for this measure)."
        )
    if not summary.get("ofcom_gigabit_pct") or recon.get("release") == summary.get("ofcom_release"):
        return off
    return off + (
        f" They are older than the district figures: between {recon['release_name']} and "
        f"{summary['ofcom_release_name']}, Ofcom's figure for gigabit-capable premises in {name} went from "
        f"{cited(recon, 'official_pct')} to {n.cite('district_summary', 'ofcom_gigabit_pct', 1, '%', lad_code=code)}"
        + (
            ", so neighbourhoods classed as having a connectivity gap may have been reached since."
            if any(float(summary.get(k) or 0) for k in ("residents_both", "residents_infrastructure_gap"))
            else "."
        )
    )


def _since_for_the_area(n: Notes, most: int) -> str:
    """The area's version of ``_since``: which of its districts miss Ofcom's own figures and which way Ofcom's
    figures moved since, named but not quoted (the area has no Ofcom figure of its own, and a figure without its
    note is not to be pasted: each district's briefing quotes its own, each with its citation); more than
    ``most`` districts (an England run) are counted, and the tables that give them are named."""
    recons = [r for r in n.rows("reconciliation") if r["indicator"] == "gigabit_capable_pct" and r.get("official_pct")]
    latest = {r["lad_code"]: r for r in n.rows("district_summary") if r["lad_code"] != ALL}
    rose, fell = [], []
    for r in recons:
        now = latest.get(r["lad_code"], {})
        if now.get("ofcom_gigabit_pct") and r["release"] != now["ofcom_release"]:
            (rose if float(now["ofcom_gigabit_pct"]) >= float(r["official_pct"]) else fell).append(r["area_name"])
    measure = {"gigabit_capable_pct": "gigabit-capable", "premises_below_30_pct": "below 30 Mbit/s"}
    missed: dict[str, list[str]] = {}
    for r in broadband_misses(n):
        if r.get("official_pct") and r.get("derived_pct"):
            missed.setdefault(r["area_name"], []).append(measure[r["indicator"]])
    text = ""
    if missed:
        which = (
            "; ".join(f"{area} ({' and '.join(what)})" for area, what in missed.items())
            if len(missed) <= most
            else f"{len(missed)} districts"
        )
        text += (
            f" Even for {recons[0]['release_name']}, averaged over each district's postcodes they miss Ofcom's own "
            f"figures by more than the settings allow in {which}."
        )
    if rose or fell:

        def named(areas: list[str]) -> str:
            return ", ".join(areas) if len(areas) <= most else f"{len(areas)} districts"

        went = "rose in every district" if not fell else f"rose in {named(rose) or 'none'} and fell in {named(fell)}"
        text += (
            f" They are older than the district figures: between {recons[0]['release_name']} and "
            f"{next(iter(latest.values()))['ofcom_release_name']}, Ofcom's figures for gigabit-capable premises "
            f"{went}, so neighbourhoods classed as having a connectivity gap may have been reached since."
        )
    if text:  # the districts' own rows, each a cell of these tables
        text += " Each district's briefing quotes them with their sources (tables reconciliation and district_summary)."
    return text


def _table_source(n: Notes, table: str, columns: list[str], shows: str, rows: list[dict] | None = None) -> str:
    """Caption under a table: what it shows, the evidence-pack sheet, and the datasets behind the columns (in
    the ``rows`` shown, where a column's sources differ from row to row)."""
    named = "; ".join(dict.fromkeys(cite_as(s) for r in (rows or [None]) for s in n.sources(table, columns, row=r)))
    return f"{shows} Table {table} (evidence pack sheet '{SHEETS.get(table, table)}'), from {named}."


def _map_caption(paths: Paths, t: Terms, settings: Settings, hatched: bool) -> str:
    """What the map shows, with the triage shares from the settings (and how the run's ties fell) and the
    boundaries it draws, in words."""
    boundaries = []
    for table in MAP_TABLES[1:]:
        for s in read_provenance(paths.table_path(table)).get("sources", []):
            if s.get("rows") and s["source"].endswith("_boundaries") and s not in boundaries:
                boundaries.append(s)
    text = (
        f"Each neighbourhood is an {vintage_of(settings).label} area, coloured by triage class. High need: "
        f"{t.high_need_short}; connectivity gap: {t.unserved_short}. "
    )
    if hatched:
        text += (
            "Hatched: the gap is an area average shared by every neighbourhood in that area, so it cannot rank "
            "them against each other. "
        )
    return text + "Lines: wards and districts. Boundaries: " + "; ".join(cite_as(s) for s in boundaries) + "."


def _citations(pdf: BriefingPDF, n: Notes, key_notes: int, letters: dict[str, str], size: float = NOTE_SIZE) -> None:
    """The key figures' notes as citations to paste (what, where, publisher, dataset, release); the other figures'
    notes name their sources by their letters in the list of sources below (every note in words would not fit
    the briefing's five pages), so each figure still leads to its publisher and release."""
    pdf.heading("Citations to paste: where each figure comes from", 11)
    pdf.para(
        "Each key figure with what it measures, the place, and the publisher, dataset and release behind it, ready "
        "to paste beside the figure; the other figures with their table and their sources' letters in the list of "
        "sources at the end.",
        8,
    )
    groups = [("Key figures", n.notes[:key_notes]), ("Other figures in this briefing", n.notes[key_notes:])]
    with pdf.text_columns(ncols=2, gutter=6, text_align="LEFT", line_height=1.15, balance=True) as columns:
        for title, notes in groups:
            if not notes:
                continue
            pdf.set_font("DejaVu", "B", size + 0.4)
            with columns.paragraph(bottom_margin=0.8) as par:
                par.write(title)
            pdf.set_font("DejaVu", size=size)
            for group in _same_citation(notes):
                with columns.paragraph(bottom_margin=0.6) as par:
                    par.write(_citation_text(group, None if title == "Key figures" else letters))


def _same_citation(notes: list) -> list[list]:
    """Consecutive notes read from the same table and sources, with the same caution (Ofcom's figure for each
    district, say, or the residents of each triage class), grouped: one citation naming each figure, then their
    sources and caution once, not the same sources over and over."""
    groups: list[list] = []
    for note in notes:
        last = groups[-1][-1] if groups else None
        if last and (last.tail, last.table, last.caution) == (note.tail, note.table, note.caution):
            groups[-1].append(note)
        else:
            groups.append([note])
    return groups


def _citation_text(group: list, letters: dict[str, str] | None = None) -> str:
    """A group's notes in words (``letters`` None), or with their sources as letters of the list of sources."""
    first = group[0]
    if len(group) == 1:
        return f"{superscript(first.number)} {first.citation if letters is None else first.short(letters)}"
    tail = first.tail if letters is None else first.lettered_tail(letters)
    if all(note.what == first.what for note in group):  # one measure, several places
        places = "; ".join(f"{superscript(note.number)} {note.where}: {note.shown}" for note in group)
        return f"{first.what}: {places} ({tail}).{first.cautioned}"
    figures = "; ".join(f"{superscript(note.number)} {note.what}, {note.where}: {note.shown}" for note in group)
    return f"{figures} ({tail}).{first.cautioned}"


def _references(pdf: BriefingPDF, n: Notes, size: float = NOTE_SIZE) -> None:
    """The table, row and column of every note, grouped by row: the figures can be checked cell by cell."""
    groups: dict[tuple, list] = {}
    for note in n.notes:
        groups.setdefault((note.table, note.keys), []).append(note)
    pdf.heading("Table references", 9)
    pdf.set_font("DejaVu", size=size)
    pdf.block(
        size * 0.47,
        "Every figure is one cell of a table in the evidence pack (diz_evidence_pack.xlsx, one sheet per "
        "table; also published as CSV files, each with its sources; the method is method.html beside the "
        "maps). Table, row, and the column of each note:",
    )
    pdf.ln(0.8)
    with pdf.text_columns(ncols=2, gutter=6, text_align="LEFT", line_height=1.15, balance=True) as columns:
        for line in reference_lines(groups):
            with columns.paragraph(bottom_margin=0.6) as par:
                par.write(line)


NBSP = "\u00a0"  # keeps a note's number on the line of what it labels


def reference_lines(groups: dict[tuple, list]) -> list[str]:
    """One line per table row ('table (sheet), key value: ¹ column, ² column'), except that rows of one table
    whose single cited cell is the same column and whose keys differ in one only share a line ('column value, by
    area_code: ⁸ E10000012 (Essex), ⁹ E10000015 (Hertfordshire)'): the zone's briefing cites the same cell of
    every district."""
    runs: list[list] = []
    for (table, keys), notes in groups.items():
        last = runs[-1] if runs else None
        if last and len(notes) == 1 and _same_but_one(last, table, keys, notes[0].column):
            last.append((table, keys, notes))
        else:
            runs.append([(table, keys, notes)])
    lines = []
    for run in runs:
        table, keys, notes = run[0]
        sheet = f"{table} (sheet '{SHEETS.get(table, table)}')"
        if len(run) == 1:
            row = ", ".join(f"{k} {v}" for k, v in keys)
            cells = ", ".join(f"{superscript(note.number)}{NBSP}{note.column}" for note in notes)
            lines.append(f"{sheet}, {row}: {cells}")
            continue
        varies = next(i for i in range(len(keys)) if keys[i] != run[1][1][i])
        fixed = "".join(f", {k} {v}" for i, (k, v) in enumerate(keys) if i != varies)
        values = ", ".join(_labelled(row_keys[varies][1], cited[0]) for _, row_keys, cited in run)
        lines.append(f"{sheet}{fixed}, column {notes[0].column}, by {keys[varies][0]}: {values}")
    return lines


def _labelled(value: str, note) -> str:
    """'³ E07000095 (Broxbourne)': the note's number first, as on every other line, then the row and its place."""
    place = f" ({note.where})" if note.where and note.where != value else ""
    return f"{superscript(note.number)}{NBSP}{value}{place}"


def _same_but_one(run: list, table: str, keys: tuple, column: str) -> bool:
    """Whether a row joins ``run``: same table, one cited cell in the same column, keys differing in the one
    place where the run's rows differ (any one place while the run has a single row)."""
    first_table, first_keys, first_notes = run[0]
    if table != first_table or len(first_notes) != 1 or first_notes[0].column != column:
        return False
    if [k for k, _ in keys] != [k for k, _ in first_keys]:
        return False
    differ = {i for i in range(len(keys)) if any(keys[i] != other[i] for _, other, _ in run)}
    return len(differ) == 1


def source_letters(keys: list[str]) -> dict[str, str]:
    """Each source of a briefing's list its letter (a, b, ... z, then aa, ab, ...), in the list's order."""
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    return {key: (alphabet[i // 26 - 1] if i >= 26 else "") + alphabet[i % 26] for i, key in enumerate(keys)}


def _sources_and_licences(pdf: BriefingPDF, keys: list[str], letters: dict[str, str], size: float = NOTE_SIZE) -> None:
    pdf.heading("Sources and licences", 11)
    with pdf.text_columns(ncols=2, gutter=6, text_align="LEFT", line_height=1.15, balance=True) as columns:
        pdf.set_font("DejaVu", size=size)
        for key in keys:
            s = SOURCES[key]
            address = s.url or s.page
            with columns.paragraph(bottom_margin=0.6) as par:
                words = source_words(s.as_record())
                pdf.set_font("DejaVu", "B", size)
                par.write(f"{letters[key]}{NBSP}")
                pdf.set_font("DejaVu", size=size)
                par.write(f"{words[:1].upper()}{words[1:]}. ")
                if address.startswith("http"):  # the site in print, the full address as the link
                    par.write(urlsplit(address).netloc.removeprefix("www.") + ".", link=address)
        pdf.set_font("DejaVu", "B", size + 0.2)
        with columns.paragraph(top_margin=1.5, bottom_margin=0.6) as par:
            par.write("Licences")
        pdf.set_font("DejaVu", size=size)
        for line in licence_lines(keys):
            with columns.paragraph(bottom_margin=0.4) as par:
                par.write(line)


def _height(draw) -> float:
    """Height (mm) that ``draw`` takes from the top of a page, over as many pages as it needs: drawn on a new
    page of a scratch document that is never written."""
    scratch = _scratch_page()
    first, top = scratch.page, scratch.get_y()
    draw(scratch)
    return (scratch.page - first) * scratch.eph + scratch.get_y() - top


def _pages_after(draw, start_y: float) -> int:
    """How many page breaks ``draw`` makes when it starts at ``start_y`` on a page: laid out on the scratch
    document from that very place."""
    scratch = _scratch_page()
    scratch.set_y(start_y)
    first = scratch.page
    draw(scratch)
    return scratch.page - first


def _scratch_page() -> BriefingPDF:
    """A new page of the scratch document. One per process serves every measure of every briefing (each on pages
    of its own), since loading the fonts into a new document costs more than the drawing."""
    scratch = _scratch()
    scratch.add_page()
    scratch.set_font("DejaVu", size=10)  # as a new document starts
    return scratch


@cache
def _scratch() -> BriefingPDF:
    return BriefingPDF("scratch", "")


def _place_notes(pdf: BriefingPDF, sections: list, name: str) -> None:
    """The notes (citations, table references, sources) after the body, so that no page is left nearly empty:
    on this page, in slightly smaller type if that keeps them here; else with a page break between two of
    them where both pages stay well filled; else on a new page when they would only just overflow."""

    def draw(parts, size):
        return lambda target: [part(target, size) for part in parts]

    measured: dict[tuple, float] = {}

    def measure(parts, size) -> float:  # each arrangement measured once: laying out the notes is the slow part
        key = (tuple(map(id, parts)), size)
        if key not in measured:
            measured[key] = _height(draw(parts, size))
        return measured[key]

    room = pdf.page_break_trigger - pdf.get_y()
    # Laying out the notes is most of a briefing's drawing: the parts are laid out once at the full size, and a
    # size or a page break is tried exactly only where an estimate from those heights leaves it in doubt. Text
    # at a smaller size takes at least about (size / NOTE_SIZE)² of the height (spacing does not shrink with
    # it), so an arrangement estimated at over DOUBT times the room surely does not fit, and is not tried.
    heights = [measure([part], NOTE_SIZE) for part in sections]

    def about(size: float) -> float:
        return sum(heights) * (size / NOTE_SIZE) ** 2

    fits = about(NOTE_SIZES[-1]) <= DOUBT * room and measure(sections, NOTE_SIZES[-1]) <= room
    size = (
        next((s for s in NOTE_SIZES if about(s) <= DOUBT * room and measure(sections, s) <= room), None)
        if fits
        else None
    )
    if size is not None:
        draw(sections, size)(pdf)
        return
    used = pdf.eph - room
    for k in range(len(sections) - 1, 0, -1):
        first, rest = sum(heights[:k]), sum(heights[k:])
        if first <= room and MIN_PAGE_FILL * pdf.eph <= rest <= pdf.eph and used + first >= MIN_PAGE_FILL * pdf.eph:
            draw(sections[:k], NOTE_SIZE)(pdf)
            pdf.add_page()
            draw(sections[k:], NOTE_SIZE)(pdf)
            return
    # the whole at the full size, laid out only where the sum of its parts is near the limits it is held to
    near = abs(sum(heights) - room - MIN_PAGE_FILL * pdf.eph) < (DOUBT - 1) * pdf.eph or (
        abs(sum(heights) - pdf.eph) < (DOUBT - 1) * pdf.eph
    )
    height = measure(sections, NOTE_SIZE) if near or sum(heights) <= room + MIN_PAGE_FILL * pdf.eph else sum(heights)
    if 0 < height - room < MIN_PAGE_FILL * pdf.eph and height <= pdf.eph:
        pdf.add_page()  # start the notes on a new page rather than end on a page with a few lines
        room = pdf.page_break_trigger - pdf.get_y()
    # over several pages: the largest size that still ends by the last page a briefing may have, laid out from
    # where the notes start here (balanced columns break where the page does, so a height from a page's top
    # can be a few lines out); a size whose estimate surely overflows the pages left is not tried
    start = pdf.get_y()
    left = room + (MAX_PAGES - pdf.page) * pdf.eph
    size = next(
        (
            s
            for s in NOTE_SIZES
            if about(s) <= DOUBT * left and pdf.page + _pages_after(draw(sections, s), start) <= MAX_PAGES
        ),
        NOTE_SIZES[-1],
    )
    draw(sections, size)(pdf)


def build_one(
    con: duckdb.DuckDBPyConnection,
    paths: Paths,
    settings: Settings,
    code: str,
    name: str,
    lads: list[str],
    dest: Path,
    release_line: str,
) -> dict:
    whole = code == ALL
    n = Notes(paths.tables)
    summary = n.row("district_summary", lad_code=code) or {}
    pdf = BriefingPDF(name, f"DIZ briefing: {name}")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 17)
    pdf.block(8, f"Digital inclusion and connectivity: {name}")
    pdf.set_font("DejaVu", size=9)
    pdf.set_text_color(70)
    scope = (
        f"The {len(lads)} districts of {settings.study_area.name}"
        if whole
        else f"{name} district ({code}), part of {settings.study_area.name}"
    )
    pdf.block(4.5, f"{scope}. {release_line}.")
    pdf.set_text_color(0)
    pdf.heading("Key figures")
    t = terms(settings, triage_cuts(n.rows("triage")))
    pdf.bullets(_key_figures(n, code, name, whole, t, settings.outputs.max_districts))
    key_notes = len(n.notes)

    pdf.heading("Where: triage of neighbourhoods", 11)
    hatched = con.execute(
        "SELECT coalesce(bool_or(gap_is_area_average), false) FROM lsoa_triage WHERE list_contains($lads, lad_code)",
        {"lads": lads},
    ).fetchone()[0]
    caption = _map_caption(paths, t, settings, hatched)
    pdf.set_font("DejaVu", size=7.5)
    caption_height = 3.5 * len(pdf.multi_cell(0, 3.5, caption, dry_run=True, output="LINES")) + 2
    # the map fills the room left, in whole steps: a figure a weight change moves by a line of text keeps its size,
    # so where its ward names go is kept between runs (kept_drawings)
    room = (pdf.h - pdf.b_margin - pdf.get_y() - caption_height) // MAP_STEP_MM * MAP_STEP_MM
    figure = triage_figure(
        con,
        lads,
        label_wards=not whole,
        first_wards=tuple(w["ward_name"] for w in _top_wards(n, lads)),
        size=(pdf.epw / 25.4, room / 25.4),
        most_labels=settings.outputs.max_districts,
        kept_in=paths.kept_drawings,
    )
    pdf.image(io.BytesIO(_figure_png(figure)), x=pdf.l_margin, w=pdf.epw, h=room)
    pdf.ln(1)
    pdf.set_font("DejaVu", size=7.5)
    pdf.block(3.5, caption)

    pdf.add_page()
    pdf.heading("Connectivity over time")
    trend = trend_png(con, paths.kept_drawings, lads, size=(pdf.epw / 25.4, TREND_MM / 25.4))
    if trend is not None:  # placed at the size it was drawn, so nothing is scaled or cut
        pdf.image(io.BytesIO(trend), x=pdf.l_margin, w=pdf.epw, h=TREND_MM)
        pdf.set_font("DejaVu", size=7.5)
        pdf.block(
            3.5,
            f"Premises with gigabit-capable broadband, % of premises, at each Ofcom release dated by month. "
            f"Source: {OFCOM_VIA_ONS}; months from ONS's metadata where it states them, else from its "
            "period labels.",
        )
        pdf.ln(1)
    study_districts = sum(1 for r in n.rows("district_summary") if r["lad_code"] != ALL)
    trend = _trend_sentence(n, code, study_districts) if not whole else None
    if trend:
        pdf.para(trend)
    _peer_section(pdf, n, settings.peers.zone_code if whole else code, settings)
    ward_header = (
        ["Ward"]
        + (["District"] if whole else [])
        + [
            "Residents",
            "Mean need (0-10)",
            f"LSOAs with high need (study area's top {t.high_need_share})",
            "Residents: adoption gap",
            "Residents: both",
        ]
    )
    ward_widths = [34] + ([28] if whole else []) + [18, 20, 18, 22, 20]
    ward_rows = _ward_rows(n, lads, whole)
    ward_source = _table_source(
        n,
        "ward_summary",
        [
            "ward_name",
            "residents_2021",
            "mean_need_score",
            "high_need_lsoas",
            "residents_adoption_gap",
            "residents_both",
        ],
        f"The wards with the highest resident-weighted mean need. A ward's residents and counts are sums over the "
        f"neighbourhoods ONS's best-fit lookup places in it, its mean need their resident-weighted mean. High need: "
        f"{t.high_need_short}."
        + (
            " The residents by triage class rest on a connectivity gap known only as area averages (hatched on the "
            "map), not each neighbourhood's own."
            if hatched
            else ""
        )
        + table_caution(n, [w["lad_code"] for w in _top_wards(n, lads)], "the residents by triage class"),
    )
    pdf.together(
        lambda p: (p.heading("Wards of highest need"), p.grid(ward_header, ward_rows, ward_widths, ward_source))
    )
    lsoa_header = [
        "Neighbourhood (LSOA)",
        "Ward (district)" if whole else "Ward",
        "Residents",
        "Need (0-10)",
        "Suggested offer",
        "Robustness",
    ]
    lsoa_widths = [38, 30, 17, 12, 46, 20]
    lsoa_rows = _lsoa_rows(n, lads, whole)
    lsoa_source = _table_source(
        n,
        "inclusion_priorities",
        ["ward_name", "residents_2021", "need_score", "suggested_offer", "robustness"],
        f"The neighbourhoods with the highest need. {_cap(robustness_words(lsoa_rows, t))}.",
    )
    pdf.together(
        lambda p: (
            p.heading("Neighbourhoods of highest need"),
            p.grid(lsoa_header, lsoa_rows, lsoa_widths, lsoa_source, size=7.5),
        )
    )
    access = zone_access_sentence(n, settings) if whole else district_access_sentence(n, code, settings)
    if access:
        pdf.heading("Reaching people", 11)
        pdf.para(access, 9)
    gp_heading, gp_header, gp_rows, gp_widths, gp_cited, gp_words, gp_intro = _gp_rows(
        n, lads, settings.gp_readiness.catchment_cap_m
    )
    gp_source = _table_source(n, "gp_readiness", gp_cited, gp_words)
    pdf.together(
        lambda p: (
            p.heading(gp_heading),
            p.para(gp_intro, 9),
            p.grid(gp_header, gp_rows, gp_widths, gp_source, size=7.5),
        )
    )
    pdf.heading("What the broadband data can and cannot say")
    example = con.execute(  # a postcode district of this briefing's own area, to name as an example
        "SELECT mode(broadband_area) FROM lsoa_triage WHERE list_contains($lads, lad_code) AND gap_is_area_average",
        {"lads": lads},
    ).fetchone()[0]
    for line in _broadband_caveat(
        summary.get("broadband_resolution", "postcode_district"),
        release_names(summary.get("broadband_release")),
        _since(n, code, name, summary, settings.outputs.max_districts),
        example,
    ):
        pdf.para(line, 9)

    keys = _sources(paths, n, trend is not None)
    letters = source_letters(keys)  # the other figures' notes point into the list of sources by these

    sections = [
        lambda t, size: _citations(t, n, key_notes, letters, size),
        lambda t, size: _references(t, n, size),
        lambda t, size: _sources_and_licences(t, keys, letters, size),
    ]
    _place_notes(pdf, sections, name)
    pdf.alias_nb_pages()
    write_text(dest, bytes(pdf.output()))
    return {"path": str(dest), "pages": pdf.pages_count, "figures": len(n.notes), "sources": keys}


def briefing_release_line(districts: list[dict], vintage_label: str) -> str:
    """The releases a briefing rests on, in words, from the district summary."""
    first = districts[0] if districts else {}
    parts = [f"Neighbourhoods: {vintage_label}", "residents: Census 2021"]
    if first.get("ofcom_release_name"):
        parts.append(f"district broadband: Ofcom Connected Nations {first['ofcom_release_name']} (via ONS)")
    if first.get("broadband_release"):
        kind = (
            # a third party's means: the header says so, as the notes do, before any figure is read
            "a third party's postcode-district means "
            f"({SOURCES['ofcom_postcode_district'].premises or 'premises'}; each postcode counted once; not shares "
            "of premises)"
            if first.get("broadband_resolution") == "postcode_district"
            else f"{(first.get('broadband_resolution') or '').replace('_', ' ')} figures"
        )
        releases = release_names(first["broadband_release"])
        parts.append(f"neighbourhood broadband: Ofcom Connected Nations {releases}, as {kind}")
    return "; ".join(parts)


def build_briefings(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    vintage = vintage_of(settings)
    folder = paths.briefings
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.pdf"):
        stale.unlink()
    districts = [r for r in Notes(paths.tables).rows("district_summary") if r["lad_code"] != ALL]
    release_line = briefing_release_line(districts, vintage.label)
    name = settings.study_area.name
    own = set(settings.own_output_districts)  # above outputs.max_districts, the area and those on request
    areas = [(r["lad_code"], r["area_name"], [r["lad_code"]]) for r in districts if r["lad_code"] in own]
    areas.append((ALL, name, [r["lad_code"] for r in districts]))
    made = draw_all(
        "briefings",
        con,
        paths,
        settings,
        {
            area: (build_one, (paths, settings, code, area, lads, folder / briefing_file(area), release_line))
            for code, area, lads in areas
        },
        first=(name,),  # the area's briefing, the longest
    )
    return produced(
        "briefings",
        [m["path"] for m in made.values()],
        {"briefings": {k: {"pages": v["pages"], "figures": v["figures"]} for k, v in made.items()}},
    )
