"""Map: inclusion need by LSOA, a layer per component, Gi* hot and cold spots, robust priorities."""

from __future__ import annotations

from pathlib import Path

import duckdb
import folium

from pipeline.outputs.mapkit import (
    NO_DATA,
    RISK_COLOURS,
    Backdrop,
    add_legend,
    add_sources,
    add_title,
    class_labels,
    classes,
    colour_for,
    district_outlines,
    esc,
    features,
    fmt,
    new_map,
    place_labels,
    rows_html,
    save,
)
from pipeline.wording import Terms

COMPONENT_LABELS = {
    "age": "Older residents",
    "disability": "Disability and ill health",
    "deprivation": "Deprivation",
    "engagement": "Internet engagement (IUC)",
}
# Purples for hot spots and blues for cold spots, so outlines stay visible on the yellow-red fill.
HOT = {
    "hot spot (99%)": "#49006a",
    "hot spot (95%)": "#ae017e",
    "hot spot (90%)": "#f768a1",
    "cold spot (99%)": "#08306b",
    "cold spot (95%)": "#2171b5",
    "cold spot (90%)": "#6baed6",
}
EQUAL_BREAKS = [2, 4, 6, 8]


def place_rows(r: dict) -> list[tuple[str, str]]:
    """The rows every LSOA popup starts with: where it is and who lives there."""
    return [
        ("Ward (2024)", esc(r["ward_name"])),
        ("District", esc(r["lad_name"])),
        ("Residents (Census 2021)", fmt(r["residents_2021"], 0)),
    ]


IUC_CARRIED = " (from its 2011 area's IUC group, below)"


def iuc_row(r: dict) -> tuple[str, str]:
    """The IUC group, marked where it is a larger 2011 area's (a split LSOA's pieces share it and tie on it)."""
    label = esc(r["iuc_label"])
    if r.get("iuc_area"):
        others = (r.get("iuc_lsoas_sharing") or 1) - 1
        shared = f", shared with {others} other LSOA{'' if others == 1 else 's'}" if others else ""
        label += f" (of LSOA (2011) {esc(r['iuc_area'])}{shared})"
    return ("Internet User Classification", label)


def tooltip(r: dict, components: list[str], draws: int) -> str:
    shown = "no data" if r["p_top_decile"] is None else f"{float(r['p_top_decile']):.0%}"
    rows = place_rows(r) + [
        ("Inclusion need (0–10)", f"{fmt(r['need_score'], 2)} — rank {fmt(r['need_rank'])} of {fmt(r['n'])}"),
        # the share of draws said in words: a bare 'P' is explained nowhere on the page
        ("Highest-need tenth", f"{esc(r['priority'])}: in {shown} of the {draws:,} seeded draws"),
        ("Hotspot (Gi*, FDR)", esc(r["hotspot_class"])),
    ]
    carried = IUC_CARRIED if r.get("iuc_area") else ""  # the engagement score rests on the IUC group
    rows += [
        (COMPONENT_LABELS.get(c, c), fmt(r[f"{c}_score"], 2) + (carried if c == "engagement" else ""))
        for c in components
    ]
    rows += [
        ("Aged 75+", fmt(r["pct_75_plus"], 1, "%")),
        ("Disabled (Equality Act)", fmt(r["pct_disabled"], 1, "%")),
        iuc_row(r),
    ]
    return rows_html(f"{r['lsoa_name']} ({r['lsoa_code']})", rows)


def build_need_map(
    con: duckdb.DuckDBPyConnection, backdrop: Backdrop, dest: Path, sources: dict[str, int], t: Terms, draws: int
) -> dict:
    components = [
        c
        for c in COMPONENT_LABELS
        if con.execute(f"SELECT count(*) FROM (DESCRIBE lsoa_need) WHERE column_name = '{c}_score'").fetchone()[0]
    ]
    query = """SELECT n.*, h.hotspot_class, u.priority, u.p_top_decile, count(*) OVER () AS n, a.geom
               FROM lsoa_need n JOIN hotspots h USING (lsoa_code) JOIN lsoa_areas a USING (lsoa_code)
               LEFT JOIN (SELECT * FROM rank_uncertainty WHERE score = 'need') u USING (lsoa_code)
               WHERE a.geom IS NOT NULL ORDER BY n.lsoa_code"""
    values = [r[0] for r in con.execute("SELECT need_score FROM lsoa_need").fetchall()]
    breaks = classes(values)
    data = features(
        con,
        query,
        lambda r: {
            "tip": tooltip(r, components, draws),
            "v": r["need_score"],
            "hot": r["hotspot_class"],
            "robust": r["priority"],
            "name": f"{r['lsoa_name']} ({r['lsoa_code']})",
            "place": place_rows(r),
            **{c: r[f"{c}_score"] for c in components},
        },
        simplify_m=30,
    )
    m = new_map(backdrop.bounds)
    folium.GeoJson(
        data,
        name="Inclusion need (people only)",
        style_function=lambda f: {
            "fillColor": colour_for(f["properties"]["v"], breaks, RISK_COLOURS),
            "fillOpacity": 0.75,
            "color": "#666",
            "weight": 0.4,
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
    ).add_to(m)
    for c in components:
        label = COMPONENT_LABELS[c]
        layer = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": f["geometry"],
                    "properties": {
                        "v": f["properties"][c],
                        "tip": rows_html(
                            f["properties"]["name"],
                            f["properties"]["place"] + [(f"{label} (0–10)", fmt(f["properties"][c], 2))],
                        ),
                    },
                }
                for f in data["features"]
            ],
        }
        folium.GeoJson(
            layer,
            name=f"Component: {label}",
            show=False,
            style_function=(
                lambda f: {
                    "fillColor": colour_for(f["properties"]["v"], EQUAL_BREAKS, RISK_COLOURS),
                    "fillOpacity": 0.75,
                    "color": "#666",
                    "weight": 0.4,
                }
            ),
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        ).add_to(m)
    spots = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": f["geometry"], "properties": {"hot": f["properties"]["hot"]}}
            for f in data["features"]
            if f["properties"]["hot"] in HOT
        ],
    }
    folium.GeoJson(
        spots,
        name="Gi* hot and cold spots (FDR-adjusted)",
        interactive=False,
        style_function=lambda f: {"fill": False, "color": HOT[f["properties"]["hot"]], "weight": 3.5},
    ).add_to(m)
    robust = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": f["geometry"], "properties": {}}
            for f in data["features"]
            if f["properties"]["robust"] == "robust"
        ],
    }
    folium.GeoJson(
        robust,
        name=f"Robust highest-need tenth (at least {t.robust_share} of the draws)",
        interactive=False,
        style_function=lambda f: {"fill": False, "color": "#000", "weight": 2.5, "dashArray": "1 4"},
    ).add_to(m)
    district_outlines(m, backdrop)
    place_labels(m, backdrop)
    folium.LayerControl(collapsed=False).add_to(m)
    lo, hi = (min(values), max(values)) if values else (0, 0)
    add_title(
        m,
        "Inclusion need by neighbourhood",
        "People-side only (age, disability, deprivation, internet engagement); 0–10, 10 = highest need. "
        "Hover for the breakdown.",
    )
    add_legend(
        m,
        [
            (
                "Need (quintiles of the study area)",
                list(zip(RISK_COLOURS, class_labels(breaks, lo, hi, 2), strict=False)),
            ),
            (
                "Gi* clusters (outline, FDR-adjusted)",
                [(f"background:none;border:3px solid {c}", k) for k, c in HOT.items()],
            ),
            (
                "Top-decile need",
                [("background:none;border:2px dotted #000", f"robust: {t.robust}")],
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
        note="None of the connectivity gap's broadband figures enters this score (the internet-use groups may "
        "reflect the broadband of 2018): see the triage map for the gap.",
    )
    add_sources(m, sources)
    size = save(m, dest)
    return {
        "path": str(dest),
        "bytes": size,
        "lsoas": len(data["features"]),
        "hotspot_outlines": len(spots["features"]),
        "robust_priorities": len(robust["features"]),
    }
