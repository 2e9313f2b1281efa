"""The evidence tables: CSV files for bid writers, each with a ``.sources.json`` sidecar.

One list (``TABLES``) says which tables make the pack, what each holds and where it comes from;
the CSVs, the XLSX sheets, the headlines and the index page all read from it. Text cells that a
spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``, tab or carriage return)
are written with a leading apostrophe, as OWASP advises; numbers are untouched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import duckdb

from pipeline.analysis.indicators import INDICATORS
from pipeline.columns import BROADBAND, DISTRICT_SERIES, column_sources, describe
from pipeline.geography import Vintage
from pipeline.lookup import caution_notes, district_cautions
from pipeline.paths import Paths
from pipeline.readers.local_indicators import UNITS
from pipeline.registry import SOURCES, licence_lines
from pipeline.settings import Settings
from pipeline.store import read_provenance, replace_atomically, temp_path, write_text

FORMULA_START = r"^[=+\-@\t\r]"


@dataclass(frozen=True)
class EvidenceTable:
    name: str  # CSV file stem
    sheet: str  # XLSX sheet title (31 characters at most)
    table: str  # processed table it is read from
    description: str
    order: str  # ORDER BY (neutral names), so files are stable
    notes: str = ""
    optional: bool = False  # shown only when it has rows (validation)
    # SQL over the table: published only when some row satisfies it; otherwise ``uninformative`` says why not.
    informative: str = ""
    uninformative: str = ""


TABLES = [
    EvidenceTable("district_summary", "District summary", "district_summary",
                  "Key figures per district and for the study area (lad_code ALL).", "lad_code = 'ALL', area_name",
                  "ofcom_* columns are Ofcom's own district figures (% of premises) at the release named. derived_* "
                  "columns are computed here from the broadband input and are not Ofcom figures: with "
                  "postcode-district "
                  "averages each postcode counts once, so they are not shares of premises. gp_sites_without_gigabit "
                  "counts sites whose own postcode is below 100% gigabit in postcode-level data, and is empty where no "
                  "site has such data."),
    EvidenceTable("lsoa_need", "Inclusion need", "lsoa_need",
                  "Inclusion need per LSOA (people-side only): components, score, rank and decile, indicator values.",
                  "need_rank, lsoa_code"),
    EvidenceTable("lsoa_supply_gap", "Connectivity gap", "lsoa_supply_gap",
                  "Connectivity gap per LSOA (supply-side only), with the resolution of each value and how many LSOAs "
                  "share it.", "supply_gap_rank, lsoa_code",
                  "Values known only for a postcode district or a district are that area's value for every LSOA in "
                  "it: those LSOAs tie, and the gap cannot rank them against each other."),
    EvidenceTable("triage", "Triage", "lsoa_triage",
                  "One class per LSOA from need x gap: both, adoption gap (inclusion offer), infrastructure gap "
                  "(fibre), neither.", "triage_class, need_rank, lsoa_code"),
    EvidenceTable("triage_summary", "Triage by area", "triage_summary",
                  "Residents and LSOAs in each triage class, for the study area, each district and each ward.",
                  "area_type, district NULLS FIRST, area_name, triage_class"),
    EvidenceTable("ward_summary", "Ward summary", "ward_summary",
                  "Per ward (May 2024), over the LSOAs ONS's best-fit lookup places in it: residents, LSOAs and "
                  "residents per triage class (sums, not the ward's own counts) and resident-weighted mean scores.",
                  "mean_need_score DESC, ward_code"),
    EvidenceTable("rank_uncertainty", "Rank uncertainty", "rank_uncertainty",
                  "Each LSOA's need and gap rank over seeded draws of the weights, scaling base and IUC mapping.",
                  "score, median_rank, lsoa_code",
                  "priority (robust, weight-dependent) is given for need only, as defined. A connectivity gap that "
                  "is an area average (gap_is_area_average) is the same for every neighbourhood of its area: its "
                  "ranks cannot tell them apart."),
    EvidenceTable("inclusion_priorities", "Inclusion priorities", "inclusion_priorities",
                  "Priority LSOAs for digital skills, device and data-donation outreach, with how robust each is.",
                  "priority_order"),
    EvidenceTable("lsoa_scores", "LSOA scores", "lsoa_index",
                  "Every score per LSOA: the headline index, need, gap, mixed and DERI-compatible, with indicators.",
                  "index_rank, lsoa_code"),
    EvidenceTable("lsoa_indicators", "LSOA indicators", "lsoa_indicators",
                  "Every indicator per LSOA with its source, release, resolution and the area its value belongs to.",
                  "lsoa_code, indicator"),
    EvidenceTable("hotspots", "Need hotspots", "hotspots",
                  "Getis-Ord Gi* on inclusion need: z-score, permutation and FDR-adjusted p-values, class.",
                  "lsoa_code"),
    EvidenceTable("gp_readiness", "GP readiness", "gp_readiness",
                  "Each GP practice and branch: its own gigabit where measured at its postcode, broadband and need "
                  "in its catchment, a rank from the parts of the readiness score known at each "
                  "site's own resolution (readiness_parts says which: with area averages only, catchment need "
                  "alone; 1 = least ready, or with need alone 1 = most need). Sites with a not_ranked_reason "
                  "(old branch listings, very small lists) are shown but "
                  "not ranked.", "readiness_rank, site_code"),
    EvidenceTable("fibre_gap_lsoas", "Fibre gap LSOAs", "fibre_gap_lsoas",
                  "Gigabit gap per LSOA for build planning, ranked by the connectivity gap.",
                  "supply_gap_rank, lsoa_code",
                  informative="NOT area_average",
                  uninformative="every LSOA's broadband value is an area average, so its build columns (postcodes "
                                "lacking gigabit, premises without it, distance to a served postcode) are empty in "
                                "every row and the rest repeats lsoa_supply_gap. Ofcom's postcode file brings it "
                                "back."),
    EvidenceTable("fibre_gap_cells", "Fibre gap cells", "fibre_gap_cells",
                  "1 km British National Grid cells with postcodes lacking gigabit.",
                  "build_rank NULLS LAST, area_rank NULLS LAST, cell_id",
                  "Cells known only by an area average cannot be ranked within their area: they carry the area's "
                  "rank (area_rank) and no build_rank.",
                  informative="NOT area_average",
                  uninformative="every cell's value is its postcode district's average, so every cell counts as "
                                "lacking gigabit and none can be ranked: the table would carry nothing the LSOA "
                                "table does not. Ofcom's postcode file brings it back."),
    EvidenceTable("change_over_time", "Change over time", "connectivity_change",
                  "First and latest Ofcom release dated by month, per district and indicator: change in points and "
                  "per year, rank among the study districts (1 = most improved).",
                  "indicator, area_type DESC, improvement_rank, area_code",
                  "A release ONS dates only by a year is not used as a baseline. Gigabit and below 30 Mbit/s are % of "
                  "premises; 4G and 5G are % of land area."),
    EvidenceTable("connectivity_series", "Connectivity series", "district_connectivity_series",
                  "Every distinct Ofcom release of the district figures as republished by ONS, for the study districts "
                  "and the UK, their nation and counties, with how each release was dated.",
                  "indicator, area_type DESC, area_code, release",
                  "dated_by 'ONS period label' means the month rests on ONS's label alone, which is not always "
                  "right; 'ONS metadata' means the .json ONS published with the file states it."),
    EvidenceTable("reconciliation", "Reconciliation", "connectivity_reconciliation",
                  "Ofcom's own district figures (gigabit, below 30 Mbit/s; % of premises) beside the same measures "
                  "from our broadband input, for the input's release.", "release, indicator, lad_code",
                  "Our figures are means over postcodes (each counted once with postcode-district averages); Ofcom's "
                  "count premises, so a gap is expected."),
    EvidenceTable("peer_benchmark", "Peer benchmark", "peer_benchmark",
                  "Each district and the zone ranked among ONS's similar places (statistical nearest neighbours; "
                  "a cluster) for Ofcom's figures at every release: rank (1 = best, ties share it), median, best.",
                  "area_type, area_code, group_kind DESC, indicator, release",
                  "Gigabit and below 30 Mbit/s are % of premises; 4G and 5G are % of land area. The zone's values are "
                  "estimates, weighted as weighted_by says, not shares counted by Ofcom. For premises below 30 "
                  "Mbit/s lower is better."),
    EvidenceTable("peer_weighting_check", "Zone weighting check", "peer_weighting_check",
                  "The check behind the zone's estimate: each county the study districts lie in, its districts' "
                  "Ofcom figures weighted by Census 2021 usual residents, beside the figure ONS publishes for the "
                  "county (shares of premises, every release dated by month).",
                  "county_name, indicator, release",
                  "Shares of land area are not checked here: the LSOA areas that weight them are read for the study "
                  "area alone."),
    EvidenceTable("peer_pace", "Peer pace", "peer_pace",
                  "Points a year for each district, its group's median and best, first to latest release, and when "
                  "at those paces it would reach the median and the best.",
                  "area_type, area_code, group_kind DESC, indicator",
                  "The zone's values and paces are those of its estimate, weighted as weighted_by says, not shares "
                  "counted by Ofcom."),
    EvidenceTable("peer_league", "Peer league table", "peer_league",
                  "Every member of each district's (and the zone's) group at the latest release, with its value and "
                  "rank: the league table behind each rank.",
                  "area_code, group_kind DESC, indicator, rank, member_name"),
    EvidenceTable("venues", "Venues", "venues",
                  "Places that can offer inclusion support in and around the study area: open static libraries (Arts "
                  "Council England, December 2023), current GP practices and any user venues; existing or candidate.",
                  "venue_type, name, venue_id",
                  "Library details are as at December 2023: check a library is open, and its hours, before sending "
                  "someone there."),
    EvidenceTable("lsoa_access", "Access", "lsoa_access",
                  "Per LSOA: straight-line distance from where its people live to the nearest library, GP site, user "
                  "venue and existing venue; residents and high-need residents beyond reach.",
                  "nearest_venue_km DESC, lsoa_code",
                  "Straight-line distances are shorter than any road; an LSOA is within reach or beyond it as a whole, "
                  "by its one point (origin)."),
    EvidenceTable("siting_curve", "Siting curve", "siting_curve",
                  "k new venues chosen by a maximal covering model (spopt's MCLP, sparse) among the candidate "
                  "sites, existing venues kept: need-weighted residents, residents and high-need residents "
                  "within reach, k = 0 .. N.",
                  "k", "Each k is solved on its own: a solution need not keep the sites of the one before "
                  "(contains_previous)."),
    EvidenceTable("venue_siting", "Siting sites", "venue_siting",
                  "The sites of each k's solution, with the residents each reaches that nothing else does.",
                  "k, name, venue_id"),
    EvidenceTable("siting_by_district", "Siting by district", "siting_by_district",
                  "Per district: residents and high-need residents beyond reach, and the one candidate site that "
                  "would reach most of those high-need residents.", "lad_name"),
    EvidenceTable("access_validation", "Access check", "access_validation",
                  "Does the straight-line distance rank neighbourhoods as road distances do? Spearman's rho between "
                  "the distance to the nearest GP site and IoD 2025's geographical-barriers score.", "distance"),
    EvidenceTable("index_sensitivity", "Need sensitivity", "index_sensitivity",
                  "Share of the top-20 need LSOAs that stay in the top 20 when each weight moves by 20%.",
                  "level, component, indicator NULLS FIRST, change"),
    EvidenceTable("validation", "Validation", "index_validation",
                  "Each outcome in data/raw/outcomes/ against the scores: Spearman rho (bootstrap 95% interval) and "
                  "top-decile overlap.", "outcome_file, outcome, score", optional=True),
]


def defused(column: str) -> str:
    """SQL for a text column with formula-like cells made inert (a leading apostrophe)."""
    return f"""CASE WHEN regexp_matches("{column}", '{FORMULA_START}') THEN '''' || "{column}" ELSE "{column}" END"""


def undefused(text: str) -> str:
    """A CSV cell as the data holds it: the guard's apostrophe (added by ``defused`` only because a
    spreadsheet opens the CSV) taken off again, for anything that prints the text ('=42nd of 52')."""
    return text[1:] if len(text) > 1 and text[0] == "'" and re.match(FORMULA_START, text[1:]) else text


def select_list(con: duckdb.DuckDBPyConnection, view: str, vintage: Vintage) -> str:
    """All columns but geometry, under the vintage's names: doubles rounded to 3 dp, text defused."""
    parts = []
    for name, kind, *_ in con.execute(f'DESCRIBE "{view}"').fetchall():
        if name == "geom" or kind.startswith("GEOMETRY"):
            continue
        shown = vintage.stored(name)
        if kind == "DOUBLE":
            parts.append(f'round("{name}", 3) AS "{shown}"')
        elif kind == "VARCHAR":
            parts.append(f'{defused(name)} AS "{shown}"')
        else:
            parts.append(f'"{name}" AS "{shown}"')
    return ", ".join(parts)


# The indicators a district's broadband caution is about (mobile coverage is Ofcom's own district figure)
FIXED_BROADBAND = ", ".join(f"'{i.name}'" for i in INDICATORS.values() if i.family == "broadband")
# the same figures as Ofcom names them, where derived figures stand beside Ofcom's (the reconciliation)
RECONCILED = ", ".join(f"'{k}'" for k, unit in UNITS.items() if unit == "% of premises")


def write_evidence_tables(con: duckdb.DuckDBPyConnection, paths: Paths, vintage: Vintage,
                          settings: Settings) -> dict[str, dict]:
    """CSV + sidecar per evidence table (optional ones only with rows), and ``sources.csv``."""
    folder = paths.tables
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, dict] = {}
    omitted: dict[str, str] = {}
    by_district = district_cautions(con, key="lad_code")
    cautions = caution_notes(by_district, "the connectivity gap there, and what rests on it,")
    caution_table(con, by_district)
    # a caution quotes Ofcom's own district figures: a table carrying it names their source and release too
    quoted = [
        s for s in read_provenance(paths.table_path("connectivity_reconciliation")).get("sources", [])
        if s["source"] in DISTRICT_SERIES
    ] if by_district else []
    for t in TABLES:
        rows = con.execute(f'SELECT count(*) FROM "{t.table}"').fetchone()[0]
        if t.optional and not rows:
            continue
        informative = f'SELECT count(*) FILTER ({t.informative}) FROM "{t.table}"'
        if t.informative and not con.execute(informative).fetchone()[0]:
            omitted[t.name] = t.uninformative
            continue
        dest = folder / f"{t.name}.csv"
        tmp = temp_path(dest)
        prov = read_provenance(paths.table_path(t.table))
        sources, licence = prov.get("sources", []), prov.get("licence", [])
        keys = [s["source"] for s in sources]
        query = f'SELECT {select_list(con, t.table, vintage)} FROM "{t.table}"'
        names = {c[0] for c in con.execute(f'DESCRIBE "{t.table}"').fetchall()}
        caution = caution_sql(t.table, names)
        cautioned = caution and set(keys) & set(BROADBAND)
        if cautioned and quoted:
            sources = sources + [s for s in quoted if s["source"] not in keys]
            keys = [s["source"] for s in sources]
            licence = licence_lines(keys)
        if cautioned:  # rows get pasted: each says so
            query = query.replace(" FROM ", f", {caution} AS broadband_caution FROM ", 1)
        con.execute(f"COPY ({query} ORDER BY {t.order}) TO '{tmp}' (HEADER, DELIMITER ',')")
        replace_atomically(tmp, dest)
        columns = [c[0] for c in con.execute(f"DESCRIBE {query}").fetchall()]
        stored = prov.get("columns", {})  # the sources that fed a column, where its builder recorded them
        by_row = prov.get("column_rows", {})  # and, where they differ from row to row, which rows rest on which
        sidecar = {"table": t.name, "file": dest.name, "description": t.description, "rows": rows,
                   "columns": [{"name": c, "description": describe(c, vintage, settings, t.table),
                                "sources": stored.get(c, column_sources(c, keys))}
                               | ({"sources_by_row": by_row[c]} if c in by_row else {}) for c in columns],
                   "sources": sources, "licence": licence,
                   "notes": [n for n in (t.notes, prov.get("notes")) if n]
                   + (cautions if set(keys) & set(BROADBAND) else [])}
        write_text(folder / f"{t.name}.sources.json", json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n")
        written[t.name] = sidecar
    _write_sources_csv(con, folder, written)
    write_text(folder / OMITTED, json.dumps(omitted, indent=2, ensure_ascii=False) + "\n")
    return written


def caution_table(con: duckdb.DuckDBPyConnection, by_district: dict[str, str]) -> None:
    """``_caution`` (caution_lad, caution_lad_name, caution): each district's broadband caution, for the rows of the
    tables above (a ward's row names its district by name)."""
    con.execute("CREATE OR REPLACE TEMP TABLE _caution (caution_lad VARCHAR, caution VARCHAR)")
    if by_district:
        con.executemany("INSERT INTO _caution VALUES (?, ?)", list(by_district.items()))
    con.execute("""CREATE OR REPLACE TEMP TABLE _caution AS
                   SELECT c.caution_lad, n.lad_name AS caution_lad_name, c.caution FROM _caution c
                   LEFT JOIN (SELECT DISTINCT lad_code, lad_name FROM postcode_lookup) n
                          ON n.lad_code = c.caution_lad""")


EVERY_CAUTIONED = "(SELECT list(caution_lad) FROM _caution)"


def caution_sql(table: str, names: set[str]) -> str | None:
    """The SQL of a row's broadband_caution: one caution naming each district whose neighbourhood broadband figures
    the row rests on and miss Ofcom's ("Caution: <first>; and <second>"). A GP site's are its catchment's districts;
    a district's row, its own; the study area's row (ALL), every district's; a ward's, its district's. None where
    the table names no district."""
    t = f'"{table}"'
    if "catchment_broadband_districts" in names:
        districts = f"string_split(coalesce(nullif({t}.catchment_broadband_districts, ''), {t}.lad_code), ', ')"
    elif "lad_code" in names:
        districts = f"CASE WHEN {t}.lad_code = 'ALL' THEN {EVERY_CAUTIONED} ELSE [{t}.lad_code] END"
    elif {"area_type", "area_code", "district"} <= names:
        districts = (
            f"CASE {t}.area_type WHEN 'study area' THEN {EVERY_CAUTIONED} WHEN 'district' THEN [{t}.area_code] "
            f"ELSE (SELECT list(caution_lad) FROM _caution WHERE caution_lad_name = {t}.district) END"
        )
    else:
        return None
    caution = (
        "(SELECT 'Caution: ' || string_agg(caution[10:], '; and ' ORDER BY caution_lad) FROM _caution "
        f"WHERE list_contains({districts}, caution_lad))"
    )
    if "indicator" in names:  # in a long table, only the rows of the fixed-broadband figures the caution is about
        about = RECONCILED if "derived_pct" in names else FIXED_BROADBAND
        caution = f"CASE WHEN {t}.indicator IN ({about}) THEN {caution} END"
    return caution


OMITTED = "not_published.json"  # tables left out because they carry no information with the data at hand


def omitted_tables(folder) -> dict[str, str]:
    path = folder / OMITTED
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def used_sources(sidecars: dict[str, dict]) -> dict[str, int]:
    """Every source behind the pack, with the most rows it contributed to any one table."""
    out: dict[str, int] = {}
    for sidecar in sidecars.values():
        for s in sidecar.get("sources", []):
            out[s["source"]] = max(out.get(s["source"], 0), s.get("rows", 0))
    return {k: out[k] for k in SOURCES if k in out}


def sources_rows(sidecars: dict[str, dict]) -> list[dict[str, str]]:
    return [SOURCES[k].as_record() for k in used_sources(sidecars)]


def _write_sources_csv(con: duckdb.DuckDBPyConnection, folder, sidecars: dict[str, dict]) -> None:
    import pyarrow as pa

    con.register("sources_out", pa.Table.from_pylist(sources_rows(sidecars)))
    dest = folder / "sources.csv"
    tmp = temp_path(dest)
    con.execute(f"COPY (SELECT * FROM sources_out ORDER BY source) TO '{tmp}' (HEADER)")
    replace_atomically(tmp, dest)
    con.unregister("sources_out")
    keys = list(used_sources(sidecars))
    write_text(folder / "sources.sources.json", json.dumps({
        "table": "sources", "file": "sources.csv", "description": "Every source behind these tables: publisher, "
        "release, resolution, official address and licence line.", "rows": len(keys),
        "licence": licence_lines(keys)}, indent=2, ensure_ascii=False) + "\n")
