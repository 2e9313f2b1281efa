"""Map 5: index.html — links to every map and chart, with data releases and licence lines."""

from __future__ import annotations

from pathlib import Path

from pipeline.outputs.mapkit import esc
from pipeline.registry import SOURCES, licence_lines
from pipeline.store import write_text

MAPS = [
    ("exclusion_hotspots.html", "Digital exclusion hotspots",
     "Index by LSOA, a layer per component, Getis-Ord Gi* hot and cold spots, district boundaries."),
    ("fibre_planning.html", "Fibre planning",
     "1 km cells ranked by the gigabit gap, postcodes lacking gigabit, GP sites by gigabit at their postcode."),
    ("gp_readiness.html", "GP telehealth readiness",
     "GP sites sized by registered patients, their catchments, readiness rank in each site's popup."),
    ("inclusion_targeting.html", "Digital inclusion targeting",
     "Priority LSOAs for skills, device and data-donation outreach, with resident counts."),
]
CHARTS = [
    ("gigabit_over_time", "Gigabit-capable premises over time, by district, with England"),
    ("premises_below_30_over_time", "Premises without a service above 30 Mbit/s over time"),
    ("mobile_coverage_over_time", "4G and 5G land-area coverage over time"),
]
# Sources behind the maps and charts, in the order people read them.
SOURCE_KEYS = ["ofcom_postcode_district", "ofcom_postcode_coverage", "ofcom_la_coverage", "ons_local_indicators",
               "codepoint_open", "ons_postcode_lookup", "imd2019", "census2021_age", "lsoa11_lsoa21_lookup",
               "ruc2011", "population_density", "lsoa_boundaries", "lad_boundaries", "epraccur", "ebranchs",
               "gp_list_sizes", "gp_pcn_mapping", "gp_imd_score"]


def build_index_page(dest: Path, study_area_name: str, index_mode: str, charts_dir: str = "../data/processed/charts",
                     notes: list[str] | None = None) -> dict:
    maps = "".join(f"<li><a href='{esc(f)}'>{esc(t)}</a> — {esc(d)}</li>" for f, t, d in MAPS)
    charts = "".join(f"<li>{esc(t)}: <a href='{esc(charts_dir)}/{esc(n)}.png'>PNG</a>, "
                     f"<a href='{esc(charts_dir)}/{esc(n)}.svg'>SVG</a></li>" for n, t in CHARTS)
    rows = "".join(
        f"<tr><td>{esc(s.title)}</td><td>{esc(s.publisher)}</td><td>{esc(s.release)}</td>"
        f"<td>{esc(s.resolution or '')}</td><td>{esc(' '.join(s.licence))}</td></tr>"
        for s in (SOURCES[k] for k in SOURCE_KEYS))
    caveats = "".join(f"<li>{esc(n)}</li>" for n in (notes or []))
    lines = "".join(f"<li>{esc(line)}</li>" for line in licence_lines(SOURCE_KEYS))
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(study_area_name)}: maps and charts</title>
<style>body{{font:15px/1.45 sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;font-size:13px}}td,th{{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}}
th{{background:#f3f3f3}}</style></head>
<body>
<h1>{esc(study_area_name)}</h1>
<p>Digital exclusion and fibre evidence. Index weights: {esc(index_mode)}. Every map opens offline; the
background map needs an internet connection and the data layers do not.</p>
<h2>Maps</h2><ul>{maps}</ul>
<h2>Change over time</h2><ul>{charts}</ul>
<h2>Tables for bid writers</h2>
<ul><li><a href="../data/processed/diz_evidence_pack.xlsx">Evidence pack (XLSX)</a> and
<a href="../data/processed/tables/">CSV tables with their sources</a></li>
<li><a href="../data/processed/headlines.md">Headline figures per district</a></li></ul>
<h2>Read before quoting</h2><ul>{caveats}</ul>
<h2>Data releases</h2>
<table><tr><th>Source</th><th>Publisher</th><th>Release</th><th>Resolution</th><th>Licence</th></tr>{rows}</table>
<h2>Licence lines</h2><ul>{lines}</ul>
</body></html>
"""
    write_text(dest, page)
    return {"path": str(dest), "maps": len(MAPS), "charts": len(CHARTS), "sources": len(SOURCE_KEYS)}
