"""``maps/index.html``: the way in for planners and bid writers — every map, the method and the
headlines as pages, the tables listed one line each, the briefings, the data releases behind
them, and a postcode search that answers offline from a compact table embedded in the page."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb

from pipeline.geography import Vintage
from pipeline.lookup import (
    CAUTION_COLUMNS,
    NEAREST_GP,
    OWN_DISTRICT_NOTE,
    RESIDENT_NEXT_STEP,
    action_caution,
    action_text,
    also_here,
    district_broadband,
    gap_caution,
    gap_in_words,
    library_text,
    need_sources,
    postcode_note,
    triage_text,
)
from pipeline.outputs.gp_text import nearest_rank_text, rank_words
from pipeline.outputs.html_page import markdown_page
from pipeline.outputs.map_fibre import fibre_map_description
from pipeline.outputs.mapkit import esc
from pipeline.outputs.peer_text import similar_means, zone_estimate
from pipeline.outputs.tables import omitted_tables
from pipeline.paths import PROJECT_ROOT, Paths
from pipeline.registry import SOURCES, licence_lines
from pipeline.settings import Settings, shown
from pipeline.store import source_rows, write_text
from pipeline.wording import display_name, terms, triage_cuts_in

MAP_LAYERS = (
    "lsoa_areas",
    "lad_boundaries",
    "ward_boundaries",
    "settlements",
    "subicb_boundaries",
    "gp_catchments",
    "venues",
)

MAPS = [
    (
        "triage.html",
        "Triage: fibre, inclusion or both",
        "One class per neighbourhood from inclusion need and the connectivity gap; the gap layer hatched where it is "
        "an area average.",
    ),
    (
        "need.html",
        "Inclusion need and hotspots",
        "Need by neighbourhood (people only), a layer per component, Gi* hot and cold spots (FDR), robust priorities.",
    ),
    (
        "what_if.html",
        "What if the need weights were different?",
        "Move the weights of inclusion need (and its scaling base and IUC mapping) and see every neighbourhood's rank "
        "recomputed at once, which enter or leave the top tenth, a link to share and the TOML to keep.",
    ),
    (
        "inclusion_targeting.html",
        "Digital inclusion targeting",
        "Priority neighbourhoods for skills, device and data-donation outreach, by suggested offer and robustness.",
    ),
    (
        "fibre_planning.html",
        "Fibre planning",
        "",  # follows what the run's map draws: fibre_map_description
    ),
    (
        "access.html",
        "Reaching people",
        "How far each neighbourhood's people are from a library or other venue (straight line), and where new venues "
        "would reach most of those in need.",
    ),
    (
        "gp_readiness.html",
        "",  # the GP map's own title: what its rank rests on (rank_words)
        "GP sites sized by registered patients, their catchments and Sub-ICB locations; each site's rank, and what it "
        "rests on, in its popup.",
    ),
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


def gp_rank_words(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """What the GP ranking is called where people read it (``rank_words``), from the published sites."""
    sites = con.execute("SELECT * FROM gp_readiness")
    names = [d[0] for d in sites.description]
    return rank_words([dict(zip(names, row, strict=False)) for row in sites.fetchall()])


def briefing_file(name: str) -> str:
    """File name of a district's briefing: 'East Hertfordshire' -> 'east-hertfordshire.pdf'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".pdf"


SEARCH_JS = """
function diz_norm(s){s=(s||'').toUpperCase().replace(/\\s+/g,'');
  if(!/^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/.test(s))return null;return s;}
function diz_text(t){var d=document.createElement('span');d.textContent=t;return d.innerHTML;}
function diz_outside(outward, inward){var by=DIZ.outside[outward]||{};
  for(var lad in by){for(var i=0;i<by[lad].length;i+=3){if(by[lad].substr(i,3)===inward)return lad;}}return null;}
function diz_lookup(){
  var raw=document.getElementById('pc').value, out=document.getElementById('pc-answer'), pc=diz_norm(raw);
  var shown=pc?pc.slice(0,-3)+' '+pc.slice(-3):raw.slice(0,40);
  if(!pc){out.innerHTML='<b>'+diz_text(shown||'(empty)')+'</b> is not a well-formed UK postcode (for example '+
      'CM20 1AB). Check it with the resident and try again.';return;}
  var hit=DIZ.pc[pc], outward=pc.slice(0,-3);
  if(!hit){
    if(DIZ.terminated[pc]){out.innerHTML='<b>'+diz_text(shown)+'</b> is a terminated postcode (withdrawn by Royal '+
      'Mail in '+diz_text(DIZ.terminated[pc])+'). Ask for the current postcode of the address and look that up.';return;}
    var away=diz_outside(outward, pc.slice(-3));
    if(away!==null){out.innerHTML='<b>'+diz_text(shown)+'</b> is in '+diz_text(away)+', outside the area this page '+
      'covers ('+diz_text(DIZ.districts_list)+'). The resident\u2019s own council is the place to ask.';return;}
    if(DIZ.outward.indexOf(outward)>=0){out.innerHTML='<b>'+diz_text(shown)+'</b> is not in '+diz_text(DIZ.codepoint)+
      ', though its area '+diz_text(outward)+' is in the study area. Check the spelling with the resident; if the '+
      'postcode is newer than that release, look up a neighbouring address instead.';return;}
    out.innerHTML='<b>'+diz_text(shown)+'</b> is not in the area this page covers ('+diz_text(DIZ.districts_list)+
      '). If the resident lives in one of these districts, check the postcode with them; otherwise their own '+
      'council is the place to ask.';return;}
  var a=DIZ.lsoas[hit[0]], g=hit[1]===null?null:DIZ.gps[hit[1]], d=DIZ.districts[a[3]];
  var rows=[['Postcode',shown]].concat(hit.length>5?[['About this postcode',DIZ.pc_notes[hit[5]]]]:[]).concat([
    ['Neighbourhood (LSOA)',a[1]+' ('+a[0]+')'],['Ward',a[2]],['District',a[3]],
    ['Suggested action',a[9]],['For the resident',DIZ.next_step]]);
  // where to send someone comes before the scores that explain the suggestion
  if(hit[3]!==null&&hit[3]!==undefined)rows.push(['Nearest library',
    DIZ.libraries[hit[3]].replace('{d}',Number(hit[4]).toLocaleString('en-GB'))]);
  if(g)rows.push(['Nearest GP practice',g[0]+' ('+g[1]+'), '+Number(hit[2]).toLocaleString('en-GB')+
    ' m in a straight line ('+DIZ.gp_note+'); '+
    g[2]]);
  rows.push(['Triage',a[8]],
    ['Inclusion need',a[4]+' of 10 (10 = most need; decile '+a[5]+' of the study area, 1 = highest); from '+
     DIZ.need_sources]);
  if(d)rows.push(['District broadband',d]);
  var own=(a[10]&&a[10]!==outward)?DIZ.own_note[DIZ.bb_outward.indexOf(outward)>=0?1:0]:'';
  rows.push(['Connectivity gap',a[6]+' of 10 (10 = largest gap): '+a[7]+own.replace('{own}',outward).replace('{area}',a[10])+
    (DIZ.cautions[a[3]]||'')]);
  out.innerHTML='<table>'+rows.map(function(r){return '<tr><th>'+diz_text(r[0])+'</th><td>'+diz_text(String(r[1]))+
    '</td></tr>';}).join('')+'</table>';
}
"""

# A study area with more postcodes than outputs.postcode_files_above (all of England: 1.5 million) gets
# its postcodes in one file per postcode area (maps/postcodes/CM.js), loaded when a postcode of that area
# is looked up, so the index page itself stays small. Below it, one self-contained page.
SHARD_JS = """
var diz_whole=diz_lookup;DIZ.loaded={};
function diz_shard(area,d){DIZ.loaded[area]=1;for(var k in d.pc)DIZ.pc[k]=d.pc[k];
  for(var t in d.terminated)DIZ.terminated[t]=d.terminated[t];}
diz_lookup=function(){var pc=diz_norm(document.getElementById('pc').value), area=pc?pc.match(/^[A-Z]+/)[0]:null;
  if(area&&DIZ.shards.indexOf(area)>=0&&!DIZ.loaded[area]){var s=document.createElement('script');
    s.src='postcodes/'+area+'.js';s.onload=diz_whole;s.onerror=function(){document.getElementById('pc-answer')
      .innerHTML='The postcode list for '+area+' (postcodes/'+area+'.js, beside this page) could not be opened.';};
    document.head.appendChild(s);return;}
  diz_whole();};
"""


def _json(value) -> str:
    """JSON for inside a script element: compact, and never closing the element early."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")


def split_postcodes(data: dict, folder: Path, above: int) -> list[Path]:
    """Move ``data``'s postcodes (and terminated postcodes) into one script per postcode area under
    ``folder`` when there are more than ``above``; ``data`` keeps the rest and lists the areas."""
    shutil.rmtree(folder, ignore_errors=True)  # a previous run's areas
    if len(data["pc"]) <= above:
        return []
    by_area: dict[str, dict] = {}
    for key in ("pc", "terminated"):
        for pc, value in data.pop(key).items():
            area = re.match(r"[A-Z]+", pc).group(0)
            by_area.setdefault(area, {"pc": {}, "terminated": {}})[key][pc] = value
    data |= {"pc": {}, "terminated": {}, "shards": sorted(by_area)}
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for area, part in sorted(by_area.items()):
        path = folder / f"{area}.js"
        write_text(path, f"diz_shard({_json(area)},{_json(part)});\n")
        written.append(path)
    return written


def search_data(
    con: duckdb.DuckDBPyConnection, codepoint_release: str, need_sources_text: str, gp_words: dict[str, str]
) -> dict:
    """A compact form of postcode_lookup: each LSOA, district and GP site once, each postcode as indices;
    the study area's outward codes and its terminated postcodes, so an unknown one gets an answer staff can
    act on."""
    districts, cautions, action_cautions = {}, {}, {}
    for _lad, name, gig, gig_release, below, below_release, *caution in con.execute(
        f"""SELECT DISTINCT lad_code, lad_name, district_gigabit_pct, district_gigabit_release,
                      district_below_30_pct, district_below_30_release, {", ".join(CAUTION_COLUMNS)}
               FROM postcode_lookup WHERE lad_name IS NOT NULL ORDER BY ALL"""
    ).fetchall():
        caution_of = {"district_name": name, **dict(zip(CAUTION_COLUMNS, caution, strict=True))}
        cautions[name], action_cautions[name] = gap_caution(caution_of), action_caution(caution_of)
        districts[name] = district_broadband(
            {
                "district_name": name,
                "district_gigabit_pct": gig,
                "district_gigabit_release": gig_release,
                "district_below_30_pct": below,
                "district_below_30_release": below_release,
            }
        )
    lsoas, at = [], {}
    for row in con.execute("""SELECT DISTINCT lsoa_code, lsoa_name, ward_name, lad_name, round(need_score, 1),
                                     need_decile, round(supply_gap_score, 1), gap_resolution, gap_area,
                                     triage_class, suggested_action, gap_release
                              FROM postcode_lookup WHERE lsoa_code IS NOT NULL ORDER BY 1""").fetchall():
        at[row[0]] = len(lsoas)
        # the last item: the postcode district the gap averages, so the page can say when it is not the postcode's
        lsoas.append(
            list(row[:7])
            + [gap_in_words(row[7], row[8], row[11])]
            # the triage class and action, each saying when the gap it rests on is an area's average
            + [triage_text(row[9], row[7]) if row[9] else row[9]]
            + [action_text(row[10], row[7], action_cautions.get(row[3], "")) if row[10] else row[10]]
            + [row[8] if row[7] == "postcode_district" else None]
        )
    gps, gp_at = [], {}
    ranked = con.execute("SELECT any_value(gp_sites_ranked) FROM postcode_lookup").fetchone()[0]  # as the lookup says
    for code, name, postcode, rank, why, basis, also in con.execute("""SELECT DISTINCT nearest_gp_code,
            nearest_gp_name, nearest_gp_postcode, nearest_gp_rank_label, nearest_gp_not_ranked_reason,
            nearest_gp_rank_basis, nearest_gp_also_here
            FROM postcode_lookup WHERE nearest_gp_code IS NOT NULL ORDER BY 1""").fetchall():
        gp_at[code] = len(gps)
        postcode += f"; also there: {also_here(also)}" if also else ""
        gps.append([display_name(name), postcode, nearest_rank_text(gp_words, rank, ranked, basis, why)])
    libraries, library_at = [], {}
    for name, address, postcode, hours, date in con.execute("""SELECT DISTINCT nearest_library, nearest_library_address,
            nearest_library_postcode, nearest_library_hours, nearest_library_data_date FROM postcode_lookup
            WHERE nearest_library IS NOT NULL ORDER BY 1, 3""").fetchall():
        library_at[(name, postcode)] = len(libraries)
        # the distance is filled in by the page: '{d}' stands for it
        libraries.append(
            library_text(
                {
                    "nearest_library": name,
                    "nearest_library_address": address,
                    "nearest_library_postcode": postcode,
                    "nearest_library_hours": hours,
                    "nearest_library_data_date": date,
                    "nearest_library_distance_m": 0,
                }
            ).replace(" 0 m in a straight line", " {d} m in a straight line")
        )
    notes: list[str] = []  # each distinct note about a postcode itself once; a postcode carries its index
    postcodes = {}
    for pc, lsoa, gp, d, lib, lib_pc, ld, large, quality in con.execute(
        """SELECT postcode, lsoa_code, nearest_gp_code, nearest_gp_distance_m, nearest_library,
                  nearest_library_postcode, nearest_library_distance_m, large_user, positional_quality
           FROM postcode_lookup ORDER BY postcode"""
    ).fetchall():
        if lsoa not in at:
            continue
        note = postcode_note(large, quality)
        if note and note not in notes:
            notes.append(note)
        postcodes[pc.replace(" ", "")] = [
            at.get(lsoa),
            gp_at.get(gp),
            int(d) if d is not None else None,
            library_at.get((lib, lib_pc)),
            int(ld) if ld is not None else None,
        ] + ([notes.index(note)] if note else [])
    outward = [
        r[0]
        for r in con.execute("""SELECT DISTINCT split_part(postcode, ' ', 1) FROM postcode_lookup
                                            ORDER BY 1""").fetchall()
    ]
    terminated = {
        r[0]: r[1]
        for r in con.execute("""SELECT replace(l.postcode, ' ', ''),
            any_value(CASE WHEN length(l.doterm) >= 6
                           THEN strftime(strptime(left(l.doterm, 6), '%Y%m'), '%B %Y') ELSE 'an unknown month' END)
        FROM ons_postcode_lookup l
        WHERE NOT l.is_live AND l.ladcd IN (SELECT DISTINCT lad_code FROM postcode_lookup)
          AND l.postcode NOT IN (SELECT postcode FROM postcode_lookup) GROUP BY 1 ORDER BY 1""").fetchall()
    }
    # Postcodes of the study area's outward codes that lie outside it (E4 7AA is in Waltham Forest): by
    # district, their inward codes run together, so the page answers them as the command-line lookup does.
    outside: dict[str, dict[str, str]] = {}
    for out, lad, inwards in con.execute("""
        SELECT split_part(c.postcode, ' ', 1), coalesce(n.area_name, c.lad_code),
               string_agg(split_part(c.postcode, ' ', 2), '' ORDER BY c.postcode)
        FROM codepoint_open c LEFT JOIN area_names n ON n.area_code = c.lad_code
        WHERE split_part(c.postcode, ' ', 1) IN (SELECT DISTINCT split_part(postcode, ' ', 1) FROM postcode_lookup)
          AND c.lad_code NOT IN (SELECT DISTINCT lad_code FROM postcode_lookup WHERE lad_code IS NOT NULL)
          AND c.postcode NOT IN (SELECT postcode FROM postcode_lookup)
        GROUP BY 1, 2 ORDER BY 1, 2""").fetchall():
        outside.setdefault(out, {})[f"{lad}"] = inwards
    return {
        "lsoas": lsoas,
        "gps": gps,
        "libraries": libraries,
        "pc": postcodes,
        "pc_notes": notes,
        "terminated": terminated,
        "outward": outward,
        "outside": outside,
        "next_step": RESIDENT_NEXT_STEP,
        "gp_note": NEAREST_GP,
        "need_sources": need_sources_text,
        "own_note": [OWN_DISTRICT_NOTE[False], OWN_DISTRICT_NOTE[True]],
        "bb_outward": [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT postcode_district FROM postcode_lookup WHERE own_district_in_broadband ORDER BY 1"
            ).fetchall()
        ],
        "districts": districts,
        "cautions": cautions,
        "districts_list": ", ".join(sorted(districts)),
        "codepoint": codepoint_release,
    }


def peer_panel(con: duckdb.DuckDBPyConnection, settings: Settings) -> str:
    """How each district and the zone compares with similar places: Ofcom's gigabit figure at the latest
    release, its rank among ONS's nearest neighbours and in its connectivity cluster, the group's median
    and best, and its chart."""
    rows = con.execute("""
        SELECT n.area_code, n.area_name, n.area_type, n.release_name, n.value, n.rank_label, n.group_median,
               n.best_peers, n.best_value, c.rank_label, n.weighted_by
        FROM peer_benchmark n
        LEFT JOIN peer_benchmark c ON c.area_code = n.area_code AND c.indicator = n.indicator
             AND c.release = n.release AND c.group_kind = 'cluster'
        WHERE n.group_kind = 'neighbours' AND n.indicator = 'gigabit_capable_pct'
          AND n.release = (SELECT max(release) FROM peer_benchmark WHERE indicator = 'gigabit_capable_pct')
        ORDER BY n.area_type = 'zone', n.area_name""").fetchall()
    if not rows:
        return ""
    own = set(settings.own_output_districts)

    def chart_link(code: str, kind: str) -> str:
        if kind == "zone" or code in own:
            return f"<a href='{PROCESSED}/charts/peers_{esc(code.lower())}.png'>chart</a>"
        return "on request (settings [outputs])"

    cells = "".join(
        f"<tr><td>{esc(name)}{' (' + esc(zone_estimate(weighted)) + ')' if kind == 'zone' else ''}</td>"
        f"<td>{value:.1f}%{' (estimate)' if kind == 'zone' else ''}</td><td>{esc(rank)}</td><td>{median:.1f}%</td><td>{esc(best)} ({best_value:.1f}%)</td>"
        f"<td>{esc(cluster or 'not in one cluster: its districts fall in different ones')}</td>"
        f"<td>{chart_link(code, kind)}</td></tr>"
        for code, name, kind, _, value, rank, median, best, best_value, cluster, weighted in rows
    )
    cfg = settings.peers
    return (
        f"<h2>Compared with similar places</h2><p>Gigabit-capable broadband: each district's figure is Ofcom's "
        f"own (% of premises, Connected Nations {esc(rows[0][3])}, Ofcom via ONS); the zone's is an estimate "
        f"made here from its districts' figures, not a share of premises Ofcom counted. ONS names no neighbours "
        f"for the zone: its group is every place that is a nearest neighbour of one of its districts, its own "
        f"districts left out. Rank 1 = highest coverage; '=' marks a shared rank.</p>"
        f"<table><tr><th>Area</th><th>Gigabit-capable</th><th>Rank among ONS nearest neighbours "
        f"({esc(cfg.neighbours_release)}, {esc(cfg.neighbours_model)})</th><th>Median of the places compared (the area itself among them)</th><th>Best</th>"
        f"<th>Rank in its {esc(cfg.cluster_model)} cluster ({esc(cfg.cluster_release)})</th><th>Chart</th></tr>"
        f"{cells}</table><p style='font-size:13px'>{esc(similar_means(settings))} Every indicator, release and "
        f"peer: the Peer benchmark, Peer pace and Peer league table sheets of the evidence pack.</p>"
    )


def build_index_page(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings, vintage: Vintage) -> dict:
    folder = paths.maps
    t = terms(settings, triage_cuts_in(con))
    definitions = "\n".join(f"- **{term}**: {text}." for term, text in t.definitions())
    method = (PROJECT_ROOT / "docs" / "METHOD.md").read_text(encoding="utf-8")
    method = (
        f"## Definitions used in this run\n\nFrom the run's settings ({shown(settings.config_path)}); the "
        f"method below gives the defaults.\n\n{definitions}\n\n" + method
    )
    write_text(folder / "method.html", markdown_page(method, "Method", back="index.html"))
    resolution = con.execute("SELECT mode(gap_resolution) FROM postcode_lookup").fetchone()[0]
    broadband_note = "District broadband figures are Ofcom's own (% of premises, with their release). " + (
        "Inside a district, the broadband input here is postcode-district averages: they describe "
        "districts of postcodes, not neighbourhoods, so they never rank neighbourhoods within one "
        "postcode district, and the maps hatch them."
        if resolution == "postcode_district"
        else "Inside a district, the broadband input is known at "
        + str(resolution or "no").replace("_", " ")
        + " level."
    )
    glossary = "".join(f"<li><b>{esc(term)}</b>: {esc(text)}.</li>" for term, text in t.definitions())
    sidecars = {
        p.name.removesuffix(".sources.json"): json.loads(p.read_text())
        for p in sorted(paths.tables.glob("*.sources.json"))
    }
    tables = "".join(
        f"<li><a href='{PROCESSED}/tables/{esc(s['file'])}'>{esc(s['file'])}</a> — {esc(s['description'])} "
        f"({s['rows']:,} rows; <a href='{PROCESSED}/tables/{esc(name)}.sources.json'>sources</a>)</li>"
        for name, s in sidecars.items()
    )
    omitted = "".join(
        f"<li>{esc(name)}: not published with these data: {esc(why)}</li>"
        for name, why in omitted_tables(paths.tables).items()
    )
    districts = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT lad_name FROM lsoa_areas WHERE list_contains($own, lad_code) ORDER BY 1",
            {"own": list(settings.own_output_districts)},
        ).fetchall()
    ]
    briefings = "".join(f"<li><a href='{PROCESSED}/briefings/{briefing_file(d)}'>{esc(d)}</a></li>" for d in districts)
    briefings += (
        f"<li><a href='{PROCESSED}/briefings/{briefing_file(settings.study_area.name)}'>"
        f"{esc(settings.study_area.name)} (whole area)</a></li>"
    )
    if (others := len(settings.lad_codes) - len(settings.own_output_districts)) > 0:
        which = f"the other {others:,} districts" if settings.own_output_districts else f"its {others:,} districts"
        briefings += (
            f"<li>Briefings for {which}: made for those named in <code>outputs.districts_on_request</code> "
            f"in the settings file ({esc(shown(settings.config_path))}; see <a href='method.html'>Method</a>, "
            "Outputs)</li>"
        )
    described = {"fibre_planning.html": fibre_map_description(con)}
    gp_words = gp_rank_words(con)  # what the GP ranking is called: the GP map's link and the lookup's answers
    titled = {"gp_readiness.html": gp_words["map_title"]}
    maps = "".join(
        f"<li><a href='{esc(f)}'>{esc(t or titled[f])}</a> — {esc(d or described[f])}</li>" for f, t, d in MAPS
    )
    charts = "".join(
        f"<li>{esc(t)}: <a href='{PROCESSED}/charts/{esc(n)}.png'>PNG</a>, "
        f"<a href='{PROCESSED}/charts/{esc(n)}.svg'>SVG</a></li>"
        for n, t in CHARTS
    )
    used: dict[str, int] = {}
    for s in sidecars.values():
        for src in s.get("sources", []):
            used[src["source"]] = max(used.get(src["source"], 0), src.get("rows", 0))
    for table in MAP_LAYERS:  # what the maps and briefings draw beside the tables: boundaries, places
        if paths.table_path(table).exists():
            for key, n in source_rows(paths.table_path(table)).items():
                used[key] = max(used.get(key, 0), n)
    keys = [k for k in SOURCES if k in used]
    rows = "".join(
        f"<tr><td>{esc(s.title)}</td><td>{esc(s.publisher)}</td><td>{esc(s.release)}</td>"
        f"<td>{esc(s.resolution or '')}</td><td>{esc(' '.join(s.licence))}</td></tr>"
        for s in (SOURCES[k] for k in keys)
    )
    lines = "".join(f"<li>{esc(line)}</li>" for line in licence_lines(keys))
    codepoint = f"{SOURCES['codepoint_open'].title} ({SOURCES['codepoint_open'].release})"
    search = search_data(con, codepoint, need_sources(paths.table_path("postcode_lookup")), gp_words)
    shards = split_postcodes(search, folder / "postcodes", settings.outputs.postcode_files_above)
    if len(settings.lad_codes) > settings.outputs.max_districts:  # an answer naming 296 districts helps nobody
        search["districts_list"] = f"{settings.study_area.name}: {len(settings.lad_codes):,} districts"
    data = _json(search)
    area = esc(settings.study_area.name)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{area}: maps, tables and briefings</title>
<style>body{{font:15px/1.45 sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;font-size:13px}}td,th{{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}}
th{{background:#f3f3f3}}#search{{background:#f7f9fc;border:1px solid #cdd7e5;border-radius:6px;padding:10px 14px}}
#pc{{font-size:16px;padding:4px 8px;width:11em;text-transform:uppercase}}#pc-answer{{margin-top:8px}}</style>
<script>var DIZ={data};{SEARCH_JS}{SHARD_JS if shards else ""}</script></head>
<body>
<h1>{area}</h1>
<p>Where people most need digital-inclusion support, and where the networks fall short — measured apart
(small areas: {esc(vintage.label)}). Every map opens offline; only the optional background map needs a
connection.</p>
<div id="search"><b>Look up a postcode</b> (works offline):
<input id="pc" placeholder="CM20 1AB" onkeydown="if(event.key==='Enter')diz_lookup()">
<button id="pc-go" onclick="diz_lookup()">Look up</button><div id="pc-answer"></div></div>
<h2>Maps</h2><ul>{maps}</ul>
{peer_panel(con, settings)}
<h2>Terms</h2><ul>{glossary}</ul>
<h2>Read first</h2><ul>
<li><a href="method.html">Method</a>: sources, formulas, weights, and what the data can and cannot say.</li>
<li><a href="{PROCESSED}/headlines.html">Headline figures</a> per district, each with its footnoted table cell.</li>
<li>{esc(broadband_note)}</li></ul>
<h2>Briefings (PDF)</h2><ul>{briefings}</ul>
<h2>Tables for bid writers</h2>
<p><a href="{PROCESSED}/diz_evidence_pack.xlsx">Evidence pack (XLSX)</a>: every table below as a sheet, headed by
its sources and licence lines.</p><ul>{tables}{omitted}</ul>
<h2>Change over time</h2><ul>{charts}</ul>
<h2>Data releases behind these outputs</h2>
<table><tr><th>Source</th><th>Publisher</th><th>Release</th><th>Resolution</th><th>Licence</th></tr>{rows}</table>
<h2>Licence lines</h2><ul>{lines}</ul>
</body></html>
"""
    write_text(folder / "index.html", page)
    return {
        "path": str(folder / "index.html"),
        "files": [str(folder / "index.html"), str(folder / "method.html"), *(str(p) for p in shards)],
        "maps": len(MAPS),
        "tables": len(sidecars),
        "sources": len(keys),
        "search_data_bytes": len(data),
        "postcode_files": len(shards),
    }
