"""Map: where to target digital-inclusion outreach (skills, devices, donated data), priorities by
their suggested offer, robust priorities drawn apart from weight-dependent ones."""

from __future__ import annotations

from pathlib import Path

import duckdb
import folium

from pipeline.outputs.map_need import iuc_row, place_rows
from pipeline.outputs.mapkit import (
    Backdrop,
    add_legend,
    add_sources,
    add_title,
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

OFFER_COLOURS = {
    "digital skills and confidence (older residents)": "#6a51a3",
    "digital skills and motivation (low internet engagement)": "#2b8cbe",
    "devices and donated mobile data (low income)": "#e6550d",
    "assisted digital support and accessible devices (disability and ill health)": "#31a354",
}
ROBUSTNESS = {
    "robust": {"weight": 3, "dashArray": None, "fillOpacity": 0.85},
    "weight-dependent": {"weight": 1.5, "dashArray": "5 4", "fillOpacity": 0.45},
    "rarely in the top tenth": {"weight": 1, "dashArray": "2 4", "fillOpacity": 0.3},
}
SWATCH = {  # the legend's picture of each outline style above
    "robust": "background:#bbb;border:3px solid #111",
    "weight-dependent": "background:#ddd;border:1.5px dashed #111",
    "rarely in the top tenth": "background:#eee;border:1px dotted #111",
}
OTHERS = "#f0f0f0"


def sureness_legend(counts: dict[str, int], t: Terms, deciles: int) -> list[tuple[str, str]]:
    """One entry per class some priority has, each with its own meaning (from the run's terms) and count:
    a class no neighbourhood has is not shown, and no two entries say the same thing."""
    meaning = {
        "robust": f"robust: {t.robust}",
        "weight-dependent": f"weight-dependent: {t.weight_dependent}",
        "rarely in the top tenth": (
            "rarely in the top tenth: a priority by its need decile"
            + (f" (2-{deciles})" if deciles > 2 else " (2)" if deciles == 2 else "")
            + f", {t.rarely}"
        ),
    }
    return [(SWATCH[k], f"{meaning[k]} ({counts[k]:,})") for k in ROBUSTNESS if counts.get(k)]


def build_inclusion_map(
    con: duckdb.DuckDBPyConnection, backdrop: Backdrop, dest: Path, sources: dict[str, int], deciles: int, t: Terms
) -> dict:
    priorities = features(
        con,
        """SELECT p.*, a.geom FROM inclusion_priorities p JOIN lsoa_areas a USING (lsoa_code)
                                  WHERE a.geom IS NOT NULL ORDER BY p.priority_order""",
        lambda r: {
            "offer": r["suggested_offer"],
            "robust": r["robustness"] or "rarely in the top tenth",
            "tip": rows_html(
                f"{r['lsoa_name']} ({r['lsoa_code']})",
                place_rows(r)
                + [
                    ("Priority", f"{fmt(r['priority_order'])} (need rank {fmt(r['need_rank'])})"),
                    ("Suggested offer", esc(r["suggested_offer"])),
                    (
                        "How sure",
                        f"{esc(r['robustness'])}: in the highest-need tenth in "
                        f"{fmt(100 * (r['p_top_decile'] or 0), 0)}% of the {t.draws}; in 90% of them its rank was "
                        f"between {fmt(r['rank_p05'], 0)} and {fmt(r['rank_p95'], 0)}",
                    ),
                    ("Inclusion need (0–10)", fmt(r["need_score"], 2)),
                    ("Aged 75+", fmt(r["pct_75_plus"], 1, "%")),
                    ("Disabled", fmt(r["pct_disabled"], 1, "%")),
                    iuc_row(r),
                ],
            ),
        },
        simplify_m=30,
    )
    others = features(
        con,
        """SELECT lsoa_code, geom FROM lsoa_areas WHERE geom IS NOT NULL
                              AND lsoa_code NOT IN (SELECT lsoa_code FROM inclusion_priorities)""",
        lambda r: {},
        simplify_m=30,
    )
    m = new_map(backdrop.bounds)
    folium.GeoJson(
        others,
        name=f"Not priorities (need decile {deciles + 1} or lower)",
        interactive=False,
        style_function=lambda f: {"fillColor": OTHERS, "fillOpacity": 0.5, "color": "#bbb", "weight": 0.4},
    ).add_to(m)
    folium.GeoJson(
        priorities,
        name=f"Priority LSOAs ({len(priorities['features'])})",
        style_function=lambda f: {
            "fillColor": OFFER_COLOURS.get(f["properties"]["offer"], "#999"),
            "color": "#111",
            **ROBUSTNESS[f["properties"]["robust"]],
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
    ).add_to(m)
    district_outlines(m, backdrop)
    place_labels(m, backdrop)
    folium.LayerControl(collapsed=False).add_to(m)
    residents = con.execute("SELECT sum(residents_2021) FROM inclusion_priorities").fetchone()[0]
    counts = {p["properties"]["robust"]: 0 for p in priorities["features"]}
    for p in priorities["features"]:
        counts[p["properties"]["robust"]] += 1
    robust = counts.get("robust", 0)
    add_title(
        m,
        "Digital inclusion: where to target outreach",
        f"{len(priorities['features'])} priority LSOAs (the study area's highest-need {deciles * 10}%), "
        f"{fmt(round(residents or 0))} residents; {robust} robust ({t.robust})",
    )
    add_legend(
        m,
        [
            ("Suggested offer", [(colour, offer) for offer, colour in OFFER_COLOURS.items()]),
            ("How sure of the ranking", sureness_legend(counts, t, deciles)),
            ("", [(OTHERS, f"not a priority: need decile {deciles + 1} or lower ({len(others['features'])})")]),
        ],
        note="The offer follows the need component in which the neighbourhood stands highest in the study area.",
    )
    add_sources(m, sources)
    size = save(m, dest)
    return {"path": str(dest), "bytes": size, "priority_lsoas": len(priorities["features"]), "robust": robust}
