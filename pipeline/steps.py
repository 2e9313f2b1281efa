"""Every step of the method, in one list: what it builds, from which sources, steps and settings.

The list is the engine's own description of the graph. The Dagster layer makes one asset (or
multi-asset) per step from it; the run planner (``pipeline.plan``) uses it to fingerprint each
step and decide what is stale; ``bench/`` runs it without Dagster. A step's ``build`` takes
``(con, paths, settings)`` and returns what it wrote.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

BOTH = ("lsoa2021", "lsoa2011")


@dataclass(frozen=True)
class Step:
    name: str
    group: str  # ingest, analysis or outputs: the Dagster group
    builder: str  # "package.module:function" under pipeline/, imported only when the step runs
    description: str
    produces: tuple[str, ...] = ()  # asset keys; default (name,)
    deps: tuple[str, ...] = ()  # asset keys it reads
    sources: tuple[str, ...] = ()  # registry keys whose files it reads
    settings: tuple[str, ...] = ()  # settings sections that shape it
    config: tuple[str, ...] = ()  # config files (relative to config/) that shape it
    docs: tuple[str, ...] = ()  # files of docs/ it publishes (the method page)
    vintages: tuple[str, ...] = BOTH  # small-area bases it applies to
    kinds: tuple[str, ...] = ("duckdb", "parquet")
    uses_study_area: bool = True  # its output depends on the districts chosen
    side_by_side: bool = False  # draws its files on the run's worker processes (outputs.side_by_side)
    early: bool = False  # starts as soon as its inputs are built, while the run goes on (pipeline.early)

    @property
    def assets(self) -> tuple[str, ...]:
        return self.produces or (self.name,)

    @property
    def module(self) -> str:
        return "pipeline." + self.builder.split(":")[0]

    @property
    def build(self) -> Callable:
        """The step's function ``(con, paths, settings)``; importing it late keeps a run that
        re-computes nothing from loading the whole stack (maps, PDFs, statistics)."""
        return getattr(importlib.import_module(self.module), self.builder.split(":")[1])


GEO = ("geography",)
WEIGHTS = ("weights/need.toml", "weights/supply_gap.toml", "weights/mixed.toml", "weights/deri.toml",
           "iuc_engagement.toml")

# The map pages, the tables they draw and the settings that shape them (the index page reads them all too)
MAP_PAGES = ("need_map", "triage_map", "fibre_planning_map", "gp_readiness_map", "inclusion_targeting_map",
             "access_map")
MAP_TABLES = ("lsoa_need", "lsoa_supply_gap", "lsoa_triage", "hotspots", "rank_uncertainty", "lsoa_areas",
              "lad_boundaries", "ward_boundaries", "fibre_gap_cells", "gp_readiness", "gp_catchments",
              "subicb_boundaries", "inclusion_priorities", "lsoa_indicators", "settlements", "lsoa_access", "venues",
              "venue_siting", "postcode_lookup")
MAP_SETTINGS = ("geography", "study_area", "index", "triage", "uncertainty", "inclusion", "peers", "access",
                "gp_readiness", "outputs")

STEPS: list[Step] = [
    # --- ingest: each source checked into a table ---
    Step("codepoint_open", "ingest", "ingest.postcodes:build_codepoint_open",
         "Every GB postcode with a grid position (OS Code-Point Open), and the names its area codes carry.",
         produces=("codepoint_open", "area_names"), sources=("codepoint_open",), uses_study_area=False),
    Step("ons_postcode_lookup", "ingest", "ingest.postcodes:build_ons_postcode_lookup",
         "ONS postcode -> OA/LSOA (2011)/LAD best-fit lookup (May 2022), live and terminated rows.",
         sources=("ons_postcode_lookup",), uses_study_area=False),
    Step("lsoa_lookup", "ingest", "ingest.lookups:build_lsoa_lookup",
         "ONS LSOA (2011) -> LSOA (2021) -> LAD (2022) lookup with its change indicator, England and Wales.",
         sources=("lsoa11_lsoa21_lookup",), uses_study_area=False),
    Step("lsoa_wards", "ingest", "ingest.lookups:build_lsoa_wards",
         "ONS LSOA (2021) -> ward (May 2024) -> LAD (2024) lookup with names, England and Wales.",
         sources=("lsoa21_ward_lookup",)),
    Step("census_age", "ingest", "ingest.people:build_census_age",
         "Census 2021 TS007A: usual residents and those aged 0-15, 65-74 and 75+, every LSOA (2021).",
         sources=("census_ts007a",), uses_study_area=False, early=True),
    Step("census_disability", "ingest", "ingest.people:build_census_disability",
         "Census 2021 TS038: residents disabled under the Equality Act, every LSOA (2021).",
         sources=("census_ts038",), uses_study_area=False, early=True),
    Step("iuc2018", "ingest", "ingest.people:build_iuc2018",
         "CDRC Internet User Classification 2018: the group of every LSOA (2011) in England and Wales.",
         sources=("iuc2018",), uses_study_area=False, early=True),
    Step("iod2025", "ingest", "ingest.deprivation:build_iod2025",
         "English Indices of Deprivation 2025: national ranks (Files 1, 3) and every score File 7 gives.",
         sources=("iod2025",), vintages=("lsoa2021",), uses_study_area=False, early=True),
    Step("imd2019", "ingest", "ingest.deprivation:build_imd2019",
         "IMD 2019 ranks (Files 1, 2, 6) for every English LSOA (2011); used on the 2011 base.",
         sources=("imd2019",), vintages=("lsoa2011",), uses_study_area=False, early=True),
    Step("imd2019_scores", "ingest", "ingest.deprivation:build_imd2019_scores",
         "Official IMD 2019 scores (overall, income, employment) for every English LSOA (2011).",
         sources=("imd2019_scores",), vintages=("lsoa2011",), uses_study_area=False, early=True),
    Step("population_density", "ingest", "ingest.context:build_population_density",
         "ONS mid-2018 population density per LSOA (2011); context on the 2011 base.",
         sources=("population_density",), vintages=("lsoa2011",), uses_study_area=False, early=True),
    Step("rurality", "ingest", "ingest.context:build_rurality",
         "Rural Urban Classification of every LSOA in the configured vintage (RUC 2021 or 2011).",
         sources=("ruc2021", "ruc2011"), settings=GEO, uses_study_area=False, early=True),
    Step("lsoa_crosswalk", "ingest", "ingest.lookups:build_lsoa_crosswalk",
         "Pairs of 2011 and 2021 LSOAs touching the study area, from both lookups together.",
         deps=("lsoa_lookup", "lsoa_wards")),
    Step("lsoa_boundaries", "ingest", "ingest.boundaries:build_lsoa_boundaries",
         "Polygons of the study area's LSOAs in the configured vintage, valid, in EPSG:27700.",
         deps=("lsoa_crosswalk",), sources=("lsoa2021_boundaries", "lsoa2011_boundaries"), settings=GEO,
         kinds=("duckdb", "geoparquet")),
    Step("postcodes", "ingest", "ingest.postcodes:build_postcodes",
         "Study-area postcodes, each placed in a small area: lookup, crosswalk, then point in polygon.",
         deps=("codepoint_open", "ons_postcode_lookup", "lsoa_boundaries", "lsoa_crosswalk"), settings=GEO,
         kinds=("duckdb", "geoparquet")),
    Step("lsoa_areas", "ingest", "ingest.areas:build_lsoa_areas",
         "The study area's small areas with names, ward, district, Census 2021 residents and boundary.",
         deps=("lsoa_wards", "census_age", "area_names", "codepoint_open", "ons_postcode_lookup", "lsoa_boundaries",
               "lsoa_crosswalk"), settings=GEO, kinds=("duckdb", "geoparquet")),
    Step("ward_boundaries", "ingest", "ingest.boundaries:build_ward_boundaries",
         "Ward (May 2024) polygons of the study districts, for map outlines and labels.",
         deps=("lsoa_wards",), sources=("ward_boundaries",), kinds=("duckdb", "geoparquet")),
    Step("subicb_boundaries", "ingest", "ingest.boundaries:build_subicb_boundaries",
         "Each neighbourhood's Sub-ICB location and ICB (ONS lookup first), and those locations' outlines.",
         produces=("subicb_boundaries", "lsoa_subicb"), deps=("lsoa_areas", "lsoa_crosswalk", "postcodes"),
         sources=("subicb_boundaries", "lsoa_ccg_lookup"), settings=GEO, kinds=("duckdb", "geoparquet")),
    Step("lad_boundaries", "ingest", "ingest.boundaries:build_lad_boundaries",
         "District outlines for maps (published file, else wards or LSOAs dissolved by district).",
         deps=("ward_boundaries", "lsoa_wards", "lsoa_areas"), sources=("lad_boundaries", "lad2013_boundaries"),
         settings=GEO,
         kinds=("duckdb", "geoparquet")),
    Step("settlements", "ingest", "ingest.places:build_settlements",
         "OS Open Names cities, towns, villages and hamlets in and just around the study area, for map labels.",
         deps=("lad_boundaries",), sources=("os_open_names",), kinds=("duckdb", "geoparquet")),
    Step("ofcom_postcode_coverage", "ingest", "ingest.broadband:build_ofcom_postcode_coverage",
         "Ofcom's postcode-level fixed coverage, every release present (empty when none is).",
         sources=("ofcom_postcode_coverage",), uses_study_area=False, early=True),
    Step("ofcom_la_coverage", "ingest", "ingest.broadband:build_ofcom_la_coverage",
         "Ofcom's local-authority fixed coverage, every release present (empty when none is).",
         sources=("ofcom_la_coverage",), uses_study_area=False),
    Step("ofcom_postcode_district", "ingest", "ingest.broadband:build_ofcom_postcode_district",
         "Postcode-district means: computed from Ofcom's postcode file when present, else the derived file.",
         deps=("ofcom_postcode_coverage",), sources=("ofcom_postcode_district",), uses_study_area=False),
    Step("broadband_coverage", "ingest", "ingest.broadband:build_broadband_coverage",
         "Coverage for every study-area postcode from the finest source, with its resolution and release.",
         deps=("postcodes", "ofcom_postcode_coverage", "ofcom_postcode_district", "ofcom_la_coverage")),
    Step("gp_sites", "ingest", "ingest.gp_sites:build_gp_sites",
         "Active GP practices and their open branches in the study area, with list size, PCN, Sub-ICB and ICB.",
         deps=("postcodes", "codepoint_open", "subicb_boundaries"),
         sources=("epraccur", "ebranchs", "ebranchs_2017", "gp_list_sizes", "gp_list_sizes_2021", "gp_pcn_mapping",
                  "gp_imd_score"), settings=GEO,
         kinds=("duckdb", "geoparquet")),
    Step("venues", "ingest", "ingest.venues:build_venues",
         "Places that can offer inclusion support in and around the study area: open static libraries (Arts Council "
         "England, December 2023), current GP practices and the user's venues, each existing or a candidate site.",
         deps=("gp_sites", "lad_boundaries", "codepoint_open"), sources=("libraries", "user_venues"),
         settings=("access",), kinds=("duckdb", "geoparquet")),
    Step("lsoa_origins", "ingest", "ingest.venues:build_lsoa_origins",
         "Where each neighbourhood's people live, as one point: ONS's population-weighted centroid, else the mean "
         "of its postcodes.", deps=("lsoa_areas", "postcodes"), sources=("lsoa_pwc",), settings=GEO,
         kinds=("duckdb", "geoparquet")),
    Step("connectivity_series", "ingest", "ingest.connectivity_series:build_connectivity_series",
         "Ofcom's gigabit, below-30 Mbit/s, 4G and 5G figures for every local authority at every distinct release "
         "(as ONS republishes them), and the study districts' with their comparators.",
         produces=("la_connectivity_series", "district_connectivity_series"), deps=("codepoint_open",),
         sources=("ons_local_indicators",), early=True),
    Step("similar_areas", "ingest", "ingest.similar_areas:build_similar_areas",
         "ONS's similar places: every local authority's statistical nearest neighbours and clusters, per release "
         "and model, with what each cluster means.",
         produces=("la_neighbours", "la_clusters"), deps=("la_connectivity_series",), sources=("ons_similar_areas",),
         uses_study_area=False),
    # --- analysis ---
    Step("lsoa_indicators", "analysis", "analysis.indicators:build_lsoa_indicators",
         "Every indicator per study-area LSOA, each with source, release, resolution and a note.",
         deps=("census_age", "census_disability", "iuc2018", "iod2025", "imd2019", "imd2019_scores",
               "population_density", "district_connectivity_series", "broadband_coverage", "lsoa_areas", "postcodes",
               "rurality", "lsoa_crosswalk"), settings=GEO, config=("iuc_engagement.toml",)),
    Step("scores", "analysis", "analysis.scores:build_scores",
         "Indicators scaled 0-10 and weighted: inclusion need, connectivity gap, and the headline index.",
         produces=("lsoa_indicator_scores", "lsoa_need", "lsoa_supply_gap", "lsoa_index"),
         deps=("lsoa_indicators", "lsoa_areas", "census_age", "census_disability", "iuc2018", "iod2025", "imd2019",
               "imd2019_scores", "population_density", "rurality"),
         settings=("geography", "index"), config=WEIGHTS),
    Step("lsoa_triage", "analysis", "analysis.triage:build_triage",
         "One class per LSOA from need x connectivity gap, and residents per class per district and ward.",
         produces=("lsoa_triage", "triage_summary"), deps=("lsoa_need", "lsoa_supply_gap", "lsoa_areas"),
         settings=("geography", "triage", "study_area")),
    Step("scaled_scores", "analysis", "analysis.scaled:build_scaled_scores",
         "Every indicator's 0-10 score per LSOA under each scaling base, as published and under each IUC mapping: "
         "what the rank uncertainty draws from and the what-if page recomputes need from (no weight reaches it).",
         produces=("lsoa_scaled_scores",),
         deps=("lsoa_indicators", "lsoa_areas", "census_age", "census_disability", "iuc2018", "iod2025", "imd2019",
               "imd2019_scores", "population_density", "rurality"),
         settings=("geography", "uncertainty"), config=("iuc_engagement.toml",), early=True),
    Step("gap_uncertainty", "analysis", "analysis.uncertainty:build_gap_uncertainty",
         "Each LSOA's connectivity-gap rank over seeded draws of its weights, scaling base and IUC mapping (no need "
         "weight reaches them).",
         produces=("rank_uncertainty_gap",), deps=("lsoa_scaled_scores", "lsoa_areas"),
         settings=("geography", "uncertainty"), config=("weights/supply_gap.toml", "iuc_engagement.toml"), early=True),
    Step("rank_uncertainty", "analysis", "analysis.uncertainty:build_rank_uncertainty",
         "Each LSOA's need and gap rank over seeded draws of weights, scaling base and IUC mapping.",
         deps=("lsoa_scaled_scores", "rank_uncertainty_gap", "lsoa_areas", "lsoa_need", "lsoa_supply_gap"),
         settings=("geography", "index", "uncertainty"), config=WEIGHTS, early=True),
    Step("index_sensitivity", "analysis", "analysis.sensitivity:build_index_sensitivity",
         "Share of the top-20 need LSOAs that stay in the top 20 when each weight moves by 20%.",
         deps=("lsoa_scaled_scores", "lsoa_areas", "lsoa_need"),
         settings=("geography", "index", "sensitivity"), config=WEIGHTS, early=True),
    Step("hotspots", "analysis", "analysis.hotspots:build_hotspots",
         "Getis-Ord Gi* on inclusion need with permutation p-values, FDR-adjusted, and the neighbour pairs.",
         produces=("hotspots", "lsoa_neighbours"), deps=("lsoa_need", "lsoa_areas", "postcodes"),
         settings=("geography", "hotspots"), early=True),
    Step("index_validation", "analysis", "analysis.validation:build_index_validation",
         "Each outcome in data/raw/outcomes/ against need, gap, mixed and DERI scores (Spearman, top decile).",
         produces=("index_validation", "validation_points"),
         deps=("lsoa_index", "lsoa_areas", "postcodes", "census_age", "lsoa_crosswalk"), sources=("user_outcomes",),
         settings=("geography", "validation"), early=True),
    Step("gp_readiness", "analysis", "analysis.gp_readiness:build_gp_readiness",
         "Each GP site's broadband, catchment need and telehealth-readiness rank; catchment areas.",
         produces=("gp_readiness", "gp_catchments"),
         deps=("gp_sites", "postcodes", "lsoa_need", "lsoa_areas", "broadband_coverage"),
         settings=("geography", "gp_readiness"), kinds=("duckdb", "geoparquet")),
    Step("fibre_gaps", "analysis", "analysis.fibre_gaps:build_fibre_gaps",
         "Gigabit gaps for build planning on a 1 km grid and per LSOA, ranked by the connectivity gap.",
         produces=("fibre_gap_cells", "fibre_gap_lsoas"),
         deps=("postcodes", "broadband_coverage", "lsoa_supply_gap", "lsoa_triage"),
         settings=("geography", "fibre_gaps"), kinds=("duckdb", "geoparquet")),
    Step("rasters", "analysis", "analysis.rasters:build_rasters",
         "250 m GeoTIFFs (EPSG:27700) of the gigabit gap and of inclusion need, for GIS users.",
         produces=("gigabit_gap_250m", "need_250m"), deps=("postcodes", "broadband_coverage", "lsoa_areas",
         "lsoa_need"),
         settings=("geography", "fibre_gaps"), kinds=("geotiff",)),
    Step("connectivity_reconciliation", "analysis", "analysis.connectivity:build_connectivity_reconciliation",
         "Ofcom's district gigabit % for the reconciliation snapshot against our postcode-based figure.",
         deps=("district_connectivity_series", "broadband_coverage"), settings=("connectivity_series",)),
    Step("peer_benchmark", "analysis", "analysis.peers:build_peer_benchmark",
         "Each district and the zone ranked among ONS's similar places for Ofcom's connectivity figures at every "
         "release, with the pace of change and when, at that pace, it would reach its group's median and best.",
         produces=("peer_benchmark", "peer_pace", "peer_league", "peer_weighting_check"),
         deps=("la_connectivity_series", "la_neighbours", "la_clusters", "census_age", "lsoa_wards", "lsoa_areas",
               "codepoint_open"),
         settings=("peers", "study_area")),
    Step("lsoa_access", "analysis", "analysis.access:build_lsoa_access",
         "Straight-line distance from where each neighbourhood's people live to the nearest library, GP site, user "
         "venue and existing venue; residents and high-need residents beyond reach.",
         deps=("lsoa_origins", "venues", "lsoa_triage"), settings=("geography", "access", "triage"), early=True),
    Step("access_validation", "analysis", "analysis.access:build_access_validation",
         "The straight-line distance to the nearest GP site checked against IoD 2025's geographical barriers "
         "(road distances): Spearman's rho with a seeded bootstrap interval.",
         deps=("lsoa_origins", "venues", "iod2025"), settings=("geography", "validation"), early=True),
    Step("venue_siting", "analysis", "analysis.siting:build_venue_siting",
         "Where k new venues would reach the most need-weighted residents (maximal covering model as spopt's, "
         "sparse), k = 1 .. siting_max_k, and the best single site for each district's high-need residents "
         "beyond reach.",
         produces=("siting_curve", "venue_siting", "siting_by_district"), deps=("lsoa_access", "venues"),
         settings=("access",)),
    Step("connectivity_change", "analysis", "analysis.connectivity:build_connectivity_change",
         "First and latest snapshot per district and indicator, change in points, rank among the districts.",
         deps=("district_connectivity_series",)),
    # --- outputs ---
    Step("district_summary", "outputs", "outputs.summaries:build_district_summary",
         "Key figures per district and for the study area: residents, broadband, need, triage, GP sites.",
         deps=("broadband_coverage", "lsoa_triage", "hotspots", "gp_readiness", "rank_uncertainty",
               "district_connectivity_series", "peer_benchmark"),
         settings=("geography", "fibre_gaps", "study_area", "peers")),
    Step("inclusion_priorities", "outputs", "outputs.summaries:build_inclusion_priorities",
         "Priority LSOAs for digital skills, device and data-donation outreach, with their robustness.",
         deps=("lsoa_need", "lsoa_triage", "rank_uncertainty"), settings=("geography", "inclusion")),
    Step("ward_summary", "outputs", "outputs.summaries:build_ward_summary",
         "Per ward (May 2024): residents, LSOAs, resident-weighted need, gap and index, residents per class.",
         deps=("lsoa_triage", "lsoa_index"), settings=GEO),
    Step("postcode_lookup", "outputs", "outputs.lookup_table:build_postcode_lookup_table",
         "One row per study-area postcode: its LSOA, ward, need, gap, triage, offer and nearest GP site.",
         deps=("postcodes", "lsoa_triage", "lsoa_need", "lsoa_supply_gap", "gp_readiness", "gp_sites", "codepoint_open",
               "ons_postcode_lookup", "district_connectivity_series", "venues", "broadband_coverage",
               "connectivity_reconciliation"), settings=("geography", "gp_readiness"), early=True),
    Step("charts", "outputs", "outputs.publication_tables:build_connectivity_charts",
         "Slides of Ofcom's district figures over time and of each district among its similar places (PNG, SVG): "
         "a step of their own, so a weight change, which reaches neither, does not redraw them.",
         produces=("connectivity_charts", "peer_charts"),
         deps=("district_connectivity_series", "peer_benchmark", "peer_league"), settings=("peers", "outputs"),
         kinds=("png",)),
    Step("evidence_tables", "outputs", "outputs.publication_tables:build_evidence_tables",
         "CSV tables for bid writers in tables/, each with a .sources.json sidecar, the headlines, and the "
         "validation charts.",
         produces=("evidence_tables", "headlines", "validation_charts"),
         deps=("connectivity_charts", "peer_charts", "district_summary", "inclusion_priorities", "ward_summary",
               "lsoa_index", "lsoa_need", "lsoa_supply_gap",
               "lsoa_triage", "triage_summary", "rank_uncertainty", "hotspots", "gp_readiness", "fibre_gap_cells",
               "fibre_gap_lsoas", "connectivity_change", "district_connectivity_series", "connectivity_reconciliation",
               "index_sensitivity", "index_validation", "validation_points", "lsoa_indicators", "peer_benchmark",
               "peer_pace", "peer_league", "peer_weighting_check", "venues", "lsoa_access", "access_validation",
               "siting_curve", "venue_siting", "siting_by_district", "postcode_lookup"),
         settings=("geography", "study_area", "index", "triage", "uncertainty", "inclusion", "peers", "access",
                   "gp_readiness", "outputs"),
         kinds=("csv", "markdown", "png"), early=True),
    Step("evidence_pack", "outputs", "outputs.publication_tables:build_evidence_pack",
         "The XLSX evidence pack: every published table as a sheet with its sources, and the charts; a step of its "
         "own, so the briefings, which read the CSV tables, need not wait for the workbook.",
         deps=("evidence_tables", "validation_charts", "connectivity_charts", "peer_charts"), settings=("outputs",),
         kinds=("xlsx",), early=True),
    Step("what_if", "outputs", "outputs.map_what_if:build_what_if",
         "maps/what_if.html: inclusion need recomputed in the browser under other weights, scaling bases and IUC "
         "mappings, from the 0-10 indicator scores the pipeline makes for each (offline, one file).",
         produces=("what_if_map",),
         deps=("lsoa_need", "lsoa_indicator_scores", "lsoa_scaled_scores", "rank_uncertainty", "lsoa_indicators",
               "lsoa_areas", "lad_boundaries", "ward_boundaries", "settlements"),
         settings=("geography", "index", "uncertainty"), config=WEIGHTS, kinds=("folium",), early=True),
    Step("maps", "outputs", "outputs.maps:build_maps",
         "Self-contained Folium maps (they open offline): need, triage, fibre planning, GP readiness, inclusion "
         "targeting and reaching people.",
         produces=MAP_PAGES, deps=MAP_TABLES, settings=MAP_SETTINGS, kinds=("folium",), side_by_side=True,
         early=True),
    Step("map_index", "outputs", "outputs.maps:build_map_index",
         "maps/index.html (the maps, the method, the headlines, every table, the briefings, a postcode search) and "
         "maps/method.html: a step of its own after the maps, so the maps need not wait for the tables.",
         produces=("maps_index",),
         deps=MAP_PAGES + MAP_TABLES + ("evidence_tables", "ons_postcode_lookup", "peer_benchmark", "what_if_map",
                                        "codepoint_open", "area_names"),
         settings=MAP_SETTINGS, docs=("METHOD.md",), kinds=("html",), early=True),
    Step("briefings", "outputs", "outputs.briefings:build_briefings",
         "District briefings (PDF, 2-5 A4 pages each, and one for the whole area) for councillors and bids; "
         "above outputs.max_districts, only the area's and those of districts on request.",
         deps=("district_summary", "lsoa_triage", "ward_summary", "gp_readiness", "lsoa_areas", "lad_boundaries",
               "ward_boundaries", "evidence_tables", "inclusion_priorities", "connectivity_change",
               "district_connectivity_series", "peer_benchmark", "peer_pace"),
         settings=("geography", "study_area", "triage", "uncertainty", "inclusion", "peers", "access", "gp_readiness",
                   "outputs"),
         kinds=("pdf",), side_by_side=True, early=True),
]

BY_NAME = {s.name: s for s in STEPS}
PRODUCER = {asset: s.name for s in STEPS for asset in s.assets}


def applicable(step: Step, vintage_key: str) -> bool:
    return vintage_key in step.vintages


def upstream(step: Step) -> list[str]:
    """Names of the steps this step reads from (in graph order)."""
    seen: list[str] = []
    for asset in step.deps:
        producer = PRODUCER.get(asset)
        if producer and producer != step.name and producer not in seen:
            seen.append(producer)
    return seen


def closure(name: str) -> set[str]:
    """A step and every step it reads from, directly or not."""
    seen, todo = set(), [name]
    while todo:
        step = todo.pop()
        if step not in seen:
            seen.add(step)
            todo += upstream(BY_NAME[step])
    return seen


def order() -> list[Step]:
    """Steps in dependency order (the list above is written in one; this checks it)."""
    done: set[str] = set()
    out = []
    for step in STEPS:
        missing = [u for u in upstream(step) if u not in done]
        if missing:
            raise AssertionError(f"step {step.name} is listed before {missing}")
        done.add(step.name)
        out.append(step)
    return out
