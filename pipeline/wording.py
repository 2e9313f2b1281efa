"""The words for each defined term, read from the settings, in one place.

Headlines, briefings, maps, the postcode lookup, the evidence pack's notes and the method page
all take their definitions from here, so "high need", "a connectivity gap", "the highest-need
tenth" and "robust" mean the same thing everywhere and always say the threshold the run used.
How a broadband figure was made is worded here too: Ofcom's own district figures are "% of
premises"; anything derived here from postcode-district averages says how it was derived and
never borrows that unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pipeline.settings import Settings

OFCOM_VIA_ONS = "Ofcom Connected Nations, as republished by ONS in Explore Local Statistics"
MEAN_OVER_POSTCODES = "mean over postcodes, each counted once"
# What a broadband input's row says when its source does not state which premises it counts.
PREMISES_NOT_STATED = "premises not stated"


def stated_premises(premises: str | None) -> str:
    """'residential premises' where the input's source says which premises it counts; empty where it does not."""
    return "" if not premises or premises == PREMISES_NOT_STATED else premises


DERIVED_GIGABIT_GAP = (
    "postcodes' gigabit-capable availability, "
    + MEAN_OVER_POSTCODES
    + ", subtracted from 100 (not a share of premises)"
)

# Where each triage class's residents live, in the words every output uses (the class names are the
# values of ``triage_class``; the definitions of "high need" and "a connectivity gap" come from ``terms``).
TRIAGE_PLACES = {
    "both": "where high inclusion need and a connectivity gap meet (fibre and inclusion)",
    "adoption gap": "where need is high and the connectivity gap is not among the largest (an inclusion offer: "
    "skills, devices, data)",
    "infrastructure gap": "where the connectivity gap is among the largest but need is not high (a case to look at "
    "for fibre)",
}


def triage_residents(residents: Mapping[str, str]) -> str:
    """One sentence: how many residents live in each triage class, given as text per class."""
    both, adoption, infra = (residents[c] for c in TRIAGE_PLACES)
    text = (
        f"{both} residents live {TRIAGE_PLACES['both']}; {adoption} live {TRIAGE_PLACES['adoption gap']}; "
        f"and {infra} {TRIAGE_PLACES['infrastructure gap']}."
    )
    return text[:1].upper() + text[1:]


MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def month_name(release: str) -> str:
    """'2026-01' -> 'January 2026'; a bare year stays a year."""
    return f"{MONTHS[int(release[5:7]) - 1]} {release[:4]}" if len(release) == 7 else release


def release_names(releases: str | None) -> str:
    """'2024-07' or '2023-01, 2024-07' (a release or a list of them, as the tables hold them) -> 'July 2024' or
    'January 2023, July 2024'; empty for none."""
    return ", ".join(month_name(r.strip()) for r in (releases or "").split(",") if r.strip())


def period_label_only(dated_by: str | None) -> str:
    """' (by ONS's period label only)' after a release ONS dates by nothing better; empty otherwise."""
    return " (by ONS's period label only)" if dated_by and dated_by not in ("ONS metadata", "year only") else ""


def points(pp: float) -> str:
    """5.0 -> '5 points', 1.0 -> '1 point' (percentage points, as the settings give them)."""
    return f"{float(pp):g} point{'' if float(pp) == 1 else 's'}"


def pct(share: float) -> str:
    """0.3 -> '30%'; 0.125 -> '12.5%'."""
    value = share * 100
    return f"{value:.0f}%" if abs(value - round(value)) < 1e-9 else f"{value:.1f}%"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Cut:
    """Where a top-share line fell in a run: how many neighbourhoods are inside it, of how many, and how
    many share the last rank inside it (a tie is in or out together, so ``inside`` can pass the share)."""

    inside: int
    total: int
    tied_at_line: int


def cut_of(rows: Iterable[Mapping], rank: str, flag: str) -> Cut | None:
    """The cut of a top-share flag (``unserved`` by ``supply_gap_rank``) over triage rows, read from the
    parquet view or the published CSV (where booleans are 'true'/'false')."""
    ranks, inside, total = [], 0, 0
    for r in rows:
        total += 1
        if r[flag] in (True, "true", "True"):
            inside += 1
            ranks.append(int(r[rank]))
    if not total:
        return None
    last = max(ranks, default=0)
    return Cut(inside, total, sum(1 for k in ranks if k == last))


def triage_cuts(rows: Iterable[Mapping]) -> dict[str, Cut | None]:
    rows = list(rows)
    return {
        "high_need": cut_of(rows, "need_rank", "high_need"),
        "unserved": cut_of(rows, "supply_gap_rank", "unserved"),
    }


def triage_cuts_in(con) -> dict[str, Cut | None]:
    """``triage_cuts`` over the run's ``lsoa_triage`` view (for outputs drawn from the database)."""
    cur = con.execute("SELECT need_rank, supply_gap_rank, high_need, unserved FROM lsoa_triage")
    names = [d[0] for d in cur.description]
    return triage_cuts(dict(zip(names, r, strict=True)) for r in cur.fetchall())


@dataclass(frozen=True)
class Terms:
    high_need_share: str  # "30%"
    unserved_share: str
    high_need: str  # the definition, as a clause
    unserved: str
    high_need_short: str  # for captions: still says whose top share it is
    unserved_short: str
    top_tenth: str
    priorities: str  # the inclusion-priority band
    robust: str
    robust_share: str  # "80%": the share of draws that makes a priority robust
    weight_dependent: str
    rarely: str
    draws: str

    def definitions(self) -> list[tuple[str, str]]:
        """(term, definition) pairs, for glossaries in every output."""
        return [
            ("High need", self.high_need),
            ("Connectivity gap", self.unserved),
            ("Highest-need tenth", self.top_tenth),
            ("Inclusion priorities", self.priorities),
            ("Robust", self.robust),
            ("Weight-dependent", self.weight_dependent),
            ("Rarely in the top tenth", self.rarely),
            # the triage classes: "adoption gap" is high need for support, not measured take-up
            *((f"Triage: {c}", f"neighbourhoods {TRIAGE_PLACES[c]}") for c in TRIAGE_PLACES),
        ]


def _ties(share: str, cut: Cut | None, what: str) -> str:
    """How ties at the line fall, with the run's counts when they are known: a tie is never split, so
    the count can pass the share (116 of 333 for a 30% line, when 20 neighbourhoods share one value)."""
    rule = f"neighbourhoods tied at the line on one {what} are all included"
    if cut is None:
        return f"{rule}, so more than {share} can be in"
    if cut.tied_at_line <= 1:
        return f"no tie at the line: {cut.inside:,} of {cut.total:,} here"
    return f"{rule}: {cut.inside:,} of {cut.total:,} here, {cut.tied_at_line} of them tied at the line"


def terms(settings: Settings, cuts: Mapping[str, Cut | None] | None = None) -> Terms:
    """The run's definitions. ``cuts`` (from ``triage_cuts`` over the run's triage rows) adds how many
    neighbourhoods each top-share line took, ties included; without them the wording says ties can
    carry the count past the share, never a number."""
    triage, unc = settings.triage, settings.uncertainty
    cuts = cuts or {}
    need, gap = pct(triage.high_need_top_share), pct(triage.unserved_top_share)
    robust, low = pct(unc.robust_probability), pct(1 - unc.robust_probability)
    deciles = settings.inclusion.top_need_deciles
    band = "need decile 1" if deciles == 1 else f"need deciles 1-{deciles}"
    draws = (
        f"{unc.draws:,} seeded draws of the need weights, scaling base and internet-use mapping around the "
        "choices used here"
    )
    of_draws = f"of the {draws}"  # the same draws in the same words under every label
    need_line = f"the {need} of the study area's neighbourhoods (LSOAs) with the highest inclusion-need score"
    gap_line = f"the {gap} of the study area's neighbourhoods with the largest connectivity-gap score"
    need_ties = _ties(need, cuts.get("high_need"), "score")
    gap_ties = _ties(gap, cuts.get("unserved"), "area-average value")
    return Terms(
        high_need_share=need,
        unserved_share=gap,
        high_need_short=f"{need_line} ({need_ties})",
        unserved_short=f"{gap_line} ({gap_ties})",
        high_need=f"among {need_line} ({need_ties})",
        unserved=f"among {gap_line} ({gap_ties})",
        top_tenth="the tenth of the study area's neighbourhoods with the highest inclusion-need score (need decile 1)",
        priorities=f"the study area's neighbourhoods in {band} by inclusion need ({deciles * 10}% of them)",
        robust=f"in the highest-need tenth in at least {robust} of {draws}",
        robust_share=robust,
        # each said whole: a caption may show one class without the others
        weight_dependent=f"in the highest-need tenth in at least {low} but under {robust} {of_draws}",
        rarely=f"in the highest-need tenth in under {low} {of_draws}",
        draws=draws,
    )


# Short words written in lower case inside a name ('Gardens and Jacobs', 'Church Langley Medical Practice')
MINOR_WORDS = {"And", "Of", "The", "On", "In", "At", "By", "For", "To", "Upon", "With"}
ACRONYMS = {"PCN", "NHS", "GP", "ICB", "UK"}  # kept in capitals ('Stort Valley & Villages PCN')


def display_name(name: str | None) -> str:
    """A name as people write it: NHS lists give practices in capitals ('THE MAPLES' -> 'The Maples',
    'GARDENS AND JACOBS' -> 'Gardens and Jacobs'); names already in mixed case are left alone."""
    if not name:
        return ""
    if not name.isupper():
        return name
    words = name.title().replace("'S ", "'s ").split(" ")
    return " ".join(
        w.upper() if w.upper() in ACRONYMS else w.lower() if i and w in MINOR_WORDS else w for i, w in enumerate(words)
    )


def half_up(value, digits: int = 0) -> str:
    """A number as a spreadsheet shows it: rounded half up from its shortest decimal form (89.85 -> 89.9, where
    binary rounding gives 89.8), with thousands separators."""
    quantum = Decimal(1).scaleb(-digits)
    return f"{Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP):,.{digits}f}"


# Ofcom publishes shares of premises to one decimal and shares of land area (4G, 5G) to two: a value is shown
# to the decimals its kind carries, so 99.98% of land area is never printed as 100.0%.
PUBLISHED_DECIMALS = {"coverage_4g_area_pct": 2, "coverage_5g_area_pct": 2}


def percent(value, indicator: str | None = None) -> str:
    return f"{half_up(value, PUBLISHED_DECIMALS.get(indicator or '', 1))}%"
