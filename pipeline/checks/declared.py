"""What each asset must satisfy, in one list: the kinds it gets (``kinds.py``) and the few checks no
kind can say (functions in ``ingest.py``, ``analysis.py``, ``outputs.py``).

Each check belongs to the step that produces its asset and reads only that step's tables and
those upstream of it. A kind is blocking ERROR unless marked WARN; ``no_lsoa_flagged`` alone is
ERROR without blocking (it stops publishing; the steps after it still run).
"""

from __future__ import annotations

from functools import cache

from pipeline.checks import WARN, Check, analysis, ingest, outputs
from pipeline.checks.kinds import (
    Kind,
    covers,
    covers_study_area,
    custom,
    every_district_present,
    expected_rows,
    in_great_britain,
    in_range,
    no_invalid_source_rows,
    no_rows_where,
    not_null,
    one_row_per,
    only_study_districts,
)

PERCENT, SCORE, SHARE = (0, 100), (0, 10), (0, 1)
IOD_RATES = ("income_score", "employment_score", "idaci_score", "idaopi_score")  # shares of people, 0-1
FLAGGED_MAY_BE_EMPTY = "flagged"  # a score is empty only where all its indicators are missing (the gap policy)

SCORE_MEANING = "A score is outside 0-10, not a number, or empty without the LSOA being flagged."

ASSET_CHECKS: dict[str, list[Kind]] = {
    # --- ingest: each source complete, one row per key, values in range ---
    "codepoint_open": [one_row_per("postcode"), expected_rows("codepoint_open")],
    "area_names": [one_row_per("area_code")],
    "ons_postcode_lookup": [one_row_per("postcode", where="is_live"), expected_rows("ons_postcode_lookup")],
    "lsoa_lookup": [one_row_per("lsoa11cd", "lsoa21cd")],
    "lsoa_wards": [one_row_per("lsoa21cd")],
    "census_age": [expected_rows("census_ts007a"), one_row_per("lsoa21cd"),
                   in_range(("age_0_15", "age_65_74", "age_75_plus"), 0, "residents", what="age_groups")],
    "census_disability": [expected_rows("census_ts038"), one_row_per("lsoa21cd"),
                          in_range(("disabled_a_lot", "disabled_a_little"), 0, "disabled", what="disabled_parts"),
                          in_range("disabled", 0, "residents")],
    "iuc2018": [expected_rows("iuc2018"), one_row_per("lsoa11cd"), in_range("iuc_group", 1, 10)],
    "iod2025": [expected_rows("iod2025"), one_row_per("lsoa21cd"),
                in_range(IOD_RATES, *SHARE, what="rates", empty_ok=True,
                         meaning="An IoD rate (a share of people: income, employment, IDACI, IDAOPI) is outside 0-1 "
                                 "or not a number: a misread number format would re-rank every neighbourhood."),
                in_range("*_decile", 1, 10, what="deciles", empty_ok=True)],
    "imd2019": [expected_rows("imd2019")],
    "imd2019_scores": [expected_rows("imd2019_scores")],
    "rurality": [one_row_per("lsoa_code"), in_range("rural_class", *SHARE)],
    "lsoa_crosswalk": [one_row_per("lsoa11cd", "lsoa21cd")],
    "lsoa_boundaries": [one_row_per("lsoa_code")],
    "postcodes": [
        one_row_per("postcode"),
        every_district_present(meaning="A study district has no postcodes: its LAD code is wrong for Code-Point Open, "
                                       "or a file is cut short."),
        only_study_districts(meaning="Postcodes of a district outside this run's study area would be published."),
        custom(ingest.postcodes_placed, severity=WARN,
               meaning="More than 1% of a district's postcodes could not be placed in a small area; they count "
                       "nowhere."),
        in_great_britain(meaning="A postcode has no position, or one outside Great Britain: a grid reference is "
                                 "wrong."),
    ],
    "lsoa_areas": [
        one_row_per("lsoa_code"), every_district_present(), not_null("residents_2021"),
        no_rows_where("lsoa_areas_have_boundaries", "has_boundary IS NOT TRUE", "have no boundary",
                      "Every study-area LSOA has a boundary.",
                      "A small area has no boundary: it would be missing from every map.", ("lad_code",)),
    ],
    "ward_boundaries": [one_row_per("ward_code")],
    "lad_boundaries": [one_row_per("lad_code"), every_district_present()],
    "subicb_boundaries": [one_row_per("subicb_code")],
    "lsoa_subicb": [one_row_per("lsoa_code"), covers_study_area()],
    "settlements": [one_row_per("settlement_id")],
    "ofcom_postcode_coverage": [one_row_per("key", "release"), in_range("*_pct", *PERCENT, what="percentages",
                                                                        empty_ok=True)],
    "ofcom_la_coverage": [one_row_per("key", "release"), in_range("*_pct", *PERCENT, what="percentages",
    empty_ok=True)],
    "ofcom_postcode_district": [one_row_per("key", "release"), in_range("*_pct", *PERCENT, what="percentages",
                                                                        empty_ok=True)],
    "broadband_coverage": [
        one_row_per("postcode"), covers("postcode", "postcodes", noun="study-area postcode"),
        not_null("resolution"), not_null("release", where="resolution <> 'none'"),
        in_range("*_pct", *PERCENT, what="percentages", empty_ok=True,
                 meaning="A coverage percentage is outside 0-100 or not a number."),
        custom(ingest.broadband_measured_per_postcode, severity=WARN,
               meaning="Broadband is known only as area averages, so it cannot rank small areas within one area.",
               expected="expected with the mirror: Ofcom's postcode file is not in it, so broadband is "
               "postcode-district "
                        "averages; every output marks those values and never ranks areas inside one postcode district "
                        "by them"),
    ],
    "gp_sites": [
        one_row_per("site_code"), not_null("geom", meaning="A GP site has no position: it is missing from maps and "
                                                           "distances."),
        in_great_britain(), only_study_districts(meaning="A GP site outside the study area would be published."),
        custom(ingest.gp_practices_have_list_sizes, severity=WARN,
               meaning="A practice has no registered list size (the list-size file misses it: it is shown but not "
                       "ranked), or list sizes come from more than one month."),
        # a list size the file gives but that cannot be read (9,288 typed 92o8) would leave its practice unranked
        no_invalid_source_rows(),
    ],
    "la_connectivity_series": [
        one_row_per("area_code", "indicator", "release",
                    meaning="An Ofcom release is listed twice for an area: a trend would count it twice."),
        in_range("value", *PERCENT, empty_ok=True, meaning="An Ofcom value is not a percentage."),
        no_invalid_source_rows(),
    ],
    "district_connectivity_series": [
        one_row_per("area_code", "indicator", "release"),
        custom(ingest.series_covers_study_districts, severity=WARN,
               meaning="A district's connectivity trend has fewer than two points, so no change can be shown."),
    ],
    "la_neighbours": [
        one_row_per("release", "model", "area_code", "neighbour_rank",
                    meaning="An area has two neighbours at one place of its list: its peer group would be wrong."),
        in_range("neighbour_rank", 1, 20, meaning="A neighbour's place is not 1-20."),
    ],
    "la_clusters": [one_row_per("release", "model", "area_code",
                                meaning="An area is in two clusters of one model: its peer group would be wrong.")],
    "venues": [
        one_row_per("venue_id"),
        in_range(("easting",), 1, 700000, meaning="A venue lies outside Great Britain: every distance to it is wrong."),
        in_range(("northing",), 1, 1300000,
        meaning="A venue lies outside Great Britain: every distance to it is wrong."),
        no_rows_where("venues_have_a_role", "role NOT IN ('existing', 'candidate', 'neither')", "have no known role",
                      "Every venue is existing, a candidate site, or neither.",
                      "A venue's role is unknown: access and siting would count it wrongly.", ("venue_id", "role")),
        # a study-area library whose position cannot be read would drop out of every distance to help
        no_invalid_source_rows(study_postcodes=True),
    ],
    "lsoa_origins": [one_row_per("lsoa_code"), covers_study_area()],
    # --- analysis: one row per small area, scores in range, the gap policy ---
    "peer_benchmark": [
        one_row_per("area_code", "group_kind", "indicator", "release"),
        in_range(("value", "group_median", "best_value"), *PERCENT, what="values",
                 meaning="A compared value is not a percentage: a rank would rest on a misread figure."),
        no_rows_where("peer_ranks_fit_the_group", "rank < 1 OR rank > n_compared OR tied < 1 OR n_compared < 2",
                      "have a rank outside the group", "Every rank lies within the group it ranks in.",
                      "A rank is impossible for the number of places compared.", ("area_code", "indicator", "release")),
    ],
    "peer_pace": [one_row_per("area_code", "group_kind", "indicator")],
    "peer_weighting_check": [
        one_row_per("county_code", "indicator", "release"),
        in_range(("published_value", "estimate"), *PERCENT, what="values",
                 meaning="A county figure is not a percentage: the check of the zone's weighting would be void."),
    ],
    "lsoa_access": [
        one_row_per("lsoa_code"), covers_study_area(),
        in_range(("nearest_library_km", "nearest_gp_site_km", "nearest_venue_km"), 0, None, what="distances",
                 empty_ok=True, meaning="A distance is negative or not a number: who is beyond reach would be wrong."),
        no_rows_where("lsoa_access_counts_agree_with_reach",
                      "residents_beyond_reach IS DISTINCT FROM CASE WHEN beyond_reach THEN residents_2021 ELSE 0 END "
                      "OR high_need_residents_beyond_reach IS DISTINCT FROM "
                      "CASE WHEN beyond_reach AND high_need THEN residents_2021 ELSE 0 END",
                      "count residents beyond reach against their own flag",
                      "A neighbourhood's residents count as beyond reach exactly when it is beyond reach.",
                      "Totals of residents beyond reach would not match the neighbourhoods marked so.",
                      ("lsoa_code", "beyond_reach", "residents_beyond_reach")),
    ],
    "siting_curve": [
        one_row_per("k"),
        in_range("pct_covered", *PERCENT, meaning="A coverage share is not a percentage."),
        no_rows_where("siting_curve_never_falls", "gain_need_weighted < -0.05",
                      "cover less than the solution with one venue fewer",
                      "Adding a venue never covers less (each k is an optimum).",
                      "An optimum for k covers less than one for k - 1: the solver did not reach the optimum.",
                      ("k", "gain_need_weighted")),
    ],
    "venue_siting": [one_row_per("k", "venue_id")],
    "siting_by_district": [one_row_per("lad_code"), every_district_present()],
    "peer_league": [one_row_per("area_code", "group_kind", "indicator", "member_code")],
    "lsoa_indicators": [
        one_row_per("lsoa_code", "indicator"), covers_study_area(),
        in_range("value", *PERCENT, what="percentages", where="indicator LIKE 'pct_%'", empty_ok=True,
                 meaning="An indicator that should be a percentage is outside 0-100."),
    ],
    "lsoa_indicator_scores": [one_row_per("lsoa_code", "indicator"), in_range("score", *SCORE)],
    "lsoa_scaled_scores": [one_row_per("base", "variant", "lsoa_code", "indicator"), in_range("score", *SCORE)],
    "lsoa_need": [
        one_row_per("lsoa_code"), covers_study_area(),
        in_range("*_score", *SCORE, what="scores", empty_ok=FLAGGED_MAY_BE_EMPTY, meaning=SCORE_MEANING),
        custom(analysis.no_lsoa_flagged, blocking=False, reads=("lsoa_need", "lsoa_supply_gap", "lsoa_crosswalk"),
               meaning="Some LSOAs are missing an indicator (usually a rejected source row): they are kept, scored "
                       "over the indicators present and flagged, and nothing is published until the source rows "
                       "named are fixed."),
    ],
    "lsoa_supply_gap": [
        one_row_per("lsoa_code"), covers_study_area(),
        in_range("*_score", *SCORE, what="scores", empty_ok=FLAGGED_MAY_BE_EMPTY, meaning=SCORE_MEANING),
    ],
    "lsoa_index": [
        one_row_per("lsoa_code"), covers_study_area(),
        in_range("*_score", *SCORE, what="scores", empty_ok=FLAGGED_MAY_BE_EMPTY, meaning=SCORE_MEANING),
    ],
    "lsoa_triage": [one_row_per("lsoa_code"), covers_study_area(), not_null("triage_class")],
    "triage_summary": [in_range("pct_of_area_residents", *PERCENT)],
    "rank_uncertainty_gap": [one_row_per("lsoa_code"), covers_study_area()],
    "rank_uncertainty": [
        one_row_per("lsoa_code", "score"), covers_study_area(),
        no_rows_where("rank_draws_bracket_the_rank", "rank_p05 > rank_p95", "have an impossible rank range",
                      "Each LSOA's 5th percentile rank is no worse than its 95th.",
                      "A rank range is impossible.", ("rank_p05", "rank_p95")),
        in_range("p_top_decile", *SHARE, meaning="A probability is outside 0-1."),
    ],
    "index_sensitivity": [in_range("share_retained", *SHARE)],
    "hotspots": [
        one_row_per("lsoa_code"), covers_study_area(),
        in_range("neighbours", 1, meaning="An LSOA has no neighbours: its Gi* statistic means nothing."),
        in_range("gi_z", meaning="An LSOA has no valid Gi* z-score."),
        in_range(("gi_p", "gi_p_sim", "gi_p_fdr"), *SHARE, what="p_values", meaning="A Gi* p-value is outside 0-1."),
        not_null("hotspot_class"),
    ],
    "lsoa_neighbours": [one_row_per("lsoa_i", "lsoa_j")],
    "validation_points": [in_range("outcome_value", empty_ok=True,
                                   meaning="An outcome value is not a finite number (e.g. 1e999 read as infinity): it "
                                           "would be published and correlated as if it were one."),
                          custom(analysis.outcome_files_match_the_study_area, severity=WARN,
                                 reads=("validation_points",),
                                 meaning="An outcome file has no row for the study area's LSOAs (another area's file, "
                                         "or codes of the wrong vintage): it validates nothing; its rows are in "
                                         "`make rejects TABLE=index_validation`.")],
    "gp_readiness": [
        one_row_per("site_code"), covers("site_code", "gp_sites", noun="GP site"),
        no_rows_where("every_gp_site_ranked_or_given_a_reason",
        "(readiness_rank IS NULL) = (not_ranked_reason IS NULL)",
                      "are both ranked and given a reason, or neither",
                      "Each GP site is ranked, or shown with the reason it is not ranked, never both.",
                      "A GP site is neither ranked nor given a reason (or both): the list would not explain it.",
                      ("readiness_rank", "not_ranked_reason")),
        in_range("readiness_score", *SCORE, empty_ok="readiness_rank IS NULL",
                 meaning="A ranked GP site's readiness score is outside 0-10 or empty."),
        no_rows_where("gp_site_part_is_the_sites_own",
                      "readiness_parts LIKE '%site gigabit%' AND NOT site_own_gigabit_known",
                      "score an area average as the site's own gigabit",
                      "A site's own gigabit part enters its score only from postcode-level data, never an area "
                      "average.",
                      "An area average stands in for a surgery's own gigabit status in its readiness score.",
                      ("site_broadband_resolution",)),
        no_rows_where("gp_catchment_parts_never_area_averages",
                      "catchment_broadband_area_average "
                      "AND regexp_matches(split_part(readiness_parts, ' (', 1), 'catchment (superfast|gigabit)')",
                      "score a catchment's broadband from area averages",
                      "A catchment's broadband parts enter a site's score only when every catchment postcode's "
                      "figure is its own; area averages never rank sites within an area.",
                      "Area averages rank GP sites inside one area through their catchments' broadband.",
                      ("catchment_broadband_resolution",)),
    ],
    "gp_catchments": [one_row_per("location_id")],
    "fibre_gap_cells": [
        one_row_per("cell_id"),
        no_rows_where("gap_estimates_are_bounded", "est_without_gigabit < 0 OR (est_unit = 'postcode-equivalents' "
                      "AND est_without_gigabit > postcodes_with_coverage + 1e-9)", "have an impossible estimate",
                      "Estimated units without gigabit are never negative nor more than the cell has.",
                      "A cell's estimate of premises without gigabit is impossible.",
                      ("est_without_gigabit", "est_unit", "postcodes_with_coverage")),
        no_rows_where("area_averages_never_rank_within_their_area",
                      "area_average AND build_rank IS NOT NULL OR area_average AND broadband_area IN (SELECT "
                      "broadband_area "
                      "FROM fibre_gap_cells WHERE area_average GROUP BY 1 HAVING count(DISTINCT area_rank) > 1)",
                      "are ranked inside their own averaging area",
                      "Cells whose gap is an area average share one rank within that area: no coarse value orders "
                      "them.",
                      "A coarse (area-average) value would order cells inside the area it describes.",
                      ("broadband_area", "area_rank", "build_rank")),
    ],
    "fibre_gap_lsoas": [one_row_per("lsoa_code"), covers_study_area()],
    "need_250m": [custom(analysis.rasters_readable, reads=(),
                         meaning="A GeoTIFF does not open, has no CRS or nodata, or is empty.")],
    "connectivity_reconciliation": [
        custom(analysis.reconciliation_within_threshold, severity=WARN,
               meaning="Ofcom's own district figure (gigabit, below 30 Mbit/s) and ours from the broadband input "
               "differ "
                       "by more than the threshold.",
               expected="expected with postcode-district averages: they weigh every postcode equally, not by premises, "
                        "so they differ from Ofcom's premises-weighted district figures by several points"),
    ],
    "connectivity_change": [one_row_per("area_code", "indicator")],
    # --- outputs: what people open ---
    "district_summary": [one_row_per("lad_code")],
    "ward_summary": [one_row_per("ward_code")],
    "inclusion_priorities": [one_row_per("lsoa_code")],
    "postcode_lookup": [
        one_row_per("postcode", meaning="The postcode lookup would give two answers for one postcode."),
        only_study_districts(meaning="The postcode lookup would answer for a postcode outside the study area."),
        covers("postcode", "postcodes", noun="study-area postcode"), in_great_britain(),
    ],
    "headlines": [custom(outputs.headline_figures_match_their_cells, reads=(),
                         meaning="A figure in the headlines differs from the table cell it cites.")],
    "evidence_tables": [
        custom(outputs.every_table_names_its_sources, reads=(),
               meaning="A published table does not say where its rows came from."),
        custom(outputs.csv_cells_are_inert, reads=(),
               meaning="A CSV cell would run as a formula when opened in a spreadsheet."),
    ],
    "maps_index": [custom(outputs.maps_load_nothing_from_the_network, reads=(),
                          meaning="A map is missing or would not open offline.")],
    "briefings": [custom(outputs.briefings_are_two_to_five_pages, reads=(),
                         meaning="A district briefing is missing, empty, or not 2-5 pages.")],
}


@cache
def _declared() -> tuple[Check, ...]:
    checks = tuple(kind(asset) for asset, kinds in ASSET_CHECKS.items() for kind in kinds)
    names = [c.name for c in checks]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"two checks share a name: {', '.join(repeated)}")
    return checks


def declared_checks() -> list[Check]:
    """Every check, made from the declaration above by one loop."""
    return list(_declared())
