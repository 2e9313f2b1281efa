"""Map 3: GP sites sized by list size, their catchments, and telehealth readiness."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import folium

from pipeline.outputs.mapkit import (GOOD_TO_BAD, add_legend, add_sources, add_title, colour_for, district_outlines,
                                     esc, features, fmt, new_map, place_labels, resolution_label, rows_html, save,
                                     study_bounds)

READINESS_BREAKS = [5, 6, 7, 8]  # readiness score 0-10; red = least ready
READINESS_COLOURS = list(reversed(GOOD_TO_BAD))


def radius(list_size) -> float:
    """Circle radius in pixels, with area proportional to the registered list."""
    return 4 + math.sqrt(list_size or 0) / 12


def build_gp_map(con: duckdb.DuckDBPyConnection, dest: Path, sources: dict[str, int]) -> dict:
    total = con.execute("SELECT count(*) FROM gp_readiness").fetchone()[0]
    catchments = features(con, """
        SELECT c.location_id, c.site_codes, c.sites_at_location, c.geom, min(r.readiness_score) AS score,
               min(r.readiness_rank) AS best_rank, any_value(r.catchment_residents) AS residents,
               any_value(r.catchment_postcodes) AS postcodes, any_value(r.catchment_pct_no_gigabit) AS no_gig,
               string_agg(r.name, '; ' ORDER BY r.name) AS names
        FROM gp_catchments c JOIN gp_readiness r USING (location_id)
        GROUP BY ALL ORDER BY c.location_id""", lambda r: {"v": r["score"], "tip": rows_html(
            "Catchment", [("Sites", esc(r["names"])), ("Residents (est.)", fmt(r["residents"], 0)),
                          ("Postcodes", fmt(r["postcodes"])), ("Premises without gigabit", fmt(r["no_gig"], 1, "%")),
                          ("Readiness score (0–10)", fmt(r["score"], 2))])}, simplify_m=20)
    m = new_map(study_bounds(con))
    subicbs = features(con, "SELECT subicb_name, study_lsoas, geom FROM subicb_boundaries", lambda r: {
        "tip": rows_html(r["subicb_name"], [("Study-area LSOAs in it", fmt(r["study_lsoas"]))])}, simplify_m=50)
    folium.GeoJson(subicbs, name="Sub-ICB locations (July 2022)", style_function=lambda f: {
        "fill": False, "color": "#1b7837", "weight": 2.5, "dashArray": "8 4"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True)).add_to(m)
    folium.GeoJson(catchments, name="Catchments (nearest site, up to the distance cap)", style_function=lambda f: {
        "fillColor": colour_for(f["properties"]["v"], READINESS_BREAKS, READINESS_COLOURS), "fillOpacity": 0.35,
        "color": "#444", "weight": 1}, tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True)).add_to(m)
    sites = con.execute("SELECT * FROM gp_readiness ORDER BY list_size DESC NULLS LAST, site_code")
    names = [d[0] for d in sites.description]
    group = folium.FeatureGroup(name=f"GP sites sized by list size ({total})")
    for row in sites.fetchall():
        r = dict(zip(names, row))
        popup = rows_html(r["name"], [
            ("Readiness rank", f"{fmt(r['readiness_rank'])} of {total} (1 = least ready)"),
            ("Readiness score (0–10)", fmt(r["readiness_score"], 2)),
            ("Site", f"{esc(r['site_code'])} ({esc(r['site_type'])})"), ("PCN", esc(r["pcn_name"])),
            ("Sub-ICB", esc(r["subicb_name"])),
            ("Registered patients", f"{fmt(r['list_size'])} ({esc(r['list_size_applies_to'])})"),
            ("Gigabit at the site", f"{fmt(r['site_gigabit_pct'], 1, '%')} "
                                    f"({resolution_label(r['site_broadband_resolution'])} figure)"),
            ("Catchment residents (est.)", fmt(r["catchment_residents"], 0)),
            ("Catchment without superfast", fmt(r["catchment_pct_no_superfast"], 1, "%")),
            ("Catchment without gigabit", fmt(r["catchment_pct_no_gigabit"], 1, "%")),
            ("Catchment inclusion need (0–10)", fmt(r["catchment_mean_need"], 2)),
        ])
        folium.CircleMarker([r["lat"], r["lon"]], radius=radius(r["list_size"]), color="#111", weight=1.2, fill=True,
                            fill_opacity=0.85, fill_color=colour_for(r["readiness_score"], READINESS_BREAKS,
                                                                     READINESS_COLOURS),
                            tooltip=esc(r["name"]), popup=folium.Popup(popup, max_width=380)).add_to(group)
    group.add_to(m)
    district_outlines(con, m)
    place_labels(con, m)
    folium.LayerControl(collapsed=False).add_to(m)
    add_title(m, "GP sites: telehealth readiness",
              "Circle area shows registered patients; colour shows readiness. Click a site for its rank.")
    add_legend(m, [("Readiness score (0–10)", list(zip(READINESS_COLOURS, ["under 5 (least ready)", "5 – 6", "6 – 7",
                                                                            "7 – 8", "8 and over"])))],
               note="Branches show their parent practice's list size.")
    area_average = con.execute("SELECT count(*) FILTER (broadband_parts_area_average) FROM gp_readiness").fetchone()[0]
    notes = ["Catchments are straight-line nearest-site areas, not registered lists."]
    if area_average:
        notes.insert(0, f"Broadband at {area_average} of {total} sites (and in their catchments) is a postcode-district "
                        "average: it cannot say whether a surgery itself has gigabit.")
    add_sources(m, sources, notes)
    size = save(m, dest)
    return {"path": str(dest), "bytes": size, "sites": total, "catchments": len(catchments["features"])}
