"""``headlines.md``: the key figures per district, each followed by the table row it comes from.

Every figure is written as ``value [table.csv | key=value | column]`` so a reader (and a test)
can find the exact cell it was read from.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from pipeline.registry import SOURCES
from pipeline.store import write_text

INDICATOR_WORDS = {
    "gigabit_capable_pct": "gigabit-capable premises",
    "premises_below_30_pct": "premises without a service above 30 Mbit/s",
    "coverage_5g_area_pct": "5G outdoor land-area coverage",
    "coverage_4g_area_pct": "4G outdoor land-area coverage",
}


def read_table(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def md_text(text: str) -> str:
    """Source text for Markdown: HTML escaped, Markdown punctuation backslashed, so it shows as written."""
    return re.sub(r"([\\`*_{}\[\]()#+!|])", r"\\\1", (text or "").replace("<", "&lt;").replace(">", "&gt;"))


def number(text: str, digits: int = 0, suffix: str = "") -> str:
    if text in ("", None):
        return "no data"
    value = float(text)
    return f"{value:,.{digits}f}{suffix}"


class Cite:
    """Formats a cell and says where it is."""

    def __init__(self, table: str, rows: list[dict[str, str]], *keys: str):
        self.table, self.keys = table, keys
        self.rows = {tuple(r[k] for k in keys): r for r in rows}

    def __call__(self, key: tuple[str, ...] | str, column: str, digits: int = 0, suffix: str = "") -> str:
        key = key if isinstance(key, tuple) else (key,)
        value = self.rows[key][column]
        where = " | ".join(f"{k}={v}" for k, v in zip(self.keys, key))
        return f"{number(value, digits, suffix)} [{self.table}.csv | {where} | {column}]"


def build_headlines(tables: Path, dest: Path, study_area_name: str) -> dict:
    summary_rows = read_table(tables, "district_summary")
    summary = Cite("district_summary", summary_rows, "lad_code")
    change_rows = read_table(tables, "change_over_time")
    change = Cite("change_over_time", change_rows, "area_code", "indicator")
    recon = Cite("reconciliation", read_table(tables, "reconciliation"), "lad_code")
    priorities = read_table(tables, "inclusion_priorities")
    gp = read_table(tables, "gp_readiness")

    lines = [f"# Headline figures: {study_area_name}", "",
             "Each figure is followed by the table and row it comes from (files in `data/processed/tables/`, "
             "each with a `.sources.json` naming its sources, releases and licence lines).", "",
             "**Read before quoting:** broadband figures for neighbourhoods come from Ofcom's July 2024 data as "
             "postcode-district averages, not premises-level counts. District trends use Ofcom's own district "
             "figures as republished by ONS.", ""]
    districts = [r for r in summary_rows if r["lad_code"] != "ALL"]
    n = len(districts)
    for r in [*districts, next(x for x in summary_rows if x["lad_code"] == "ALL")]:
        code = r["lad_code"]
        lines += [f"## {md_text(r['area_name'])}" + (f" ({code})" if code != "ALL" else ""), ""]
        lines.append(f"- Residents (Census 2021): {summary(code, 'residents_2021')}; live postcodes: "
                     f"{summary(code, 'postcodes')}.")
        lines.append(f"- Estimated premises without superfast broadband: {summary(code, 'pct_no_superfast', 1, '%')}; "
                     f"without gigabit: {summary(code, 'pct_no_gigabit', 1, '%')} (postcode-district averages, "
                     f"Ofcom {r['broadband_release']}).")
        lines.append(f"- Neighbourhoods (LSOAs) in the study area's highest-risk tenth: "
                     f"{summary(code, 'lsoas_in_top_index_decile')} of {summary(code, 'lsoas')}; in a Gi* hot spot: "
                     f"{summary(code, 'hotspot_lsoas')} (95% confidence or more: {summary(code, 'hotspot_lsoas_95')}).")
        lines.append(f"- GP sites: {summary(code, 'gp_sites')} ({summary(code, 'gp_practices')} practices); mean "
                     f"gigabit availability at their postcodes {summary(code, 'gp_sites_mean_gigabit_pct', 1, '%')}.")
        mine = [p for p in priorities if code == "ALL" or p["lad_code"] == code]
        if mine:
            residents = sum(int(p["residents_2021"]) for p in mine)
            lines.append(f"- Priority neighbourhoods for inclusion outreach: {len(mine)} with {residents:,} residents "
                         f"(count of rows{'' if code == 'ALL' else f' with lad_code={code}'} in inclusion_priorities.csv).")
        if code != "ALL":
            for indicator in ("gigabit_capable_pct", "premises_below_30_pct", "coverage_5g_area_pct"):
                row = change.rows.get((code, indicator))
                if not row:
                    continue
                words = INDICATOR_WORDS[indicator]
                digits = 2 if indicator.startswith("coverage") else 1  # area coverage is published to 2 dp
                lines.append(f"- {words[0].upper() + words[1:]}: {change((code, indicator), 'first_value', digits, '%')} "
                             f"in {row['first_snapshot']} to {change((code, indicator), 'latest_value', digits, '%')} in "
                             f"{row['latest_snapshot']}, a change of {change((code, indicator), 'change_pp', digits)} points; "
                             f"rank {change((code, indicator), 'improvement_rank')} of {n} for improvement.")
            if (code,) in recon.rows:
                lines.append(f"- Reconciliation, July 2024 gigabit-capable: Ofcom's district figure "
                             f"{recon(code, 'series_pct', 1, '%')}, our postcode-district input "
                             f"{recon(code, 'derived_pct', 1, '%')}, difference {recon(code, 'difference_pp', 2)} points.")
        lines.append("")
    least = sorted(gp, key=lambda s: int(s["readiness_rank"]))[:5]
    lines += ["## GP sites least ready for telehealth", ""]
    site = Cite("gp_readiness", gp, "site_code")
    for s in least:
        lines.append(f"- {md_text(s['name'])} ({md_text(s['postcode'])}): readiness rank {site(s['site_code'], 'readiness_rank')}, "
                     f"score {site(s['site_code'], 'readiness_score', 2)}.")
    releases = sorted({f"{SOURCES[k].title}: {SOURCES[k].release}" for k in
                       ("ofcom_postcode_district", "ons_local_indicators", "imd2019", "census2021_age", "epraccur",
                        "codepoint_open")})
    lines += ["", "## Releases", ""] + [f"- {r}" for r in releases] + [""]
    write_text(dest, "\n".join(lines))
    return {"path": str(dest), "districts": n, "lines": len(lines)}
