"""Checks on what people open: every cited figure matches its cell, every table names its
sources, maps load nothing from the network, briefings are 2-5 readable pages."""

from __future__ import annotations

import json
import re

from pipeline.checks import CheckContext, CheckResult

REMOTE = re.compile(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(?:https?:)?//', re.I)
LIVE_FORMULA = re.compile(r'(^|,)"?[=+\-@\t\r][^0-9.,]', re.M)


def headline_figures_match_their_cells(ctx: CheckContext) -> CheckResult:
    """Each figure in headlines.md is the value of the table cell its footnote names."""
    text = (ctx.paths.gen / "headlines.md").read_text(encoding="utf-8")
    from pipeline.outputs.headlines import check_footnotes  # the drawing stack loads only when a check runs

    problems = check_footnotes(ctx.paths.tables, text)
    cited = text.count("\n[") + text.startswith("[")
    return CheckResult(
        cited > 0 and not problems,
        f"{len(problems)} of the cited figures do not match" if problems else "every cited figure matches its cell",
        {"footnotes": cited, "problems": problems[:20]},
    )


def every_table_names_its_sources(ctx: CheckContext) -> CheckResult:
    """Each CSV has a sidecar naming the sources that gave it rows, with their row counts and licence lines."""
    missing = []
    for csv_file in sorted(ctx.paths.tables.glob("*.csv")):
        sidecar = ctx.paths.tables / f"{csv_file.stem}.sources.json"
        record = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}
        if csv_file.stem != "sources" and (
            not record.get("licence") or any(not s.get("rows") for s in record.get("sources", [{}]))
        ):
            missing.append(csv_file.name)
    return CheckResult(
        not missing,
        f"{len(missing)} tables without sources" if missing else "every table cites its sources",
        {"tables_without_sources": missing},
    )


def csv_cells_are_inert(ctx: CheckContext) -> CheckResult:
    """No CSV text cell starts with a formula character (=, +, -, @, tab, CR) unless defused with a quote."""
    live = {}
    for csv_file in sorted(ctx.paths.tables.glob("*.csv")):
        hits = [m.group(0) for m in LIVE_FORMULA.finditer(csv_file.read_text(encoding="utf-8"))]
        if hits:
            live[csv_file.name] = hits[:3]
    return CheckResult(not live, f"{len(live)} tables with live formulas" if live else "no live formulas", live)


def maps_load_nothing_from_the_network(ctx: CheckContext) -> CheckResult:
    """Every map and the index exist and reference no remote script, stylesheet or image (tiles aside)."""
    problems = {}
    from pipeline.outputs.map_index import MAPS  # folium loads only when the check runs, not with the definitions

    for name in [m[0] for m in MAPS] + ["index.html", "method.html"]:
        path = ctx.paths.maps / name
        if not path.exists():
            problems[name] = "missing"
        elif REMOTE.search(path.read_text(encoding="utf-8")):
            problems[name] = "loads a remote resource"
    return CheckResult(
        not problems,
        "; ".join(f"{k}: {v}" for k, v in problems.items()) or "every map opens offline",
        {"problems": problems},
    )


def briefings_are_two_to_five_pages(ctx: CheckContext) -> CheckResult:
    """One briefing per study district with outputs of its own (settings [outputs]) and one for the area,
    each 2-5 A4 pages with text."""
    from pypdf import PdfReader

    pages = {}
    for pdf in sorted(ctx.paths.briefings.glob("*.pdf")):
        reader = PdfReader(pdf)
        pages[pdf.name] = len(reader.pages) if reader.pages[0].extract_text().strip() else 0
    own = len(ctx.settings.own_output_districts)
    ok = len(pages) == own + 1 and all(2 <= n <= 5 for n in pages.values())
    of = f" (of {len(ctx.lads)}: settings [outputs])" if own < len(ctx.lads) else ""
    return CheckResult(
        ok, f"{len(pages)} briefings for {own} districts{of} and the area; pages {pages}", {"pages": pages}
    )
