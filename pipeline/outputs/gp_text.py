"""Sentences about the GP readiness table, shared by the headlines and the briefings so both say the
same thing: which month the registered lists describe, which sites are shown but not ranked and
why, and whether any site's own gigabit status is known."""

from __future__ import annotations

from datetime import date

from pipeline.wording import display_name


def _true(value) -> bool:
    return str(value).strip().lower() in ("true", "1", "t", "yes")


def ranked(rows: list[dict]) -> list[dict]:
    """Ranked sites, least ready first (rows without a rank are shown, not ranked)."""
    return sorted(
        (r for r in rows if str(r.get("readiness_rank") or "").strip()), key=lambda r: int(r["readiness_rank"])
    )


def list_month(rows: list[dict]) -> str:
    """'1 April 2026': the extract date(s) of the registered lists, in words."""
    days = sorted({r["list_size_extract"] for r in rows if r.get("list_size_extract")})
    words = [f"{d.day} {d:%B %Y}" for d in (date.fromisoformat(x) for x in days)]
    return " and ".join(words) or "no date (no list sizes)"


# Sites named in a sentence, at most (an England run has a hundred not ranked); the GP readiness table has all.
NAMED = 10


def _named(items: list[str]) -> str:
    """The first ``NAMED`` items, then how many more."""
    more = f"; and {len(items) - NAMED:,} more" if len(items) > NAMED else ""
    return "; ".join(items[:NAMED]) + more


def not_ranked_sentence(rows: list[dict], short: bool = False) -> str | None:
    """Who is shown but not ranked, grouped by reason (``short``: counts only, for map notes)."""
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
        names = _named(
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
        named = _named([f"{display_name(r['name'])}: {r['not_ranked_reason']}" for r in other])
        out.append(f"{what} ({named})")
        brief.append(what)
    if not out:
        return None
    if short:
        return (
            f"{len(branches) + len(small) + len(other)} sites are shown but not ranked (dashed circles): "
            + "; ".join(brief)
            + ". Each popup says why."
        )
    return "Shown on the GP map and in the evidence pack's GP readiness sheet but not ranked: " + "; ".join(out) + "."


def any_own_gigabit_known(rows: list[dict]) -> bool:
    """Whether any ranked site's score has its own gigabit part (else no sentence may say it counts)."""
    return any(_true(r.get("site_own_gigabit_known")) for r in ranked(rows))


def own_gigabit_sentence(rows: list[dict], short: bool = False) -> str | None:
    """Whether ranked sites' own gigabit status is known, and what the score rests on where it is not."""
    ranked_rows = ranked(rows)
    unknown = [r for r in ranked_rows if not _true(r.get("site_own_gigabit_known"))]
    if not unknown:
        return None
    who = (
        "No ranked site's"
        if len(unknown) == len(ranked_rows)
        else f"{len(unknown)} of {len(ranked_rows)} ranked sites'"
    )
    if short:
        return (
            f"{who} own gigabit status is known (the broadband data are area averages): that part of the score "
            "drops out and the catchment parts are re-weighted."
        )
    return (
        f"{who} own gigabit status is known: the broadband data here are area averages, and the fibre "
        "programme's list of connected sites is not among the sources, so that part of the score drops out and "
        "the catchment's broadband and need are re-weighted (the evidence pack lists each site's parts)."
    )
