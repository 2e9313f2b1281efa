"""``maps/index.html``: the way in for planners and bid writers — every map, the method and the
headlines as pages, the tables listed one line each, the briefings, the data releases behind
them, and a postcode search that answers offline from a compact table embedded in the page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

from pipeline.geography import Vintage
from pipeline.outputs.html_page import markdown_page
from pipeline.outputs.mapkit import esc
from pipeline.paths import PROJECT_ROOT, Paths
from pipeline.registry import SOURCES, licence_lines
from pipeline.settings import Settings
from pipeline.store import write_text

MAPS = [
    ("triage.html", "Triage: fibre, inclusion or both",
     "One class per neighbourhood from inclusion need and the connectivity gap; the gap layer hatched where it is "
     "an area average."),
    ("need.html", "Inclusion need and hotspots",
     "Need by neighbourhood (people only), a layer per component, Gi* hot and cold spots (FDR), robust priorities."),
    ("inclusion_targeting.html", "Digital inclusion targeting",
     "Priority neighbourhoods for skills, device and data-donation outreach, by suggested offer and robustness."),
    ("fibre_planning.html", "Fibre planning",
     "The connectivity gap by neighbourhood and 1 km cell, GP sites by gigabit at their postcode."),
    ("gp_readiness.html", "GP telehealth readiness",
     "GP sites sized by registered patients, their catchments and Sub-ICB locations, readiness rank in each popup."),
]
CHARTS = [
    ("gigabit_over_time", "Gigabit-capable premises over time, by district, with England"),
    ("premises_below_30_over_time", "Premises without a service above 30 Mbit/s over time"),
    ("mobile_coverage_over_time", "4G and 5G land-area coverage over time"),
]
# The generation folder seen from its maps/ folder: the index links to the tables, briefings, charts
# and XLSX beside maps/, so the generation folder can be shared whole. (The project's maps/index.html
# is a page that sends the browser to the generation's copy: see pipeline/generations.py.)
PROCESSED = ".."


def briefing_file(name: str) -> str:
    """File name of a district's briefing: 'East Hertfordshire' -> 'east-hertfordshire.pdf'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".pdf"


SEARCH_JS = """
function diz_norm(s){s=(s||'').toUpperCase().replace(/\\s+/g,'');
  if(!/^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/.test(s))return null;return s;}
function diz_text(t){var d=document.createElement('span');d.textContent=t;return d.innerHTML;}
function diz_lookup(){
  var raw=document.getElementById('pc').value, out=document.getElementById('pc-answer'), pc=diz_norm(raw);
  var shown=pc?pc.slice(0,-3)+' '+pc.slice(-3):raw;
  if(!pc){out.innerHTML='<b>'+diz_text(raw||'(empty)')+'</b> is not a well-formed UK postcode.';return;}
  var hit=DIZ.pc[pc];
  if(!hit){out.innerHTML='<b>'+diz_text(shown)+'</b>: '+(DIZ.terminated.indexOf(pc)>=0?
      'a terminated postcode (no longer in use) in the study area.':
      'not a current postcode of the study area (outside it, or unknown). The command-line lookup says which.');return;}
  var a=DIZ.lsoas[hit[0]], g=hit[1]===null?null:DIZ.gps[hit[1]];
  var rows=[['Postcode',shown],['Neighbourhood (LSOA)',a[1]+' ('+a[0]+')'],['Ward',a[2]],['District',a[3]],
    ['Inclusion need',a[4]+' of 10 (decile '+a[5]+' of the study area; 1 = highest)'],
    ['Connectivity gap',a[6]+' of 10 — '+a[7]],['Triage',a[8]],['Suggested offer',a[9]]];
  if(g)rows.push(['Nearest GP site',g[0]+' ('+g[1]+'), '+hit[2]+' m; readiness rank '+g[2]+' (1 = least ready)']);
  out.innerHTML='<table>'+rows.map(function(r){return '<tr><th>'+diz_text(r[0])+'</th><td>'+diz_text(String(r[1]))+
    '</td></tr>';}).join('')+'</table>';
}
"""


def search_data(con: duckdb.DuckDBPyConnection) -> dict:
    """A compact form of postcode_lookup: each LSOA and GP site once, each postcode as indices."""
    lsoas, at = [], {}
    for row in con.execute("""SELECT DISTINCT lsoa_code, lsoa_name, ward_name, lad_name, round(need_score, 1),
                                     need_decile, round(supply_gap_score, 1),
                                     CASE WHEN gap_is_area_average THEN 'an area average for ' || gap_area
                                          ELSE 'measured in the neighbourhood' END,
                                     triage_class, coalesce(inclusion_offer, '')
                              FROM postcode_lookup WHERE lsoa_code IS NOT NULL ORDER BY 1""").fetchall():
        at[row[0]] = len(lsoas)
        lsoas.append(list(row))
    gps, gp_at = [], {}
    for code, name, postcode, rank in con.execute("""SELECT DISTINCT nearest_gp_code, nearest_gp_name,
            nearest_gp_postcode, nearest_gp_readiness_rank FROM postcode_lookup WHERE nearest_gp_code IS NOT NULL
            ORDER BY 1""").fetchall():
        gp_at[code] = len(gps)
        gps.append([name, postcode, rank])
    postcodes = {pc.replace(" ", ""): [at.get(lsoa), gp_at.get(gp), int(d) if d is not None else None]
                 for pc, lsoa, gp, d in con.execute("""SELECT postcode, lsoa_code, nearest_gp_code, nearest_gp_distance_m
                                                      FROM postcode_lookup ORDER BY postcode""").fetchall()
                 if lsoa in at}
    terminated = [r[0] for r in con.execute("""SELECT DISTINCT replace(l.postcode, ' ', '') FROM ons_postcode_lookup l
        WHERE NOT l.is_live AND l.ladcd IN (SELECT DISTINCT lad_code FROM postcode_lookup)
        AND l.postcode NOT IN (SELECT postcode FROM postcode_lookup) ORDER BY 1""").fetchall()]
    return {"lsoas": lsoas, "gps": gps, "pc": postcodes, "terminated": terminated}


def build_index_page(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings, vintage: Vintage) -> dict:
    folder = paths.maps
    method = (PROJECT_ROOT / "docs" / "METHOD.md").read_text(encoding="utf-8")
    write_text(folder / "method.html", markdown_page(method, "Method", back="index.html"))
    sidecars = {p.name.removesuffix(".sources.json"): json.loads(p.read_text())
                for p in sorted(paths.tables.glob("*.sources.json"))}
    tables = "".join(
        f"<li><a href='{PROCESSED}/tables/{esc(s['file'])}'>{esc(s['file'])}</a> — {esc(s['description'])} "
        f"({s['rows']:,} rows; <a href='{PROCESSED}/tables/{esc(name)}.sources.json'>sources</a>)</li>"
        for name, s in sidecars.items())
    districts = [r[0] for r in con.execute("SELECT DISTINCT lad_name FROM lsoa_areas ORDER BY 1").fetchall()]
    briefings = "".join(f"<li><a href='{PROCESSED}/briefings/{briefing_file(d)}'>{esc(d)}</a></li>" for d in districts)
    briefings += (f"<li><a href='{PROCESSED}/briefings/{briefing_file(settings.study_area.name)}'>"
                  f"{esc(settings.study_area.name)} (whole area)</a></li>")
    maps = "".join(f"<li><a href='{esc(f)}'>{esc(t)}</a> — {esc(d)}</li>" for f, t, d in MAPS)
    charts = "".join(f"<li>{esc(t)}: <a href='{PROCESSED}/charts/{esc(n)}.png'>PNG</a>, "
                     f"<a href='{PROCESSED}/charts/{esc(n)}.svg'>SVG</a></li>" for n, t in CHARTS)
    used: dict[str, int] = {}
    for s in sidecars.values():
        for src in s.get("sources", []):
            used[src["source"]] = max(used.get(src["source"], 0), src.get("rows", 0))
    keys = [k for k in SOURCES if k in used]
    rows = "".join(
        f"<tr><td>{esc(s.title)}</td><td>{esc(s.publisher)}</td><td>{esc(s.release)}</td>"
        f"<td>{esc(s.resolution or '')}</td><td>{used[s.key]:,}</td><td>{esc(' '.join(s.licence))}</td></tr>"
        for s in (SOURCES[k] for k in keys))
    lines = "".join(f"<li>{esc(line)}</li>" for line in licence_lines(keys))
    data = json.dumps(search_data(con), separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
    area = esc(settings.study_area.name)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{area}: maps, tables and briefings</title>
<style>body{{font:15px/1.45 sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;font-size:13px}}td,th{{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}}
th{{background:#f3f3f3}}#search{{background:#f7f9fc;border:1px solid #cdd7e5;border-radius:6px;padding:10px 14px}}
#pc{{font-size:16px;padding:4px 8px;width:11em;text-transform:uppercase}}#pc-answer{{margin-top:8px}}</style>
<script>var DIZ={data};{SEARCH_JS}</script></head>
<body>
<h1>{area}</h1>
<p>Where people most need digital-inclusion support, and where the networks fall short — measured apart
(small areas: {esc(vintage.label)} LSOAs). Every map opens offline; only the optional background map needs a
connection.</p>
<div id="search"><b>Look up a postcode</b> (works offline):
<input id="pc" placeholder="CM20 1AB" onkeydown="if(event.key==='Enter')diz_lookup()">
<button id="pc-go" onclick="diz_lookup()">Look up</button><div id="pc-answer"></div></div>
<h2>Maps</h2><ul>{maps}</ul>
<h2>Read first</h2><ul>
<li><a href="method.html">Method</a>: sources, formulas, weights, and what the data can and cannot say.</li>
<li><a href="{PROCESSED}/headlines.html">Headline figures</a> per district, each with its footnoted table cell.</li>
<li>Broadband is known per postcode district here (Ofcom, July 2024): it describes districts of postcodes, not
neighbourhoods, so it never ranks neighbourhoods within a district.</li></ul>
<h2>Briefings (PDF)</h2><ul>{briefings}</ul>
<h2>Tables for bid writers</h2>
<p><a href="{PROCESSED}/diz_evidence_pack.xlsx">Evidence pack (XLSX)</a>: every table below as a sheet, headed by
its sources and licence lines.</p><ul>{tables}</ul>
<h2>Change over time</h2><ul>{charts}</ul>
<h2>Data releases behind these outputs</h2>
<table><tr><th>Source</th><th>Publisher</th><th>Release</th><th>Resolution</th><th>Most rows in one table</th>
<th>Licence</th></tr>{rows}</table>
<h2>Licence lines</h2><ul>{lines}</ul>
</body></html>
"""
    write_text(folder / "index.html", page)
    return {"path": str(folder / "index.html"), "files": [str(folder / "index.html"), str(folder / "method.html")],
            "maps": len(MAPS), "tables": len(sidecars), "sources": len(keys), "search_data_bytes": len(data)}
