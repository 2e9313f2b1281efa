"""How a district compares with similar places, in words a councillor follows: the group ONS defines,
the rank with ties said as such, the best and the median, the pace, and what "similar" means.

One place for this wording: the headlines, the briefings and the index page use it.
"""

from __future__ import annotations

from pipeline.settings import Settings
from pipeline.wording import half_up, percent, period_label_only

INDICATOR_WORDS = {
    "gigabit_capable_pct": ("gigabit-capable broadband", "% of premises", True),
    "premises_below_30_pct": ("premises without a service above 30 Mbit/s", "% of premises", False),
    "coverage_4g_area_pct": ("outdoor 4G coverage", "% of land area", True),
    "coverage_5g_area_pct": ("outdoor 5G coverage", "% of land area", True),
}


def group_words(row: dict, settings: Settings) -> str:
    """'its 20 statistical nearest neighbours (ONS, 2026, global model)' and the like."""
    cfg = settings.peers
    n = int(float(row["n_compared"]))
    if row["group_kind"] == "neighbours":
        if row.get("area_type") == "zone":
            return (
                f"the {n - 1} places that are statistical nearest neighbours of its districts, other than its own "
                f"districts (ONS, {cfg.neighbours_release}, {cfg.neighbours_model} model)"
            )
        return (
            f"its {n - 1} statistical nearest neighbours (ONS, {cfg.neighbours_release}, {cfg.neighbours_model} model)"
        )
    return (
        f"the {n - 1} other places in its ONS {cfg.cluster_model} cluster ({row.get('cluster_code')}, "
        f"{cfg.cluster_release})"
    )


def zone_estimate(weighted_by: str | None) -> str:
    """What the zone's figure is: never a share counted by Ofcom, so say how it was made."""
    return f"an estimate: its districts' Ofcom figures weighted by {weighted_by or 'Census 2021 usual residents'}"


def _release(row: dict) -> str:
    return row["release"]


def zone_weighting(check: list[dict], short: bool = False) -> str:
    """How the zone's figures are made and how far the same weighting is checked, from the published check
    (``peer_weighting_check``): the largest difference it found and the counties and releases it covers, so the
    sentence claims no more than that table shows. ``short``: for a briefing's caption."""
    if short:
        made = (
            "The zone's figures are estimates: its districts' figures weighted by Census 2021 usual residents "
            "(gigabit, below 30 Mbit/s) or by land area (4G, 5G)."
        )
    else:
        made = (
            "The zone's figures are estimates: its districts' Ofcom figures weighted by Census 2021 usual residents "
            "for shares of premises (Ofcom's files carry no premises counts) and by land area for shares of land area."
        )
    rows = [r for r in check if r.get("difference_pp") not in (None, "")]
    if rows:
        worst = max(abs(float(r["difference_pp"])) for r in rows)
        counties = " and ".join(dict.fromkeys(r["county_name"] for r in rows))
        first, last = (r["release_name"] for r in (min(rows, key=_release), max(rows, key=_release)))
        span = first if first == last else f"every release from {first} to {last}"
        made += (
            f" So weighted, {counties}'s districts give ONS's county figures within {worst:.2f} points (shares of "
            f"premises, {first if first == last else first + '–' + last}; sheet 'Zone weighting check'): close to "
            "ONS's aggregates, not premises counted."
            if short
            else f" Weighted by residents, the districts of {counties} give the county figures ONS publishes for "
            f"shares of premises within {worst:.2f} points at {span} (table peer_weighting_check, evidence pack "
            "sheet 'Zone weighting check'). That shows the weighting comes close to ONS's own aggregates of Ofcom's "
            "district figures (ONS does not say how it aggregates), not that the estimate is the share of premises "
            "Ofcom would count."
        )
    return made + (" Its districts fall in different clusters, so the zone has none." if short else "")


def peer_sentence(row: dict, settings: Settings, cite=None) -> str:
    """'Harlow ranks 17th of 21 among its 20 statistical nearest neighbours for gigabit-capable broadband
    (% of premises), January 2026 (Ofcom via ONS): 90.9%, against a median of 94.1%; the best, Dudley, is at
    97.2%.' ``cite(column)`` gives a figure as shown (with its note, in cited outputs)."""
    words, unit, _ = INDICATOR_WORDS[row["indicator"]]
    cite = cite or (lambda column: percent(row[column], row["indicator"]))
    zone = row.get("area_type") == "zone"
    source = "Ofcom via ONS"
    if zone:  # the zone's value is an estimate made here from its districts', neither Ofcom's nor a count
        unit = f"the places compared: {unit}; the zone's value: derived here, not a share Ofcom counted"
        source = "the places compared: Ofcom via ONS"
    value = cite("value")
    median = cite("group_median")  # cited in the order read, so the notes are numbered as the sentence reads
    where = f"{row['area_name']} ({zone_estimate(row.get('weighted_by'))})" if zone else row["area_name"]
    best = row.get("best_peers") or ""
    best_names = best.split("; ")
    if float(row["behind_best_pp"]) <= 0:
        best_text = "no place in the group does better"
    elif len(best_names) > 3:
        best_text = f"{len(best_names)} places share the best value, {cite('best_value')}"
    else:
        best_text = (
            f"the best, {' and '.join(best_names)}, {'are' if len(best_names) > 1 else 'is'} at {cite('best_value')}"
        )
    return (
        f"{where} ranks {row['rank_label']}, counting itself with {group_words(row, settings)}, for {words} ({unit}), "
        f"{row['release_name']} ({source}): {value}, against a median of {median} for the "
        f"{int(float(row['n_compared']))} compared; {best_text}."
    )


def pace_sentence(row: dict, cite=None) -> str:
    """The pace since the first release, and when at that pace the median and the best would be reached.
    ``cite(column)`` gives a pace as a cited figure (the briefings' footnotes); a release dated only by ONS's
    period label, on which every per-year rate rests, is said to be; the zone's pace is of its estimate."""
    words, _, higher_better = INDICATOR_WORDS[row["indicator"]]

    def moved(column: str) -> str:
        """'rose 3.6' / 'fell 0.4'; a cited fall keeps the sign its cell carries: 'changed by -0.4'."""
        value = float(row[column] or 0)
        if cite:
            return f"{'rose' if value >= 0 else 'changed by'} {cite(column)}"
        return f"{'rose' if value >= 0 else 'fell'} {half_up(abs(value), 1)}"

    whose = f"the zone's estimated {words}" if row.get("area_type") == "zone" else f"its {words}"
    return (
        f"From {row['first_release_name']}{period_label_only(row.get('first_dated_by'))} to "
        f"{row['latest_release_name']}{period_label_only(row.get('latest_dated_by'))} {whose} "
        f"{moved('pace_pp_per_year')} points a year, while the group's median value "
        f"{moved('median_pace_pp_per_year')} points a year. If "
        f"those paces held (an extrapolation, not a forecast): reaching the group's median, {row['reaches_median']}; "
        f"reaching the group's best value, {row['reaches_best']}."
    )


def similar_means(settings: Settings) -> str:
    """What "similar" means for the groups used, from ONS's own descriptions of its models."""
    cfg = settings.peers
    return (
        f"Similar places are ONS's. Statistical nearest neighbours ({cfg.neighbours_release}, "
        f"{cfg.neighbours_model} model) are the 20 areas closest on a wide set of indicators of the economy, "
        "skills, health, wellbeing, environment and population; ONS's published configuration for its 2025 global "
        "model lists 31, of which gigabit, 4G and 5G coverage are three, so connectivity is a small part of what "
        f"makes two places similar. The {cfg.cluster_model} clusters ({cfg.cluster_release}) group areas by "
        "gigabit coverage together with commuting, energy use and emissions, so members can still differ widely "
        "in connectivity. Gigabit and below "
        "30 Mbit/s are shares of premises; 4G and 5G are shares of land area. No full-fibre indicator is in these "
        "files."
    )
