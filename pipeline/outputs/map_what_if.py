"""``maps/what_if.html``: the inclusion-need score under other weights, scaling bases and IUC
mappings, recomputed in the browser as one moves a control.

The page carries every neighbourhood's 0-10 indicator scores for each scaling base and IUC
mapping the pipeline offers, made by the pipeline's own code (the ``scaled_scores`` step: ``scores.scale``
for the published mapping, and the others as ``rank_uncertainty`` draws them). The
page then does only what ``composite.sql`` and ``scores.scored_lsoas_sql`` do: weights normalised
to sum to 1 at each level, a missing indicator or component dropping out with the rest keeping
their ratios, rank with ties sharing the lowest rank, decile from the rank. So a weight set tried
here ranks the neighbourhoods as a run with that weights file would (tests/test_what_if.py checks
it in Chromium). Scores are ranked rounded to 1e-9, so a difference in the last bits of a sum
(the browser adds in its own order) never splits a tie.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import folium
import numpy as np

from pipeline.analysis import scaled
from pipeline.analysis.indicators import engagement_variants, meta_rows
from pipeline.analysis.scaled import BASES
from pipeline.analysis.scores import all_weights
from pipeline.duck import exact
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult
from pipeline.ingest.result import made as produced
from pipeline.outputs.map_need import COMPONENT_LABELS
from pipeline.outputs.mapkit import (
    NO_DATA,
    RISK_COLOURS,
    add_legend,
    add_sources,
    add_title,
    backdrop,
    district_outlines,
    esc,
    features,
    new_map,
    place_labels,
    save,
)
from pipeline.paths import Paths
from pipeline.readers.iuc import GROUPS
from pipeline.registry import SOURCES, licence_lines
from pipeline.settings import Settings, read_weights_file, shown
from pipeline.store import read_provenance

BASE_LABELS = {
    "study_area": "Study area: the range over the study area's neighbourhoods",
    "district": "District: the range over the neighbourhood's own district",
    "england": "England: the range over every English neighbourhood, where a national file gives one",
}
# Deciles of the ranking in six colours, the top tenth (decile 1) apart and darkest.
DECILE_CLASSES = [
    ("decile 1: the top tenth (highest need)", "#800026"),
    ("decile 2", RISK_COLOURS[4]),
    ("deciles 3–4", RISK_COLOURS[3]),
    ("deciles 5–6", RISK_COLOURS[2]),
    ("deciles 7–8", RISK_COLOURS[1]),
    ("deciles 9–10 (lowest need)", RISK_COLOURS[0]),
]
DECILE_CLASS = [0, 1, 2, 2, 3, 3, 4, 4, 5, 5]  # decile - 1 -> its class above
ENTER, LEAVE = "#0050b5", "#111"


def _column(values: np.ndarray) -> list[float | None]:
    return [None if math.isnan(v) else float(v) for v in values]


def page_data(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> dict:
    """Everything the page computes from: 0-10 indicator scores by base and IUC mapping, the
    published weights, ranks and top-tenth probabilities, and what each indicator is."""
    exact(con)
    vintage = vintage_of(settings)
    weights = all_weights(settings, vintage)["need"]
    file_weights = read_weights_file(settings.weights_path("need"))
    raw = file_weights.indicators()
    components = {c: float(file_weights.components[c]) for c in weights.components}
    inner = {c: {i: raw[c][i] for i in weights.indicators[c]} for c in weights.components}
    default_variant, variant_map = engagement_variants(settings.engagement_path)
    variants = scaled.variants(settings)
    names = weights.names
    lsoas = [r[0] for r in con.execute("SELECT lsoa_code FROM lsoa_areas ORDER BY 1").fetchall()]
    # the published mapping (lsoa_indicators as build_scores scales it), then the others as rank_uncertainty
    # draws them
    published = scaled.matrices(con, lsoas, names, [(b, scaled.PUBLISHED) for b in BASES])
    others = scaled.matrices(con, lsoas, names, [(b, v) for v in variants[1:] for b in BASES])
    scores: dict[str, dict] = {}
    for base in BASES:
        by_variant = {default_variant: published[(base, scaled.PUBLISHED)]} | {
            v: others[(base, v)] for v in variants[1:]
        }
        scores[base] = {}
        for j, name in enumerate(names):
            columns = {v: _column(m[:, j]) for v, m in by_variant.items()}
            first = columns[default_variant]
            scores[base][name] = first if all(c == first for c in columns.values()) else columns
    national = scaled.national_indicators(con)
    meta = {r["indicator"]: r for r in meta_rows(vintage)}
    rows = con.execute("""
        SELECT a.lsoa_code, a.lsoa_name, a.ward_name, a.lad_name, a.residents_2021, n.need_score, n.need_rank,
               n.need_decile, u.p_top_decile, u.priority, n.iuc_area
        FROM lsoa_areas a JOIN lsoa_need n USING (lsoa_code)
        LEFT JOIN (SELECT * FROM rank_uncertainty WHERE score = 'need') u USING (lsoa_code)
        ORDER BY a.lsoa_code""").fetchall()
    if [r[0] for r in rows] != lsoas:
        raise AssertionError("lsoa_need does not hold every study-area neighbourhood once")
    notes = read_provenance(paths.table_path("rank_uncertainty")).get("notes") or ""
    return {
        # the last field: the 2011 LSOA whose IUC group a split or changed neighbourhood takes (else null)
        "lsoas": [[r[0], r[1], r[2], r[3], r[4], r[10]] for r in rows],
        "published": {
            "score": [r[5] for r in rows],
            "rank": [r[6] for r in rows],
            "decile": [r[7] for r in rows],
            "p_top": [r[8] for r in rows],
            "priority": [r[9] for r in rows],
            "components": components,
            "indicators": inner,
            "base": settings.index.scaling_base,
            "iuc": default_variant,
        },
        "scores": scores,
        "bases": list(BASES),
        "base_labels": BASE_LABELS,
        "national": sorted(n for n in names if n in national),
        "variants": variants,
        "variant_maps": {v: {label: variant_map[v][g] for g, label in sorted(GROUPS.items())} for v in variants},
        "components": {c: COMPONENT_LABELS.get(c, c) for c in weights.components},
        "iuc_components": [c for c in weights.components if "iuc_risk" in inner[c]],
        "indicators": {
            n: {
                "label": meta[n]["label"],
                "unit": meta[n]["unit"],
                "source": meta[n]["source_title"],
                "release": meta[n]["release"],
            }
            for n in names
        },
        "uncertainty": notes,
        "weights_file": shown(settings.weights_path("need")),
        "config_file": shown(settings.config_path),
        "engagement_file": shown(settings.engagement_path),
        "vintage": vintage.label,
    }


PANEL_CSS = """<style>
.folium-map{position:fixed!important;left:0;top:0;bottom:0;right:470px;width:auto!important;height:auto!important}
#wi-panel{position:fixed;top:0;right:0;bottom:0;width:470px;overflow-y:auto;box-sizing:border-box;padding:10px 14px;
  font:13px/1.4 sans-serif;color:#222;background:#fff;border-left:1px solid #999}
#wi-panel h2{font-size:15px;margin:12px 0 4px}#wi-panel h3{font-size:13px;margin:8px 0 2px}
#wi-panel fieldset{border:1px solid #ccc;border-radius:4px;margin:6px 0;padding:4px 8px}
#wi-panel legend{font-weight:bold}
.wi-row{display:grid;grid-template-columns:1fr 110px 58px 44px;gap:6px;align-items:center;margin:2px 0}
.wi-row.ind{padding-left:12px;font-size:12px}.wi-row input[type=number]{width:54px}
.wi-share{color:#555;font-size:11px;text-align:right}.wi-src{color:#666;font-size:11px}
#wi-error{display:none;background:#fde0dc;border:1px solid #c00;padding:6px;margin:6px 0}
#wi-summary{background:#f3f6fb;border:1px solid #cdd7e5;border-radius:4px;padding:6px 8px;margin:6px 0}
#wi-panel button{font-size:12px;margin:2px 4px 2px 0}
#wi-list,.wi-moves{border-collapse:collapse;width:100%;font-size:12px}
.wi-moves td,.wi-moves th{padding:1px 4px;text-align:left}.wi-moves td.n{text-align:right}
#wi-summary details{margin-top:4px}
#wi-list th,#wi-list td{border-bottom:1px solid #ddd;padding:2px 4px;text-align:left;vertical-align:top}
#wi-list th{position:sticky;top:0;background:#f3f3f3}#wi-list td.n{text-align:right;white-space:nowrap}
#wi-list tr.enter td:first-child{border-left:4px solid #0050b5}#wi-list tr.leave td:first-child{border-left:4px solid #111}
#wi-list tr:hover{background:#fff6d5;cursor:pointer}
pre#wi-toml{background:#f4f4f4;padding:6px;font-size:12px;white-space:pre-wrap}
#wi-link{width:100%;font-size:11px}
@media (max-width:899px){.folium-map{right:0;bottom:50vh}
.diz-box:has(#diz-legend){bottom:calc(50vh + 10px)!important;right:10px!important}
#wi-panel{top:50vh;width:100%;border-left:none;border-top:1px solid #999}}
</style>"""

APP_JS = r"""
(function () {
  var map = {{ this._parent.get_name() }}, D = {{ this.data }}, N = D.lsoas.length, TOP = Math.ceil(N / 10);
  var P = D.published, state = null, accepted = null, result = null, layers = [];
  var comps = Object.keys(D.components);
  function el(id) { return document.getElementById(id); }
  function text(s) { var d = document.createElement('span'); d.textContent = s == null ? '' : String(s); return d.innerHTML; }
  function num(x, d) { return x == null ? 'no data' : Number(x).toFixed(d); }
  function published() {
    var s = {c: {}, i: {}, base: P.base, iuc: P.iuc};
    comps.forEach(function (c) { s.c[c] = P.components[c]; s.i[c] = {};
      Object.keys(P.indicators[c]).forEach(function (n) { s.i[c][n] = P.indicators[c][n]; }); });
    return s;
  }
  // The address fragment: component=w, component.indicator=w, base=..., iuc=... (anything else is ignored).
  function fromFragment(hash, s) {
    hash.replace(/^#/, '').split('&').forEach(function (part) {
      if (!part) return;
      var kv = part.split('='), key = decodeURIComponent(kv[0]), value = decodeURIComponent(kv[1] || '');
      if (key === 'base' && D.bases.indexOf(value) >= 0) s.base = value;
      else if (key === 'iuc' && D.variants.indexOf(value) >= 0) s.iuc = value;
      else if (Object.prototype.hasOwnProperty.call(s.c, key)) s.c[key] = Number(value);
      else { var dot = key.indexOf('.'), c = key.slice(0, dot), n = key.slice(dot + 1);
             if (dot > 0 && Object.prototype.hasOwnProperty.call(s.i, c) &&
                 Object.prototype.hasOwnProperty.call(s.i[c], n)) s.i[c][n] = Number(value); }
    });
    return s;
  }
  function fragment(s) {
    var parts = [];
    comps.forEach(function (c) { parts.push(c + '=' + s.c[c]); });
    comps.forEach(function (c) { Object.keys(s.i[c]).forEach(function (n) { parts.push(c + '.' + n + '=' + s.i[c][n]); }); });
    parts.push('base=' + s.base, 'iuc=' + s.iuc);
    return parts.join('&');
  }
  // What pipeline.settings.WeightsFile refuses, refused here in its words.
  function problem(s) {
    var bad = null;
    function check(label, w) { if (!bad && !(isFinite(w) && w >= 0)) bad = label + ': must be a finite number >= 0'; }
    comps.forEach(function (c) { check('[components] ' + c, s.c[c]);
      Object.keys(s.i[c]).forEach(function (n) { check('[' + c + '] ' + n, s.i[c][n]); }); });
    if (bad) return bad;
    comps.forEach(function (c) { var t = 0; Object.keys(s.i[c]).forEach(function (n) { t += s.i[c][n]; });
      if (!bad && !t) bad = '[' + c + ']: indicator weights are all zero'; });
    if (!bad && !comps.reduce(function (t, c) { return t + s.c[c]; }, 0)) bad = '[components]: weights are all zero';
    return bad;
  }
  // composite.sql and scored_lsoas_sql, for one settings object.
  function compute(s) {
    var total = 0, cw = {}, iw = {};
    comps.forEach(function (c) { total += s.c[c]; });
    comps.forEach(function (c) { cw[c] = s.c[c] / total; var t = 0, names = Object.keys(s.i[c]);
      names.forEach(function (n) { t += s.i[c][n]; }); iw[c] = {}; names.forEach(function (n) { iw[c][n] = s.i[c][n] / t; }); });
    var cols = {}, table = D.scores[s.base];
    comps.forEach(function (c) { Object.keys(s.i[c]).forEach(function (n) {
      var v = table[n]; cols[n] = Array.isArray(v) ? v : v[s.iuc]; }); });
    var score = new Array(N), comp = new Array(N);
    for (var k = 0; k < N; k++) {
      var sum = 0, mass = 0; comp[k] = {};
      comps.forEach(function (c) {
        var a = 0, b = 0, any = false;
        Object.keys(iw[c]).forEach(function (n) { var x = cols[n][k]; if (x !== null) { a += iw[c][n] * x; b += iw[c][n]; any = true; } });
        var value = any && b > 0 ? a / b : null;
        comp[k][c] = value;
        if (value !== null) { sum += cw[c] * value; mass += cw[c]; }
      });
      score[k] = mass > 0 ? sum / mass : null;
    }
    var key = score.map(function (x) { return x === null ? null : Math.round(x * 1e9) / 1e9; });
    var order = key.map(function (_, k) { return k; }).sort(function (a, b) {
      var x = key[a], y = key[b];
      if (x === y) return D.lsoas[a][0] < D.lsoas[b][0] ? -1 : 1;
      if (x === null) return 1; if (y === null) return -1;
      return y - x; });
    var rank = new Array(N), decile = new Array(N);
    order.forEach(function (k, at) { rank[k] = at > 0 && key[order[at - 1]] === key[k] ? rank[order[at - 1]] : at + 1; });
    for (var j = 0; j < N; j++) decile[j] = Math.min(10, 1 + Math.floor(10 * (rank[j] - 1) / N));
    return {score: score, comp: comp, rank: rank, decile: decile, order: order};
  }
  var COLOURS = {{ this.colours }};
  var CLASS = {{ this.classes }};
  function colour(d) { return d == null ? '{{ this.no_data }}' : COLOURS[CLASS[d - 1]]; }
  function move(k) { var inNow = result.decile[k] === 1, inThen = P.decile[k] === 1;
    return inNow && !inThen ? 'enter' : !inNow && inThen ? 'leave' : ''; }
  function pTop(k) { return P.p_top[k] == null ? 'no value' : Number(P.p_top[k]).toFixed(2); }
  function tip(k) {
    var a = D.lsoas[k], rows = [['Ward (2024)', a[2]], ['District', a[3]],
      ['Need here (0–10)', num(result.score[k], 2) + ' — rank ' + result.rank[k] + ' of ' + N + ', decile ' + result.decile[k]],
      ['Published need (0–10)', num(P.score[k], 2) + ' — rank ' + P.rank[k] + ', decile ' + P.decile[k]],
      ['P(top tenth), around the published weights', pTop(k) + (P.priority[k] ? ' (' + P.priority[k] + ')' : '')]];
    comps.forEach(function (c) { rows.push([D.components[c] + ' (0–10)', num(result.comp[k][c], 2) +
      (a[5] && D.iuc_components.indexOf(c) >= 0 ? ' (its IUC group is LSOA (2011) ' + a[5] + "'s)" : '')]); });
    return '<div class=diz-tip><b>' + text(a[1] + ' (' + a[0] + ')') + '</b><table>' + rows.map(function (r) {
      return '<tr><th>' + text(r[0]) + '</th><td>' + text(r[1]) + '</td></tr>'; }).join('') + '</table></div>';
  }
  var geo = L.geoJSON({{ this.geo }}, {
    style: function () { return {fillOpacity: 0.75, color: '#666', weight: 0.4}; },
    onEachFeature: function (f, layer) { layers[f.properties.i] = layer;
      layer.bindTooltip(function () { return tip(f.properties.i); }, {sticky: true}); }
  }).addTo(map);
  geo.bringToBack();
  function restyle() {
    layers.forEach(function (layer, k) { var m = move(k);
      layer.setStyle({fillColor: colour(result.decile[k]), color: m === 'enter' ? '{{ this.enter }}' : m === 'leave' ? '{{ this.leave }}' : '#666',
                      weight: m ? 3 : 0.4, dashArray: m === 'leave' ? '5 4' : null});
      if (m) layer.bringToFront(); });
  }
  function row(k) {
    var a = D.lsoas[k], m = move(k), d = result.rank[k] - P.rank[k];
    return '<tr data-lsoa="' + text(a[0]) + '" data-rank="' + result.rank[k] + '" class="' + m + '"><td class=n>' +
      result.rank[k] + '</td><td class=n>' + result.decile[k] + '</td><td>' + text(a[1]) + '<br><span class=wi-src>' +
      text(a[0] + ', ' + a[3]) + '</span></td><td class=n>' + num(result.score[k], 2) + '</td><td class=n>' + P.rank[k] +
      (d ? ' (' + (d < 0 ? '↑' + (-d) : '↓' + d) + ')' : '') + '</td><td class=n>' + pTop(k) + '</td></tr>';
  }
  function listOf(ks, what, style) {
    var head = '<b>' + ks.length + '</b> ' + what;
    if (!ks.length) return '<div>' + head + '.</div>';
    return '<details' + (ks.length <= 6 ? ' open' : '') + '><summary>' + head + ' <span class=wi-src>(' + style +
      ' on the map)</span></summary><table class=wi-moves><tr><th>Neighbourhood</th><th>Rank here</th><th>Published</th>' +
      '<th>P(top tenth)</th></tr>' + ks.map(function (k) { return '<tr><td>' + text(D.lsoas[k][1]) + ' <span class=wi-src>' +
      text(D.lsoas[k][0]) + '</span></td><td class=n>' + result.rank[k] + '</td><td class=n>' + P.rank[k] + '</td><td class=n>' +
      pTop(k) + '</td></tr>'; }).join('') + '</table></details>';
  }
  function toml(s) {
    var out = ['[components]'];
    comps.forEach(function (c) { out.push(c + ' = ' + s.c[c]); });
    comps.forEach(function (c) { out.push('', '[' + c + ']');
      Object.keys(s.i[c]).forEach(function (n) { out.push(n + ' = ' + s.i[c][n]); }); });
    return out.join('\n') + '\n';
  }
  function shareLink(s) { return location.href.split('#')[0] + '#' + fragment(s); }
  function share(part, whole) { return whole > 0 ? Math.round(100 * part / whole) + '%' : '–'; }
  function showControls(s) {
    var total = comps.reduce(function (t, c) { return t + (s.c[c] > 0 ? s.c[c] : 0); }, 0);
    document.querySelectorAll('#wi-panel [data-key]').forEach(function (input) {
      var key = input.getAttribute('data-key'), dot = key.indexOf('.');
      var v = dot < 0 ? s.c[key] : s.i[key.slice(0, dot)][key.slice(dot + 1)];
      if (document.activeElement !== input) input.value = v;
    });
    comps.forEach(function (c) {
      el('wi-share-' + c).textContent = share(s.c[c], total);
      var t = Object.keys(s.i[c]).reduce(function (x, n) { return x + (s.i[c][n] > 0 ? s.i[c][n] : 0); }, 0);
      Object.keys(s.i[c]).forEach(function (n) { el('wi-share-' + c + '.' + n).textContent = share(s.i[c][n], t); });
    });
    el('wi-base').value = s.base; el('wi-iuc').value = s.iuc;
    el('wi-iuc-map').textContent = 'Risk (0–10) per IUC group: ' + Object.keys(D.variant_maps[s.iuc]).map(function (g) {
      return g + ' ' + D.variant_maps[s.iuc][g]; }).join(', ') + '.';
    el('wi-base-note').textContent = s.base === 'england' ? 'England range for: ' + D.national.join(', ') +
      '. The files this run read give no national values for the others, so they keep the study-area range (as in ' +
      'the pipeline).' : '';
  }
  function update() {
    showControls(state);
    var bad = problem(state);
    el('wi-error').style.display = bad ? 'block' : 'none';
    el('wi-error').textContent = bad ? 'The pipeline would refuse these weights (' + D.weights_file + ' ' + bad +
      '); the map and list still show the last settings it accepts' + (accepted ? '.' : ': the published ones.') : '';
    if (bad && accepted) return;
    accepted = bad ? published() : JSON.parse(JSON.stringify(state));
    result = compute(accepted);
    restyle();
    var enter = [], leave = [];
    result.order.forEach(function (k) { var m = move(k); if (m === 'enter') enter.push(k); });
    P.rank.map(function (r, k) { return k; }).sort(function (a, b) { return P.rank[a] - P.rank[b]; })
      .forEach(function (k) { if (move(k) === 'leave') leave.push(k); });
    var same = fragment(accepted) === fragment(published());
    el('wi-summary').innerHTML = (same ? '<b>These are the published settings.</b> ' : '') +
      'Top tenth: ranks 1–' + TOP + ' of ' + N + ' neighbourhoods (decile 1). Against the published weights:' +
      listOf(enter, 'enter the top tenth', 'blue outline') + listOf(leave, 'leave the top tenth', 'dashed black outline') +
      '<div class=wi-src style="margin-top:4px">P(top tenth): the probability of being in the top tenth, computed around ' +
      'the published weights (rank_uncertainty of this run: ' + text(D.uncertainty) + '); it does not move with the ' +
      'controls.</div>';
    el('wi-rows').innerHTML = result.order.map(row).join('');
    el('wi-toml').textContent = toml(accepted);
    el('wi-elsewhere').textContent = (accepted.base !== P.base ? 'Scaling base: set scaling_base = "' + accepted.base +
      '" in [index] of ' + D.config_file + '. ' : '') + (accepted.iuc !== P.iuc ? 'IUC mapping: set default = "' +
      accepted.iuc + '" in ' + D.engagement_file + '.' : '');
    el('wi-link').value = shareLink(accepted);
    if (!bad && location.hash.replace(/^#/, '') !== fragment(state) && !(same && !location.hash))
      history.replaceState(null, '', '#' + fragment(state));
  }
  function csv() {
    var head = ['rank', 'decile', 'lsoa_code', 'lsoa_name', 'ward_name', 'lad_name', 'need_score_0_10',
                'published_rank', 'published_decile', 'p_top_tenth_around_published_weights', 'settings'];
    var q = function (v) { v = v == null ? '' : String(v); if (/^[=+\-@\t\r]/.test(v)) v = "'" + v;
      return /[",\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; };
    var lines = D.csv_notes.concat([head.join(',')]).concat(result.order.map(function (k) { var a = D.lsoas[k];
      return [result.rank[k], result.decile[k], a[0], a[1], a[2], a[3], result.score[k] == null ? '' : result.score[k].toFixed(9),
              P.rank[k], P.decile[k], P.p_top[k], fragment(accepted)].map(q).join(','); }));
    var blob = new Blob([lines.join('\r\n') + '\r\n'], {type: 'text/csv'}), a = document.createElement('a');
    a.href = URL.createObjectURL(blob); a.download = 'what_if_need_ranking.csv'; document.body.appendChild(a); a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }
  document.querySelectorAll('#wi-panel [data-key]').forEach(function (input) {
    input.addEventListener('input', function () {
      var key = input.getAttribute('data-key'), dot = key.indexOf('.'), v = input.value === '' ? NaN : Number(input.value);
      if (dot < 0) state.c[key] = v; else state.i[key.slice(0, dot)][key.slice(dot + 1)] = v;
      update(); });
  });
  el('wi-base').addEventListener('change', function () { state.base = this.value; update(); });
  el('wi-iuc').addEventListener('change', function () { state.iuc = this.value; update(); });
  el('wi-reset').addEventListener('click', function () { state = published(); history.replaceState(null, '', location.href.split('#')[0]); update(); });
  el('wi-copy').addEventListener('click', function () { el('wi-link').select();
    if (navigator.clipboard) navigator.clipboard.writeText(el('wi-link').value).catch(function () {}); else document.execCommand('copy'); });
  el('wi-copy-toml').addEventListener('click', function () {
    if (navigator.clipboard) navigator.clipboard.writeText(el('wi-toml').textContent).catch(function () {}); });
  el('wi-csv').addEventListener('click', csv);
  el('wi-rows').addEventListener('click', function (e) {
    var tr = e.target.closest('tr'); if (!tr) return;
    var k = D.lsoas.findIndex(function (a) { return a[0] === tr.getAttribute('data-lsoa'); });
    if (layers[k]) { map.fitBounds(layers[k].getBounds(), {maxZoom: 14}); layers[k].openTooltip(layers[k].getBounds().getCenter()); }
  });
  window.addEventListener('hashchange', function () { state = fromFragment(location.hash, published()); update(); });
  state = fromFragment(location.hash, published());
  update();
})();
"""


class WhatIfApp(folium.MacroElement):
    """The page's script: the neighbourhood layer, recomputed and recoloured on every change."""

    _template = folium.template.Template("{% macro script(this, kwargs) %}" + APP_JS + "{% endmacro %}")

    def __init__(self, data: dict, geo: dict):
        super().__init__()
        self.data = _js(data)
        self.geo = _js(geo)
        self.colours = json.dumps([c for _, c in DECILE_CLASSES])
        self.classes = json.dumps(DECILE_CLASS)
        self.no_data, self.enter, self.leave = NO_DATA, ENTER, LEAVE


def _js(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).replace("</", "<\\/")


def _weight_row(key: str, label: str, value: float, extra: str = "", cls: str = "") -> str:
    return (
        f"<div class='wi-row {cls}'><label for='wi-n-{esc(key)}'>{label}</label>"
        f"<input type=range min=0 max=1 step=0.01 value='{value}' data-key='{esc(key)}' aria-label='{esc(key)}'>"
        f"<input type=number id='wi-n-{esc(key)}' min=0 step=0.05 value='{value}' data-key='{esc(key)}'>"
        f"<span class=wi-share id='wi-share-{esc(key)}'></span></div>{extra}"
    )


def panel(data: dict) -> str:
    """The controls, the summary, the exports and the ranked list (filled in by the script)."""
    p = data["published"]
    blocks = []
    for c, label in data["components"].items():
        rows = _weight_row(c, f"<b>{esc(label)}</b> <code>{esc(c)}</code>", p["components"][c])
        for n in p["indicators"][c]:
            ind = data["indicators"][n]
            rows += _weight_row(
                f"{c}.{n}",
                f"<code>{esc(n)}</code> {esc(ind['label'])}<br><span class=wi-src>"
                f"{esc(ind['unit'])}; {esc(ind['source'])}, {esc(ind['release'])}</span>",
                p["indicators"][c][n],
                cls="ind",
            )
        blocks.append(f"<fieldset>{rows}</fieldset>")
    bases = "".join(
        f"<option value='{esc(b)}'>{esc(data['base_labels'].get(b, b))}"
        f"{' (published)' if b == p['base'] else ''}</option>"
        for b in data["bases"]
    )
    variants = "".join(
        f"<option value='{esc(v)}'>{esc(v)}{' (published)' if v == p['iuc'] else ''}</option>" for v in data["variants"]
    )
    return f"""<div id="wi-panel">
<div style="font:bold 16px sans-serif">Try other weights for inclusion need</div>
<p style="margin:4px 0">Need score 0–10 (10 = highest need), {esc(data["vintage"])} neighbourhoods (LSOAs). Each
change recomputes every neighbourhood's score, rank and decile here, with the pipeline's formula and the published
0–10 indicator scores: the ranking equals what a run with these settings would publish. Weights are shares: only
their ratios matter (the % beside each is its share after normalising).</p>
<div id="wi-error" role="alert"></div>
<div id="wi-summary" aria-live="polite"></div>
<div><button id="wi-reset">Reset to published weights</button><button id="wi-csv">Download this ranking (CSV)</button></div>
<h2>Weights</h2>
<div class=wi-row style="font-size:11px;color:#555"><span>Component, then its indicators (source, release, unit)</span>
<span>weight</span><span></span><span>share</span></div>
{"".join(blocks)}
<h2>Scaling base</h2>
<select id="wi-base" style="max-width:100%">{bases}</select><div class=wi-src id="wi-base-note"></div>
<h2>IUC mapping (internet engagement)</h2>
<select id="wi-iuc">{variants}</select> <span class=wi-src>from {esc(data["engagement_file"])}</span>
<div class=wi-src id="wi-iuc-map"></div>
<h2>Share and keep</h2>
<div>Link to these settings: <input id="wi-link" readonly> <button id="wi-copy">Copy link</button></div>
<details><summary>TOML to paste into {esc(data["weights_file"])}</summary>
<pre id="wi-toml"></pre><button id="wi-copy-toml">Copy TOML</button>
<div class=wi-src id="wi-elsewhere"></div></details>
<h2>Ranking with these settings</h2>
<p class=wi-src style="margin:2px 0">Rank 1 = highest need of {len(data["lsoas"])}; ties share the lowest rank. Published
= lsoa_need of this run (arrow: places moved up or down here). P = probability of the top tenth from rank_uncertainty,
computed around the published weights. Click a row to find it on the map.</p>
<table id="wi-list"><thead><tr><th>Rank</th><th>Decile</th><th>Neighbourhood (LSOA)</th><th>Need (0–10)</th>
<th>Published rank</th><th>P(top tenth)</th></tr></thead><tbody id="wi-rows"></tbody></table>
</div>"""


def csv_notes(sources: dict[str, int], settings: Settings) -> list[str]:
    """'# ' lines heading the ranking a reader downloads: what it is, and the source, release and licence lines
    of the sources the page cites, so the file says where its figures come from once it leaves the page."""
    used = [k for k, n in sources.items() if n and k in SOURCES]
    return (
        [
            f"# Need ranking recomputed in maps/what_if.html ({settings.study_area.name}) under the settings in the "
            "last column; not the published ranking unless those are the published settings.",
            "# Sources (title; release):",
        ]
        + [f"# {SOURCES[k].title}; {SOURCES[k].release}" for k in used]
        + ["# Licences:"]
        + [f"# {line}" for line in licence_lines(used)]
    )


def build_what_if_map(
    con: duckdb.DuckDBPyConnection,
    paths: Paths,
    settings: Settings,
    dest: Path,
    sources: dict[str, int],
    ranked: dict[str, int],
) -> dict:
    """The page, citing ``sources`` (what it draws); its downloaded ranking cites ``ranked`` (what the file's
    columns come from: the neighbourhoods, their names and need), not the boundaries and places drawn."""
    data = page_data(con, paths, settings) | {"csv_notes": csv_notes(ranked, settings)}
    at = {row[0]: i for i, row in enumerate(data["lsoas"])}
    geo = features(
        con,
        "SELECT lsoa_code, geom FROM lsoa_areas WHERE geom IS NOT NULL ORDER BY lsoa_code",
        lambda r: {"i": at[r["lsoa_code"]]},
        simplify_m=30,
    )
    drawn = backdrop(con, paths)
    m = new_map(drawn.bounds)
    m.get_root().header.add_child(folium.Element(PANEL_CSS))
    district_outlines(m, drawn)
    place_labels(m, drawn)
    add_title(
        m,
        "What if the need weights were different?",
        "Inclusion need (people only) under the weights, scaling base and IUC mapping chosen on the right; "
        "colours are deciles of that ranking. Hover for a neighbourhood's figures.",
    )
    add_legend(
        m,
        [
            ("Need decile with these settings", [(c, label) for label, c in DECILE_CLASSES]),
            (
                "Against the published weights",
                [
                    (f"background:none;border:3px solid {ENTER}", "enters the top tenth"),
                    (f"background:none;border:3px dashed {LEAVE}", "leaves the top tenth"),
                ],
            ),
            (
                "Lines",
                [
                    ("background:none;border:3px solid #111", "district"),
                    ("background:none;border:1px dashed #555", "ward (May 2024)"),
                ],
            ),
            ("", [(NO_DATA, "no data")]),
        ],
        note="Deciles of the study area's neighbourhoods (1 = highest need).",
        position="bottom:30px;right:480px",
    )
    add_sources(m, sources)
    m.get_root().html.add_child(folium.Element(panel(data)))
    WhatIfApp(data, geo).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    size = save(m, dest)
    return {
        "path": str(dest),
        "bytes": size,
        "lsoas": len(data["lsoas"]),
        "scaling_bases": data["bases"],
        "iuc_variants": data["variants"],
        "sources": sorted(k for k, n in sources.items() if n and k in SOURCES),
    }


def build_what_if(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """The ``what_if`` step: ``maps/what_if.html``. It cites the sources of the need score only (as
    ``lsoa_need`` lists them) and of the layers drawn: the indicator-score and rank-uncertainty tables
    also carry supply and context indicators that the page does not hold."""
    from pipeline.outputs.maps import sources_of

    paths.maps.mkdir(parents=True, exist_ok=True)
    made = build_what_if_map(
        con,
        paths,
        settings,
        paths.maps / "what_if.html",
        sources_of(paths, "lsoa_need", "lsoa_areas", "lad_boundaries", "ward_boundaries", "settlements"),
        sources_of(paths, "lsoa_need", "lsoa_areas"),
    )
    return produced("what_if_map", [made["path"]], {k: v for k, v in made.items() if k != "path"})
