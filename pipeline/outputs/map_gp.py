"""Map 3: GP sites sized by list size, their catchments, and telehealth readiness."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import folium

from pipeline.analysis.gp_readiness import SCORE_DECIMALS
from pipeline.lookup import caution_notes, district_cautions, joined_caution, unlabelled
from pipeline.outputs.gp_text import (
    broadband_scored,
    catchment_broadband_scored,
    catchment_words,
    list_month,
    not_ranked_sentence,
    own_gigabit_sentence,
    rank_label,
    rank_words,
    tied,
)
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
from pipeline.wording import display_name, release_names

# Readiness score 0-10, red = lowest: classes are quintiles of the ranked sites' scores, so every class
# holds sites whatever the range of the scores.
READINESS_COLOURS = list(reversed(GOOD_TO_BAD))

SUBICB_EDGE = "#1b7837"  # the Sub-ICB outline: drawn and in the legend in one colour


def radius(list_size) -> float:
    """Circle radius in pixels, with area proportional to the registered list."""
    return 4 + math.sqrt(list_size or 0) / 12


def _unscored(r: dict) -> str:
    """Said after a catchment's broadband figure that does not enter the score (area averages)."""
    return "" if catchment_broadband_scored(r) else "; area averages: not in the score"


def _gigabit_at_site(r: dict) -> str:
    """The site's own gigabit availability, or why it is not known (an area average never stands in)."""
    if r["site_own_gigabit_known"]:
        return f"{fmt(r['site_gigabit_pct'], 1, '%')} (its postcode, {_input_release(r)})"
    if r["site_area_gigabit_pct"] is None:
        return "not known (no broadband figure for its postcode)"
    how = (
        ", a mean over its postcodes, each counted once"
        if r["site_broadband_resolution"] == "postcode_district"
        else ""
    )
    return (
        f"not known: only the {resolution_label(r['site_broadband_resolution'])} average of "
        f"{esc(r['site_broadband_area'])} is at hand ({fmt(r['site_area_gigabit_pct'], 1, '%')}{how}, "
        f"{_input_release(r)}); it does not enter the score"
    )


def _input_release(r: dict, column: str = "site_broadband_release") -> str:
    """'Ofcom's data of July 2024 as the broadband input holds it': the release in words, and that the figure is
    the input's (a third party's postcode-district means, where that is the input), not one Ofcom publishes."""
    return f"Ofcom's data of {esc(release_names(r[column]))} as the broadband input holds it"


def _caution(cautions: dict[str, str], codes: list[str], what: str) -> list[tuple[str, str]]:
    """Where the broadband input of any of the districts ``codes`` misses Ofcom's own figure by more than the
    settings allow: one caution row naming each (Ofcom's figure first), beside ``what`` it bears on, as the triage
    and fibre maps give it beside each gap."""
    caution = joined_caution(cautions, codes)
    return [("Caution", _wrap(esc(f"{unlabelled(caution)}: read {what} with care")))] if caution else []


def _catchment_districts(r: dict) -> list[str]:
    """The districts a catchment's broadband figures come from (a catchment may reach beyond its site's)."""
    return (r.get("catchment_broadband_districts") or r.get("lad_code") or "").split(", ")


def _catchment_broadband(r: dict, pct: float | None, resolution: str | None) -> str:
    """A catchment's broadband figure with what it is: a mean over its postcodes of figures at their resolution,
    of which Ofcom release, and whether it enters the score."""
    # postcode-district figures carry no premises counts: the catchment's mean counts each postcode once
    once = ", each postcode counted once" if resolution == "postcode_district" else ""
    return _wrap(
        f"{fmt(pct, 1, '%')}, a mean over its postcodes of {resolution_label(resolution)} figures{once} "
        f"({_input_release(r, 'catchment_broadband_release')}){_unscored(r)}"
    )


def _wrap(text: str) -> str:
    """A long popup value that may wrap (popup cells do not wrap by default)."""
    return f"<span style='white-space:normal;display:inline-block;max-width:260px'>{text}</span>"


def _named(name, code) -> str:
    return f"{esc(name)} ({esc(code)})" if name else esc(code) or "no data"


def build_gp_map(
    con: duckdb.DuckDBPyConnection, backdrop: Backdrop, dest: Path, sources: dict[str, int], cap_m: float
) -> dict:
    total = con.execute("SELECT count(*) FROM gp_readiness").fetchone()[0]
    ranked_total = con.execute("SELECT count(readiness_rank) FROM gp_readiness").fetchone()[0]
    scores = [
        r[0]
        for r in con.execute("SELECT readiness_score FROM gp_readiness WHERE readiness_rank IS NOT NULL").fetchall()
    ]
    breaks = classes(scores)
    lo, hi = (min(scores), max(scores)) if scores else (0, 10)
    sites = con.execute("SELECT * FROM gp_readiness ORDER BY list_size DESC NULLS LAST, site_code")
    names = [d[0] for d in sites.description]
    rows = [dict(zip(names, row, strict=False)) for row in sites.fetchall()]
    words = rank_words(rows)
    cautions = district_cautions(con, key="lad_code")
    catchments = features(
        con,
        """
        SELECT c.location_id, c.site_codes, c.sites_at_location, c.geom, min(r.readiness_score) AS score,
               min(r.readiness_rank) AS best_rank, any_value(r.catchment_residents) AS residents,
               any_value(r.catchment_postcodes) AS postcodes, any_value(r.catchment_pct_no_gigabit) AS no_gig,
               any_value(r.catchment_broadband_resolution) AS res, any_value(r.catchment_mean_need) AS need,
               any_value(r.catchment_broadband_release) AS catchment_broadband_release,
               any_value(r.lad_code) AS lad_code,
               any_value(r.catchment_broadband_districts) AS catchment_broadband_districts,
               bool_or(r.catchment_broadband_area_average) AS catchment_broadband_area_average,
               string_agg(r.name, '; ' ORDER BY r.name) AS names
        FROM gp_catchments c JOIN gp_readiness r USING (location_id)
        GROUP BY ALL ORDER BY c.location_id""",
        lambda r: {
            "v": r["score"],
            "avg": not catchment_broadband_scored(r),  # its broadband is an area average, so not in its score
            "tip": rows_html(
                "Catchment",
                [
                    ("Sites", esc("; ".join(display_name(x) for x in r["names"].split("; ")))),
                    ("Residents (est.)", fmt(r["residents"], 0)),
                    ("Postcodes", fmt(r["postcodes"])),
                    ("Without gigabit", _catchment_broadband(r, r["no_gig"], r["res"])),
                    *_caution(cautions, _catchment_districts(r), "the catchment's broadband"),
                    ("Inclusion need (0–10)", fmt(r["need"], 2)),
                    (words["score"], fmt(r["score"], 2)),
                ],
            ),
        },
        simplify_m=20,
    )
    m = new_map(backdrop.bounds)
    subicbs = features(
        con,
        "SELECT subicb_name, subicb_ods_code, icb_name, study_lsoas, geom FROM subicb_boundaries",
        lambda r: {
            "tip": rows_html(
                f"Sub-ICB location: {r['subicb_name'] or r['subicb_ods_code']}",
                [
                    ("Code", esc(r["subicb_ods_code"])),
                    ("ICB", esc(r["icb_name"]) or "no data"),
                    ("Study-area neighbourhoods in it", f"{fmt(r['study_lsoas'])} (by ONS lookup, not by outline)"),
                ],
            )
        },
        simplify_m=50,
    )
    folium.GeoJson(
        subicbs,
        name="Sub-ICB locations (July 2022 outlines)",
        style_function=lambda f: {"fill": False, "color": SUBICB_EDGE, "weight": 2.5, "dashArray": "8 4"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
    ).add_to(m)
    hatch = Hatch(READINESS_COLOURS, prefix="readiness-hatch")
    hatch.add_to(m)

    def fill(f: dict) -> str:
        colour = colour_for(f["properties"]["v"], breaks, READINESS_COLOURS)
        return hatch.fill(colour) if f["properties"]["avg"] and colour in READINESS_COLOURS else colour

    folium.GeoJson(
        catchments,
        name=f"Catchments of ranked sites (nearest site within {cap_m / 1000:g} km; hatched: broadband not scored)",
        style_function=lambda f: {
            "fillColor": fill(f),
            "fillOpacity": 0.35,
            "color": "#444",
            "weight": 1,
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
    ).add_to(m)
    group = folium.FeatureGroup(
        name=f"GP sites sized by list size ({ranked_total} ranked, {total - ranked_total} shown, not ranked)"
    )
    for r in rows:
        ranked = r["readiness_rank"] is not None
        head = (
            [
                (
                    words["rank"],
                    f"{rank_label(rows, r)} of {ranked_total} ranked sites ({words['one']}"
                    + ("; tied with another site)" if tied(rows, r) else ")"),
                ),
                (words["score"], fmt(r["readiness_score"], SCORE_DECIMALS)),
                ("Score parts (weights)", _wrap(esc(r["readiness_parts"]))),
            ]
            if ranked
            else [("Readiness", _wrap(f"not ranked: {esc(r['not_ranked_reason'])}"))]
        )
        popup = rows_html(
            display_name(r["name"]),
            head
            + [
                ("Site", _wrap(f"{esc(r['site_code'])} ({esc(r['site_type'])}), listed in the {esc(r['listed_in'])}")),
                ("PCN", esc(display_name(r["pcn_name"])) or "no data"),
                ("Sub-ICB location", _named(r["subicb_name"], r["subicb_code"])),
                ("ICB", _named(r["icb_name"], r["icb_code"])),
                (
                    "Registered patients",
                    _wrap(f"{fmt(r['list_size'])} at {list_month([r])} ({esc(r['list_size_applies_to'])})")
                    if r["list_size"] is not None
                    else "no list size in the extract",
                ),
                ("Gigabit at the site itself", _wrap(_gigabit_at_site(r))),
                # a ranked site's caution is given with its catchment's broadband, below
                *(
                    _caution(cautions, [r["lad_code"]], "the broadband figure shown for the site")
                    if not ranked and (r["site_broadband_resolution"] or "none") != "none"
                    else []
                ),
            ]
            + (
                [
                    ("Catchment residents (est.)", fmt(r["catchment_residents"], 0)),
                    (
                        "Catchment without superfast",
                        _catchment_broadband(r, r["catchment_pct_no_superfast"], r["catchment_broadband_resolution"]),
                    ),
                    (
                        "Catchment without gigabit",
                        _catchment_broadband(r, r["catchment_pct_no_gigabit"], r["catchment_broadband_resolution"]),
                    ),
                    *_caution(cautions, _catchment_districts(r), "the catchment's broadband"),
                    ("Catchment inclusion need (0–10)", fmt(r["catchment_mean_need"], SCORE_DECIMALS)),
                ]
                if ranked
                else []
            ),
        )
        style = (
            dict(
                color="#111",
                weight=1.2,
                fill_opacity=0.85,
                fill_color=colour_for(r["readiness_score"], breaks, READINESS_COLOURS),
            )
            if ranked
            else dict(color="#444", weight=1.5, dash_array="3 3", fill_opacity=0.6, fill_color="#ffffff")
        )
        size = radius(r["list_size"]) if r["site_type"] == "practice" else 4
        folium.CircleMarker(
            [r["lat"], r["lon"]],
            radius=size,
            fill=True,
            **style,
            tooltip=esc(display_name(r["name"])) + ("" if ranked else " (not ranked)"),
            popup=folium.Popup(popup, max_width=420),
        ).add_to(group)
    group.add_to(m)
    district_outlines(m, backdrop)
    place_labels(m, backdrop)
    folium.LayerControl(collapsed=False).add_to(m)
    add_title(
        m,
        words["map_title"],
        f"Circle area: registered patients ({list_month(rows)}). Colour: {words['colour']}. Click a site for its rank.",
    )
    add_legend(
        m,
        [
            (
                f"{words['score']}, fifths of the ranked sites",
                list(zip(READINESS_COLOURS, class_labels(breaks, lo, hi, 2), strict=False))
                + [("background:#fff;border:1px dashed #444", "shown, not ranked (see its popup)")],
            ),
            (
                "Outlines",
                [
                    (
                        f"background:transparent;border:2.5px dashed {SUBICB_EDGE}",
                        f"Sub-ICB locations (July 2022 outlines; {len(subicbs['features'])})",
                    ),
                    (
                        "background:rgba(150,150,150,.35);border:1px solid #444",
                        "catchment of a ranked site, filled in its site's score colour",
                    ),
                    (
                        hatch_legend_style(0, READINESS_COLOURS[2]),
                        "hatched: the catchment's broadband is known only as area averages, so it is "
                        "left out of the score",
                    ),
                ],
            ),
        ],
        note="Branch surgeries are drawn small: they have no registered list of their own.",
    )
    notes = [f"Catchments: {catchment_words(cap_m, short=True)}."]
    for sentence in (own_gigabit_sentence(rows, short=True), not_ranked_sentence(rows, short=True)):
        if sentence:
            notes.insert(0, sentence)
    cautioned = "the readiness ranks there" if broadband_scored(rows) else "the catchment broadband shown there"
    add_sources(m, sources, notes + caution_notes(district_cautions(con), cautioned))
    size = save(m, dest)
    return {
        "path": str(dest),
        "bytes": size,
        "sites": total,
        "ranked_sites": ranked_total,
        "catchments": len(catchments["features"]),
    }
