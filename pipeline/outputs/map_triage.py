"""Map: triage per neighbourhood (need x connectivity gap), and the connectivity gap itself drawn
in an "area average" hatch wherever it is known only for a postcode district or a district."""

from __future__ import annotations

from pathlib import Path

import duckdb
import folium

from pipeline.lookup import caution_notes, district_cautions, unlabelled
from pipeline.outputs.map_need import place_rows
from pipeline.outputs.mapkit import (
    GOOD_TO_BAD,
    Backdrop,
    Hatch,
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
    hatch_legend_style,
    new_map,
    place_labels,
    resolution_label,
    rows_html,
    save,
)
from pipeline.wording import Terms

TRIAGE_COLOURS = {"both": "#7b3294", "adoption gap": "#e66101", "infrastructure gap": "#5e9dc8", "neither": "#eeeeee"}
TRIAGE_WORDS = {
    "both": "both: fibre and inclusion",
    "adoption gap": "adoption gap: an inclusion offer",
    "infrastructure gap": "infrastructure gap: fibre",
    "neither": "neither",
}
GAP_COLOURS = GOOD_TO_BAD  # green (served) to red (gap)


def gap_rows(r: dict, cautions: dict[str, str]) -> list[tuple[str, str]]:
    """How the connectivity gap is known for this LSOA, in words, and the district's caution where its
    neighbourhood broadband figures miss Ofcom's own (``lookup.district_cautions``)."""
    if r["gap_is_area_average"]:
        known = (
            f"area average for {esc(r['broadband_area'])} ({resolution_label(r['broadband_resolution'])}), "
            f"the same for {fmt(r['lsoas_sharing_gap_value'])} "
            f"LSOA{'' if r['lsoas_sharing_gap_value'] == 1 else 's'}"
        )
    else:
        known = "measured in this LSOA"
    caution = cautions.get(r["lad_name"])
    shared = r["gap_is_area_average"] and (r["lsoas_sharing_gap_value"] or 0) > 1
    # a value shared by every LSOA of its area gives them one rank: said so, never a rank among them
    rank = (
        f"={fmt(r['supply_gap_rank'])} (the {fmt(r['lsoas_sharing_gap_value'])} LSOAs with this area average share it)"
        if shared
        else fmt(r["supply_gap_rank"])
    )
    return [
        ("Connectivity gap (0–10)", f"{fmt(r['supply_gap_score'], 2)} — rank {rank}"),
        ("Gap known as", known),
    ] + ([("Caution", esc(f"{unlabelled(caution)}: read this gap and the triage class with care"))] if caution else [])


def resolution_note(con: duckdb.DuckDBPyConnection) -> str:
    """What the connectivity gap rests on, from the data: fixed broadband's release and resolution."""
    resolution, release = con.execute("""SELECT mode(resolution), string_agg(DISTINCT release, ', ')
                                         FROM lsoa_indicators WHERE indicator = 'pct_no_gigabit'""").fetchone()
    words = {
        "postcode_district": "postcode-district averages",
        "local_authority": "district averages",
        "postcode": "postcode figures",
    }.get(resolution, "no figures")
    return f"Fixed broadband in the connectivity gap: {release or 'no release'}, as {words}."


ROBUST_SWATCH = "background:transparent;border:2.5px dotted #000"  # as the robust layer's outline


def build_triage_map(
    con: duckdb.DuckDBPyConnection, backdrop: Backdrop, dest: Path, sources: dict[str, int], t: Terms
) -> dict:
    query = """SELECT t.*, u.priority, a.geom FROM lsoa_triage t JOIN lsoa_areas a USING (lsoa_code)
               LEFT JOIN (SELECT * FROM rank_uncertainty WHERE score = 'need') u USING (lsoa_code)
               WHERE a.geom IS NOT NULL ORDER BY t.lsoa_code"""
    gaps = [r[0] for r in con.execute("SELECT supply_gap_score FROM lsoa_triage").fetchall()]
    cautions = district_cautions(con)
    breaks = classes(gaps)
    data = features(
        con,
        query,
        lambda r: {
            "cls": r["triage_class"],
            "gap": r["supply_gap_score"],
            "avg": bool(r["gap_is_area_average"]),
            "robust": r["priority"] == "robust",
            "tip": rows_html(
                f"{r['lsoa_name']} ({r['lsoa_code']})",
                place_rows(r)
                + [
                    ("Triage", esc(TRIAGE_WORDS[r["triage_class"]])),
                    ("Suggested action", esc(r["suggested_action"])),
                    ("Inclusion need (0–10)", f"{fmt(r['need_score'], 2)} — rank {fmt(r['need_rank'])}"),
                    ("Top-tenth need over the seeded draws", esc(r["priority"] or "not computed")),
                ]
                + gap_rows(r, cautions),
            ),
        },
        simplify_m=30,
    )
    m = new_map(backdrop.bounds)
    Hatch(GAP_COLOURS).add_to(m)
    triage_hatch = Hatch(list(TRIAGE_COLOURS.values()), prefix="triage-hatch")
    triage_hatch.add_to(m)

    def triage_style(f):
        colour = TRIAGE_COLOURS[f["properties"]["cls"]]
        return {
            "fillColor": triage_hatch.fill(colour) if f["properties"]["avg"] else colour,
            "fillOpacity": 0.8,
            "color": "#555",
            "weight": 0.4,
        }

    averaged = sum(1 for f in data["features"] if f["properties"]["avg"])
    folium.GeoJson(
        data,
        name="Triage: need × connectivity gap (hatched: gap is an area average)",
        style_function=triage_style,
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
    ).add_to(m)

    def gap_style(f):
        colour = colour_for(f["properties"]["gap"], breaks, GAP_COLOURS)
        fill = f"url(#hatch-{GAP_COLOURS.index(colour)})" if f["properties"]["avg"] else colour
        return {"fillColor": fill, "fillOpacity": 0.85, "color": "#555", "weight": 0.4}

    folium.GeoJson(
        data,
        name="Connectivity gap (hatched = area average)",
        show=False,
        style_function=gap_style,
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
    ).add_to(m)
    robust = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": f["geometry"], "properties": {}}
            for f in data["features"]
            if f["properties"]["robust"]
        ],
    }
    folium.GeoJson(
        robust,
        name="Robust top-decile need",
        interactive=False,
        style_function=lambda f: {"fill": False, "color": "#000", "weight": 2.5, "dashArray": "1 4"},
    ).add_to(m)
    district_outlines(m, backdrop)
    place_labels(m, backdrop)
    folium.LayerControl(collapsed=False).add_to(m)
    counts = dict(con.execute("SELECT triage_class, count(*) FROM lsoa_triage GROUP BY 1").fetchall())
    residents = dict(
        con.execute("SELECT triage_class, round(sum(residents_2021)) FROM lsoa_triage GROUP BY 1").fetchall()
    )
    add_title(
        m,
        "Triage: where need for inclusion support and a connectivity gap meet, apart or together",
        f"High need: {t.high_need}. Connectivity gap: {t.unserved}.",
    )
    lo, hi = (min(gaps), max(gaps)) if gaps else (0, 0)
    hatched_note = (
        [
            (
                hatch_legend_style(0, TRIAGE_COLOURS["infrastructure gap"]),
                f"hatched: the connectivity gap is an area average ({averaged} of {len(data['features'])} "
                "LSOAs), so the class cannot tell neighbourhoods of one area apart",
            )
        ]
        if averaged
        else []
    )
    add_legend(
        m,
        [
            (
                "Triage class (residents)",
                [
                    (c, f"{TRIAGE_WORDS[k]} ({fmt(int(residents.get(k, 0)))} in {counts.get(k, 0)} LSOAs)")
                    for k, c in TRIAGE_COLOURS.items()
                ]
                + hatched_note,
            ),
            (
                "Connectivity gap layer: score 0-10, 10 = largest gap (quintiles)",
                list(zip(GAP_COLOURS, class_labels(breaks, lo, hi, 2), strict=False)),
            ),
            (
                "",
                [(hatch_legend_style(2, GAP_COLOURS[2]), "hatched: an area average, shared by every LSOA in the area")],
            ),
        ]
        + (
            [
                (
                    "Robust top-decile need layer",
                    [
                        (
                            ROBUST_SWATCH,
                            f"dotted black outline: {len(robust['features'])} LSOAs robust, {t.robust}",
                        )
                    ],
                )
            ]
            if robust["features"]
            else []
        ),
        note="Where the gap is an area average it cannot tell neighbourhoods in that area apart; they are in the "
        "connectivity-gap class together or not at all.",
    )
    add_sources(
        m, sources, [resolution_note(con), *caution_notes(cautions, "the connectivity gap and triage classes there")]
    )
    size = save(m, dest)
    return {"path": str(dest), "bytes": size, "lsoas": len(data["features"]), "classes": counts}
