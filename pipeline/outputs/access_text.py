"""How far people are from help, in words for a bid: residents beyond reach of any existing venue,
those in high-need neighbourhoods, and what the best new site would change. One place for this
wording: the briefings and the headlines use it."""

from __future__ import annotations

from pipeline.registry import LIBRARY_DATE
from pipeline.settings import Settings
from pipeline.wording import display_name

VENUE_WORDS = {"library": "libraries", "gp_site": "GP practices"}


def venue_words(types, user_types: bool = False) -> str:
    """'libraries' / 'libraries and GP practices' (and the user's venues)."""
    words = [VENUE_WORDS.get(t, t.replace("_", " ") + "s") for t in types]
    if user_types:
        words.append("the venues in data/raw/venues marked existing")
    return " and ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " and " + words[-1]


def existing_words(settings: Settings) -> str:
    """'here: the libraries on Arts Council England's list of December 2023' and the like."""
    types = list(settings.access.existing_types)
    words = "here: " + venue_words(types)
    if "library" in types:
        words += f"; libraries as on Arts Council England's list of {LIBRARY_DATE}"
    return words.replace("here: libraries; libraries as on", "here: the libraries on")


CENTRES = "neighbourhoods whose population-weighted centre is"
WHOLE = " (whole neighbourhoods, by their centre)"


def district_access_sentence(n, code: str, settings: Settings) -> str | None:
    """'26,370 residents of Epping Forest live in neighbourhoods whose population-weighted centre is more than
    2 km in a straight line from any existing venue (libraries, Arts Council England's list of December 2023),
    4,871 of them in high-need neighbourhoods. Of the candidate sites, a venue at Abridge Surgery (RM4 1UH) would
    bring the most of those high-need residents within 2 km: 2,046 (whole neighbourhoods, by their centre).'
    Reach is measured from each neighbourhood's centre, so the count is of whole neighbourhoods' residents, which
    the sentence says."""
    row = n.row("siting_by_district", lad_code=code)
    if row is None:
        return None
    reach = f"{settings.access.reach_km:g} km"
    venues = existing_words(settings)
    beyond = n.cite("siting_by_district", "residents_beyond_reach", zero="no", lad_code=code)
    high = n.cite("siting_by_district", "high_need_residents_beyond_reach", zero="none", lad_code=code)
    text = (
        f"{beyond[:1].upper() + beyond[1:]} residents of {row['lad_name']} live in {CENTRES} more than "
        f"{reach} in a "
        f"straight line from any existing venue ({venues}), {high} of them in high-need neighbourhoods."
    )
    other = n.row("siting_by_district", lad_code=row.get("best_site_lad_code") or "")
    if row.get("best_site") and row.get("best_site_lad_code") != code:
        row = dict(
            row,
            best_site_postcode=f"{row['best_site_postcode']}, in "
            f"{other['lad_name'] if other else row.get('best_site_lad_code') or 'a neighbouring district'}",
        )
    if (
        row.get("best_site")
        and float(row.get("high_need_residents_beyond_reach") or 0) > 0
        and float(row.get("high_need_residents_it_reaches") or 0) > 0
    ):
        text += (
            f" Of the candidate sites, a venue at {display_name(row['best_site'])} ({row['best_site_postcode']}) "
            "would bring the most of those high-need residents within "
            f"{reach}: {n.cite('siting_by_district', 'high_need_residents_it_reaches', lad_code=code)}{WHOLE}."
        )
    elif row.get("best_site") and float(row.get("residents_beyond_reach") or 0) > 0:
        text += (
            f" Of the candidate sites, a venue at {display_name(row['best_site'])} ({row['best_site_postcode']}) "
            f"would bring the most of those residents within {reach}: "
            f"{n.cite('siting_by_district', 'residents_it_reaches', lad_code=code)}{WHOLE}."
        )
    return text


def zone_access_sentence(n, settings: Settings) -> str | None:
    """The whole area: beyond reach now, and what the covering model's map_k new venues would change."""
    k = settings.access.map_k
    now, chosen = n.row("siting_curve", k="0"), n.row("siting_curve", k=str(k))
    if now is None:
        return None
    reach = f"{settings.access.reach_km:g} km"
    beyond = n.cite("siting_curve", "residents_beyond_reach", zero="no", k="0")
    high = n.cite("siting_curve", "high_need_residents_beyond_reach", zero="none", k="0")
    text = (
        f"Across the area, {beyond} residents live in {CENTRES} more than {reach} in a straight line from any "
        f"existing venue ({existing_words(settings)}), {high} of them in high-need neighbourhoods (the share of "
        f"residents "
        f"within reach, each weighted by their neighbourhood's need score, is "
        f"{n.cite('siting_curve', 'pct_covered', 1, '%', k='0')})."
    )
    if chosen:
        text += (
            f" A maximal covering model, which counts each resident weighted by their neighbourhood's need score "
            f"(not only those in high-need neighbourhoods), picks {k} new venues, at "
            f"{'; '.join(display_name(x) for x in chosen['new_sites'].split('; '))}, raising that share to "
            f"{n.cite('siting_curve', 'pct_covered', 1, '%', k=str(k))} (an optimum for {k}; the evidence pack gives "
            f"every k up to {settings.access.siting_max_k}), with "
            f"{n.cite('siting_curve', 'high_need_residents_beyond_reach', zero='no', k=str(k))} high-need residents "
            "still beyond reach. The candidate sites are places where a venue could be (GP sites by default), not "
            "commitments by their owners, and the distances are straight lines, not journeys."
        )
    return text
