"""Map 1: the digital-exclusion index by LSOA, a layer per component, Gi* hotspots, districts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import folium

from pipeline.analysis.indicators import SOURCE_KEYS
from pipeline.outputs.mapkit import (NO_DATA, RISK_COLOURS, add_legend, add_sources, add_title, class_labels, classes,
                                     colour_for, district_outlines, esc, features, fmt, new_map, resolution_label, rows_html, save,
                                     study_bounds)

COMPONENT_LABELS = {"broadband": "Broadband", "age": "Age", "deprivation": "Deprivation", "rurality": "Rurality"}
# Purples for hot spots and blues for cold spots, so outlines stay visible on the red-yellow fill.
HOT = {"hot spot (99%)": "#49006a", "hot spot (95%)": "#ae017e", "hot spot (90%)": "#f768a1",
       "cold spot (99%)": "#08306b", "cold spot (95%)": "#2171b5", "cold spot (90%)": "#6baed6"}
EQUAL_BREAKS = [2, 4, 6, 8]  # components on 0-10, same classes for every component layer


def tooltip(r: dict, components: list[str]) -> str:
    rows = [("Index (0–10)", f"{fmt(r['index_score'], 2)} — rank {fmt(r['index_rank'])} of {fmt(r['n'])}"),
            ("Hotspot (Gi*)", esc(r["hotspot_class"]))]
    rows += [(f"{COMPONENT_LABELS.get(c, c)} component", fmt(r[f"{c}_score"], 2)) for c in components]
    rows += [
        ("No superfast", fmt(r["pct_no_superfast"], 1, "%")),
        ("No gigabit", fmt(r["pct_no_gigabit"], 1, "%")),
        ("Below USO (10 Mbit/s)", fmt(r["pct_below_uso"], 1, "%")),
        ("Aged 65+ (2021)", fmt(r["pct_65_plus"], 1, "%")),
        ("IMD 2019 rank", f"{fmt(r['imd_rank'])} of 32,844"),
        ("Residents (2021)", fmt(r["residents_2021"])),
        ("Broadband data", f"{resolution_label(r['broadband_resolution'])} figures, {esc(r['broadband_release'])}"),
    ]
    return rows_html(f"{r['lsoa11nm']} ({r['lsoa11cd']})", rows)


def build_exclusion_map(con: duckdb.DuckDBPyConnection, dest: Path, index_mode: str) -> dict:
    components = [c[:-6] for c, in con.execute(
        "SELECT column_name FROM (DESCRIBE lsoa_index) WHERE column_name LIKE '%\\_score' ESCAPE '\\' "
        "AND column_name <> 'index_score' ORDER BY column_name").fetchall()]
    query = """SELECT i.*, h.hotspot_class, count(*) OVER () AS n, b.geom
               FROM lsoa_index i JOIN hotspots h USING (lsoa11cd) JOIN lsoa_boundaries b USING (lsoa11cd)
               ORDER BY i.lsoa11cd"""
    index_values = [r[0] for r in con.execute("SELECT index_score FROM lsoa_index").fetchall()]
    breaks = classes(index_values)
    data = features(con, query, lambda r: {
        "tip": tooltip(r, components), "index": r["index_score"], "hot": r["hotspot_class"],
        "name": f"{r['lsoa11nm']} ({r['lsoa11cd']})", **{c: r[f"{c}_score"] for c in components}}, simplify_m=40)

    m = new_map(study_bounds(con))
    folium.GeoJson(data, name=f"Digital exclusion index ({index_mode} weights)", style_function=lambda f: {
        "fillColor": colour_for(f["properties"]["index"], breaks, RISK_COLOURS), "fillOpacity": 0.75,
        "color": "#555", "weight": 0.4}, tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True)
    ).add_to(m)
    for c in components:
        label = COMPONENT_LABELS.get(c, c)
        layer = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": f["geometry"], "properties": {
                "v": f["properties"][c],
                "tip": rows_html(f["properties"]["name"], [(f"{label} component (0–10)", fmt(f["properties"][c], 2))])}}
            for f in data["features"]]}
        folium.GeoJson(layer, name=f"Component: {label}", show=False, style_function=(
            lambda f: {"fillColor": colour_for(f["properties"]["v"], EQUAL_BREAKS, RISK_COLOURS),
                       "fillOpacity": 0.75, "color": "#555", "weight": 0.4}),
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True)).add_to(m)
    spots = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": f["geometry"], "properties": {"hot": f["properties"]["hot"]}}
        for f in data["features"] if f["properties"]["hot"] in HOT]}
    folium.GeoJson(spots, name="Gi* hot and cold spots (outlines)", interactive=False, style_function=lambda f: {
        "fill": False, "color": HOT[f["properties"]["hot"]], "weight": 3.5}).add_to(m)
    district_outlines(con, m)
    folium.LayerControl(collapsed=False).add_to(m)

    lo, hi = min(index_values), max(index_values)
    add_title(m, "Digital exclusion risk by neighbourhood (LSOA)",
              f"Index 0–10, 10 = highest risk; {index_mode} weights. Hover for the breakdown.")
    add_legend(m, [
        ("Index (quintiles of the study area)", list(zip(RISK_COLOURS, class_labels(breaks, lo, hi, 2)))),
        ("Component layers (0–10)", list(zip(RISK_COLOURS, ["0 – 2", "2 – 4", "4 – 6", "6 – 8", "8 – 10"]))),
        ("Getis-Ord Gi* clusters (outline)", [(f"background:none;border:3px solid {c}", k) for k, c in HOT.items()]),
        ("", [(NO_DATA, "no data")]),
    ], note="Broadband figures are postcode-district averages (Ofcom, July 2024).")
    add_sources(m, SOURCE_KEYS, ["Broadband indicators are averages for each postcode district, not measured per "
                                 "neighbourhood; see docs/METHOD.md."])
    size = save(m, dest)
    return {"path": str(dest), "bytes": size, "lsoas": len(data["features"]), "hotspot_outlines": len(spots["features"]),
            "layers": 2 + len(components) + 1}
