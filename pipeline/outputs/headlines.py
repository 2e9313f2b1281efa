"""``headlines.md`` (and ``headlines.html``): the key figures as sentences a bid writer can lift,
each figure followed by a numbered footnote that names the table, row and column it was read
from, so every number can be traced (and is checked: ``check_footnotes``)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from pipeline.outputs.html_page import markdown_page
from pipeline.registry import SOURCES
from pipeline.store import write_text

FIGURE = re.compile(r"(?P<value>-?[\d,]+(?:\.\d+)?)%?\[(?P<n>\d+)\]")
FOOTNOTE = re.compile(r"^\[(?P<n>\d+)\] `(?P<table>\w+)\.csv` \| (?P<keys>.+?) \| `(?P<column>\w+)`", re.M)


def read_table(folder: Path, name: str) -> list[dict[str, str]]:
    path = folder / f"{name}.csv"
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def md_text(text: str) -> str:
    """Source text for Markdown: HTML escaped, Markdown punctuation backslashed, so it shows as written."""
    return re.sub(r"([\\`*_{}\[\]()#+!|])", r"\\\1", (text or "").lstrip("'").replace("<", "&lt;").replace(">", "&gt;"))


def number(text: str, digits: int = 0) -> str:
    if text in ("", None):
        return "no figure"
    return f"{float(text):,.{digits}f}"


class Notes:
    """Numbered footnotes, one per cited cell."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.tables: dict[str, list[dict[str, str]]] = {}
        self.lines: list[str] = []
        self.index: dict[tuple, int] = {}

    def rows(self, table: str) -> list[dict[str, str]]:
        if table not in self.tables:
            self.tables[table] = read_table(self.folder, table)
        return self.tables[table]

    def row(self, table: str, **keys: str) -> dict[str, str] | None:
        return next((r for r in self.rows(table) if all(r.get(k) == v for k, v in keys.items())), None)

    def cite(self, table: str, column: str, digits: int = 0, suffix: str = "", **keys: str) -> str:
        row = self.row(table, **keys)
        if row is None or row.get(column) in ("", None):
            return "no"  # no row: none in that class, or no value published
        ref = (table, column, tuple(sorted(keys.items())))
        if ref not in self.index:
            self.index[ref] = len(self.index) + 1
            where = "; ".join(f"{k}={v}" for k, v in keys.items())
            self.lines.append(f"[{self.index[ref]}] `{table}.csv` | {where} | `{column}`")
        return f"{number(row[column], digits)}{suffix}[{self.index[ref]}]"


def build_headlines(tables: Path, dest: Path, study_area_name: str, vintage_label: str) -> dict:
    n = Notes(tables)
    summary = n.rows("district_summary")
    districts = [r for r in summary if r["lad_code"] != "ALL"]
    lines = [f"# Headline figures: {md_text(study_area_name)}", "",
             "Each figure is followed by a footnote naming the table, row and column it comes from (files in "
             "`data/processed/tables/`, each with a `.sources.json` giving its sources, releases and licence lines).",
             "",
             "**Read before quoting.** Broadband figures here are averages for postcode districts (Ofcom Connected "
             "Nations, July 2024), not counts for each neighbourhood: they describe the district of postcodes a "
             f"neighbourhood lies in. Neighbourhoods are Lower-layer Super Output Areas, {vintage_label}; residents are "
             "Census 2021.", ""]
    lines += ["## The study area", ""]
    lines.append(f"The study area has {n.cite('district_summary', 'residents_2021', lad_code='ALL')} residents in "
                 f"{n.cite('district_summary', 'lsoas', lad_code='ALL')} neighbourhoods (LSOAs).")
    lines.append("")
    tri = {c: n.cite("triage_summary", "residents", area_code="ALL", triage_class=c)
           for c in ("both", "adoption gap", "infrastructure gap")}
    lines.append(f"{tri['both']} residents live where high inclusion need and a connectivity gap meet (fibre and "
                 f"inclusion); {tri['adoption gap']} live where need is high but networks reach them (an inclusion "
                 f"offer: skills, devices, data); and {tri['infrastructure gap']} where networks lag but need is not "
                 "high (fibre).")
    lines.append("")
    lines.append(f"Of the study area's highest-need neighbourhoods, "
                 f"{n.cite('district_summary', 'robust_need_priorities', lad_code='ALL')} stay in the top tenth "
                 "whatever reasonable weights, scaling and internet-use mapping are chosen (rank_uncertainty).")
    lines += ["", "The highest-need neighbourhoods:", ""]
    for r in sorted(n.rows("lsoa_need"), key=lambda r: int(r["need_rank"]))[:5]:
        code = next(k for k in r if k.endswith("cd") and k.startswith("lsoa"))
        name = next(k for k in r if k.endswith("nm") and k.startswith("lsoa"))
        lines.append(f"- {md_text(r[name])} ({md_text(r['ward_name'])}, {md_text(r['lad_name'])}): need "
                     f"{n.cite('lsoa_need', 'need_score', 1, **{code: r[code]})} of 10, "
                     f"{n.cite('lsoa_need', 'residents_2021', **{code: r[code]})} residents.")
    lines.append("")
    for r in districts:
        code = r["lad_code"]
        lines += [f"## {md_text(r['area_name'])}", ""]
        lines.append(f"{md_text(r['area_name'])} has {n.cite('district_summary', 'residents_2021', lad_code=code)} "
                     f"residents. {n.cite('district_summary', 'lsoas_in_top_need_decile', lad_code=code)} of its "
                     f"{n.cite('district_summary', 'lsoas', lad_code=code)} neighbourhoods are in the study area's "
                     f"highest-need tenth, {n.cite('district_summary', 'robust_need_priorities', lad_code=code)} of "
                     "them robustly.")
        lines.append("")
        lines.append(f"An estimated {n.cite('district_summary', 'pct_no_gigabit', 1, '%', lad_code=code)} of premises "
                     f"lack gigabit-capable broadband and {n.cite('district_summary', 'pct_no_superfast', 1, '%', lad_code=code)} "
                     f"lack superfast (postcode-district averages, Ofcom {md_text(r['broadband_release'])}). "
                     f"{_cap(n.cite('district_summary', 'residents_infrastructure_gap', lad_code=code))} residents live in "
                     "neighbourhoods classed infrastructure gap and "
                     f"{n.cite('district_summary', 'residents_adoption_gap', lad_code=code)} in adoption gap.")
        change = n.row("change_over_time", area_code=code, indicator="gigabit_capable_pct")
        if change:
            lines.append("")
            lines.append(f"Gigabit-capable premises went from "
                         f"{n.cite('change_over_time', 'first_value', 1, '%', area_code=code, indicator='gigabit_capable_pct')} "
                         f"in {change['first_snapshot']} to "
                         f"{n.cite('change_over_time', 'latest_value', 1, '%', area_code=code, indicator='gigabit_capable_pct')} "
                         f"in {change['latest_snapshot']} (Ofcom via ONS), the "
                         f"{_ordinal(change['improvement_rank'])}largest rise of the {len(districts)} districts.")
        recon = n.row("reconciliation", lad_code=code)
        if recon and recon.get("difference_pp"):
            lines.append("")
            lines.append(f"For July 2024, Ofcom's own district figure is "
                         f"{n.cite('reconciliation', 'series_pct', 1, '%', lad_code=code)} gigabit-capable against "
                         f"{n.cite('reconciliation', 'derived_pct', 1, '%', lad_code=code)} from the postcode-district "
                         "averages used here, which weigh every postcode equally.")
        lines.append("")
        lines.append(f"It has {n.cite('district_summary', 'gp_sites', lad_code=code)} GP sites "
                     f"({n.cite('district_summary', 'gp_practices', lad_code=code)} practices).")
        lines.append("")
    lines += ["## GP sites least ready for telehealth", ""]
    from pipeline.outputs.gp_text import list_month, not_ranked_sentence, own_gigabit_sentence, ranked

    gp = n.rows("gp_readiness")
    ranked_sites = ranked(gp)
    lines.append(f"Readiness ranks {len(ranked_sites)} of the {len(gp)} GP sites (1 = least ready); registered "
                 f"patients are NHS England's lists at {list_month(gp)}.")
    lines.append("")
    for s in ranked_sites[:5]:
        lines.append(f"- {md_text(s['name'])} ({md_text(s['postcode'])}): readiness rank "
                     f"{n.cite('gp_readiness', 'readiness_rank', site_code=s['site_code'])}, score "
                     f"{n.cite('gp_readiness', 'readiness_score', 2, site_code=s['site_code'])} of 10.")
    for sentence in (own_gigabit_sentence(gp), not_ranked_sentence(gp)):
        if sentence:
            lines += ["", md_text(sentence)]
    releases = sorted({f"{SOURCES[s['source']].title}: {SOURCES[s['source']].release}"
                       for t in ("district_summary", "lsoa_need", "triage_summary")
                       for s in _sidecar_sources(tables, t)})
    lines += ["", "## Footnotes", ""] + [f"{line}  " for line in n.lines]
    lines += ["", "## Releases", ""] + [f"- {md_text(r)}" for r in releases] + [""]
    text = "\n".join(lines)
    write_text(dest, text)
    write_text(dest.with_suffix(".html"), markdown_page(text, f"Headline figures: {study_area_name}"))
    return {"path": str(dest), "districts": len(districts), "figures": len(n.lines)}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ordinal(text: str) -> str:
    """'1' -> '', '2' -> 'second ': for "the second largest rise"."""
    value = int(float(text))
    return {1: "", 2: "second ", 3: "third ", 4: "fourth ", 5: "fifth "}.get(value, f"{value}th ")


def _sidecar_sources(tables: Path, name: str) -> list[dict]:
    import json

    path = tables / f"{name}.sources.json"
    return json.loads(path.read_text()).get("sources", []) if path.exists() else []


def check_footnotes(tables: Path, text: str) -> list[str]:
    """Every figure[n] in the text checked against the cell its footnote n names; problems returned."""
    notes = {m["n"]: m for m in FOOTNOTE.finditer(text)}
    body = text.split("## Footnotes")[0]
    problems, cache = [], {}
    for fig in FIGURE.finditer(body):
        note = notes.get(fig["n"])
        if note is None:
            problems.append(f"figure {fig.group(0)} has no footnote {fig['n']}")
            continue
        rows = cache.setdefault(note["table"], read_table(tables, note["table"]))
        keys = dict(k.split("=", 1) for k in note["keys"].split("; "))
        found = [r for r in rows if all(r.get(k) == v for k, v in keys.items())]
        if len(found) != 1:
            problems.append(f"[{fig['n']}]: {len(found)} rows match {keys} in {note['table']}.csv")
            continue
        shown = fig["value"].replace(",", "")
        digits = len(shown.split(".")[1]) if "." in shown else 0
        if round(float(found[0][note["column"]]), digits) != float(shown):
            problems.append(f"{fig.group(0)}: {note['table']}.csv holds {found[0][note['column']]}")
    return problems
