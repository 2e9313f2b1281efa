"""The words for each defined term, read from the settings, in one place.

Headlines, briefings, maps, the postcode lookup, the evidence pack's notes and the method page
all take their definitions from here, so "high need", "a connectivity gap", "the highest-need
tenth" and "robust" mean the same thing everywhere and always say the threshold the run used.
How a broadband figure was made is worded here too: Ofcom's own district figures are "% of
premises"; anything derived here from postcode-district averages says how it was derived and
never borrows that unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.settings import Settings

OFCOM_VIA_ONS = "Ofcom Connected Nations, as republished by ONS in Explore Local Statistics"
MEAN_OVER_POSTCODES = "mean over postcodes, each counted once"
DERIVED_GIGABIT_GAP = (
    "postcodes' gigabit-capable availability, "
    + MEAN_OVER_POSTCODES
    + ", subtracted from 100 (not a share of premises)"
)


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


def pct(share: float) -> str:
    """0.3 -> '30%'; 0.125 -> '12.5%'."""
    value = share * 100
    return f"{value:.0f}%" if abs(value - round(value)) < 1e-9 else f"{value:.1f}%"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Terms:
    high_need_share: str  # "30%"
    unserved_share: str
    high_need: str  # the definition, as a clause
    unserved: str
    high_need_short: str  # "the 30% of neighbourhoods with the highest need score"
    unserved_short: str
    robust_short: str
    top_tenth: str
    priorities: str  # the inclusion-priority band
    robust: str
    weight_dependent: str
    draws: str

    def definitions(self) -> list[tuple[str, str]]:
        """(term, definition) pairs, for glossaries in every output."""
        return [
            ("High need", self.high_need),
            ("Connectivity gap (unserved)", self.unserved),
            ("Highest-need tenth", self.top_tenth),
            ("Inclusion priorities", self.priorities),
            ("Robust", self.robust),
            ("Weight-dependent", self.weight_dependent),
        ]


def terms(settings: Settings) -> Terms:
    triage, unc = settings.triage, settings.uncertainty
    need, gap = pct(triage.high_need_top_share), pct(triage.unserved_top_share)
    robust, low = pct(unc.robust_probability), pct(1 - unc.robust_probability)
    deciles = settings.inclusion.top_need_deciles
    band = "need decile 1" if deciles == 1 else f"need deciles 1-{deciles}"
    draws = (
        f"{unc.draws:,} seeded draws of the need weights, scaling base and internet-use mapping around the "
        "configured choice"
    )
    return Terms(
        high_need_share=need,
        unserved_share=gap,
        high_need_short=f"the {need} of neighbourhoods with the highest need score",
        unserved_short=f"the {gap} with the largest connectivity-gap score",
        robust_short=f"in the highest-need tenth in at least {robust} of {unc.draws:,} draws of the method's choices",
        high_need=f"among the {need} of the study area's neighbourhoods (LSOAs) with the highest inclusion-need score",
        unserved=(
            f"among the {gap} of the study area's neighbourhoods with the largest connectivity-gap score "
            "(neighbourhoods sharing an area-average value are in or out together)"
        ),
        top_tenth="the tenth of the study area's neighbourhoods with the highest inclusion-need score (need decile 1)",
        priorities=f"the study area's neighbourhoods in {band} by inclusion need ({deciles * 10}% of them)",
        robust=f"in the highest-need tenth in at least {robust} of {draws}",
        weight_dependent=f"in the highest-need tenth in at least {low} but under {robust} of those draws",
        draws=draws,
    )


def display_name(name: str | None) -> str:
    """A name as people write it: NHS lists give practices in capitals ('THE MAPLES' -> 'The Maples');
    names already in mixed case are left alone."""
    if not name:
        return ""
    return name.title().replace("'S ", "'s ") if name.isupper() else name
