"""Answer for one postcode, offline, from the published outputs: where it is, how much need for
inclusion support its neighbourhood has, how well connected it is (and at what resolution that is
known), its triage class and suggested offer, and its nearest GP site.

    .venv/bin/python -m pipeline.lookup "CM20 1AB"
    .venv/bin/python -m pipeline.lookup cm201ab --json
    ./diz lookup "CM20 1AB"           (this exit status; make lookup POSTCODE="CM20 1AB" reports 1 as 2)

Exit status: 0 answered (a current postcode of the study area); 1 a well-formed postcode this lookup
has no answer for (not a known postcode, terminated, outside the study area, no position), with a
one-line reason; 2 it could not look: a malformed postcode, or no published outputs to answer from.
Through ``make lookup`` the postcode comes in the environment (``DIZ_POSTCODE``), never through a shell.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.outputs.gp_text import nearest_rank_text, rank_words
from pipeline.paths import Paths
from pipeline.wording import display_name, month_name, points, release_names, stated_premises

POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
EXIT = {"found": 0, "unknown": 1, "terminated": 1, "outside": 1}  # malformed, no_outputs: 2
SHOWN = 20  # characters of a malformed query echoed back (a pasted page is not printed whole)
# What staff can tell any resident about their own line: every neighbourhood figure is an average (often of a
# whole postcode district), so the address itself may be better or worse served than it suggests.
# Which practice "nearest" means, said once for the lookup and the index page's search
NEAREST_GP = (
    "the nearest of the study area's ranked practices; one outside the study area may be nearer, and so may a branch "
    "surgery or a practice too small to rank, which the GP map shows"
)

RESIDENT_NEXT_STEP = (
    "check the address on Ofcom's broadband availability checker (checker.ofcom.org.uk): the "
    "neighbourhood figures are averages, so this address may be better or worse served than they suggest"
)


def gap_in_words(resolution: str | None, area: str | None, release: str | None = None) -> str:
    """How the neighbourhood's connectivity gap is known, and from which Ofcom release, in words a resident
    would follow."""
    when = f"Ofcom's coverage data of {release_names(release)}; " if release else ""
    if resolution == "postcode":
        return when + "measured from the neighbourhood's own postcodes"
    if resolution == "postcode_district":
        return when + (
            f"an average for the whole postcode district {area} (the mean of its postcodes' figures, each counted "
            "once; of the postcode districts this neighbourhood's postcodes are in, the one holding the most of "
            "them), the same for every neighbourhood given that district's average: it does not describe this "
            "address"
        )
    if resolution == "local_authority":
        return when + "an average for the whole council district: it does not describe this address"
    return "no broadband data for this neighbourhood"


def averaged_mark(resolution: str | None) -> str:
    """Said of the triage class and the suggested action when the connectivity gap they rest on is an area's
    average, not the neighbourhood's own (without brackets: ``bracketed`` joins it with any caution)."""
    if resolution in ("postcode_district", "local_authority"):
        area = "postcode-district" if resolution == "postcode_district" else "district"
        return f"from a {area} average of the connectivity gap, not this address's own"
    return ""


def bracketed(*notes: str) -> str:
    """' (a; b)' of the notes that are not empty, or nothing."""
    inner = "; ".join(n for n in notes if n)
    return f" ({inner})" if inner else ""


def triage_text(triage_class: str, resolution: str | None) -> str:
    """The triage class as the lookup and the index page's search say it."""
    return triage_class + bracketed(averaged_mark(resolution))


def action_text(action: str, resolution: str | None, caution: str) -> str:
    """The suggested action as the lookup and the index page's search say it, with the district's caution."""
    return action + bracketed(averaged_mark(resolution), caution)


# Where a postcode's own outward code is not the postcode district its neighbourhood is averaged as ('{own}'
# and '{area}' are filled in; the search page fills them in too, so the words are the same in both).
OWN_DISTRICT_NOTE = {
    False: ". This postcode's own postcode district, {own}, is not in the broadband data at all",
    True: ". This postcode's own postcode district, {own}, has an average of its own; the neighbourhood takes {area}'s",
}


def own_district_note(resolution: str | None, area: str | None, own: str | None, own_in_data: bool | None) -> str:
    """Said when the average a neighbourhood's gap rests on is not the postcode's own postcode district's."""
    if resolution != "postcode_district" or not own or own == area or own_in_data is None:
        return ""
    return OWN_DISTRICT_NOTE[bool(own_in_data)].format(own=own, area=area)


def normalise(text: str) -> str | None:
    """'cm201ab' or ' CM20  1AB ' -> 'CM20 1AB'; None when it cannot be a UK postcode."""
    compact = re.sub(r"\s+", "", (text or "").upper())
    if not POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def shorten(text: str | None) -> str:
    """A query as echoed back: whitespace collapsed, at most ``SHOWN`` characters and an ellipsis."""
    shown = " ".join((text or "").split())
    return shown if len(shown) <= SHOWN else shown[:SHOWN] + "…"


@dataclass
class Answer:
    query: str
    postcode: str | None
    status: str  # found, malformed, unknown, terminated, outside, no_outputs
    message: str
    fields: dict = field(default_factory=dict)

    def as_json(self) -> str:
        query = self.query if self.postcode else shorten(self.query)
        return json.dumps(
            {
                "query": query,
                "postcode": self.postcode,
                "status": self.status,
                "message": self.message,
                **({"answer": self.fields} if self.fields else {}),
            },
            ensure_ascii=False,
            indent=2,
            default=str,
        )


def _one(con: duckdb.DuckDBPyConnection, path: Path, where: str, params: dict) -> dict | None:
    if not path.exists():
        return None
    rel = con.execute(f"SELECT * FROM read_parquet($path) WHERE {where} LIMIT 1", {"path": str(path)} | params)
    row = rel.fetchone()
    return dict(zip([d[0] for d in rel.description], row, strict=False)) if row else None


def _rows(con: duckdb.DuckDBPyConnection, path: Path) -> list[dict]:
    """Every row of a published table (none where it is not published)."""
    if not path.exists():
        return []
    rel = con.execute("SELECT * FROM read_parquet($path)", {"path": str(path)})
    names = [d[0] for d in rel.description]
    return [dict(zip(names, row, strict=False)) for row in rel.fetchall()]


def _fields(row: dict) -> dict:
    code = next(k for k in row if k.startswith("lsoa") and k.endswith("cd"))
    name = code[:-2] + "nm"
    resolution = row.get("gap_resolution") or "none"
    return {
        "postcode_note": postcode_note(row.get("large_user"), row.get("positional_quality")),
        "lsoa_code": row[code],
        "lsoa_name": row[name],
        "lsoa_vintage": "2021" if code == "lsoa21cd" else "2011",
        "ward_code": row["ward_code"],
        "ward_name": row["ward_name"],
        "district_code": row["lad_code"],
        "district_name": row["lad_name"],
        "need_score": None if row["need_score"] is None else round(row["need_score"], 2),
        "need_decile": row["need_decile"],
        "supply_gap_score": None if row["supply_gap_score"] is None else round(row["supply_gap_score"], 2),
        "supply_gap_decile": row["supply_gap_decile"],
        "supply_gap_resolution": resolution,
        "supply_gap_release": row.get("gap_release"),
        "supply_gap_known_as": gap_in_words(resolution, row.get("gap_area"), row.get("gap_release"))
        + own_district_note(
            resolution, row.get("gap_area"), row.get("postcode_district"), row.get("own_district_in_broadband")
        )
        + gap_caution(row | {"district_name": row["lad_name"]}),
        "triage_class": row["triage_class"],
        "suggested_action": row["suggested_action"],
        "suggested_action_caution": action_caution(row | {"district_name": row["lad_name"]}),
        "inclusion_offer": row["inclusion_offer"] if row.get("triage_class") in ("both", "adoption gap") else None,
        "district_gigabit_pct": row.get("district_gigabit_pct"),
        "district_gigabit_release": row.get("district_gigabit_release"),
        "district_below_30_pct": row.get("district_below_30_pct"),
        "district_below_30_release": row.get("district_below_30_release"),
        "nearest_gp_code": row["nearest_gp_code"],
        "nearest_gp_name": row["nearest_gp_name"],
        "nearest_gp_postcode": row["nearest_gp_postcode"],
        "nearest_gp_readiness_rank": row["nearest_gp_readiness_rank"],
        "nearest_gp_rank_label": row.get("nearest_gp_rank_label"),
        "nearest_gp_also_here": row.get("nearest_gp_also_here"),
        "nearest_gp_not_ranked_reason": row.get("nearest_gp_not_ranked_reason"),
        "nearest_gp_rank_basis": row.get("nearest_gp_rank_basis"),
        "gp_sites_ranked": row.get("gp_sites_ranked"),
        "nearest_gp_distance_m": None if row["nearest_gp_distance_m"] is None else round(row["nearest_gp_distance_m"]),
        "nearest_library": row.get("nearest_library"),
        "nearest_library_address": row.get("nearest_library_address"),
        "nearest_library_postcode": row.get("nearest_library_postcode"),
        "nearest_library_hours": row.get("nearest_library_hours"),
        "nearest_library_data_date": row.get("nearest_library_data_date"),
        "nearest_library_distance_m": None
        if row.get("nearest_library_distance_m") is None
        else round(row["nearest_library_distance_m"]),
    }


# OS Code-Point Open's positional quality codes that mean the position is not a delivery point's (its user guide)
ESTIMATED_POSITION = {
    50: "estimated from the surrounding postcodes",
    60: "the mean of its postcode sector",
}


def postcode_note(large_user, quality) -> str | None:
    """What staff should know about the postcode itself before reading the answers, or None."""
    parts = []
    if large_user:
        parts.append(
            "a large-user postcode (one organisation that receives a lot of mail, such as a business), not usually "
            "a home: the answers are for the neighbourhood it lies in"
        )
    if quality in ESTIMATED_POSITION:
        parts.append(
            f"its position is {ESTIMATED_POSITION[quality]} (OS Code-Point Open positional quality {quality}), so "
            "the distances below are approximate"
        )
    return "; ".join(parts)[:1].upper() + "; ".join(parts)[1:] + "." if parts else None


DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def grouped_hours(hours: str | None) -> str | None:
    """'Mon All Day (continuous); Tue All Day (continuous); ...; Sun PM Only' -> 'Mon-Sat All Day (continuous); Sun
    PM Only': consecutive days with the same hours said once, in the list's own words. Text in any other form is
    returned as it is."""
    parts = [p.strip().split(" ", 1) for p in (hours or "").split(";") if p.strip()]
    if not parts or any(len(p) != 2 or p[0] not in DAYS for p in parts):
        return hours
    runs: list[list] = []
    for day, text in parts:
        if runs and runs[-1][2] == text and DAYS.index(day) == DAYS.index(runs[-1][1]) + 1:
            runs[-1][1] = day
        else:
            runs.append([day, day, text])
    return "; ".join(f"{a}{'' if a == b else '-' + b} {text}" for a, b, text in runs)


def library_text(f: dict) -> str:
    """The nearest library in words, with its distance, hours and the list's date (so staff check it first)."""
    if not f.get("nearest_library"):
        return "no library in the list read"
    where = ", ".join(p for p in (f.get("nearest_library_address"), f.get("nearest_library_postcode")) if p)
    hours = grouped_hours(f.get("nearest_library_hours")) or "opening hours not given"
    return (
        f"{f['nearest_library']} ({where}), {f['nearest_library_distance_m']:,} m in a straight line. Hours: {hours}. "
        f"From Arts Council England's list of {f.get('nearest_library_data_date') or 'an unknown date'}: check it is "
        "open before sending someone there."
    )


# The postcode_lookup columns that carry a district's broadband caution (empty where its figures agree): for
# gigabit-capable premises, then for premises below 30 Mbit/s.
CAUTION_COLUMNS = (
    "caution_release",
    "caution_official_pct",
    "caution_derived_pct",
    "caution_threshold_pp",
    "caution_below_30_release",
    "caution_below_30_official_pct",
    "caution_below_30_derived_pct",
    "caution_below_30_threshold_pp",
    "caution_premises",
)


# What the figure set beside Ofcom's is: the input's figures for the district's postcodes, averaged (once, here).
def district_mean(premises: str | None) -> str:
    """'the mean of the broadband input over its postcodes (each once; residential premises only; ...)': which
    premises the input counts is said where its source says (registry ``Source.premises``)."""
    counted = f"{stated_premises(premises)} only; " if stated_premises(premises) else ""
    return (
        f"the mean of the broadband input over its postcodes (each once; {counted}derived here, not a share of "
        "premises)"
    )


def district_caution(f: dict) -> str:
    """Where the mean of the district's postcode broadband figures misses Ofcom's own figure for their release by
    more than the settings allow, both figures (Ofcom's first) for each measure that misses; empty where they agree."""
    parts = []
    if f.get("caution_official_pct") is not None:
        parts.append(
            f"for {f['caution_release']}, Ofcom counts {f['caution_official_pct']:.1f}% of premises in "
            f"{f['district_name']} gigabit-capable, while {district_mean(f.get('caution_premises'))} is "
            f"{f['caution_derived_pct']:.1f}%, "
            f"more than {points(f['caution_threshold_pp'])} apart"
        )
    if f.get("caution_below_30_official_pct") is not None:
        below = f"{f['caution_below_30_official_pct']:.1f}%"
        derived = (
            f"{f['caution_below_30_derived_pct']:.1f}%, more than {points(f['caution_below_30_threshold_pp'])} apart"
        )
        if parts and f["caution_below_30_release"] == f["caution_release"]:  # the same release: said once
            parts.append(f"{below} below 30 Mbit/s, while the same mean is {derived}")
        else:
            parts.append(
                f"for {f['caution_below_30_release']}, Ofcom counts {below} of premises in {f['district_name']} below "
                f"30 Mbit/s, while {district_mean(f.get('caution_premises'))} is {derived}"
            )
    return "Caution: " + "; and ".join(parts) if parts else ""


def district_cautions(con: duckdb.DuckDBPyConnection, key: str = "lad_name") -> dict[str, str]:
    """{district name (or code, with ``key="lad_code"``): its caution} from the published postcode_lookup, for every
    district that has one (the maps, the table notes and the index page say it as the lookup does)."""
    keys = ("district_name", *CAUTION_COLUMNS)
    rows = con.execute(f"""SELECT DISTINCT {key}, lad_name, {", ".join(CAUTION_COLUMNS)} FROM postcode_lookup
                           WHERE caution_official_pct IS NOT NULL OR caution_below_30_official_pct IS NOT NULL
                           ORDER BY 2""").fetchall()
    return {r[0]: district_caution(dict(zip(keys, r[1:], strict=True))) for r in rows}


def joined_caution(cautions: dict[str, str], codes) -> str:
    """One caution naming each district of ``codes`` that has one in ``cautions`` (``district_cautions``), joined as
    a district's own measures are: "Caution: <first>; and <second>"; empty where none has."""
    said = [cautions[code].removeprefix("Caution: ") for code in dict.fromkeys(codes) if code in cautions]
    return "Caution: " + "; and ".join(said) if said else ""


def unlabelled(caution: str) -> str:
    """A caution shown in a row already labelled 'Caution': without its own 'Caution: ', capitalised."""
    text = caution.removeprefix("Caution: ")
    return text[:1].upper() + text[1:]


def caution_notes(cautions: dict[str, str], what: str) -> list[str]:
    """A note per district of ``district_cautions``, naming ``what`` of the output rests on its figures."""
    return [f"{caution}: read {what} with care." for caution in cautions.values()]


def gap_caution(f: dict) -> str:
    """The caution said after a neighbourhood's gap, which is less sure there."""
    caution = district_caution(f)
    return f". {caution}: read this gap with care" if caution else ""


def action_caution(f: dict) -> str:
    """Said after the suggested action where the gap it rests on is less sure: every triage class is read
    from the gap's rank as well as need's."""
    if not district_caution(f):
        return ""
    return (
        f"it rests on the connectivity gap, which is less sure in {f['district_name']}: see the caution under "
        "Connectivity gap"
    )


def district_broadband(f: dict) -> str:
    """The district's own Ofcom figures, with their release."""
    if f.get("district_gigabit_pct") is None:
        return "no Ofcom district figure in the files read"
    text = (
        f"{f['district_gigabit_pct']:.1f}% of premises in {f['district_name']} can get gigabit-capable broadband "
        f"(Ofcom Connected Nations, {f['district_gigabit_release']}, via ONS)"
    )
    if f.get("district_below_30_pct") is not None:
        text += (
            f"; {f['district_below_30_pct']:.1f}% cannot get a service above 30 Mbit/s "
            f"({f['district_below_30_release']})"
        )
    return text + ". District-wide figures, not this address."


def lookup(query: str, paths: Paths | None = None) -> Answer:
    paths = paths or Paths.from_env()
    postcode = normalise(query)
    if postcode is None:
        shown = shorten(query)
        return Answer(
            query, None, "malformed", f"{shown or '(empty)'} is not a well-formed UK postcode (for example CM20 1AB)."
        )
    live = paths.current
    table = live / "postcode_lookup.parquet"
    if not table.exists():
        return Answer(
            query, postcode, "no_outputs", f"no published outputs in {paths.processed}: run `make run` first."
        )
    con = duckdb.connect()
    try:
        row = _one(con, table, "postcode = $pc", {"pc": postcode})
        if row:
            # the nearest practice's rank in the words the briefings and the GP map use for the whole ranking
            sites = _rows(con, live / "gp_readiness.parquet")
            f = _fields(row) | {"need_sources": need_sources(table), "gp_rank_words": rank_words(sites)}
            return Answer(
                query,
                postcode,
                "found",
                f"{postcode}: {f['lsoa_name']} ({f['lsoa_code']}), {f['ward_name']}, {f['district_name']}",
                f,
            )
        ons = _one(con, live / "ons_postcode_lookup.parquet", "postcode = $pc", {"pc": postcode})
        grid = _one(con, live / "codepoint_open.parquet", "postcode = $pc", {"pc": postcode})
        names = _area_names(con, live)
        study = {
            r[0] for r in con.execute("SELECT DISTINCT lad_code FROM read_parquet($p)", {"p": str(table)}).fetchall()
        }
    finally:
        con.close()
    if grid is None and ons is not None and not ons["is_live"]:
        when = (
            f" in {month_name(ons['doterm'][:4] + '-' + ons['doterm'][4:6])}"
            if len(ons.get("doterm") or "") >= 6
            else ""
        )
        return Answer(
            query,
            postcode,
            "terminated",
            f"{postcode} is a terminated postcode (withdrawn by Royal Mail"
            f"{when}); ask for the current postcode of the address.",
        )
    lad = (grid or {}).get("lad_code") or (ons or {}).get("ladcd")
    if lad in study:
        return Answer(
            query,
            postcode,
            "unknown",
            f"{postcode} is in {names.get(lad, lad)} but has no position in OS "
            "Code-Point Open, so it is in no neighbourhood here.",
        )
    if lad:
        covered = ", ".join(sorted(names.get(code, code) for code in study))
        return Answer(
            query,
            postcode,
            "outside",
            f"{postcode} is in {names.get(lad, lad)} ({lad}), outside the "
            f"study area; this lookup covers {covered} only.",
        )
    return Answer(
        query,
        postcode,
        "unknown",
        f"{postcode} is not a known postcode (not in OS Code-Point Open nor the ONS postcode lookup).",
    )


def _area_names(con: duckdb.DuckDBPyConnection, live: Path) -> dict[str, str]:
    path = live / "area_names.parquet"
    if not path.exists():
        return {}
    return dict(con.execute("SELECT area_code, area_name FROM read_parquet($p)", {"p": str(path)}).fetchall())


def need_sources(table: Path) -> str:
    """The sources the need score rests on, named as citations name them, from the published table's own record."""
    from pipeline.columns import column_sources
    from pipeline.registry import CITE_AS
    from pipeline.store import source_rows

    return "; ".join(CITE_AS.get(k, k) for k in column_sources("need_score", list(source_rows(table))))


def also_here(names: str) -> str:
    """Other practices at the nearest one's postcode, as people write their names."""
    return "; ".join(display_name(n) for n in names.split("; "))


def as_text(answer: Answer) -> str:
    if answer.status != "found":
        return answer.message
    f = answer.fields
    rank = f["nearest_gp_readiness_rank"]
    rows = [
        ("Postcode", answer.postcode),
        *([("About this postcode", f["postcode_note"])] if f.get("postcode_note") else []),
        (f"Neighbourhood (LSOA {f['lsoa_vintage']})", f"{f['lsoa_name']} ({f['lsoa_code']})"),
        ("Ward", f"{f['ward_name']} ({f['ward_code']})"),
        ("District", f"{f['district_name']} ({f['district_code']})"),
        (
            "Suggested action",
            action_text(f["suggested_action"], f["supply_gap_resolution"], f["suggested_action_caution"]),
        ),
        ("For the resident", RESIDENT_NEXT_STEP),
        # where to send someone comes before the scores that explain the suggestion
        ("Nearest library", library_text(f)),
        (
            "Nearest GP practice",
            f"{display_name(f['nearest_gp_name'])} ({f['nearest_gp_postcode']}"
            + (f"; also there: {also_here(f['nearest_gp_also_here'])}" if f.get("nearest_gp_also_here") else "")
            + f"), {f['nearest_gp_distance_m']:,} m in a "
            f"straight line ({NEAREST_GP}); "
            + nearest_rank_text(
                f["gp_rank_words"],
                None if rank is None else f["nearest_gp_rank_label"] or rank,
                f["gp_sites_ranked"],
                f.get("nearest_gp_rank_basis"),
                f.get("nearest_gp_not_ranked_reason"),
            ),
        ),
        ("Triage class", triage_text(f["triage_class"], f["supply_gap_resolution"])),
        (
            "Inclusion need",
            f"{f['need_score']} of 10 (10 = most need), decile {f['need_decile']} of the study area (1 = highest); "
            f"from {f['need_sources']}",
        ),
        ("District broadband", district_broadband(f)),
        (
            "Connectivity gap",
            f"{f['supply_gap_score']} of 10 (10 = largest gap), decile {f['supply_gap_decile']} of the study area "
            "(1 = largest): "
            f"{f['supply_gap_known_as']}",
        ),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Look up one postcode in the published DIZ outputs.")
    parser.add_argument(
        "postcode",
        nargs="?",
        default=os.environ.get("DIZ_POSTCODE", ""),
        help="the postcode (make lookup passes it in DIZ_POSTCODE)",
    )
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    args = parser.parse_args(argv)
    try:
        answer = lookup(args.postcode)
    except (duckdb.Error, OSError) as exc:  # a damaged output: say so in one line
        print(f"cannot read the published outputs: {' '.join(str(exc).split())}")
        return 2
    print(answer.as_json() if args.json else as_text(answer))
    return EXIT.get(answer.status, 2)


if __name__ == "__main__":
    sys.exit(main())
