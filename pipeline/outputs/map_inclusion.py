"""Map 4: where to target digital-inclusion outreach (skills, devices, donated data)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import folium

from pipeline.analysis.indicators import SOURCE_KEYS
from pipeline.outputs.mapkit import (add_legend, add_sources, add_title, district_outlines, esc, features, fmt, new_map,
                                     rows_html, save, study_bounds)

OFFER_COLOURS = {
    "digital skills (older residents)": "#6a51a3",
    "devices and donated data (deprivation)": "#e6550d",
    "digital skills + devices and donated data": "#a50f15",
}


def build_inclusion_map(con: duckdb.DuckDBPyConnection, dest: Path, deciles: int, share: float) -> dict:
    priorities = features(con, """SELECT p.*, b.geom FROM inclusion_priorities p JOIN lsoa_boundaries b USING (lsoa11cd)
                                  ORDER BY p.priority_order""", lambda r: {"offer": r["suggested_offer"], "tip": rows_html(
        f"{r['lsoa11nm']} ({r['lsoa11cd']})", [
            ("Priority", f"{fmt(r['priority_order'])} (index rank {fmt(r['index_rank'])})"),
            ("Suggested offer", esc(r["suggested_offer"])),
            ("Residents (2021)", fmt(r["residents_2021"])),
            ("Residents aged 65+", f"{fmt(r['residents_65_plus'])} ({fmt(r['pct_65_plus'], 1, '%')})"),
            ("Deprivation component (0–10)", fmt(r["deprivation_score"], 2)),
            ("IMD 2019 rank", f"{fmt(r['imd_rank'])} of 32,844"),
        ])}, simplify_m=30)
    others = features(con, """SELECT lsoa11cd, geom FROM lsoa_boundaries
                              WHERE lsoa11cd IN (SELECT lsoa11cd FROM lsoa_index)
                              AND lsoa11cd NOT IN (SELECT lsoa11cd FROM inclusion_priorities)""",
                      lambda r: {}, simplify_m=30)
    m = new_map(study_bounds(con))
    folium.GeoJson(others, name="Other LSOAs", interactive=False,
                   style_function=lambda f: {"fillColor": "#f0f0f0", "fillOpacity": 0.5, "color": "#bbb",
                                             "weight": 0.4}).add_to(m)
    folium.GeoJson(priorities, name=f"Priority LSOAs ({len(priorities['features'])})", style_function=lambda f: {
        "fillColor": OFFER_COLOURS[f["properties"]["offer"]], "fillOpacity": 0.75, "color": "#222", "weight": 0.8},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True)).add_to(m)
    district_outlines(con, m)
    folium.LayerControl(collapsed=False).add_to(m)
    residents, older = con.execute("SELECT sum(residents_2021), sum(residents_65_plus) FROM inclusion_priorities").fetchone()
    add_title(m, "Digital inclusion: where to target outreach",
              f"{len(priorities['features'])} priority LSOAs, {fmt(residents)} residents of whom {fmt(older)} aged 65+")
    add_legend(m, [("Suggested offer", [(colour, offer) for offer, colour in OFFER_COLOURS.items()]),
                   ("", [("#f0f0f0", "not a priority")])],
               note=(f"Priority: index in the highest-risk {deciles * 10}% of the study area, and in the top "
                     f"{share:.0%} for older residents or for deprivation."))
    add_sources(m, SOURCE_KEYS)
    size = save(m, dest)
    return {"path": str(dest), "bytes": size, "priority_lsoas": len(priorities["features"])}
