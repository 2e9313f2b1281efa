"""Map: how far people are from a place that can help. Neighbourhoods coloured by inclusion need, strong
where no existing venue lies within reach (a straight line of ``access.reach_km``) and pale where one
does; the venues by type; and the sites the covering model picks for ``access.map_k`` new venues."""

from __future__ import annotations

from pathlib import Path

import duckdb
import folium

from pipeline.lookup import grouped_hours
from pipeline.outputs.map_need import place_rows
from pipeline.outputs.mapkit import (
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
from pipeline.registry import LIBRARY_DATE
from pipeline.wording import Terms, display_name

VENUE_STYLE = {
    "library": ("#08519c", "Library (open static, Arts Council England)"),
    "gp_site": ("#238b45", "GP practice"),
}
USER_COLOUR = "#6a3d9a"
NEW_SITE = "#d7301f"
HIGH_NEED_EDGE = "#3f007d"  # the outline of a high-need neighbourhood (the triage definition)
PALE, STRONG = 0.2, 0.8  # fill opacity within reach, and beyond it


def tints(colours: list[str], opacity: float) -> str:
    """A legend swatch holding every colour of the scale at one opacity: one swatch honestly stands for
    the five need fifths drawn pale (or strong), not for one of them."""
    stops = ", ".join(f"rgba({int(c[1:3], 16)},{int(c[3:5], 16)},{int(c[5:7], 16)},{opacity})" for c in colours)
    return f"background:linear-gradient(to right, {stops})"


def _venue_popup(r: dict) -> str:
    rows = [
        ("Type", esc(r["venue_type"].replace("_", " "))),
        (
            "Role",
            "existing venue"
            if r["role"] == "existing"
            else "candidate site for a new venue"
            if r["role"] == "candidate"
            else "neither",
        ),
        ("Address", esc(", ".join(p for p in (r["address"], r["postcode"]) if p)) or "not given"),
        ("Opening hours", esc(grouped_hours(r["opening_hours"])) or "not given"),
        ("Data date", f"{esc(r['data_date'])} (check before sending someone)"),
    ]
    if not r["in_study_area"]:
        rows.append(("Outside the study area", f"{fmt(r['distance_to_study_km'], 1)} km beyond its edge"))
    return rows_html(display_name(r["name"]), rows)


def build_access_map(
    con: duckdb.DuckDBPyConnection,
    backdrop: Backdrop,
    dest: Path,
    sources: dict[str, int],
    reach_km: float,
    map_k: int,
    t: Terms,
) -> dict:
    needs = [r[0] for r in con.execute("SELECT need_score FROM lsoa_access").fetchall()]
    breaks = classes(needs)
    lo, hi = (min(needs), max(needs)) if needs else (0, 10)
    areas = features(
        con,
        """SELECT x.*, a.geom FROM lsoa_access x JOIN lsoa_areas a USING (lsoa_code)
                             WHERE a.geom IS NOT NULL ORDER BY x.lsoa_code""",
        lambda r: {
            "v": r["need_score"],
            "beyond": bool(r["beyond_reach"]),
            "high": bool(r["high_need"]),
            "tip": rows_html(
                f"{r['lsoa_name']} ({r['lsoa_code']})",
                place_rows(r)
                + [
                    ("Inclusion need (0–10)", fmt(r["need_score"], 2) + (" (high need)" if r["high_need"] else "")),
                    (
                        "Nearest existing venue",
                        f"{esc(display_name(r['nearest_venue']))}, {fmt(r['nearest_venue_km'], 2)} km"
                        if r["nearest_venue"]
                        else "none",
                    ),
                    (
                        "Nearest library",
                        f"{esc(display_name(r['nearest_library']))}, {fmt(r['nearest_library_km'], 2)} km"
                        if r["nearest_library"]
                        else "none",
                    ),
                    (
                        "Nearest GP practice",
                        f"{esc(display_name(r['nearest_gp_site']))}, {fmt(r['nearest_gp_site_km'], 2)} km"
                        if r["nearest_gp_site"]
                        else "none",
                    ),
                    (
                        "Beyond reach",
                        f"yes: more than {reach_km:g} km from any existing venue" if r["beyond_reach"] else "no",
                    ),
                    ("Measured from", esc(r["origin"]) + ", in a straight line"),
                ],
            ),
        },
        simplify_m=30,
    )
    m = new_map(backdrop.bounds)
    folium.GeoJson(
        areas,
        name="Neighbourhoods by need; strong where beyond reach",
        style_function=lambda f: {
            "fillColor": colour_for(f["properties"]["v"], breaks, RISK_COLOURS),
            "fillOpacity": STRONG if f["properties"]["beyond"] else PALE,
            "color": "#555",
            "weight": 1.2 if f["properties"]["beyond"] else 0.3,
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
    ).add_to(m)
    high = {"type": "FeatureCollection", "features": [f for f in areas["features"] if f["properties"]["high"]]}
    folium.GeoJson(  # the title's "high-need neighbourhoods", drawn: fifths of need alone do not show them
        high,
        name=f"High-need neighbourhoods, outlined ({len(high['features'])})",
        interactive=False,
        style_function=lambda f: {"fill": False, "color": HIGH_NEED_EDGE, "weight": 2.2},
    ).add_to(m)
    venues = con.execute("""SELECT name, venue_type, role, address, postcode, opening_hours, data_date, in_study_area,
                                   distance_to_study_km,
                                   ST_Y(ST_Transform(geom, 'EPSG:27700', 'EPSG:4326', always_xy := true)) AS lat,
                                   ST_X(ST_Transform(geom, 'EPSG:27700', 'EPSG:4326', always_xy := true)) AS lon
                            FROM venues ORDER BY venue_type, name, venue_id""")
    names = [d[0] for d in venues.description]
    rows = [dict(zip(names, r, strict=False)) for r in venues.fetchall()]
    # a ring is drawn only where it can reach the study area: a London library's ring 6 km beyond it says nothing
    # about the study area's residents and would crowd the map
    reach = folium.FeatureGroup(
        name=f"{reach_km:g} km around each existing venue whose {reach_km:g} km reach the study area (straight line)"
    )
    groups: dict[str, folium.FeatureGroup] = {}
    legend: dict[str, str] = {}
    # only venues that can reach the study area's people are drawn: a hundred libraries farther out hid the map
    near = [r for r in rows if r["in_study_area"] or (r["distance_to_study_km"] or 0) <= reach_km]
    for r in near:
        colour, label = VENUE_STYLE.get(r["venue_type"], (USER_COLOUR, f"{r['venue_type']} (your venues)"))
        key = f"{label}: {'existing' if r['role'] == 'existing' else 'candidate sites'}"
        group = groups.setdefault(key, folium.FeatureGroup(name=key))
        existing = r["role"] == "existing"
        legend[key] = f"background:{colour};border:2px solid #111" if existing else f"background:{colour};opacity:.5"
        folium.CircleMarker(
            [r["lat"], r["lon"]],
            radius=6 if existing else 4,
            fill=True,
            color="#111" if existing else colour,
            weight=1.5 if existing else 1,
            fill_color=colour,
            fill_opacity=0.95 if existing else 0.5,
            tooltip=esc(display_name(r["name"])),
            popup=folium.Popup(_venue_popup(r), max_width=380),
        ).add_to(group)
        if existing:
            folium.Circle(
                [r["lat"], r["lon"]],
                radius=reach_km * 1000,
                color=colour,
                weight=1,
                fill=False,
                dash_array="4 4",
                interactive=False,
            ).add_to(reach)
    reach.add_to(m)
    for group in groups.values():
        group.add_to(m)
    solution = con.execute(
        """SELECT s.name, s.postcode, s.residents_reached_only_by_it,
                                     s.high_need_residents_reached_only_by_it,
                                     ST_Y(ST_Transform(v.geom, 'EPSG:27700', 'EPSG:4326', always_xy := true)),
                                     ST_X(ST_Transform(v.geom, 'EPSG:27700', 'EPSG:4326', always_xy := true))
                              FROM venue_siting s JOIN venues v USING (venue_id) WHERE s.k = $k ORDER BY s.name""",
        {"k": map_k},
    ).fetchall()
    chosen = folium.FeatureGroup(name=f"Sites chosen for {map_k} new venues (covering model)")
    for name, postcode, alone, high_alone, lat, lon in solution:
        folium.CircleMarker(
            [lat, lon],
            radius=11,
            fill=False,
            color=NEW_SITE,
            weight=4,
            tooltip=f"{esc(name)}: a site chosen for {map_k} new venues",
            popup=folium.Popup(
                rows_html(
                    name,
                    [
                        (
                            "Chosen",
                            f"one of the {map_k} sites that together reach the most need-weighted "
                            f"residents within {reach_km:g} km",
                        ),
                        ("Postcode", esc(postcode)),
                        ("Residents only it reaches", fmt(alone, 0)),
                        ("High-need residents only it reaches", fmt(high_alone, 0)),
                    ],
                ),
                max_width=380,
            ),
        ).add_to(chosen)
    chosen.add_to(m)
    district_outlines(m, backdrop)
    place_labels(m, backdrop)
    folium.LayerControl(collapsed=False).add_to(m)
    beyond, high_beyond = con.execute("""SELECT sum(residents_beyond_reach), sum(high_need_residents_beyond_reach)
                                  FROM lsoa_access""").fetchone()
    add_title(
        m,
        "Reaching people: distance to a place that can help",
        f"{fmt(round(beyond or 0), 0)} residents ({fmt(round(high_beyond or 0), 0)} in high-need neighbourhoods, "
        f"outlined purple) live in neighbourhoods whose centre is more than {reach_km:g} km in a straight line "
        f"from any existing venue. Red rings: sites a covering model picks for {map_k} new venues. Drawn: "
        f"{len(near):,} venues in or within {reach_km:g} km of the study area (the venues table has all "
        f"{len(rows):,}).",
    )
    add_legend(
        m,
        [
            (
                "Inclusion need (0–10), fifths of the neighbourhoods",
                list(zip(RISK_COLOURS, class_labels(breaks, lo, hi, 1), strict=False)),
            ),
            (
                "Reach (each fifth's colour, strong or pale)",
                [
                    (
                        tints(RISK_COLOURS, STRONG) + ";width:36px;border:2px solid #555",
                        f"strong colours: beyond {reach_km:g} km of any existing venue",
                    ),
                    (tints(RISK_COLOURS, PALE) + ";width:36px;border:1px solid #999", "pale colours: within reach"),
                    (
                        f"background:transparent;border:2.5px solid {HIGH_NEED_EDGE}",
                        f"purple outline: high need ({len(high['features'])} LSOAs), {t.high_need}",
                    ),
                ],
            ),
            (
                "Venues",
                [(style, key) for key, style in legend.items()]
                + [(f"background:#fff;border:3px solid {NEW_SITE}", f"chosen for {map_k} new venues")],
            ),
        ],
        note="Straight-line distances, shorter than any road, from where each neighbourhood's people live.",
    )
    add_sources(
        m,
        sources,
        [
            f"Libraries as at {LIBRARY_DATE} (Arts Council England): check one is open, and its "
            "hours, before sending someone there."
        ],
    )
    size = save(m, dest)
    return {
        "path": str(dest),
        "bytes": size,
        "venues": len(rows),
        "lsoas_beyond_reach": sum(1 for f in areas["features"] if f["properties"]["beyond"]),
        "chosen_sites": len(solution),
    }
