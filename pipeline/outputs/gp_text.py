"""Sentences about the GP readiness table, shared by the headlines and the briefings so both say the
same thing: which month the registered lists describe, which sites are shown but not ranked and
why, and whether any site's own gigabit status is known."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from pipeline.wording import display_name


def _true(value) -> bool:
    return str(value).strip().lower() in ("true", "1", "t", "yes")


def _rank(site: dict) -> str:
    """The site's readiness rank as text, '' when it is shown but not ranked (CSV text or a number from DuckDB)."""
    return str(site.get("readiness_rank") or "").strip()


def ranked(rows: list[dict]) -> list[dict]:
    """Ranked sites, least ready first (rows without a rank are shown, not ranked); sites that share a rank by
    name, so a tie reads in an order people can see the reason for."""
    return sorted(
        (r for r in rows if _rank(r)),
        key=lambda r: (int(r["readiness_rank"]), display_name(r.get("name")), r.get("site_code") or ""),
    )


def list_month(rows: list[dict]) -> str:
    """'1 April 2026': the extract date(s) of the registered lists, in words."""
    days = sorted({r["list_size_extract"] for r in rows if r.get("list_size_extract")})
    words = [f"{d.day} {d:%B %Y}" for d in (date.fromisoformat(x) for x in days)]
    return " and ".join(words) or "no date (no list sizes)"


# Sites named in a sentence, at most (an England run has a hundred not ranked); the GP readiness table has all.
NAMED = 10


def named(items: list, where: str = "", show: Callable[[Any], str] = str) -> str:
    """The first ``NAMED`` items, each as ``show`` words it (only those are worded: a cited figure is noted
    only where it is shown), then how many more (and ``where`` they all are, if given)."""
    more = f"; and {len(items) - NAMED:,} more{where}" if len(items) > NAMED else ""
    return "; ".join(map(show, items[:NAMED])) + more


def not_ranked_sentence(rows: list[dict], short: bool = False, where: str = "", counts: bool = False) -> str | None:
    """Who is shown but not ranked, grouped by reason (``short``: counts only, for map notes; ``counts``: counts
    and reasons without the names, for a briefing whose key figures name them); ``where``: the place ``rows``
    cover, when it is not the whole study area (" in this district")."""
    out, brief = [], []
    branches = [
        r
        for r in rows
        if not r.get("readiness_rank")
        and r.get("site_type") == "branch"
        and (r.get("not_ranked_reason") or "").startswith("branch surgery listed only")
    ]
    if branches:
        listed = " and ".join(sorted({r["listed_in"] for r in branches}))
        out.append(f"{len(branches)} branch surgeries known only from the {listed} (they may have closed since)")
        brief.append(f"{len(branches)} branch surgeries known only from the {listed}")
    small = [
        r for r in rows if not r.get("readiness_rank") and "the ranking needs" in (r.get("not_ranked_reason") or "")
    ]
    if small:
        names = named(
            [f"{display_name(r['name'])} ({r['not_ranked_reason'].removeprefix('its practice has ')})" for r in small]
        )
        what = (
            f"{len(small)} {'site' if len(small) == 1 else 'sites'} whose practice list is below the minimum list size"
        )
        out.append(f"{what} set for ranking: {names}")
        brief.append(what)
    other = [r for r in rows if not r.get("readiness_rank") and r not in branches and r not in small]
    if other:
        what = f"{len(other)} other {'site' if len(other) == 1 else 'sites'}"
        others = named([f"{display_name(r['name'])}: {r['not_ranked_reason']}" for r in other])
        out.append(f"{what} ({others})")
        brief.append(what)
    if not out:
        return None
    if short:
        return (
            f"{len(branches) + len(small) + len(other)} sites are shown but not ranked (dashed circles): "
            + "; ".join(brief)
            + ". Each popup says why."
        )
    return (
        f"Shown on the GP map and in the evidence pack's GP readiness sheet but not ranked{where}: "
        + "; ".join(brief if counts else out)
        + "."
    )


def catchment_broadband_scored(site: dict) -> bool:
    """Whether the site's catchment broadband enters its score (only when no catchment postcode's figure is
    an area average)."""
    return not _true(site.get("catchment_broadband_area_average"))


def broadband_scored(rows: list[dict]) -> bool:
    """Whether any ranked site's score has a broadband part (its own gigabit, or its catchment's broadband)."""
    return any(_true(r.get("site_own_gigabit_known")) or catchment_broadband_scored(r) for r in ranked(rows))


def tied(rows: list[dict], site: dict) -> bool:
    """Whether another ranked site shares the site's rank (tied sites share the lowest rank)."""
    rank = _rank(site)
    return bool(rank) and sum(_rank(r) == rank for r in rows) > 1


def tie_mark(rows: list[dict], site: dict) -> str:
    """'=' before a rank shared with another site, else nothing."""
    return "=" if tied(rows, site) else ""


def rank_label(rows: list[dict], site: dict) -> str:
    """'=3' for a rank shared with another site, else '3'."""
    return tie_mark(rows, site) + _rank(site)


def need_alone(site: dict) -> bool:
    """Whether the site's score is its catchment's need alone (10 minus it): no broadband part is scored."""
    return not _true(site.get("site_own_gigabit_known")) and not catchment_broadband_scored(site)


def section_heading(rows: list[dict]) -> str:
    """The heading over a list of the least-ready sites: with no broadband part scored, it says the list is of the
    highest catchment need, which is what the score then is."""
    return rank_words(rows)["heading"]


def rank_words(rows: list[dict]) -> dict[str, str]:
    """What the rank and the score are called where people read them, said once for the headlines, the
    briefings and the GP map: readiness where a broadband part is scored; with need alone, the rank is the
    catchment's need and nothing more, a rank by catchment need (1 = most need) and a score of 10 minus that
    need, never "least ready for telehealth", which the method did not measure."""
    if broadband_scored(rows):
        return {
            "heading": "GP sites least ready for telehealth",
            "map_title": "GP sites: telehealth readiness",
            "colour": "readiness",
            "ranks": "Readiness ranks",
            "rank": "Readiness rank",
            "score": "Readiness score (0–10)",
            "one": "1 = least ready",
            "lowest": "with the lowest readiness scores",
            "not_ranked": "not ranked for telehealth readiness",
            "said": "",  # what the rank's own words already say of its basis
        }
    return {
        "heading": "GP sites whose catchments have the most inclusion need",
        "map_title": "GP sites: ranked by catchment inclusion need",
        "colour": "the score, 10 minus the catchment's need (red: most need)",
        "ranks": "A rank by catchment need orders",
        "rank": "Rank by catchment need",
        "score": "Score (0–10): 10 minus catchment need",
        "one": "1 = most need",
        "lowest": "whose catchments have the most inclusion need",
        "not_ranked": "not ranked",
        "said": "by its catchment's need alone: ",  # how postcode_lookup.sql begins such a site's rank basis
    }


def nearest_rank_text(words: dict[str, str], label, ranked, basis: str | None, not_ranked_reason: str | None) -> str:
    """The nearest practice's rank as the postcode lookup gives it, in the words the briefings and the GP map use
    (``rank_words``): with need alone, 'rank by catchment need 1 of 50 (1 = most need; ...)', never a readiness
    rank with 1 = least ready, which the method did not measure."""
    if label is None:
        return f"{words['not_ranked']} ({not_ranked_reason or 'no score'})"
    basis = (basis or "").removeprefix(words["said"])
    rank = words["rank"][:1].lower() + words["rank"][1:]
    return f"{rank} {label} of {ranked} ({words['one']}" + (f"; {basis}" if basis else "") + ")"


def catchment_words(cap_m: float, short: bool = False) -> str:
    """What a catchment is, with the distance cap from the settings (``short``: for a map's notes panel)."""
    if short:
        return f"study-area postcodes to their nearest ranked site within {cap_m / 1000:g} km, not registered lists"
    return (
        f"the study-area postcodes whose nearest ranked site it is, within {cap_m / 1000:g} km in a straight line, "
        "practices outside the study area not considered; not its registered list"
    )


def ranking_rests_on(rows: list[dict], cap_m: float) -> str:
    """What the ranked sites' scores are made of with these data, in words."""
    sites = ranked(rows)
    parts = []
    if any(_true(r.get("site_own_gigabit_known")) for r in sites):
        parts.append("gigabit at the site itself where known")
    scored = [r for r in sites if catchment_broadband_scored(r)]
    if scored:
        parts.append(
            "broadband across its catchment" + ("" if len(scored) == len(sites) else " where known per postcode")
        )
    parts.append(f"the inclusion need of the residents of each site's catchment ({catchment_words(cap_m)})")
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def own_gigabit_sentence(rows: list[dict], short: bool = False) -> str | None:
    """Which parts of the ranked sites' scores are not known at the sites' own resolution (a site's own
    gigabit status; a catchment known only by area averages), and what the ranking rests on instead."""
    ranked_rows = ranked(rows)
    unknown = [r for r in ranked_rows if not _true(r.get("site_own_gigabit_known"))]
    averaged = [r for r in ranked_rows if _true(r.get("catchment_broadband_area_average"))]
    if not unknown and not averaged:
        return None
    n = len(ranked_rows)
    parts = []
    if unknown:
        parts.append(
            ("No ranked site's" if len(unknown) == n else f"{len(unknown)} of {n} ranked sites'")
            + " own gigabit status is known"
            + ("" if short else " (the fibre programme's list of connected sites is not among the sources)")
        )
    if averaged:
        parts.append(
            ("every catchment's broadband is" if len(averaged) == n else f"{len(averaged)} of {n} catchments' is")
            + (" an area average" if short else " known only as area averages, which never rank sites within an area")
        )
    what = " and ".join(parts)
    rest = (
        (
            "sites are ranked on catchment need alone"
            if short
            else "the sites are ranked on their catchment's inclusion need alone"
        )
        if len(unknown) == n and len(averaged) == n
        else "those parts drop out and the others are re-weighted"
    )
    return f"{what[0].upper()}{what[1:]}: {rest}" + ("." if short else "; the evidence pack lists each site's parts.")


def sites_in_lists(rows: list[dict], short: bool = False) -> str:
    """'51 practices from the NHS GP practice list ..., and 27 branch surgeries from the NHS branch-surgery list
    (..., ~August 2017 extract; they may have closed since)': what a count of GP sites counts, list by list, so
    it is not read as another count of sites (the fibre programme's, say). ``short``: '51 practices and 27 branch
    surgeries', for a briefing whose other sentences name the lists."""
    groups: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r.get("site_type") or "", r.get("listed_in") or "")
        groups[key] = groups.get(key, 0) + 1
    words = {"branch": ("branch surgery", "branch surgeries"), "practice": ("practice", "practices")}
    parts = []
    for (kind, listed), count in sorted(groups.items(), key=lambda g: g[0][0] == "branch"):
        one, many = words.get(kind, ("site", "sites"))
        closed = "; they may have closed since" if kind == "branch" else ""
        parts.append(f"{count} {one if count == 1 else many}" + ("" if short else f" from the {listed}{closed}"))
    return (" and " if short else ", and ").join(parts)


def ranks_sentence_start(rows: list[dict]) -> str:
    """'Readiness ranks 50' or, with need alone, 'A rank by catchment need orders 50', before 'of the 78 GP sites'."""
    return f"{rank_words(rows)['ranks']} {len(ranked(rows))}"
