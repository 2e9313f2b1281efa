"""District briefings: a 2-4 page A4 PDF per study district and one for the whole area.

Written for councillors and bid writers who will not open a map or a table: the key figures as
sentences, each with a numbered note naming the published table, row and column it came from
(the same citation rule as ``headlines.md``), a static map drawn from the data, the connectivity
trend, the wards and neighbourhoods of highest need, the GP sites least ready for telehealth, what
the broadband data can and cannot say, and the sources and licences of exactly the tables used.

fpdf2 with DejaVu Sans (shipped inside matplotlib, embedded and subset), no network, and a fixed
creation date so an unchanged input writes the same bytes.
"""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import matplotlib

matplotlib.use("Agg")
import matplotlib.patheffects as effects  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from fpdf import FPDF  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from shapely import from_wkb  # noqa: E402

from pipeline.geography import vintage_of  # noqa: E402
from pipeline.inputs import use  # noqa: E402
from pipeline.outputs.headlines import Notes  # noqa: E402
from pipeline.outputs.map_index import briefing_file  # noqa: E402
from pipeline.outputs.map_triage import TRIAGE_COLOURS, TRIAGE_WORDS  # noqa: E402
from pipeline.paths import Paths  # noqa: E402
from pipeline.registry import SOURCES, licence_lines  # noqa: E402
from pipeline.settings import Settings  # noqa: E402
from pipeline.store import source_rows, write_text  # noqa: E402

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FIXED_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)  # stands in for "now": reproducible bytes
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
CITED = re.compile(r"\[(\d+)\]")
ALL = "ALL"
TABLES_USED = ("district_summary", "triage_summary", "ward_summary", "inclusion_priorities", "gp_readiness",
               "change_over_time")
MAP_TABLES = ("lsoa_triage", "lsoa_areas", "ward_boundaries", "lad_boundaries")


def prose(text: str) -> str:
    """'12,345[3]' -> '12,345³': the note number as a superscript, so figures read as sentences."""
    return CITED.sub(lambda m: m.group(1).translate(SUPERSCRIPT), text)


class BriefingPDF(FPDF):
    def __init__(self, area: str, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.area, self.footer_text = area, footer_text
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
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

    def grid(self, header: list[str], rows: list[list[str]], widths: list[float], source: str,
             size: float = 8.5) -> None:
        """A table of published rows; ``source`` names the table, its key and the columns shown."""
        self.set_font("DejaVu", size=size)
        with self.table(col_widths=widths, text_align="LEFT", line_height=size * 0.5, first_row_as_headings=True,
                        headings_style=_heading_style(), borders_layout="HORIZONTAL_LINES", padding=1) as table:
            for values in [header, *rows]:
                row = table.row()
                for value in values:
                    row.cell(prose(value))
        self.set_font("DejaVu", size=7)
        self.set_text_color(80)
        self.block(3.4, source)
        self.set_text_color(0)
        self.ln(2)
        self.set_font("DejaVu", size=10)


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(family="DejaVu", emphasis="BOLD", fill_color=(235, 235, 235))


def _figure_png(draw) -> bytes:
    """A matplotlib drawing as PNG bytes without a timestamp."""
    fig = draw()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=170, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _shapes(con: duckdb.DuckDBPyConnection, query: str, params: dict) -> list[dict]:
    rel = con.execute(f"SELECT * EXCLUDE (geom), ST_AsWKB(geom) AS _wkb FROM ({query})", params)
    names = [d[0] for d in rel.description]
    out = []
    for row in rel.fetchall():
        record = dict(zip(names, row))
        record["shape"] = from_wkb(bytes(record.pop("_wkb")))
        out.append(record)
    return out


def _draw_polygon(ax, shape, **style) -> None:
    for poly in getattr(shape, "geoms", [shape]):
        if poly.geom_type != "Polygon":
            continue
        x, y = poly.exterior.xy
        ax.fill(x, y, **style)


def _outline(ax, shape, **style) -> None:
    for line in getattr(shape.boundary, "geoms", [shape.boundary]):
        x, y = line.xy
        ax.plot(x, y, **style)


def triage_map(con: duckdb.DuckDBPyConnection, lads: list[str], label_wards: bool) -> bytes:
    """Triage class by LSOA, ward lines, district outline, and ward (or district) names."""
    params = {"lads": lads}
    lsoas = _shapes(con, """SELECT t.triage_class, a.geom FROM lsoa_triage t JOIN lsoa_areas a USING (lsoa_code)
                            WHERE list_contains($lads, t.lad_code) AND a.geom IS NOT NULL ORDER BY t.lsoa_code""",
                    params)
    wards = _shapes(con, """SELECT ward_name, geom FROM ward_boundaries WHERE list_contains($lads, lad_code)
                            ORDER BY ward_code""", params)
    districts = _shapes(con, "SELECT lad_name, geom FROM lad_boundaries WHERE list_contains($lads, lad_code) "
                             "ORDER BY lad_code", params)

    def draw():
        fig, ax = plt.subplots(figsize=(7.2, 5.6))
        for r in lsoas:
            _draw_polygon(ax, r["shape"], facecolor=TRIAGE_COLOURS[r["triage_class"]], edgecolor="#ffffff",
                          linewidth=0.25)
        for w in wards:
            _outline(ax, w["shape"], color="#555555", linewidth=0.45)
        for d in districts:
            _outline(ax, d["shape"], color="#111111", linewidth=1.4)
        halo = [effects.withStroke(linewidth=2.2, foreground="white")]
        labels = ([(w["ward_name"], w["shape"]) for w in wards] if label_wards
                  else [(d["lad_name"], d["shape"]) for d in districts])
        size = 5.2 if label_wards else 9
        for name, shape in labels:
            point = shape.representative_point()
            ax.text(point.x, point.y, name, fontsize=size, ha="center", va="center", path_effects=halo,
                    color="#111111", fontweight="bold" if not label_wards else "normal")
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.legend(handles=[Patch(facecolor=c, edgecolor="#999", label=TRIAGE_WORDS[k]) for k, c in TRIAGE_COLOURS.items()],
                  loc="lower left", fontsize=7, frameon=True, framealpha=0.9, title="Triage class", title_fontsize=7.5)
        return fig

    return _figure_png(draw)


def _rows(notes: Notes, table: str) -> list[dict[str, str]]:
    return notes.rows(table)


def _num(value: str, digits: int = 0) -> str:
    if value in ("", None):
        return "–"
    return f"{float(value):,.{digits}f}"


def _sources(paths: Paths, tables: tuple[str, ...]) -> list[str]:
    """Source keys that contributed rows to the published tables (CSV sidecars) and map layers used."""
    keys: list[str] = []
    for table in tables:
        sidecar = paths.tables / f"{table}.sources.json"
        if sidecar.exists():
            for s in json.loads(sidecar.read_text(encoding="utf-8")).get("sources", []):
                if s.get("rows") and s["source"] not in keys:
                    keys.append(s["source"])
    for table in MAP_TABLES:
        for key, rows in source_rows(paths.table_path(table)).items():
            if rows and key not in keys:
                keys.append(key)
    return keys


def _key_figures(n: Notes, code: str, name: str, whole: bool) -> list[str]:
    where = "the area" if whole else name
    items = [
        f"{name} has {n.cite('district_summary', 'residents_2021', lad_code=code)} residents (Census 2021) in "
        f"{n.cite('district_summary', 'lsoas', lad_code=code)} neighbourhoods (LSOAs, 2021).",
        f"{n.cite('district_summary', 'lsoas_in_top_need_decile', lad_code=code)} of those neighbourhoods are in the "
        f"study area's highest-need tenth for digital inclusion support; "
        f"{n.cite('district_summary', 'robust_need_priorities', lad_code=code)} stay there under every reasonable "
        "choice of weights, scaling and internet-use mapping.",
        f"{n.cite('district_summary', 'residents_both', lad_code=code)} residents live where high need and a "
        f"connectivity gap meet; {n.cite('district_summary', 'residents_adoption_gap', lad_code=code)} where need is "
        f"high but networks reach them (an inclusion offer); and "
        f"{n.cite('district_summary', 'residents_infrastructure_gap', lad_code=code)} where networks lag but need is "
        "not high (a case for fibre).",
        f"An estimated {n.cite('district_summary', 'pct_no_gigabit', 1, '%', lad_code=code)} of premises in {where} "
        f"lack gigabit-capable broadband and {n.cite('district_summary', 'pct_no_superfast', 1, '%', lad_code=code)} "
        "lack superfast (30 Mbit/s).",
        f"{n.cite('district_summary', 'gp_sites', lad_code=code)} GP sites "
        f"({n.cite('district_summary', 'gp_practices', lad_code=code)} practices and their branches) serve {where}.",
    ]
    return [item.replace("no residents live", "No residents live") for item in items]


def _trend_sentence(n: Notes, code: str) -> str | None:
    row = n.row("change_over_time", area_code=code, indicator="gigabit_capable_pct")
    if not row:
        return None
    return (f"Gigabit-capable premises went from "
            f"{n.cite('change_over_time', 'first_value', 1, '%', area_code=code, indicator='gigabit_capable_pct')} in "
            f"{row['first_snapshot']} to "
            f"{n.cite('change_over_time', 'latest_value', 1, '%', area_code=code, indicator='gigabit_capable_pct')} in "
            f"{row['latest_snapshot']} (Ofcom, as republished by ONS).")


def _ward_rows(n: Notes, lads: list[str], whole: bool) -> list[list[str]]:
    wards = [w for w in _rows(n, "ward_summary") if w["lad_code"] in lads and w["mean_need_score"]]
    wards.sort(key=lambda w: (-float(w["mean_need_score"]), w["ward_code"]))
    out = []
    for w in wards[:6]:
        cells = [w["ward_name"]] + ([w["lad_name"]] if whole else [])
        cells += [_num(w["residents_2021"]),
                  _num(w["mean_need_score"], 2),
                  _num(w["high_need_lsoas"]), _num(w["residents_adoption_gap"]), _num(w["residents_both"])]
        out.append(cells)
    return out


def _lsoa_rows(n: Notes, lads: list[str], whole: bool) -> list[list[str]]:
    code_col = next((k for k in (_rows(n, "inclusion_priorities") or [{}])[0] if k.startswith("lsoa") and k.endswith("cd")),
                    "lsoa21cd")
    name_col = code_col[:-2] + "nm"
    rows = [r for r in _rows(n, "inclusion_priorities") if r["lad_code"] in lads]
    rows.sort(key=lambda r: int(r["need_rank"]))
    out = []
    for r in rows[:6]:
        cells = [f"{r[name_col]} ({r[code_col]})", f"{r['ward_name']} ({r['lad_name']})" if whole else r["ward_name"]]
        cells += [_num(r["residents_2021"]), _num(r["need_score"], 1),
                  r["suggested_offer"], r["robustness"]]
        out.append(cells)
    return out


def _gp_rows(n: Notes, lads: list[str]) -> tuple[list[list[str]], str]:
    """The five least-ready ranked sites of these districts, and the sentences that introduce them."""
    from pipeline.outputs.gp_text import list_month, not_ranked_sentence, own_gigabit_sentence, ranked

    sites = _rows(n, "gp_readiness")
    chosen = [s for s in ranked(sites) if s["lad_code"] in lads][:5]
    out = []
    for s in chosen:
        if str(s.get("site_own_gigabit_known")).lower() == "true":
            gigabit = f"{_num(s['site_gigabit_pct'], 1)}% (its postcode)"
        elif s.get("site_broadband_area"):
            gigabit = f"not known ({s['site_broadband_area']} average {_num(s['site_gigabit_pct'], 0)}%)"
        else:
            gigabit = "not known"
        out.append([s["name"].title(), s["postcode"], _num(s["readiness_rank"]), _num(s["list_size"]), gigabit,
                    _num(s["catchment_mean_need"], 1)])
    intro = (f"Readiness ranks {len(ranked(sites))} of the study area's {len(sites)} GP sites (1 = least ready) from "
             "gigabit at the site itself where it is known, broadband across its catchment, and the inclusion need of "
             f"the people it serves. Patients are NHS England's registered lists at {list_month(sites)}.")
    extra = [t for t in (own_gigabit_sentence(sites), not_ranked_sentence(sites)) if t]
    return out, " ".join([intro] + extra)


def _broadband_caveat(resolution: str, release: str) -> list[str]:
    area_average = resolution != "postcode"
    lines = [
        f"The broadband figures are Ofcom Connected Nations ({release}) coverage: the share of premises that could "
        "order a service, not how many do, nor what speed they get.",
    ]
    if area_average:
        lines.append(
            "They are averages over postcode districts (such as CM20), not counts for each neighbourhood. Every "
            "neighbourhood in one postcode district carries that district's value, so they cannot rank "
            "neighbourhoods inside the same postcode district against each other; the triage and fibre tables mark "
            "such values as area averages. Each postcode counts once in the average, whatever its number of premises.")
    else:
        lines.append("They are measured for each postcode and summed over the premises of each neighbourhood.")
    lines.append("Need for inclusion support is scored from people (age, disability, deprivation and how people use "
                 "the internet) and never from broadband; the connectivity gap is scored separately. A place can be "
                 "high on one and low on the other: that is the point of the triage classes.")
    return lines


def build_one(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings, code: str, name: str,
              lads: list[str], dest: Path, release_line: str) -> dict:
    whole = code == ALL
    n = Notes(paths.tables)
    summary = n.row("district_summary", lad_code=code) or {}
    pdf = BriefingPDF(name, f"DIZ briefing: {name}")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 17)
    pdf.block(8, f"Digital inclusion and connectivity: {name}")
    pdf.set_font("DejaVu", size=9)
    pdf.set_text_color(70)
    scope = (f"The {len(lads)} districts of {settings.study_area.name}" if whole
             else f"{name} district ({code}), part of {settings.study_area.name}")
    pdf.block(4.5, f"{scope}. {release_line}.")
    pdf.set_text_color(0)
    pdf.heading("Key figures")
    pdf.bullets(_key_figures(n, code, name, whole))
    pdf.heading("Where: triage of neighbourhoods", 11)
    room = pdf.h - pdf.b_margin - pdf.get_y() - 14  # leave room for the caption
    pdf.image(io.BytesIO(triage_map(con, lads, label_wards=not whole)), x=pdf.l_margin, w=pdf.epw, h=room,
              keep_aspect_ratio=True)
    pdf.set_font("DejaVu", size=8)
    pdf.block(3.8, "Each neighbourhood (LSOA, 2021) coloured by triage class: high need for inclusion support "
                           "and/or a connectivity gap, against the study area's highest tenths. Lines: wards (May "
                           "2024) and districts. Data: lsoa_triage, lsoa_areas, ward and district boundaries.")
    pdf.add_page()
    pdf.heading("Connectivity over time")
    chart = paths.charts / "gigabit_over_time.png"
    if chart.exists():
        pdf.image(str(chart), w=pdf.epw * 0.72, x=pdf.l_margin + pdf.epw * 0.14)
    trend = _trend_sentence(n, code) if not whole else None
    if trend:
        pdf.para(trend)
    pdf.heading("Wards of highest need")
    ward_header = ["Ward"] + (["District"] if whole else []) + ["Residents", "Mean need (0-10)", "High-need LSOAs",
                                                                  "Residents: adoption gap", "Residents: both"]
    ward_widths = [34] + ([28] if whole else []) + [18, 20, 18, 22, 20]
    pdf.grid(ward_header, _ward_rows(n, lads, whole), ward_widths,
             "From ward_summary.csv (one row per ward_code): residents_2021, mean_need_score, high_need_lsoas, "
             "residents_adoption_gap, residents_both; the wards with the highest mean need.")
    pdf.heading("Neighbourhoods of highest need")
    lsoa_header = ["Neighbourhood (LSOA)", "Ward (district)" if whole else "Ward", "Residents", "Need (0-10)",
                   "Suggested offer", "Robustness"]
    lsoa_widths = [38, 30, 17, 12, 46, 20]
    pdf.grid(lsoa_header, _lsoa_rows(n, lads, whole), lsoa_widths,
             "From inclusion_priorities.csv (one row per LSOA): residents_2021, need_score, suggested_offer, "
             "robustness (robust: in the top tenth in at least 90% of the weight, scaling and mapping draws).", size=7.5)
    pdf.heading("GP sites least ready for telehealth")
    gp_rows, gp_intro = _gp_rows(n, lads)
    pdf.para(gp_intro, 9)
    pdf.grid(["Site", "Postcode", "Rank", "Patients", "Site's own gigabit", "Catchment need"], gp_rows,
             [50, 18, 12, 16, 48, 21],
             "From gp_readiness.csv (one row per site_code): readiness_rank, list_size (at list_size_extract), "
             "site_own_gigabit_known with site_gigabit_pct and site_broadband_area, catchment_mean_need.", size=7.5)
    pdf.heading("What the broadband data can and cannot say")
    for line in _broadband_caveat(summary.get("broadband_resolution", "postcode_district"),
                                  summary.get("broadband_release", "")):
        pdf.para(line, 9)
    pdf.heading("Notes: where each figure comes from")
    pdf.set_font("DejaVu", size=7)
    notes = [f"{line.split('] ', 1)[0][1:].translate(SUPERSCRIPT)} {line.split('] ', 1)[1].replace('`', '')}"
             for line in n.lines]
    with pdf.text_columns(ncols=2, gutter=6, text_align="LEFT", line_height=1.15, balance=True) as columns:
        for note in notes:
            columns.write(note + "\n")
    pdf.set_font("DejaVu", size=8)
    pdf.ln(1)
    pdf.block(3.8, "Tables are in data/processed/tables/ (CSV, each with a .sources.json) and in the "
                           "evidence pack (XLSX); the method is docs/METHOD.md.")
    pdf.heading("Sources and licences")
    keys = _sources(paths, TABLES_USED)
    with pdf.text_columns(ncols=2, gutter=6, text_align="LEFT", line_height=1.15, balance=True) as columns:
        pdf.set_font("DejaVu", size=6.8)
        for key in keys:
            s = SOURCES[key]
            columns.write(f"{s.title}. {s.publisher}, {s.release}. {s.url or s.page}\n")
        pdf.set_font("DejaVu", "B", 7)
        columns.write("\nLicences\n")
        pdf.set_font("DejaVu", size=6.8)
        for line in licence_lines(keys):
            columns.write(line + "\n")
    pdf.alias_nb_pages()
    write_text(dest, bytes(pdf.output()))
    return {"path": str(dest), "pages": pdf.pages_count, "figures": len(n.lines), "sources": keys}


def build_briefings(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> dict:
    vintage = vintage_of(settings)
    use(con, paths, *MAP_TABLES, vintage=vintage)
    folder = paths.briefings
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.pdf"):
        stale.unlink()
    districts = [r for r in Notes(paths.tables).rows("district_summary") if r["lad_code"] != ALL]
    release_line = (f"Neighbourhoods: {vintage.label}; residents: Census 2021; broadband: "
                    f"Ofcom Connected Nations {districts[0]['broadband_release'] if districts else ''}")
    made = {}
    for r in districts:
        made[r["area_name"]] = build_one(con, paths, settings, r["lad_code"], r["area_name"], [r["lad_code"]],
                                         folder / briefing_file(r["area_name"]), release_line)
    name = settings.study_area.name
    made[name] = build_one(con, paths, settings, ALL, name, [r["lad_code"] for r in districts],
                           folder / briefing_file(name), release_line)
    return {"briefings": [Path(m["path"]) for m in made.values()],
            "_metadata": {"briefings": {k: {"pages": v["pages"], "figures": v["figures"]} for k, v in made.items()}}}
