"""Map 2: fibre planning — ranked 1 km gap cells, postcodes lacking gigabit, GP sites by gigabit."""

from __future__ import annotations

from pathlib import Path

import duckdb
import folium
from folium.plugins import FastMarkerCluster

from pipeline.analysis.fibre_gaps import SOURCE_KEYS
from pipeline.outputs.mapkit import (GOOD_TO_BAD, RISK_COLOURS, HiddenAtStart, add_legend, add_sources, add_title, class_labels,
                                     classes, colour_for, district_outlines, esc, features, fmt, new_map,
                                     resolution_label, rows_html, save, study_bounds)
from pipeline.registry import EBRANCHS, EPRACCUR

GIGABIT_BREAKS = [50, 70, 85, 95]  # % of premises; colours run red (poor) to green
GIGABIT_COLOURS = list(reversed(GOOD_TO_BAD))

# Marker for each clustered postcode: a small circle (no icon images to fetch), with its tooltip.
CLUSTER_CALLBACK = """function (row) {
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]),
        {radius: 3, color: '#7f2704', weight: 1, fillColor: '#fd8d3c', fillOpacity: 0.9});
    marker.bindTooltip(row[2]);
    return marker;
}"""


def build_fibre_map(con: duckdb.DuckDBPyConnection, dest: Path, note: str | None) -> dict:
    cells_q = "SELECT * FROM fibre_gap_cells ORDER BY build_rank"
    estimates = [r[0] for r in con.execute("SELECT est_without_gigabit FROM fibre_gap_cells").fetchall()]
    breaks = classes(estimates)
    cells = features(con, cells_q, lambda r: {"v": r["est_without_gigabit"], "tip": rows_html(
        f"1 km cell {r['cell_id']}", [
            ("Build-planning rank", f"{fmt(r['build_rank'])} of {len(estimates):,}"),
            ("Postcodes", fmt(r["postcodes"])),
            ("Postcodes lacking gigabit", fmt(r["postcodes_lacking_gigabit"])),
            (f"Estimated {r['est_unit']} without gigabit", fmt(r["est_without_gigabit"], 1)),
            ("Mean gigabit availability", fmt(r["mean_gigabit_pct"], 1, "%")),
            ("Distance to a gigabit-served postcode", fmt(r["mean_distance_to_served_m"], 0, " m")
             if r["mean_distance_to_served_m"] is not None else "not computable at this resolution"),
            ("Broadband data", f"{resolution_label(r['broadband_resolution'])} figures"),
        ])})
    m = new_map(study_bounds(con))
    folium.GeoJson(cells, name="1 km cells lacking gigabit (ranked)", style_function=lambda f: {
        "fillColor": colour_for(f["properties"]["v"], breaks, RISK_COLOURS), "fillOpacity": 0.7,
        "color": "#7f2704", "weight": 0.3}, tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True)).add_to(m)

    lacking = con.execute("""SELECT round(lat, 5), round(lon, 5), postcode, gigabit_pct, resolution FROM gap_points
                             WHERE lacks_gigabit ORDER BY postcode""").fetchall()
    cluster = FastMarkerCluster([[lat, lon, f"<b>{esc(pc)}</b><br>gigabit {fmt(g, 1, '%')} "
                                  f"({resolution_label(res)} figure)"] for lat, lon, pc, g, res in lacking],
                                name=f"Postcodes lacking gigabit ({len(lacking):,}, clustered)",
                                callback=CLUSTER_CALLBACK).add_to(m)
    HiddenAtStart(cluster).add_to(m)

    sites = con.execute("""SELECT site_code, site_type, name, postcode, lat, lon, site_gigabit_pct,
                                  site_broadband_resolution, site_broadband_release
                           FROM gp_readiness ORDER BY site_code""").fetchall()
    group = folium.FeatureGroup(name=f"GP sites by gigabit at their postcode ({len(sites)})")
    for code, kind, name, postcode, lat, lon, gig, res, release in sites:
        folium.CircleMarker([lat, lon], radius=7, color="#111", weight=1.5, fill=True, fill_opacity=0.95,
                            fill_color=colour_for(gig, GIGABIT_BREAKS, GIGABIT_COLOURS),
                            tooltip=rows_html(f"{name}", [("Site", f"{esc(code)} ({esc(kind)})"),
                                                          ("Postcode", esc(postcode)),
                                                          ("Gigabit availability", fmt(gig, 1, "%")),
                                                          ("Broadband data", f"{resolution_label(res)} figure, "
                                                                             f"{esc(release)}")])).add_to(group)
    group.add_to(m)
    district_outlines(con, m)
    folium.LayerControl(collapsed=False).add_to(m)
    lo, hi = (min(estimates), max(estimates)) if estimates else (0, 0)
    unit = con.execute("SELECT any_value(est_unit) FROM fibre_gap_cells").fetchone()[0] or "postcode-equivalents"
    add_title(m, "Fibre planning: where gigabit is missing",
              f"1 km cells ranked by estimated {unit} without gigabit-capable broadband")
    add_legend(m, [
        (f"Estimated {unit} without gigabit (quintiles)", list(zip(RISK_COLOURS, class_labels(breaks, lo, hi, 1)))),
        ("GP site: gigabit at its postcode", list(zip(GIGABIT_COLOURS, ["under 50%", "50 – 70%", "70 – 85%",
                                                                        "85 – 95%", "95% and over"]))),
    ])
    notes = ["Broadband figures are postcode-district averages; cell estimates spread each district's gap "
             "evenly over its postcodes."] if unit == "postcode-equivalents" else []
    if note:
        notes.append(note)
    add_sources(m, [*SOURCE_KEYS, EPRACCUR.key, EBRANCHS.key], notes)
    size = save(m, dest)
    return {"path": str(dest), "bytes": size, "cells": len(cells["features"]), "postcodes_lacking": len(lacking),
            "gp_sites": len(sites)}
