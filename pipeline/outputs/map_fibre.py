"""Map: fibre planning — the connectivity gap by LSOA, 1 km cells lacking gigabit, GP sites (coloured by
gigabit only where a site's own postcode is measured; otherwise neutral, "own status not known").

Where broadband is known only per postcode district, cells and LSOAs of one district share its
value: the title says they cannot be ranked within it, and they are drawn hatched."""

from __future__ import annotations

from pathlib import Path

import duckdb
import folium

from pipeline.lookup import caution_notes, district_cautions
from pipeline.outputs.map_need import place_rows
from pipeline.outputs.map_triage import GAP_COLOURS, gap_rows
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
from pipeline.registry import SOURCES
from pipeline.wording import display_name, release_names

GIGABIT_BREAKS = [50, 70, 85, 95]  # % of premises; colours run red (poor) to green
GIGABIT_COLOURS = list(reversed(GOOD_TO_BAD))
GP_UNKNOWN = "#9e9ac8"  # neutral: not on the red-green scale, and unlike "no data" grey


def fibre_map_contents(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """(1 km cells measured at postcode level, GP sites whose own gigabit status is known): the map draws
    a cell layer and colours sites only when these are above zero, and the index describes what is drawn."""
    cells = con.execute("SELECT count(*) FILTER (NOT area_average) FROM fibre_gap_cells").fetchone()[0]
    sites = con.execute("SELECT count(*) FILTER (site_own_gigabit_known) FROM gp_readiness").fetchone()[0]
    return cells, sites


def fibre_map_description(con: duckdb.DuckDBPyConnection) -> str:
    """The index's line for the fibre map, following what this run's map draws."""
    cells, sites = fibre_map_contents(con)
    return (
        "The connectivity gap by neighbourhood (hatched where it is an area average), "
        + ("1 km cells lacking gigabit where measured, " if cells else "")
        + (
            "and the GP sites coloured by gigabit at the site where it is measured."
            if sites
            else "and where the GP sites are (no site's own gigabit status is known with these data)."
        )
    )


def build_fibre_map(
    con: duckdb.DuckDBPyConnection, backdrop: Backdrop, dest: Path, sources: dict[str, int], note: str | None
) -> dict:
    area_average = con.execute("SELECT count(*) FILTER (area_average) FROM fibre_gap_cells").fetchone()[0]
    gaps = [r[0] for r in con.execute("SELECT supply_gap_score FROM lsoa_triage").fetchall()]
    breaks = classes(gaps)
    cautions = district_cautions(con)
    lsoas = features(
        con,
        """SELECT t.*, a.geom FROM lsoa_triage t JOIN lsoa_areas a USING (lsoa_code)
                             WHERE a.geom IS NOT NULL ORDER BY t.lsoa_code""",
        lambda r: {
            "gap": r["supply_gap_score"],
            "avg": bool(r["gap_is_area_average"]),
            "tip": rows_html(
                f"{r['lsoa_name']} ({r['lsoa_code']})",
                place_rows(r) + gap_rows(r, cautions) + [("Triage", esc(r["triage_class"]))],
            ),
        },
        simplify_m=30,
    )
    shares = [
        r[0]
        for r in con.execute(
            "SELECT coalesce(area_pct_no_gigabit, 100 - mean_gigabit_pct) FROM fibre_gap_cells"
        ).fetchall()
    ]
    cell_breaks = classes(shares)
    cells = features(
        con,
        "SELECT * FROM fibre_gap_cells ORDER BY cell_id",
        lambda r: {
            "v": r["area_pct_no_gigabit"] if r["area_average"] else 100 - (r["mean_gigabit_pct"] or 100),
            "avg": bool(r["area_average"]),
            "tip": rows_html(
                f"1 km cell {r['cell_id']}",
                [
                    (
                        "Rank",
                        f"area rank {fmt(r['area_rank'])} (shared by every cell of {esc(r['broadband_area'])})"
                        if r["area_average"]
                        else f"build rank {fmt(r['build_rank'])}",
                    ),
                    ("Postcodes / lacking gigabit", f"{fmt(r['postcodes'])} / {fmt(r['postcodes_lacking_gigabit'])}"),
                    (f"Estimated {r['est_unit']} without gigabit", fmt(r["est_without_gigabit"], 1)),
                    ("Mean gigabit availability", fmt(r["mean_gigabit_pct"], 1, "%")),
                    ("Broadband data", f"{resolution_label(r['broadband_resolution'])} figures"),
                ],
            ),
        },
    )
    m = new_map(backdrop.bounds)
    Hatch(GAP_COLOURS).add_to(m)

    def hatched(colour: str, avg: bool) -> str:
        return f"url(#hatch-{GAP_COLOURS.index(colour)})" if avg else colour

    folium.GeoJson(
        lsoas,
        name="Connectivity gap by LSOA (hatched = area average)",
        style_function=lambda f: {
            "fillColor": hatched(colour_for(f["properties"]["gap"], breaks, GAP_COLOURS), f["properties"]["avg"]),
            "fillOpacity": 0.8,
            "color": "#555",
            "weight": 0.4,
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
    ).add_to(m)
    # With area averages only, every cell shows its area's value and "lacking" is true everywhere:
    # the layer would carry nothing the LSOA layer does not, so it is drawn only when some cell is
    # measured at postcode level.
    measured_cells = sum(1 for f in cells["features"] if not f["properties"]["avg"])
    if measured_cells:
        folium.GeoJson(
            cells,
            name="1 km cells lacking gigabit",
            show=False,
            style_function=lambda f: {
                "fillColor": hatched(
                    colour_for(f["properties"]["v"], cell_breaks, GAP_COLOURS), f["properties"]["avg"]
                ),
                "fillOpacity": 0.8,
                "color": "#7f2704",
                "weight": 0.3,
            },
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        ).add_to(m)
    # A site's own gigabit status is known only from postcode-level data: where the value is an area
    # average the marker is neutral and says so, rather than colouring the surgery by its district.
    sites = con.execute("""SELECT site_code, site_type, name, postcode, lat, lon,
                                  coalesce(site_gigabit_pct, site_area_gigabit_pct),
                                  site_broadband_resolution, site_broadband_area, site_broadband_release,
                                  site_own_gigabit_known
                           FROM gp_readiness ORDER BY site_code""").fetchall()
    known = sum(1 for s in sites if s[-1])
    group = folium.FeatureGroup(
        name=f"GP sites by gigabit at the site ({len(sites)}; own status known for {known})"
        if known
        else f"GP sites ({len(sites)}; where they are: no site's own gigabit status is known with these data)"
    )
    for code, kind, name, postcode, lat, lon, gig, res, area, release, own in sites:
        if own:
            fill, status = (
                colour_for(gig, GIGABIT_BREAKS, GIGABIT_COLOURS),
                f"{fmt(gig, 1, '%')} of premises at its postcode (Ofcom {esc(release)})",
            )
        else:
            fill = GP_UNKNOWN
            status = "own gigabit status not known" + (
                f" (only the {resolution_label(res)} average of {esc(area)} is at hand: {fmt(gig, 1, '%')}"
                f"{', a mean over its postcodes, each counted once' if res == 'postcode_district' else ''}, "
                f"Ofcom {esc(release)})"
                if gig is not None
                else ""
            )
        folium.CircleMarker(
            [lat, lon],
            radius=7,
            color="#111",
            weight=1.5,
            fill=True,
            fill_opacity=0.95,
            fill_color=fill,
            tooltip=rows_html(
                display_name(name),
                [("Site", f"{esc(code)} ({esc(kind)})"), ("Postcode", esc(postcode)), ("Gigabit at the site", status)],
            ),
        ).add_to(group)
    group.add_to(m)
    district_outlines(m, backdrop)
    place_labels(m, backdrop)
    folium.LayerControl(collapsed=False).add_to(m)
    releases = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT gap_release FROM postcode_lookup WHERE gap_release IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    if not measured_cells:
        title = "Fibre planning: where fixed broadband lags — by postcode district"
        premises = SOURCES["ofcom_postcode_district"].premises
        subtitle = (
            f"Colours: the connectivity gap score (0-10, relative to the study area), from Ofcom Connected Nations "
            f"{release_names(', '.join(releases)) or 'coverage'} as a third party's postcode-district means "
            f"({premises + '; ' if premises else ''}each postcode counted once), not Ofcom's latest district figures. "
            "Neighbourhoods cannot be ranked within a postcode district (hatched areas share one value), and no "
            "1 km cell layer is drawn because every cell would only repeat its district's value. Ofcom's postcode "
            "file brings it back."
        )
    elif area_average:
        title = "Fibre planning: where fixed broadband lags"
        subtitle = (
            "Some figures are postcode-district averages: neighbourhoods and 1 km cells cannot be ranked within "
            "such a district (hatched areas share one value)."
        )
    else:
        title = "Fibre planning: where fixed broadband lags"
        subtitle = "LSOAs by connectivity gap; 1 km cells ranked by estimated premises without gigabit."
    add_title(m, title, subtitle)
    lo, hi = (min(gaps), max(gaps)) if gaps else (0, 0)
    add_legend(
        m,
        [
            (
                "Connectivity gap score, 0-10, 10 = largest gap (quintiles)",
                list(zip(GAP_COLOURS, class_labels(breaks, lo, hi, 2), strict=False)),
            ),
            ("", [(hatch_legend_style(2, GAP_COLOURS[2]), "hatched: area average shared by every LSOA or cell in it")]),
            (
                "GP site: gigabit at the site" if known else "GP sites (where they are)",
                (
                    list(
                        zip(
                            GIGABIT_COLOURS,
                            ["under 50%", "50 – 70%", "70 – 85%", "85 – 95%", "95% and over"],
                            strict=False,
                        )
                    )
                    if known
                    else []
                )
                + (
                    [(GP_UNKNOWN, "own gigabit status not known")]
                    if known
                    else [
                        (
                            GP_UNKNOWN,
                            f"a GP site ({len(sites)}): no site's own gigabit status is known with these data, "
                            "only its postcode district's average (in each popup)",
                        )
                    ]
                    if sites
                    else []
                ),
            ),
        ],
    )
    add_sources(m, sources, ([note] if note else []) + caution_notes(cautions, "the broadband figures there"))
    size = save(m, dest)
    return {
        "path": str(dest),
        "bytes": size,
        "cells_drawn": len(cells["features"]) if measured_cells else 0,
        "gp_sites": len(sites),
        "area_average_cells": area_average,
    }
