"""``headlines.md`` (and ``headlines.html``): the key figures as sentences a bid writer can lift,
each figure followed by a numbered footnote. The footnote is a citation in words (what the figure
is, for which place, and the publisher, dataset and release behind it: a bid writer can paste it)
followed by the table, row and column it was read from, so every number can be traced (and is
checked: ``check_footnotes``)."""

from __future__ import annotations

import csv
import json
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from pipeline.analysis.gp_readiness import SCORE_DECIMALS
from pipeline.columns import COLUMN_SOURCES, DATED_BY_OF, RELEASE_OF, column_sources
from pipeline.outputs.access_text import district_access_sentence, zone_access_sentence
from pipeline.outputs.gp_text import named
from pipeline.outputs.html_page import markdown_page
from pipeline.outputs.peer_text import peer_sentence, similar_means, zone_weighting
from pipeline.outputs.tables import undefused
from pipeline.readers.local_indicators import LABELS
from pipeline.registry import SOURCES, licence_lines
from pipeline.settings import Settings
from pipeline.store import row_sources, write_text
from pipeline.wording import (
    OFCOM_VIA_ONS,
    display_name,
    half_up,
    ordinal,
    period_label_only,
    points,
    release_names,
    stated_premises,
    terms,
    triage_cuts,
    triage_residents,
)

FIGURE = re.compile(r"(?P<value>-?[\d,]+(?:\.\d+)?)%?\[(?P<n>\d+)\]")
FOOTNOTE = re.compile(r"^\[(?P<n>\d+)\] .*?`(?P<table>\w+)\.csv` \| (?P<keys>.+?) \| `(?P<column>\w+)`", re.M)
MISSING = "no figure"  # what a sentence shows where the table holds no value
COMPILER = "the DIZ evidence pipeline"
# Row columns naming the place a cited row describes, in order of preference.
PLACE_COLUMNS = ("area_name", "ward_name", "lad_name", "name")


def _new_venues(k: str, row: dict) -> str:
    """A siting row's scenario in words: the existing venues alone, or with the k new ones the model picks."""
    if k in ("0", ""):
        return "existing venues only"
    sites = "; ".join(display_name(x) for x in row.get("new_sites", "").lstrip("'").split("; ") if x)
    return f"with {k} new venues added ({sites}; candidate sites chosen by the covering model, not commitments)"


# Key columns that say something about the figure besides its place, in words for a citation.
KEY_WORDS = {"triage_class": lambda v, row: f"triage class {v}", "k": _new_venues}


def read_table(folder: Path, name: str) -> list[dict[str, str]]:
    path = folder / f"{name}.csv"
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as fh:  # text as the data holds it, not the CSV's guard
        return [{k: undefused(v) if v else v for k, v in row.items()} for row in csv.DictReader(fh)]


def md_text(text: str) -> str:
    """Source text for Markdown: HTML escaped, Markdown punctuation backslashed, so it shows as written."""
    return re.sub(r"([\\`*_\[\]|])", r"\\\1", (text or "").lstrip("'").replace("<", "&lt;").replace(">", "&gt;"))


def number(text: str, digits: int = 0) -> str:
    if text in ("", None):
        return MISSING
    return half_up(text, digits)


@dataclass(frozen=True)
class Note:
    """One cited cell: the figure as printed, a citation in words, and where it was read."""

    number: int
    table: str
    column: str
    keys: tuple[tuple[str, str], ...]
    shown: str
    what: str  # what the figure measures
    where: str  # the place (and scenario)
    tail: str  # the sources behind it, and the table
    source_keys: tuple[str, ...] = ()  # those sources' registry keys, to point at them in a list
    caution: str = ""  # the row's broadband caution, where the figure rests on the figures it is about

    @property
    def cautioned(self) -> str:
        return f" {self.caution}" if self.caution else ""

    @property
    def citation(self) -> str:
        """'Usual residents, Census 2021 (TS007A), Harlow: 93,304 (ONS, Census 2021 table TS007A; via the DIZ
        evidence pipeline, table district_summary).'"""
        return f"{self.what}, {self.where}: {self.shown} ({self.tail}).{self.cautioned}"

    def lettered_tail(self, letters: dict[str, str]) -> str:
        """'sources a, h; table peer_benchmark': its sources as their letters in a list of sources beside it (in
        the list's order), and the table."""
        named = ", ".join(sorted((letters[k] for k in self.source_keys if k in letters), key=lambda x: (len(x), x)))
        return f"{'sources ' + named + '; ' if named else ''}table {self.table}"

    def short(self, letters: dict[str, str]) -> str:
        """The citation with its sources as letters (the briefings' other figures, where every note in words would
        not fit): what, where, the figure, the sources and the table."""
        return f"{self.what}, {self.where}: {self.shown} ({self.lettered_tail(letters)}).{self.cautioned}"

    @property
    def reference(self) -> str:
        """Machine-readable: table file, row key and column (what ``check_footnotes`` reads)."""
        where = "; ".join(f"{k}={v}" for k, v in self.keys)
        return f"`{self.table}.csv` | {where} | `{self.column}`"

    @property
    def line(self) -> str:
        return f"[{self.number}] {md_text(self.citation)} Table: {self.reference}"


def source_words(record: dict) -> str:
    """'Office for National Statistics, Census 2021 TS007A: Age by five-year age bands': publisher,
    dataset and release in words (the release left out where the title already names it)."""
    release = record.get("release") or ""
    parts = [record.get("publisher") or "", record.get("title") or ""]
    if release and release not in parts[1]:
        parts.append(release)
    return ", ".join(p for p in parts if p)


def cite_as(record: dict) -> str:
    """A source named in a few words (the registry's citation), or in full where the registry has no entry."""
    key = record.get("source")
    return SOURCES[key].citation if key in SOURCES else source_words(record)


def compared_with(row: dict, place: str) -> str:
    """'the 21 places compared with Harlow (its ONS nearest neighbours)': which group a
    median or a best value is of, named as ONS names it."""
    n = f"{int(float(row['n_compared']))} " if row.get("n_compared") else ""
    if row.get("group_kind") == "neighbours" and row.get("area_type") == "zone":
        group = "its districts' ONS nearest neighbours"
    elif row.get("group_kind") == "neighbours":
        group = "its ONS nearest neighbours"
    elif row.get("group_kind"):
        group = f"its ONS cluster {row.get('cluster_code') or ''}".rstrip()
    else:
        return f"the places compared with {place}"
    return f"the {n}places compared with {place} ({group})"


# Cells that rest on the neighbourhood broadband figures (the connectivity gap, and the triage classes made from
# it): a row's broadband_caution travels with their notes.
GAP_CELLS = {
    "district_summary": frozenset(
        {
            "residents_both",
            "residents_adoption_gap",
            "residents_infrastructure_gap",
            "derived_pct_no_gigabit",
            "derived_pct_below_30",
        }
    ),
    "triage_summary": frozenset({"residents", "lsoas", "pct_of_area_residents"}),
    "ward_summary": frozenset(
        {
            "residents_both",
            "residents_adoption_gap",
            "residents_infrastructure_gap",
            "residents_neither",
            "mean_supply_gap_score",
        }
    ),
}

# Rank columns whose ties share the lowest rank with nothing in the row to say so.
TIED_RANKS = frozenset({"readiness_rank"})


class Notes:
    """Numbered footnotes, one per cited cell, each a citation in words with its table reference."""

    def __init__(self, folder: Path, compiler: str = COMPILER):
        self.folder, self.compiler = folder, compiler
        self.tables: dict[str, list[dict[str, str]]] = {}
        self.sidecars: dict[str, dict] = {}
        self.notes: list[Note] = []
        self.index: dict[tuple, int] = {}
        self.cited: dict[str, None] = {}

    @property
    def lines(self) -> list[str]:
        return [note.line for note in self.notes]

    def rows(self, table: str) -> list[dict[str, str]]:
        if table not in self.tables:
            self.tables[table] = read_table(self.folder, table)
        return self.tables[table]

    def row(self, table: str, **keys: str) -> dict[str, str] | None:
        return next((r for r in self.rows(table) if all(r.get(k) == v for k, v in keys.items())), None)

    def sidecar(self, table: str) -> dict:
        if table not in self.sidecars:
            path = self.folder / f"{table}.sources.json"
            self.sidecars[table] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        return self.sidecars[table]

    def sources(
        self, table: str, columns: list[str], keys: tuple[str, ...] = (), row: dict | None = None
    ) -> list[dict]:
        """Source records (title, publisher, release) behind ``columns`` of ``table``: the sources its sidecar
        gives for each column, with those of a key column whose meaning rests on sources (a triage class); and
        for ``row``, the sources its builder recorded for that row where they differ from row to row (a zone's
        estimate rests on its weights, a district's own figure does not).
        Every source named is remembered (``cited``), so the lists of sources and licences follow the figures."""
        records = {s["source"]: s for s in self.sidecar(table).get("sources", []) if s.get("rows")}
        described = {c["name"]: c for c in self.sidecar(table).get("columns", [])}

        def of(column: str) -> list[str]:
            entry = described.get(column, {})
            found = row_sources(entry.get("sources_by_row"), row or {}) if row is not None else None
            found = found if found is not None else entry.get("sources")
            return found if found is not None else column_sources(column, list(records))

        meaning = [k for k in keys if k in COLUMN_SOURCES]
        wanted = [k for k in dict.fromkeys(k for c in [*columns, *meaning] for k in of(c)) if k in records]
        self.cited.update(dict.fromkeys(wanted))
        return [records[k] for k in wanted]

    def cited_sources(self) -> list[str]:
        """Every source named behind a figure or table so far, in the registry's order."""
        return [k for k in SOURCES if k in self.cited]

    def describe(self, table: str, column: str) -> str:
        entry = next((c for c in self.sidecar(table).get("columns", []) if c.get("name") == column), {})
        # a parenthesis naming other columns helps a table reader, not a citation
        return re.sub(r"\s*\([^()]*_[^()]*\)", "", entry.get("description") or column.replace("_", " "))

    def citation_parts(
        self, table: str, column: str, row: dict[str, str], keys: dict[str, str]
    ) -> tuple[str, str, str, tuple[str, ...], str]:
        """(what the figure measures, the place, the sources behind it, their keys, the row's caution), for the
        citation 'Usual residents, Census 2021 (TS007A), <place>: <figure> (ONS, Census 2021 table TS007A; via the
        DIZ evidence pipeline, table district_summary).'"""
        what = self.describe(table, column)
        if column in ("official_pct", "derived_pct") and row.get("indicator") in LABELS:
            # the reconciliation names its indicator by code: the figure says what it measures first
            # the derived figure never takes Ofcom's unit (a mean over postcodes is not a share of premises)
            label = LABELS[row["indicator"]]
            if column == "official_pct":
                what = f"{label}: Ofcom's own district figure"
            else:
                weighting = row.get("derived_weighting") or "mean over postcodes"
                share = "" if "premises" in weighting else "; not a share of the district's premises"
                figures = (
                    "postcode-district averages"
                    if row.get("derived_resolution") == "postcode_district"
                    else "postcode figures"
                )
                named = label[:1].lower() + label[1:].removesuffix(" (%)")
                if row["indicator"] == "premises_below_30_pct":
                    # below 30 Mbit/s is 100 minus the superfast (30 Mbit/s) availability the input carries
                    measured = f"100 minus the {figures} of superfast (30 Mbit/s) availability, for {named}"
                elif label.startswith("Premises"):
                    # the input holds each postcode's share of its premises: that is what is averaged
                    measured = f"the {figures} of each postcode's share of {named}"
                else:
                    measured = f"the {figures} of {named}"
                counted = stated_premises(row.get("derived_premises"))
                if counted:  # a residential-only input is a narrower measure
                    measured += f" (the input counts {counted})"
                what = f"Derived here ({weighting}) as {measured}{share}"
        parts = (row.get("readiness_parts") or "").split(" (")[0]
        if column in ("readiness_rank", "readiness_score") and parts.startswith("catchment need 1"):
            # need is the only part known: the figure says only what it rests on
            what = (
                "GP site's rank by its catchment's inclusion need alone (1 = most need; the readiness rank, with no "
                "broadband part known: the site's own is not, and its catchment's only as area averages)"
                if column == "readiness_rank"
                else "GP site's readiness score from its catchment's inclusion need alone (10 minus that need; no "
                "broadband part known)"
            )
        if row.get("indicator_label"):  # a long table of indicators: the row says what the value measures
            if column in ("value", "first_value", "latest_value", "official_pct"):
                what = row["indicator_label"]
            elif column in ("group_median", "best_value"):
                what = f"{row['indicator_label']}: {what[:1].lower() + what[1:]}"
            elif column in ("change_pp", "change_pp_per_year", "pace_pp_per_year", "median_pace_pp_per_year"):
                whose = "the group median's " if column.startswith("median") else ""
                label = row["indicator_label"]
                if str(row.get("estimate")).lower() == "true" and not whose:
                    # the zone's own pace is that of its estimate, which is no share Ofcom counted
                    label = (
                        f"The zone's estimate (the mean of its districts' Ofcom figures for "
                        f"{label[:1].lower() + label[1:]}, weighted by {row.get('weighted_by')}; not a figure Ofcom "
                        f"publishes)"
                    )
                what = (
                    f"{label}: {whose}change in percentage points"
                    f"{' per year' if 'year' in column else ''}, {row.get('first_release_name')}"
                    f"{period_label_only(row.get('first_dated_by'))} to {row.get('latest_release_name')}"
                    f"{period_label_only(row.get('latest_dated_by'))}, computed here from Ofcom's district figures"
                )
            if str(row.get("estimate")).lower() == "true" and column in ("value", "first_value", "latest_value"):
                # how the figure was made comes first: it is no share Ofcom counted, whatever the indicator's unit
                what = (
                    f"Mean of its districts' Ofcom figures for {what[:1].lower() + what[1:]}, weighted by "
                    f"{row.get('weighted_by')} (an estimate, not a figure Ofcom publishes)"
                )
            if row.get("ons_note") and column == "value":  # ONS's sum of Ofcom's figures, as ONS marks it
                what += " (ONS's aggregate of Ofcom's figures)"
        if row.get(RELEASE_OF.get(column, "")):
            what += f", {row[RELEASE_OF[column]]}{period_label_only(row.get(DATED_BY_OF.get(column, '')))}"
        name = next((c for c in row if c.startswith("lsoa") and c.endswith("nm")), None)
        if name and row.get(name):  # a neighbourhood: its name and code, and the ward and district it lies in
            code = row.get(name[:-2] + "cd")
            place = (
                f"{row[name]} ({code})"
                + (f", in {row['ward_name']} ward" if row.get("ward_name") else "")
                + (f", {row['lad_name']}" if row.get("lad_name") else "")
            )
        else:
            column_of_place = next((c for c in PLACE_COLUMNS if row.get(c)), None)
            place = row[column_of_place] if column_of_place else ", ".join(keys.values())
            if column_of_place == "name":  # a GP site: NHS lists give names in capitals
                place = display_name(place)
        context = [KEY_WORDS[k](v, row) for k, v in keys.items() if k in KEY_WORDS]
        place = place.lstrip("'")
        if column == "best_value" and row.get("best_peers"):  # the figure is the best peer's, not the subject's
            place = f"{row['best_peers']}, the best of {compared_with(row, place)}"
        elif column in ("group_median", "median_pace_pp_per_year"):  # the group's figure, not the subject's
            place = compared_with(row, place)
        elif column.endswith("_it_reaches") and row.get("best_site"):  # which site "the one best" is
            postcode = f" ({row['best_site_postcode']})" if row.get("best_site_postcode") else ""
            place = f"{place}, the best candidate site being {display_name(row['best_site'])}{postcode}"
        where = ", ".join([place, *context])
        estimate = str(row.get("estimate")).lower() == "true" and column in ("value", "first_value", "latest_value")
        # an estimate rests on its weights too (residents): the sources of the study area's estimate column
        read = [column, "estimated_gigabit_pct"] if estimate else [column]
        records = self.sources(table, read, tuple(keys), row=row)
        named = [cite_as(s) for s in records]
        # a figure that rests on neighbourhood broadband figures missing Ofcom's carries its row's caution, so a
        # note pasted alone keeps it
        caution = self.gap_caution(row) if column in GAP_CELLS.get(table, ()) else ""
        return (
            what,
            where,
            "; ".join([*named, f"via {self.compiler}, table {table}"]),
            tuple(s["source"] for s in records),
            caution,
        )

    def gap_caution(self, row: dict) -> str:
        """For a figure resting on the neighbourhood broadband figures (``GAP_CELLS``): the districts among the
        row's (a district's own, a ward's district, all for the study area) whose figures miss Ofcom's own by
        more than the settings allow, named in one sentence that travels with the note."""
        if row.get("area_type") == "study area" or row.get("lad_code") == "ALL":
            names = missed_districts(self)
        elif row.get("lad_code"):
            names = missed_districts(self, [row["lad_code"]])
        elif row.get("area_type") == "district":
            names = missed_districts(self, [row.get("area_code")])
        else:  # a ward, by its district's name
            names = [name for name in missed_districts(self) if name == row.get("district")]
        if not names:
            return ""
        return (
            f"Caution: in {_listed(names)}, the broadband input behind the gap misses Ofcom's district figures "
            "by more than the settings allow (table reconciliation)."
        )

    def cite(
        self, table: str, column: str, digits: int = 0, suffix: str = "", zero: str | None = None, **keys: str
    ) -> str:
        """``value[n]``, with note n citing the cell. ``zero``: the word to write, uncited, when the count is 0 or
        there is no row ("no residents", "none of them"); without it a missing value is never a bare word."""
        row = self.row(table, **keys)
        if row is None or row.get(column) in ("", None):
            return zero or MISSING
        if zero is not None and float(row[column]) == 0:
            return zero
        ref = (table, column, tuple(sorted(keys.items())))
        shown = f"{number(row[column], digits)}{suffix}"
        if ref not in self.index:
            self.index[ref] = len(self.index) + 1
            # a rank shared with another row is pasted as a tie ("=3, tied"), as the text beside it marks it
            tied = column in TIED_RANKS and sum(r.get(column) == row[column] for r in self.rows(table)) > 1
            self.notes.append(
                Note(
                    self.index[ref],
                    table,
                    column,
                    tuple(keys.items()),
                    f"={shown}, tied" if tied else shown,
                    *self.citation_parts(table, column, row, keys),
                )
            )
        return f"{shown}[{self.index[ref]}]"


def build_headlines(tables: Path, dest: Path, settings: Settings, vintage_label: str) -> dict:
    n = Notes(tables)
    t = terms(settings, triage_cuts(n.rows("triage")))
    study_area_name = settings.study_area.name
    summary = n.rows("district_summary")
    districts = [r for r in summary if r["lad_code"] != "ALL"]
    lines = [
        f"# Headline figures: {md_text(study_area_name)}",
        "",
        "Each figure is followed by a footnote: a citation to paste (what the figure measures, the place, and "
        "the publisher, dataset and release behind it), then the table, row and column it was read from (files "
        "in `data/processed/tables/`, each with a `.sources.json` giving its sources, releases and licence "
        "lines).",
        "",
        "**Read before quoting.** Broadband coverage per district is quoted as Ofcom publishes it (% of premises, "
        f"{OFCOM_VIA_ONS}), with the release named. Inside a district, the connectivity gap of a neighbourhood "
        "rests on whatever resolution the broadband input has; where it is a postcode-district average it cannot "
        f"rank neighbourhoods within that postcode district. Neighbourhoods are Lower-layer Super Output Areas, "
        f"{vintage_label}; residents are Census 2021.",
        "",
    ]
    lines += ["## Terms", ""] + [f"- **{term}**: {md_text(text)}." for term, text in t.definitions()] + [""]
    lines += ["## The study area", ""]
    lines.append(
        f"The study area has {n.cite('district_summary', 'residents_2021', lad_code='ALL')} residents in "
        f"{n.cite('district_summary', 'lsoas', lad_code='ALL')} neighbourhoods (LSOAs)."
    )
    lines.append("")
    # Ofcom's own district figures first, then the zone's estimate and rank, then what is derived here.
    for sentence in ofcom_area_sentences(n, districts, settings.outputs.max_districts):
        lines += [sentence, ""]
    zone = peer_line(n, settings.peers.zone_code, settings)
    if zone:
        weighting = zone_weighting(n.rows("peer_weighting_check"))
        lines += [zone + " " + md_text(similar_means(settings)) + " " + md_text(weighting), ""]
    tri = {
        c: n.cite("triage_summary", "residents", area_code="ALL", triage_class=c, zero="no")
        for c in ("both", "adoption gap", "infrastructure gap")
    }
    lines.append(
        f"{triage_residents(tri)} High need means {md_text(t.high_need)}; a connectivity gap means "
        f"{md_text(t.unserved)}.{triage_caution(n, 'ALL')}"
    )
    lines.append("")
    access = zone_access_sentence(n, settings)
    if access:
        lines += [access, ""]
    lines.append(
        f"{_cap(n.cite('district_summary', 'lsoas_in_top_need_decile', lad_code='ALL'))} neighbourhoods make "
        f"up the highest-need tenth; {n.cite('district_summary', 'robust_need_priorities', lad_code='ALL')} "
        f"of them are robust priorities, that is {md_text(t.robust)}. The others move "
        "in or out of the tenth with those choices."
    )
    lines += ["", "The highest-need neighbourhoods:", ""]
    for r in sorted(n.rows("lsoa_need"), key=lambda r: int(r["need_rank"]))[:5]:
        code = next(k for k in r if k.endswith("cd") and k.startswith("lsoa"))
        name = next(k for k in r if k.endswith("nm") and k.startswith("lsoa"))
        lines.append(
            f"- {md_text(r[name])} ({md_text(r['ward_name'])}, {md_text(r['lad_name'])}): need "
            f"{n.cite('lsoa_need', 'need_score', 1, **{code: r[code]})} of 10, "
            f"{n.cite('lsoa_need', 'residents_2021', **{code: r[code]})} residents."
        )
    lines.append("")
    for r in districts:
        code = r["lad_code"]
        lines += [f"## {md_text(r['area_name'])}", ""]
        lines.append(
            f"{md_text(r['area_name'])} has {n.cite('district_summary', 'residents_2021', lad_code=code)} "
            f"residents. {_cap(n.cite('district_summary', 'lsoas_in_top_need_decile', lad_code=code, zero='none'))} "
            f"of its {n.cite('district_summary', 'lsoas', lad_code=code)} neighbourhoods "
            f"{is_are(r.get('lsoas_in_top_need_decile'))} in the study area's highest-need tenth; robust priorities "
            f"among them: {n.cite('district_summary', 'robust_need_priorities', lad_code=code, zero='none')}."
        )
        lines.append("")
        official = official_sentence(n, r)
        if official:
            lines.append(official)
            lines.append("")
        lines.append(triage_residents(district_triage(n, code)) + gap_resolution_clause(r) + triage_caution(n, code))
        peer = peer_line(n, code, settings)
        if peer:
            lines.append("")
            lines.append(peer)
        access = district_access_sentence(n, code, settings)
        if access:
            lines += ["", access]
        change = n.row("change_over_time", area_code=code, indicator="gigabit_capable_pct")
        if change:
            lines.append("")
            lines.append(change_sentence(n, change, code, len(districts)))
        recon = n.row("reconciliation", lad_code=code, indicator="gigabit_capable_pct")
        if recon and recon.get("difference_pp"):
            lines.append("")
            lines.append(reconciliation_sentence(n, recon, code))
        below_30 = below_30_miss_sentence(n, code)
        if below_30:
            lines += ["", below_30]
        lines.append("")
        lines.append(gp_sentence(n, code, r, md_text(r["area_name"])))
        lines.append("")
    from pipeline.outputs.gp_text import (
        list_month,
        need_alone,
        not_ranked_sentence,
        own_gigabit_sentence,
        rank_words,
        ranked,
        ranking_rests_on,
        ranks_sentence_start,
        section_heading,
        sites_in_lists,
        tie_mark,
    )

    gp = n.rows("gp_readiness")
    ranked_sites = ranked(gp)
    lines += [f"## {section_heading(gp)}", ""]
    lines.append(
        f"{ranks_sentence_start(gp)} of the {len(gp)} GP sites shown ({rank_words(gp)['one']}): "
        f"{sites_in_lists(gp)}. The ranking rests on {ranking_rests_on(gp, settings.gp_readiness.catchment_cap_m)}; "
        f"registered patients are NHS England's lists at {list_month(gp)}."
    )
    lines.append("")
    for s in ranked_sites[:5]:
        code = s["site_code"]
        rank = n.cite("gp_readiness", "readiness_rank", site_code=code)
        score = n.cite("gp_readiness", "readiness_score", SCORE_DECIMALS, site_code=code)
        need = n.cite("gp_readiness", "catchment_mean_need", SCORE_DECIMALS, site_code=code) if need_alone(s) else None
        # the score is named, and where need is its only part it says so: it is then 10 minus that need
        made_of = f" (here 10 minus its catchment's need score, {need}: no broadband part is known)" if need else ""
        lines.append(
            f"- {md_text(display_name(s['name']))} ({md_text(s['postcode'])}): {rank_words(gp)['rank'].lower()} "
            f"{tie_mark(gp, s)}{rank}, telehealth-readiness score {score} of 10{made_of}."
        )
    for sentence in (readiness_caution(n, ranked_sites[:5]), own_gigabit_sentence(gp), not_ranked_sentence(gp)):
        if sentence:
            lines += ["", md_text(sentence)]
    # The releases and licences of the sources behind the figures cited above, and only those.
    cited = n.cited_sources()
    releases = sorted({f"{SOURCES[k].title}: {SOURCES[k].release}" for k in cited})
    lines += ["", "## Footnotes", ""] + [f"{line}  " for line in n.lines]
    lines += ["", "## Releases", ""] + [f"- {md_text(r)}" for r in releases]
    lines += ["", "## Licences", ""] + [f"- {md_text(line)}" for line in licence_lines(cited)] + [""]
    text = "\n".join(lines)
    write_text(dest, text)
    write_text(dest.with_suffix(".html"), markdown_page(text, f"Headline figures: {study_area_name}"))
    return {"path": str(dest), "districts": len(districts), "figures": len(n.lines)}


def latest_peer_row(n: Notes, code: str, group: str = "neighbours", indicator: str = "gigabit_capable_pct"):
    rows = [
        r
        for r in n.rows("peer_benchmark")
        if r["area_code"] == code and r["group_kind"] == group and r["indicator"] == indicator
    ]
    return max(rows, key=lambda r: r["release"]) if rows else None


def peer_line(n: Notes, code: str, settings: Settings) -> str | None:
    """The subject's latest gigabit rank among its statistical nearest neighbours, cited."""
    row = latest_peer_row(n, code)
    if row is None:
        return None
    keys = {
        "area_code": code,
        "group_kind": "neighbours",
        "indicator": "gigabit_capable_pct",
        "release": row["release"],
    }
    return peer_sentence(row, settings, lambda column: n.cite("peer_benchmark", column, 1, "%", **keys))


def official_sentence(n: Notes, row: dict) -> str | None:
    """Ofcom's own gigabit and below-30 Mbit/s figures for a district, with their release."""
    code = row["lad_code"]
    if not row.get("ofcom_gigabit_pct"):
        return None
    dated = "" if row.get("ofcom_dated_by") == "ONS metadata" else "; month from ONS's period label only"
    gigabit = n.cite("district_summary", "ofcom_gigabit_pct", 1, "%", lad_code=code)
    below = (
        f" and {n.cite('district_summary', 'ofcom_below_30_pct', 1, '%', lad_code=code)} could not get a "
        "service above 30 Mbit/s"
        if row.get("ofcom_below_30_pct")
        else ""
    )
    return (
        f"In {md_text(row['ofcom_release_name'])}, {gigabit} of premises in {md_text(row['area_name'])} could get "
        f"gigabit-capable broadband{below} ({OFCOM_VIA_ONS}, {md_text(row['ofcom_release_name'])}{dated})."
    )


# GSS prefixes of the nations and the UK among ONS's comparators (England, Wales, Scotland, Northern
# Ireland; UK, Great Britain, England and Wales).
NATIONS = ("E92", "W92", "S92", "N92", "K02", "K03", "K04")


def ofcom_area_sentences(n: Notes, districts: list[dict], most: int | None = None) -> list[str]:
    """Ofcom's own gigabit figures for the study districts and the comparators ONS's files hold (counties, nation)
    at the districts' latest release, then the study-area estimate made from them, named as an estimate: Ofcom
    publishes no figure for the study area (unless it is a place ONS's files hold, whose figure is then pointed
    to), so its figures come first. Rows ONS marks as its own aggregates are named as ONS's, not Ofcom's. More than
    ``most`` districts (an England run) are given as their range, lowest and highest named, and the median of their
    figures."""
    first = next((r for r in districts if r.get("ofcom_gigabit_pct")), None)
    if first is None:
        return []
    release, when = first["ofcom_release"], md_text(first["ofcom_release_name"])
    with_figure = [r for r in districts if r.get("ofcom_gigabit_pct") and r.get("ofcom_release") == release]

    def cited(r: dict) -> str:
        return f"{n.cite('district_summary', 'ofcom_gigabit_pct', 1, '%', lad_code=r['lad_code'])} in " + md_text(
            r["area_name"]
        )

    if most is None or len(with_figure) <= most:
        places = [cited(r) for r in with_figure]  # each cited (and footnoted) only when shown
    else:
        ordered = sorted(with_figure, key=lambda r: (float(r["ofcom_gigabit_pct"]), r["area_name"]))
        values = [float(r["ofcom_gigabit_pct"]) for r in ordered]
        places = [
            f"from {cited(ordered[0])} to {cited(ordered[-1])} across the {len(ordered)} study districts with a "
            f"figure for it (the median of the district figures: {statistics.median(values):.1f}%; each "
            "district's in table district_summary)"
        ]
    many = most is not None and len(with_figure) > most  # then only the nations compare, not every county
    comparators = [
        r
        for r in n.rows("connectivity_series")
        if r.get("area_type") == "comparator"
        and r["indicator"] == "gigabit_capable_pct"
        and r["release"] == release
        and not (many and r["area_code"][:3] not in NATIONS)
    ]

    def compared(r: dict) -> str:
        the = "the " if r["area_code"][:3] in ("K02", "K03", "K04") else ""  # the United Kingdom, Great Britain
        return f"{n.cite('connectivity_series', 'value', 1, '%', **_series_keys(r))} in {the}{md_text(r['area_name'])}"

    # ONS marks the rows it aggregated (counties, nations, the UK): those are ONS's sums, not Ofcom's figures
    published = [compared(r) for r in comparators if not r.get("ons_note")]
    aggregated = [compared(r) for r in comparators if r.get("ons_note")]
    text = (
        f"Ofcom's own figures for {when} ({OFCOM_VIA_ONS}): the share of premises that could get gigabit-capable "
        f"broadband was {_listed(places)}" + (f", against {_listed(published)}." if published else ".")
    )
    if aggregated:
        text += (
            f" ONS's aggregates of Ofcom's figures for the larger areas, which ONS notes \"may show differences to "
            f'other published figures", give {_listed(aggregated)}.'
        )
    out = [text]
    zone = n.row("district_summary", lad_code="ALL") or {}
    # a study area that is itself a place Ofcom's files hold (England, all its districts) has its own figure
    own = next((r for r in n.rows("connectivity_series") if r.get("area_type") == "comparator"
                and r["area_name"] == zone.get("area_name") and r["indicator"] == "gigabit_capable_pct"
                and r["release"] == release), None)  # fmt: skip
    if zone.get("estimated_gigabit_pct") and own:
        whose = "ONS's figure (its aggregate of Ofcom's)" if own.get("ons_note") else "Ofcom's own figure"
        out.append(
            f"{whose} for {md_text(own['area_name'])} is given above; the estimate from its districts' figures, "
            f"weighted by {md_text(zone.get('estimated_weighted_by') or 'residents')}, is "
            f"{n.cite('district_summary', 'estimated_gigabit_pct', 1, '%', lad_code='ALL')}: quote "
            f"{'ONS' if own.get('ons_note') else 'Ofcom'}'s."
        )
    elif zone.get("estimated_gigabit_pct"):
        out.append(
            "Ofcom does not publish a figure for the study area as a whole. An estimate from the districts' figures, "
            f"weighted by {md_text(zone.get('estimated_weighted_by') or 'residents')}, is "
            f"{n.cite('district_summary', 'estimated_gigabit_pct', 1, '%', lad_code='ALL')} "
            f"({md_text(zone.get('estimated_release_name') or '')}): an estimate, not a share of premises counted by "
            "Ofcom."
        )
    return out


def _series_keys(row: dict) -> dict[str, str]:
    return {"area_code": row["area_code"], "indicator": row["indicator"], "release": row["release"]}


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def change_sentence(n: Notes, change: dict, code: str, districts: int) -> str:
    """Gigabit coverage from the first to the latest release dated by month, with how each was dated."""

    def when(name: str, dated_by: str) -> str:
        return name if dated_by == "ONS metadata" else f"{name}, by ONS's period label"

    rank = int(float(change["improvement_rank"]))
    place = (
        "the largest rise"
        if rank == 1
        else "the smallest rise"
        if rank == districts
        else f"the {ordinal(rank)} largest rise"
    )
    return (
        f"Gigabit-capable premises went from "
        f"{n.cite('change_over_time', 'first_value', 1, '%', area_code=code, indicator='gigabit_capable_pct')} "
        f"({when(change['first_release_name'], change['first_dated_by'])}) to "
        f"{n.cite('change_over_time', 'latest_value', 1, '%', area_code=code, indicator='gigabit_capable_pct')} "
        f"({when(change['latest_release_name'], change['latest_dated_by'])}), "
        f"{n.cite('change_over_time', 'change_pp_per_year', 1, area_code=code, indicator='gigabit_capable_pct')} "
        f"points a year ({OFCOM_VIA_ONS}): {place} of the {districts} districts."
    )


def premises_counted(recon: dict) -> str:
    """' (residential premises only)': which premises the broadband input counts, where its source says so."""
    counted = stated_premises(recon.get("derived_premises"))
    return f" ({md_text(counted)} only)" if counted else ""


def reconciliation_sentence(n: Notes, recon: dict, code: str) -> str:
    """Ofcom's figure beside the same measure from our broadband input, in words that say how ours was made (cited
    in the order they are read)."""
    how = (
        "Weighted by premises over the district's postcodes"
        if recon["derived_weighting"].startswith("premises")
        else "Averaged over the district's postcodes, each counted once"
    )
    theirs = n.cite(
        "reconciliation",
        "official_pct",
        1,
        "%",
        lad_code=code,
        indicator="gigabit_capable_pct",
        release=recon["release"],
    )
    ours = n.cite(
        "reconciliation",
        "derived_pct",
        1,
        "%",
        lad_code=code,
        indicator="gigabit_capable_pct",
        release=recon["release"],
    )
    beyond = ""
    if str(recon.get("within_threshold")).lower() == "false":
        beyond = (
            f" The difference, {abs(float(recon['difference_pp'])):.1f} points, is more than the "
            f"{float(recon['threshold_pp']):g} points the settings allow: read this district's "
            "neighbourhood broadband values with particular care."
        )
    return (
        f"In {md_text(recon['release_name'])}, the release our neighbourhood figures rest on, Ofcom's own figure was "
        f"{theirs} of premises with gigabit-capable broadband. The broadband input holds that release as "
        f"{md_text((recon['derived_resolution'] or '').replace('_', ' '))} figures{premises_counted(recon)}; "
        f"{how[:1].lower() + how[1:]}, "
        f"they give {ours} gigabit-capable availability (derived here, not an Ofcom figure).{beyond}"
    )


def below_30_miss_sentence(n: Notes, code: str) -> str:
    """Where the district's figures for premises below 30 Mbit/s miss Ofcom's own by more than the settings allow:
    both, Ofcom's first, cited (empty where they agree)."""
    recon = n.row("reconciliation", lad_code=code, indicator="premises_below_30_pct")
    if not recon or str(recon.get("within_threshold")).lower() != "false":
        return ""
    keys = {"lad_code": code, "indicator": "premises_below_30_pct", "release": recon["release"]}
    theirs = n.cite("reconciliation", "official_pct", 1, "%", **keys)
    ours = n.cite("reconciliation", "derived_pct", 1, "%", **keys)
    how = "weighted by premises" if recon["derived_weighting"].startswith("premises") else "each postcode counted once"
    counted = stated_premises(recon.get("derived_premises"))
    how += f"; {md_text(counted)} only" if counted else ""
    return (
        f"For premises below 30 Mbit/s in {md_text(recon['release_name'])}, Ofcom's own "
        f"figure was {theirs} of premises, while the same average over the district's postcodes ({how}) gives {ours} "
        f"(derived here, not an Ofcom figure): {abs(float(recon['difference_pp'])):.1f} points apart, more than the "
        f"{points(recon['threshold_pp'])} the settings allow for this measure."
    )


def gp_sentence(n: Notes, code: str, row: dict, where: str) -> str:
    """GP practices in the current list, and the older branch listings apart (they may have closed)."""
    practices = _cap(n.cite("district_summary", "gp_practices", lad_code=code, zero="no"))
    text = f"{practices} active GP practices are in {where}"
    # an active practice with a list too small to rank (a specialist service of a few dozen patients) is counted
    # above as NHS ODS lists it: the sentence says which, and how small
    small = [
        r
        for r in n.rows("gp_readiness")
        if r.get("site_type") == "practice"
        and "the ranking needs" in (r.get("not_ranked_reason") or "")
        and (code == "ALL" or r.get("lad_code") == code)
    ]
    if small:
        # all of England has about a hundred: the first NAMED are named, each with its list size cited
        listed = named(
            small,
            ", each in the GP readiness table",
            lambda r: (
                f"{display_name(r['name'])}, with "
                f"{n.cite('gp_readiness', 'list_size', site_code=r['site_code'])} registered patients"
                # the reason's own words after the count: the list's date and the minimum the ranking needs
                f"{r['not_ranked_reason'].partition('registered patients')[2]}"
            ),
        )
        text += f"; {'one of them is' if len(small) == 1 else f'{len(small)} of them are'} not ranked ({listed})"
    branches = row.get("gp_branches")
    if branches and float(branches) > 0:
        listed = (row.get("gp_branches_listed_in") or "an older list").replace(" (ebranchs)", "")
        listed = "the " + listed.replace(", ", " (") + ")" if ", " in listed else listed
        text += (
            f"; {md_text(listed)} adds {n.cite('district_summary', 'gp_branches', lad_code=code)} branch "
            f"{'surgery' if float(branches) == 1 else 'surgeries'} there, of current practices of the study area; "
            f"{'it' if float(branches) == 1 else 'they'} may have closed since"
        )
    return text + "."


def district_triage(n: Notes, code: str) -> dict[str, str]:
    """A district's residents per triage class, cited, for ``triage_residents``."""
    columns = {"both": "residents_both", "adoption gap": "residents_adoption_gap"}
    columns["infrastructure gap"] = "residents_infrastructure_gap"
    return {
        c: n.cite("district_summary", col, lad_code=code, zero="no" if c == "both" else "none")
        for c, col in columns.items()
    }


def gap_resolution_clause(row: dict) -> str:
    """Which Ofcom release the connectivity gap rests on (it may be older than the district figures quoted
    beside it) and, where the gap of neighbourhoods is an area average, say so, at the resolution the data have."""
    released = release_names(row.get("broadband_release"))
    source = f"Ofcom's {released} coverage data" if released else "the broadband data"
    shared, total = row.get("lsoas_gap_area_average"), row.get("lsoas")
    if not shared or shared in ("0", 0):
        return f" The connectivity gap rests on {source}." if released else ""
    every = "every one" if shared == total else f"{int(float(shared))} of its {int(float(total))}"
    area = {"postcode_district": "postcode-district averages", "local_authority": "district averages"}.get(
        row.get("broadband_resolution") or "", "area averages"
    )
    unit = "postcode district" if row.get("broadband_resolution") == "postcode_district" else "area"
    return (
        f" The connectivity gap rests on {source}, for {every} of its neighbourhoods as {area}, so it cannot "
        f"rank neighbourhoods inside one {unit}."
    )


def broadband_misses(n: Notes) -> list[dict]:
    """The reconciliation rows where a district's neighbourhood broadband figures miss Ofcom's own figure (gigabit,
    or below 30 Mbit/s) for the same release by more than the settings allow for that measure."""
    return [r for r in n.rows("reconciliation") if str(r.get("within_threshold")).lower() == "false"]


def missed_districts(n: Notes, lads=None) -> list[str]:
    """The names of the districts (among ``lads``, if given) with a row in ``broadband_misses``, each once."""
    return list(dict.fromkeys(r["area_name"] for r in broadband_misses(n) if lads is None or r["lad_code"] in lads))


def triage_caution(n: Notes, code: str, figures: str = "the figures are given below") -> str:
    """Beside the triage counts, where the neighbourhood broadband figures they rest on miss Ofcom's own district
    figure for the same release by more than the settings allow: the gap classes there are less sure. ``figures``
    says where the text gives those figures (the area's briefing leaves them to each district's)."""
    names = [md_text(name) for name in missed_districts(n, None if code == "ALL" else [code])]
    if not names:
        return ""
    where = "here" if code != "ALL" else f"in {_listed(names)}"
    return (
        f" Read the gap classes {where} with care: the neighbourhood broadband figures they rest on miss Ofcom's "
        f"own district figure by more than the settings allow ({figures})."
    )


def table_caution(n: Notes, lads: list[str], what: str) -> str:
    """Under a table whose ``what`` rests on the triage classes: the districts among ``lads`` whose neighbourhood
    broadband figures miss Ofcom's own district figure by more than the settings allow."""
    names = missed_districts(n, lads)
    if not names:
        return ""
    return (
        f" In {_listed(names)}, {what} rest on neighbourhood broadband figures that miss Ofcom's own district "
        "figure by more than the settings allow: read them with care."
    )


def readiness_caution(n: Notes, sites: list[dict]) -> str:
    """Beside a list of ranked GP sites: those in a district whose postcodes' broadband figures, averaged, miss Ofcom's
    own district figure by more than the settings allow have a less sure broadband part in their score."""
    from pipeline.outputs.gp_text import catchment_broadband_scored

    names = missed_districts(n, {s.get("lad_code") for s in sites if catchment_broadband_scored(s)})
    if not names:
        return ""
    return (
        f"The broadband part of the scores of the sites in {_listed(names)} rests on broadband data whose mean "
        "over the district's postcodes misses Ofcom's own district figure by more than the settings allow: read "
        "their ranks with care."
    )


def is_are(count) -> str:
    """The verb for a count of things: '1 ... is', '3 ... are' (0 and none take 'are')."""
    try:
        return "is" if float(count) == 1 else "are"
    except (TypeError, ValueError):
        return "are"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def check_footnotes(tables: Path, text: str) -> list[str]:
    """Every figure[n] in the text checked against the cell its footnote n names; problems returned."""
    notes = {m["n"]: m for m in FOOTNOTE.finditer(text)}
    body = text.split("## Footnotes")[0]
    problems, cache = [], {}
    for fig in FIGURE.finditer(body):
        note = notes.get(fig["n"])
        if note is None:
            problems.append(f"figure {fig.group(0)} has no footnote {fig['n']}")
            continue
        rows = cache.setdefault(note["table"], read_table(tables, note["table"]))
        keys = dict(k.split("=", 1) for k in note["keys"].split("; "))
        found = [r for r in rows if all(r.get(k) == v for k, v in keys.items())]
        if len(found) != 1:
            problems.append(f"[{fig['n']}]: {len(found)} rows match {keys} in {note['table']}.csv")
            continue
        shown = fig["value"].replace(",", "")
        digits = len(shown.split(".")[1]) if "." in shown else 0
        if half_up(found[0][note["column"]], digits).replace(",", "") != shown:  # rounded as the figure is shown
            problems.append(f"{fig.group(0)}: {note['table']}.csv holds {found[0][note['column']]}")
    return problems
