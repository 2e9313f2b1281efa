"""What each published column means, in one place: the CSV sidecars, the evidence pack's column
notes and Dagster's column schema all read it, so they cannot disagree.

``describe(column, vintage)`` covers every column of every published table: names of its own,
then indicator columns (from the indicator catalogue), then component scores.
"""

from __future__ import annotations

from pipeline.analysis.indicators import INDICATORS
from pipeline.geography import Vintage
from pipeline.registry import (
    CENSUS_TS007A,
    CODEPOINT_OPEN,
    EBRANCHS,
    EPRACCUR,
    GP_LIST_SIZES,
    IUC2018,
    LSOA11_LSOA21_LOOKUP,
    LSOA21_WARD_LOOKUP,
    OFCOM_LA_COVERAGE,
    OFCOM_POSTCODE_COVERAGE,
    OFCOM_POSTCODE_DISTRICT,
    ONS_LOCAL_INDICATORS,
    ONS_POSTCODE_LOOKUP,
    ONS_SIMILAR_AREAS,
    RUC2011,
    RUC2021,
    WARD_BOUNDARIES,
)
from pipeline.settings import Settings
from pipeline.wording import terms

SETTING_NAMES = {"reach": "access.reach_km", "high_need": "in the top triage.high_need_top_share of LSOAs by need",
                 "unserved": "in the top triage.unserved_top_share of LSOAs by connectivity gap",
                 "top_tenth": "the study area's highest-need tenth (need decile 1)",
                 "robust": "top decile in at least uncertainty.robust_probability of the draws",
                 "weight_dependent": "top decile in fewer draws than that, but at least its complement",
                 "rarely": "top decile in fewer draws than the complement of uncertainty.robust_probability",
                 "zone_code": "peers.zone_code"}


def _terms(settings: Settings | None) -> dict[str, str]:
    if settings is None:
        return SETTING_NAMES
    t = terms(settings)
    return {"reach": f"{settings.access.reach_km:g} km", "high_need": t.high_need, "unserved": t.unserved,
            "top_tenth": t.top_tenth, "robust": t.robust,
            "weight_dependent": t.weight_dependent, "rarely": t.rarely, "zone_code": settings.peers.zone_code}

COLUMNS: dict[str, str] = {
    # places
    "lsoa_code": "LSOA code ({label})", "lsoa_name": "LSOA name ({label}), as ONS names it",
    "ward_code": "Ward code (May 2024 wards)", "ward_name": "Ward name (May 2024 wards)",
    "postcode_ward_code": "Ward code Code-Point Open gives the postcode itself (May 2024 wards)",
    "postcode_lad_code": "District code Code-Point Open gives the postcode itself (its neighbourhood's may differ)",
    "lad_code": "Local authority district code", "lad_name": "Local authority district name",
    "area_code": "Area code (district, or ALL for the study area)", "area_name": "Area name",
    "broadband_caution": "Where the neighbourhood broadband figures of the row's district (for a GP site, of each "
                         "district its catchment's postcodes lie in; for a ward, of its district; for the study "
                         "area, of each of its districts) miss Ofcom's own district figure by more than the settings "
                         "allow: both figures (Ofcom's first); read the gap here, and the triage classes made from "
                         "it, with care. Empty where they agree",
    "area_type": "study area, district or ward (or comparator in the connectivity series)",
    "district": "District the ward is in", "residents_2021": "Usual residents, Census 2021 (TS007A)",
    "residents": "Usual residents, Census 2021", "lsoas": "Number of LSOAs",
    "postcode": "Postcode", "postcodes": "Number of Code-Point Open postcodes",
    # scores
    "need_score": "Inclusion need, 0-10 (10 = highest need): people-side indicators only (the method, section 6)",
    "need_rank": "Rank by inclusion need in the study area (1 = highest; ties share a rank)",
    "need_decile": "Need decile of the study area (1 = highest-need tenth; ties share a decile)",
    "supply_gap_score": "Connectivity gap, 0-10 (10 = least served): network side only, the components "
                        "config/weights/supply_gap.toml weights (s.7)",
    "supply_gap_rank": "Rank by connectivity gap (1 = least served); LSOAs sharing an area-average value tie",
    "supply_gap_decile": "Connectivity-gap decile (1 = least-served tenth; ties share a decile)",
    "index_score": "Headline index, 0-10, in the configured mode (index_mode)",
    "index_rank": "Rank by the headline index (1 = highest)",
    "index_decile": "Decile of the headline index (1 = highest)",
    "index_mode": "Which weights the headline index uses: need, mixed or deri",
    "mixed_score": "The earlier mixed index, 0-10: broadband, age, deprivation, rurality (comparison only, s.9)",
    "deri_score": "GMCA DERI v1.4-compatible score, 0-10, on substitute indicators (comparison only, s.9)",
    "scaling_base": "Min-max scaling base configured: study_area, district or england",
    "missing_indicators": "Indicators with no value for this LSOA; the score is computed over those present",
    "flagged": "True when an indicator is missing, so the score rests on fewer indicators than configured",
    "age_score": "Need component: older residents (0-10)",
    "disability_score": "Need component: disability and ill health (0-10)",
    "deprivation_score": "Component: deprivation (0-10)",
    "engagement_score": "Need component: internet engagement (IUC 2018, 0-10)",
    "fixed_score": "Gap component: fixed broadband (0-10)", "mobile_score": "Gap component: mobile coverage (0-10)",
    "broadband_score": "Component: broadband (0-10)", "rurality_score": "Mixed-index component: rurality (0-10)",
    "demography_score": "DERI component: demography (0-10)",
    "iuc_group": "Internet User Classification 2018 group code (1-10)", "iuc_label": "IUC 2018 group name",
    "iuc_area": "The LSOA (2011) whose IUC group this is, where that is not this LSOA's own area (a 2011 LSOA split, "
                "merged or changed irregularly in 2021); empty when it is its own",
    "iuc_lsoas_sharing": "How many study-area LSOAs share this IUC group's area (the pieces of a split 2011 LSOA "
                         "tie on it)",
    "ruc_code": "Rural Urban Classification code", "ruc_label": "Rural Urban Classification",
    # resolution
    "broadband_resolution": "Finest resolution the LSOA's broadband values are known at: postcode (measured in "
                            "the LSOA), postcode_district or local_authority (an area average), none",
    "broadband_area": "The area whose value the LSOA takes (postcode district, district, or the LSOA itself)",
    "broadband_release": "Ofcom release of the broadband values",
    "mobile_area": "District whose mobile coverage the LSOA takes",
    "area_average": "True when the value is an area average shared by every LSOA in that area",
    "supply_gap_area_average": "True when the connectivity gap score rests on area averages (postcode district or "
                               "district): every LSOA in that area shares it, so it does not rank them",
    "gap_is_area_average": "True when the connectivity gap rests on area averages (it cannot rank LSOAs within the "
    "area)",
    "lsoas_sharing_value": "How many study-area LSOAs share this exact value (they tie)",
    "lsoas_sharing_gap_value": "How many study-area LSOAs share this connectivity-gap value (they tie)",
    "resolution": "Resolution the value is known at", "resolution_area": "Area the value belongs to",
    # triage
    "high_need": "True when the LSOA has high need: {high_need}",
    "unserved": "True when the LSOA has a connectivity gap: {unserved}",
    "triage_class": "both (fibre and inclusion), adoption gap (inclusion offer), infrastructure gap (fibre), neither",
    "suggested_action": "What the triage class suggests: fibre build, an inclusion offer, both, or none",
    "inclusion_offer": "Inclusion offer for the need component in which the LSOA stands highest in the study area",
    "suggested_offer": "Inclusion offer for the need component in which the LSOA stands highest in the study area",
    "pct_of_area_residents": "Share of the area's residents in this class (%)",
    "residents_both": "Residents in LSOAs classed both", "residents_adoption_gap": "Residents in adoption-gap LSOAs",
    "residents_infrastructure_gap": "Residents in infrastructure-gap LSOAs",
    "residents_neither": "Residents in neither",
    # uncertainty
    "score": "Which score: need or supply_gap (uncertainty); the indicator's 0-10 score (indicator scores)",
    "configured_rank": "Rank with the configured weights", "median_rank": "Median rank over the draws",
    "rank_p05": "5th-percentile rank over the draws (best 5%)", "rank_p95": "95th-percentile rank over the draws",
    "p_top_decile": "Share of draws in which the LSOA is in the top decile",
    "priority": "robust ({robust}), weight-dependent ({weight_dependent}), or rarely in the top tenth ({rarely})",
    "robustness": "robust ({robust}), weight-dependent ({weight_dependent}), or rarely in the top tenth ({rarely})",
    # hotspots
    "neighbours": "Neighbouring LSOAs (shared boundary, else nearest)", "neighbour_method": "How neighbours were found",
    "local_mean": "Mean need over the LSOA and its neighbours", "gi_z": "Getis-Ord Gi* z-score (analytic)",
    "gi_p": "Two-sided p-value of gi_z under the normal approximation",
    "gi_p_sim": "Two-sided conditional-permutation pseudo p-value (999 permutations, seeded, as PySAL esda)",
    "gi_p_fdr": "gi_p_sim adjusted for testing every LSOA at once (Benjamini-Hochberg false discovery rate)",
    "hotspot_class": "Hot or cold spot at 99/95/90% confidence from gi_p_fdr (or gi_p_sim if configured), else not "
    "significant",
    # GP
    "site_code": "ODS code of the practice or branch", "site_type": "practice or branch",
    "practice_code": "Parent practice ODS code",
    "name": "Name as ODS publishes it", "pcn_name": "Primary Care Network",
    "subicb_code": "Sub-ICB location's ODS code: the practice's own commissioner in epraccur (a branch takes its "
                   "practice's)",
    "subicb_name": "Sub-ICB location's area name: its predecessor CCG's name (same code) without 'NHS' and 'CCG'",
    "subicb_ons_code": "Sub-ICB location's ONS code (E38)", "subicb_ods_code": "Sub-ICB location's ODS code",
    "icb_code": "ICB's ODS code: the practice's high-level health geography in epraccur",
    "icb_name": "Integrated Care Board's name",
    "health_names_from": "Which published file gave the Sub-ICB and ICB names",
    "published_name": "The name as the boundary file publishes it", "names_from": "Which published file gave each name",
    "study_lsoas": "Study-area LSOAs in it, by lsoa_subicb (the ONS lookup), not by outline",
    "assigned_by": "How the LSOA's Sub-ICB location was found (the method, section 13)",
    "listed_in": "The ODS file (and extract) listing the site", "listing_current": "False for a branch known only "
    "from an old branch file (not ranked)", "open_date": "Date the site opened (ODS, YYYYMMDD)",
    "list_size": "Registered patients of the practice (NHS England), at the extract's date",
    "list_size_extract": "Extract date of the registered-patient counts (first day of the month they describe)",
    "list_size_applies_to": "Whose list the size is",
    "pcn_code": "Primary Care Network code",
    "practice_imd2019_score": "IMD 2019 score of the practice's registered list (OHID)",
    "phone": "Telephone as ODS publishes it",
    "location_id": "Site location (sites sharing a building share one)", "sites_at_location": "Sites at that location",
    "site_own_gigabit_known": "True when the site's own postcode is measured (postcode-level data); only then does "
                              "site_gigabit_pct describe the site and enter its score",
    "site_gigabit_pct": "Gigabit availability (%) at the site's own postcode (Ofcom's postcode-level data); empty "
                        "where only an area's average is at hand (site_area_gigabit_pct)",
    "site_superfast_pct": "Superfast availability (%) at the site's own postcode (same rule)",
    "site_area_gigabit_pct": "Where the site's own figure is not known: the average of site_broadband_area (a "
                             "postcode district's mean over its postcodes, or the district's figure); it describes "
                             "the area, not the site, and does not enter the score",
    "site_area_superfast_pct": "Superfast availability (%) of site_broadband_area, where the site's own is not known",
    "site_broadband_resolution": "Resolution of the site's broadband figure",
    "site_broadband_area": "The area (postcode district or district) whose average the site's figure is, if not "
                           "its own",
    "site_broadband_release": "Ofcom release",
    "catchment_postcodes": "Postcodes in the catchment (nearest site within the cap)",
    "catchment_residents": "Estimated residents in the catchment (Census 2021 shared among postcodes)",
    "catchment_pct_no_superfast": "100 minus the mean superfast availability over the catchment's postcodes (premises-"
                                  "weighted only where premises are known): not a share of premises with area averages",
    "catchment_pct_no_gigabit": "100 minus the mean gigabit availability over the catchment's postcodes (premises-"
                                "weighted only where premises are known): not a share of premises with area averages",
    "catchment_mean_need": "Resident-weighted mean inclusion need of the catchment (0-10)",
    "catchment_postcodes_without_coverage": "Catchment postcodes no broadband source covers",
    "catchment_broadband_resolution": "Most common broadband resolution in the catchment",
    "catchment_broadband_release": "Ofcom release (year-month) of the catchment postcodes' broadband figures",
    "catchment_broadband_districts": "Districts (codes) the catchment postcodes with a broadband figure lie in",
    "catchment_broadband_area_average": "True when a catchment postcode's broadband figure is an area average: "
                                        "the catchment's broadband parts then do not enter the score",
    "catchment_max_distance_m": "Farthest catchment postcode (m)",
    "broadband_parts_area_average": "True when the site's own broadband figure is an area average (its part then "
                                    "does not enter the score)",
    "readiness_score": "Telehealth readiness 0-10 to two decimals, higher = readier, relative to the study area and "
                       "not a standard; made of the parts known for each site (readiness_parts lists them): with "
                       "catchment need alone it is 10 minus that need; ranked sites only",
    "readiness_rank": "Rank among the ranked GP sites by the parts of the readiness score known (readiness_parts): "
                      "1 = least ready, first for support; with catchment need alone, 1 = most need. Sites whose "
                      "scores agree to two decimals (as shown) share a rank (=3, =3, then 5); empty for sites "
                      "shown but not ranked",
    "readiness_parts": "The parts of the score that are known and their re-weighted weights",
    "not_ranked_reason": "Why the site is shown but not ranked (empty for ranked sites)",
    # fibre
    "cell_id": "1 km British National Grid cell", "x_min": "Cell west edge (EPSG:27700 m)",
    "y_min": "Cell south edge (m)",
    "postcodes_with_coverage": "Postcodes with a broadband value",
    "postcodes_lacking_gigabit": "Postcodes below the gigabit threshold",
    "est_without_gigabit": "Estimated premises (or postcode-equivalents) without gigabit",
    "est_unit": "premises, or postcode-equivalents where the source has no premises counts",
    "mean_gigabit_pct": "Mean gigabit availability (%)", "area_pct_no_gigabit": "The cell's area's % without gigabit",
    "area_rank": "Rank of the cell's area by % without gigabit: cells of one area tie (area averages)",
    "build_rank": "Rank by estimated premises without gigabit, only for cells measured at postcode level",
    "mean_distance_to_served_m": "Mean distance to a gigabit-served postcode (m)",
    "max_distance_to_served_m": "Greatest distance to a gigabit-served postcode (m)",
    # district, ward
    "lsoas_in_top_need_decile": "LSOAs in {top_tenth}",
    "robust_need_priorities": "LSOAs in the highest-need tenth that are robust: {robust}",
    "lsoas_gap_area_average": "LSOAs whose connectivity gap rests on an area average (it cannot rank them within it)",
    "ofcom_gigabit_pct": "Premises with gigabit-capable broadband, % of premises: Ofcom's own district figure "
                         "(release in ofcom_release)",
    "ofcom_below_30_pct": "Premises without a service above 30 Mbit/s, % of premises: Ofcom's own district figure "
                          "(release in ofcom_below_30_release)",
    "ofcom_release": "Ofcom release (year-month) of ofcom_gigabit_pct", "ofcom_release_name": "That release in words",
    "ofcom_below_30_release": "Ofcom release (year-month) of ofcom_below_30_pct",
    "ofcom_below_30_release_name": "That release in words",
    "ofcom_dated_by": "How the release was dated: ONS metadata (.json) or ONS period label only",
    "ofcom_file": "ONS Explore Local Statistics file the Ofcom figure was read from",
    "derived_pct_no_gigabit": "Derived mean over postcodes, never a share of premises: 100 minus the mean "
                              "gigabit-capable availability over the area's postcodes (broadband_release), weighted "
                              "as derived_weighting says; derived here, not an Ofcom figure",
    "derived_pct_below_30": "Derived mean over postcodes, never a share of premises: 100 minus the mean superfast "
                            "(30 Mbit/s) availability over the area's postcodes (broadband_release), weighted as "
                            "derived_weighting says; derived here, not an Ofcom figure",
    "estimated_gigabit_pct": "Mean of the districts' Ofcom gigabit-capable figures (each a % of "
                             "the district's premises), weighted by Census 2021 usual residents "
                             "(estimated_weighted_by; study-area row only): an estimate for the study area, not a "
                             "share of premises Ofcom counted",
    "estimated_release_name": "The Ofcom release the estimate is made from",
    "estimated_weighted_by": "How the districts' Ofcom figures are weighted in the estimate",
    "need_hotspot_lsoas": "LSOAs in a need hot spot (Gi*, FDR-adjusted)",
    "mean_need_score": "Resident-weighted mean need",
    "mean_supply_gap_score": "Resident-weighted mean connectivity gap",
    "mean_index_score": "Resident-weighted mean index",
    "high_need_lsoas": "LSOAs with high need: {high_need}",
    "gap_from_area_averages": "True when the gap rests on area averages",
    "gp_sites": "GP sites (practices and branches)",
    "gp_practices": "GP practices (active, in the current practice list)",
    "gp_branches": "Branch surgeries located in the area whose practice is one of the study area's current practices, "
                   "from NHS England's branch-surgery list (ebranchs; its date in gp_branches_listed_in)",
    "gp_branches_listed_in": "The branch list the branch surgeries come from, with its date",
    "gp_sites_without_gigabit": "Sites below 100% gigabit at their own postcode (postcode-level data only; empty "
    "otherwise)",
    "gp_sites_gigabit_unknown": "Sites whose own gigabit status is not known (no postcode-level data for them)",
    # peer benchmark
    "group_kind": "The group compared with: neighbours (ONS statistical nearest neighbours) or cluster (ONS cluster)",
    "cluster_code": "ONS cluster code of the group (cluster groups only)",
    "cluster_description": "What ONS says the cluster's places have in common",
    "estimate": "True for the zone: its districts' Ofcom figures weighted (see weighted_by), not an Ofcom figure",
    "weighted_by": "How the zone's estimate weights its districts: Census 2021 usual residents (shares of premises) "
                   "or land area (shares of land area); empty for Ofcom's own figures",
    "rank": "Rank among those compared (1 = best; lower is better only for premises below 30 Mbit/s; ties share it)",
    "tied": "How many of those compared share this value (and rank)", "n_compared": "Places compared (with a value)",
    "rank_label": "The rank as said: '=1st of 21 (15 tied)'",
    "group_median": "Median of the places compared (the subject included)",
    "best_value": "Best value among the places compared",
    "best_peers": "Which other places hold the best value",
    "behind_best_pp": "Percentage points behind the best (negative: ahead)",
    "behind_median_pp": "Percentage points behind the median (negative: ahead)",
    "first_rank_label": "Rank at the first release", "latest_rank_label": "Rank at the latest release",
    "pace_pp_per_year": "Change per year, first to latest release (points)",
    "median_pace_pp_per_year": "The group median's change per year (points)",
    "best_pace_pp_per_year": "The group's best value's change per year (points)",
    "reaches_median": "When, if these paces held, the subject would reach the median (an extrapolation)",
    "reaches_best": "When, if these paces held, the subject would reach the best (an extrapolation)",
    "subject_name": "The district (or zone) the group belongs to", "member_code": "Member of the group",
    "member_name": "Member's name", "is_subject": "True for the district (or zone) itself",
    # venues and access (straight-line distances)
    "venue_id": "Venue identifier: source, file and row", "venue_type": "library, gp_site, or a type from a user file",
    "role": "existing (offers help now: 'any venue'), candidate (a site for a new venue), or neither",
    "address": "Address as the source gives it", "easting": "Easting (m, British National Grid)",
    "northing": "Northing (m, British National Grid)", "in_study_area": "True when inside a study district",
    "distance_to_study_km": "Straight-line distance outside the study districts (km; 0 inside)",
    "opening_hours": "Opening hours as the source gives them (libraries: as at December 2023; check before "
                     "sending someone)", "hours_per_week": "Hours open per week (libraries, December 2023)",
    "located_by": "Where the position comes from", "data_date": "Date of the data the venue comes from",
    "corrected_by": "User file that corrected the entry (opening hours)", "source_key": "Registry key of the source",
    "origin": "Where distances start: ONS's population-weighted centroid, or the mean of the LSOA's postcodes",
    "origin_basis": "The origin in words, with its file and row",
    "need_weighted_residents": "Residents x need score / 10: what the siting model covers",
    "nearest_library_km": "Straight-line distance to the nearest open static library (km)",
    "nearest_library": "Nearest open static library (Arts Council England, December 2023)",
    "nearest_library_address": "Its address", "nearest_library_hours": "Its opening hours (December 2023)",
    "nearest_gp_site_km": "Straight-line distance to the nearest current GP practice (km)",
    "nearest_gp_site": "Nearest current GP practice",
    "nearest_user_venue_km": "Straight-line distance to the nearest existing venue from a user file (km)",
    "nearest_user_venue": "That venue", "nearest_user_venue_type": "Its type",
    "nearest_venue_km": "Straight-line distance to the nearest existing venue of any type (km)",
    "nearest_venue": "That venue", "nearest_venue_type": "Its type",
    "beyond_reach": "True when no existing venue is within access.reach_km in a straight line",
    "residents_beyond_reach": "Residents of the LSOA when it is beyond reach, measured from its population-weighted "
                              "centre (else 0)",
    "high_need_residents_beyond_reach": "Residents of the LSOA when it is beyond reach and its need is high (else 0)",
    "distance_kind": "How distance is measured: straight line (shorter than any road)",
    "distance": "The distance compared", "compared_with": "What it is compared with",
    "k": "Number of new venues", "new_sites": "The sites chosen for k new venues (an optimal solution for this k)",
    "need_weighted_covered": "Need-weighted residents within reach of an existing venue or a new one",
    "need_weighted_total": "Need-weighted residents in the study area",
    "pct_covered": "Need-weighted residents within reach, % of the study area's",
    "residents_covered": "Residents within reach", "high_need_residents_covered": "High-need residents within reach",
    "residents_total": "Residents of the study area's neighbourhoods",
    "high_need_residents_total": "Residents of its high-need neighbourhoods",
    "gain_need_weighted": "Gain over the solution for k - 1 (need-weighted residents)",
    "gain_residents": "Gain over k - 1 (residents)",
    "gain_high_need_residents": "Gain over k - 1 (high-need residents)",
    "contains_previous": "True when this solution keeps every site of the k - 1 solution (solutions need not nest)",
    "nested_in_next": "True when the k + 1 solution keeps every site of this one",
    "residents_reached_only_by_it": "Residents within reach of this site and of no existing venue or other chosen site",
    "high_need_residents_reached_only_by_it": "High-need residents reached only by this site",
    "best_site": "The one candidate site reaching most of the district's high-need residents beyond reach; on a "
                 "tie (as when none is beyond reach), the one reaching most of its residents beyond reach",
    "best_site_id": "Its venue_id", "best_site_type": "Its type", "best_site_postcode": "Its postcode",
    "best_site_lad_code": "The district it is in",
    "high_need_residents_it_reaches": "Of the district's high-need residents beyond reach, those a venue at the one "
                                      "best candidate site (best_site) would bring within reach (whole "
                                      "neighbourhoods, by their population-weighted centre)",
    "residents_it_reaches": "Of the district's residents beyond reach, those a venue at the one best candidate site "
                            "(best_site) would bring within reach (whole neighbourhoods, by their population-weighted "
                            "centre)",
    # inclusion priorities
    "priority_order": "Order of priority (by need rank)",
    # connectivity series
    "indicator": "Indicator name", "indicator_label": "What the indicator measures", "unit": "Unit",
    "release": "Release the value describes (Ofcom figures: year-month, or a bare year when ONS states only the year)",
    "release_name": "The release in words", "value": "Value, in unit",
    "dated_by": "How the release was dated: ONS metadata (the .json published with the file), ONS period label "
                "(the label alone), or year only",
    "release_basis": "The dating in words: the metadata's 'as of', or the ONS label(s) it rests on",
    "ons_file": "ONS Explore Local Statistics file the value was read from",
    "ons_note": "ONS's note on the row, as published: rows ONS aggregated (counties, regions, nations, the UK; "
                "districts after a boundary change) say 'This data has been aggregated and may show differences to "
                "other published figures'; empty for Ofcom's figure as published",
    "ons_files": "Every ONS file carrying this release (copies with identical values)",
    "commit": "Commit of ONS's data repository the file was taken at", "committed": "Date of that commit",
    "first_release": "Earliest release dated by month", "first_release_name": "That release in words",
    "first_dated_by": "How the earliest release was dated", "first_value": "Value at the earliest release",
    "latest_release": "Latest release dated by month", "latest_release_name": "That release in words",
    "latest_dated_by": "How the latest release was dated", "latest_value": "Value at the latest release",
    "change_pp": "Change in percentage points", "releases": "Distinct releases dated by month",
    "years": "Years between the first and the latest release", "change_pp_per_year": "Change per year (points)",
    "improvement_rank": "Rank among study districts by improvement (1 = most improved)",
    "direction": "Which way is an improvement",
    "official_pct": "Ofcom's own district figure, % of premises, for that release",
    "derived_pct": "A comparable figure derived from our broadband input: a mean over the district's postcodes (see "
                   "derived_weighting), not a share of premises unless premises-weighted",
    "difference_pp": "derived_pct minus official_pct (points)",
    "within_threshold": "Difference within the warning threshold", "threshold_pp": "Warning threshold (points)",
    "derived_resolution": "Resolution of our postcode-based input (postcode, or postcode-district averages)",
    "derived_premises": "Which premises our input's shares count, as its source states (residential premises for "
                        "the postcode-district means of Ofcom's residential postcode file); Ofcom's district figure, "
                        "as ONS publishes it, is a share of premises, not said to be residential only",
    "postcodes_used": "Study-district postcodes our figure averages over",
    "derived_weighting": "How our figure weights postcodes: each counted once, or by premises where known",
    "geography": "Geography the ONS file describes", "ons_labels": "Period labels ONS gave the files of this release",
    "file": "Source file", "source_file": "Source file the row came from",
    "source_row": "Row in that file (1 = header)",
    "published_code": "Code ONS published the row under: the district's own, or, for a release after a boundary "
                      "change, its successor's of the same name (Barnsley E08000016: E08000038)",
    # indicators (long form)
    "side": "need (people), supply (networks) or context", "source": "Registry key of the source",
    "source_title": "Source", "label": "What the indicator measures here",
    "higher_is_worse": "True when a higher value means more need or a bigger gap", "note": "Note",
    "base_min": "Minimum of the scaling base", "base_max": "Maximum of the scaling base",
    "base_lsoas": "LSOAs the range was taken over",
    # sensitivity, validation
    "level": "component or indicator", "component": "Component", "change": "Weight moved up or down by",
    "weight_before": "Weight before (normalised)", "weight_after": "Weight after (normalised)",
    "top_n": "Top N compared", "top_n_retained": "Top-N LSOAs still in the top N", "share_retained": "Share retained",
    "outcome_file": "Outcome file in data/raw/outcomes", "outcome": "Outcome column",
    "stated_source": "Source the file states",
    "stated_licence": "Licence the file states", "score_label": "Score compared",
    "spearman_rho": "Spearman rank correlation", "rho_ci_low": "Bootstrap 95% interval, low",
    "rho_ci_high": "Bootstrap 95% interval, high",
    "top_decile_overlap": "Share of the score's top decile also in the outcome's",
    "top_decile_lsoas": "LSOAs in the score's top decile", "bootstrap": "Bootstrap resamples",
    # lookup
    "gap_resolution": "Resolution of the connectivity gap", "gap_area": "Area whose gap value the LSOA takes",
    "nearest_gp_code": "Nearest GP site (straight line)", "nearest_gp_name": "Nearest GP site name",
    "nearest_gp_postcode": "Its postcode", "nearest_gp_readiness_rank": "Its readiness rank (1 = least ready)",
    "nearest_gp_rank_label": "Its readiness rank as shown, =3 when other sites share it",
    "nearest_gp_also_here": "Other ranked practices at the same postcode, as near (empty when none)",
    "nearest_gp_not_ranked_reason": "Why the nearest site has no readiness rank (empty when it has one)",
    "nearest_gp_rank_basis": "What the nearest site's readiness rank leaves out because it is known only as area "
                             "averages (empty when nothing, or no rank)",
    "nearest_gp_distance_m": "Straight-line distance (m)",
    "nearest_library_postcode": "Its postcode", "nearest_library_data_date": "Date of the library list it comes from",
    "nearest_library_distance_m": "Straight-line distance to it (m)",
    "caution_release": "Where the district's neighbourhood broadband figures miss Ofcom's own district figure by more "
                       "than connectivity_series.reconciliation_warn_pp: the release compared (empty where they agree)",
    "caution_official_pct": "Ofcom's district gigabit-capable figure for that release (% of premises)",
    "caution_derived_pct": "The same from the neighbourhood broadband input (derived here, not an Ofcom figure)",
    "caution_threshold_pp": "The difference (points) beyond which the pipeline warns (setting)",
    "caution_premises": "Which premises the neighbourhood broadband input counts, as its source states (residential "
                        "premises for the postcode-district means of Ofcom's residential postcode file)",
    "caution_below_30_release": "As caution_release, for premises below 30 Mbit/s (threshold: "
                                "connectivity_series.reconciliation_below_30_warn_pp)",
    "caution_below_30_official_pct": "Ofcom's district figure for premises below 30 Mbit/s for that release "
                                     "(% of premises)",
    "caution_below_30_derived_pct": "The same from the neighbourhood broadband input (derived here, not an Ofcom "
                                    "figure)",
    "caution_below_30_threshold_pp": "The difference (points) beyond which the pipeline warns for this measure "
                                     "(setting)",
    "large_user": "True for a large-user postcode (ONS usertype 1: one organisation that receives a lot of mail)",
    "positional_quality": "OS Code-Point Open positional quality (up to 40: placed from the postcode's addresses; "
                          "50: estimated from the surrounding postcodes; 60: the postcode sector's mean)",
    "placement": "How the postcode was placed in its LSOA",
    "lat": "Latitude (WGS84)", "lon": "Longitude (WGS84)",
}


# A column whose meaning in one table is not its meaning elsewhere: an LSOA's count in lsoa_access is a sum
# over the study area (for k new venues) in siting_curve and over a district in siting_by_district.
TABLE_COLUMNS: dict[tuple[str, str], str] = {
    ("siting_curve", "residents_beyond_reach"):
        "Residents of neighbourhoods whose population-weighted centre is more than {reach} in a straight line "
        "from any venue (the existing ones and the new ones named, if any)",
    ("siting_curve", "high_need_residents_beyond_reach"):
        "Residents of high-need neighbourhoods whose population-weighted centre is more than {reach} in a "
        "straight line from any venue (the existing ones and the new ones named, if any)",
    ("siting_curve", "pct_covered"):
        "Share of need-weighted residents within {reach} in a straight line of a venue (the existing ones and the "
        "new ones named, if any) (%)",
    ("siting_curve", "area_name"): "The area the row sums over",
    ("siting_by_district", "residents_beyond_reach"):
        "Residents of neighbourhoods whose population-weighted centre is more than {reach} in a straight line "
        "from any existing venue",
    ("siting_by_district", "high_need_residents_it_reaches"):
        "Of the district's high-need residents beyond reach, those a venue at the one best candidate site (best_site, "
        "named in the row) would bring within {reach} in a straight line (whole neighbourhoods, by their "
        "population-weighted centre)",
    ("siting_by_district", "residents_it_reaches"):
        "Of the district's residents beyond reach, those a venue at the one best candidate site (best_site, named in "
        "the row) would bring within {reach} in a straight line (whole neighbourhoods, by their population-weighted "
        "centre)",
    ("siting_by_district", "high_need_residents_beyond_reach"):
        "Residents of high-need neighbourhoods whose population-weighted centre is more than {reach} in a "
        "straight line from any existing venue",
    **{(table, "area_code"): "Area code (a district, or {zone_code} for the zone as a whole)"
       for table in ("peer_benchmark", "peer_pace", "peer_league")},
    ("peer_weighting_check", "county_code"): "The county's code (ONS); its districts are those Code-Point Open "
        "places in it",
    ("peer_weighting_check", "county_name"): "The county's name, as ONS publishes its figures",
    ("peer_weighting_check", "published_value"): "The county's own figure, as ONS publishes it from Ofcom's data",
    ("peer_weighting_check", "estimate"): "The county's districts' Ofcom figures weighted by Census 2021 usual "
        "residents, as the zone's estimate is made (to 2 decimals)",
    ("peer_weighting_check", "difference_pp"): "The estimate less the published figure, in percentage points",
    ("peer_weighting_check", "districts"): "Districts in the county, each with a figure and residents",
    ("peer_weighting_check", "weighted_by"): "What the districts' figures are weighted by",
    ("peer_league", "value"): "The member's figure at the release, in the unit indicator_label gives (Ofcom's; for "
        "the zone, its estimate: see estimate and weighted_by)",
}


def describe(column: str, vintage: Vintage | None = None, settings: Settings | None = None,
             table: str | None = None) -> str:
    """What a column means (in ``table``, where its meaning there differs); definitions that depend on the
    settings are worded from them (``pipeline.wording``), or name the setting when no settings are given."""
    if (table, column) in TABLE_COLUMNS:
        return TABLE_COLUMNS[table, column].format(**_terms(settings))
    label = vintage.label if vintage else "LSOA"
    if vintage and column in (vintage.code, vintage.name):
        column = "lsoa_code" if column == vintage.code else "lsoa_name"
    if column in COLUMNS:
        return COLUMNS[column].format(label=label, **_terms(settings))
    if column in INDICATORS:
        measure = INDICATORS[column].measures.get(vintage.key if vintage else "lsoa2021") or \
            next(iter(INDICATORS[column].measures.values()))
        return f"{measure.label} ({measure.unit})"
    if column.endswith("_score"):
        return f"Component score: {column.removesuffix('_score').replace('_', ' ')} (0-10)"
    return column.replace("_", " ")


# Which sources stand behind a column, so a footnote names those and not every source of its table
# (the district summary draws on fourteen). A column's sources are the union of its roles' sources
# that the table actually drew on; a key column (triage_class) adds the sources its meaning rests on.
def _side(side: str) -> tuple[str, ...]:
    """Sources of the indicators on one side of the method (need or supply), from the catalogue."""
    return tuple(
        dict.fromkeys(k for i in INDICATORS.values() if i.side == side for m in i.measures.values() for k in m.sources)
    )


POPULATION = (CENSUS_TS007A.key,)
NEED = _side("need") + (LSOA11_LSOA21_LOOKUP.key,)  # the IUC of a split LSOA is its 2011 LSOA's, through the lookup
SUPPLY = _side("supply")
BROADBAND = (OFCOM_POSTCODE_COVERAGE.key, OFCOM_POSTCODE_DISTRICT.key, OFCOM_LA_COVERAGE.key)
DISTRICT_SERIES = (ONS_LOCAL_INDICATORS.key, OFCOM_LA_COVERAGE.key)
GP_SITES = (EPRACCUR.key, EBRANCHS.key, "ebranchs_2017")
# which postcodes are nearest which ranked site (the sites, their lists, the postcodes' places), their residents
# and their neighbourhoods' need
CATCHMENT_NEED = GP_SITES + (GP_LIST_SIZES.key, CODEPOINT_OPEN.key, ONS_POSTCODE_LOOKUP.key) + POPULATION + NEED

# The column holding the release a value describes, named in its citation.
RELEASE_OF: dict[str, str] = {"list_size": "list_size_extract", "estimated_gigabit_pct": "estimated_release_name",
                              "catchment_residents": "", "value": "release_name",
                              "group_median": "release_name", "best_value": "release_name",
                              "ofcom_gigabit_pct": "ofcom_release_name",
                              "ofcom_below_30_pct": "ofcom_below_30_release_name",
                              "official_pct": "release_name", "derived_pct": "release_name",
                              "first_value": "first_release_name", "latest_value": "latest_release_name"}

# The column saying how the release behind a figure was dated, where a table says it (an Ofcom release that ONS
# dates only by its period label is said to be, in the citation too).
DATED_BY_OF: dict[str, str] = {"value": "dated_by", "group_median": "dated_by", "best_value": "dated_by",
                               "official_pct": "dated_by", "derived_pct": "dated_by",
                               "ofcom_gigabit_pct": "ofcom_dated_by", "first_value": "first_dated_by",
                               "latest_value": "latest_dated_by"}

COLUMN_SOURCES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("residents_2021", "residents", "lsoas", "catchment_residents"), POPULATION),
    **dict.fromkeys(("residents_both", "residents_adoption_gap", "residents_infrastructure_gap", "residents_neither",
                     "pct_of_area_residents"), POPULATION + NEED + SUPPLY),
    **dict.fromkeys(("need_score", "need_rank", "need_decile", "lsoas_in_top_need_decile", "robust_need_priorities",
                     "need_hotspot_lsoas", "mean_need_score", "high_need_lsoas",
                     "suggested_offer", "inclusion_offer", "robustness", "p_top_decile"), NEED),
    **dict.fromkeys(("supply_gap_score", "supply_gap_rank", "supply_gap_decile", "mean_supply_gap_score",
                     "supply_gap_area_average"), SUPPLY),
    "triage_class": NEED + SUPPLY,
    **dict.fromkeys(("site_gigabit_pct", "site_superfast_pct", "site_area_gigabit_pct", "site_area_superfast_pct",
                     "catchment_pct_no_gigabit", "catchment_pct_no_superfast", "catchment_broadband_release",
                     "catchment_broadband_districts"),
                    BROADBAND),
    # a district's mean over its postcodes: Code-Point Open lists them and names their district
    **dict.fromkeys(("derived_pct_no_gigabit", "derived_pct_below_30", "derived_pct"),
                    BROADBAND + (CODEPOINT_OPEN.key,)),
    **dict.fromkeys(("ofcom_gigabit_pct", "ofcom_below_30_pct", "official_pct", "first_value", "latest_value",
                     "value", "change_pp", "change_pp_per_year"), DISTRICT_SERIES),
    # a group's median, best and ranks rest on which places ONS counts as similar too
    **dict.fromkeys(("group_median", "best_value", "rank", "rank_label", "n_compared", "behind_best_pp",
                     "behind_median_pp"), DISTRICT_SERIES + (ONS_SIMILAR_AREAS.key,)),
    # a pace is the zone's estimate's where the row is the zone's, its districts' figures weighted by residents
    "pace_pp_per_year": DISTRICT_SERIES + POPULATION,
    "median_pace_pp_per_year": DISTRICT_SERIES + (ONS_SIMILAR_AREAS.key,) + POPULATION,
    **dict.fromkeys(("estimated_gigabit_pct", "estimated_release_name", "estimated_weighted_by"),
                    DISTRICT_SERIES + POPULATION),  # the districts' figures weighted by their residents
    # a site is ranked when its practice's list is large enough; its catchment is the postcodes nearest it,
    # their residents, need and broadband
    # a catchment's need too: which postcodes are nearest which ranked site rests on the sites, their lists
    **dict.fromkeys(("readiness_score", "readiness_rank", "readiness_parts", "nearest_gp_readiness_rank",
                     "nearest_gp_rank_label", "nearest_gp_also_here"), CATCHMENT_NEED + BROADBAND),
    # a catchment's mean need rests on which postcodes are nearest which ranked site, their residents and their
    # neighbourhoods' need: not on broadband
    "catchment_mean_need": CATCHMENT_NEED,
    **dict.fromkeys(("caution_release", "caution_official_pct", "caution_derived_pct", "caution_threshold_pp",
                     "caution_below_30_release", "caution_below_30_official_pct", "caution_below_30_derived_pct",
                     "caution_below_30_threshold_pp", "caution_premises", "broadband_caution"),
                  DISTRICT_SERIES + BROADBAND),
    "gp_sites": GP_SITES, "gp_practices": (EPRACCUR.key,),
    "gp_branches": (EBRANCHS.key, "ebranchs_2017"),
    # a neighbourhood's ward: ONS's best-fit lookup
    **dict.fromkeys(("ward_name", "ward_code"), (LSOA21_WARD_LOOKUP.key, WARD_BOUNDARIES.key)),
    "listed_in": GP_SITES,  # which ODS list names the site; a site is not ranked for its listing or its list size
    "not_ranked_reason": GP_SITES + (GP_LIST_SIZES.key,),
    "list_size": (GP_LIST_SIZES.key,),
    **dict.fromkeys(("age_score", "disability_score", "deprivation_score", "engagement_score"), NEED),
    **dict.fromkeys(("fixed_score", "mobile_score", "broadband_score"), SUPPLY),
    **dict.fromkeys(("iuc_group", "iuc_label"), (IUC2018.key,)),
    **dict.fromkeys(("iuc_area", "iuc_lsoas_sharing"), (IUC2018.key, LSOA11_LSOA21_LOOKUP.key)),
    **dict.fromkeys(("ruc_code", "ruc_label"), (RUC2021.key, RUC2011.key)),
    # an indicator's raw value: the sources its measures read (the broadband ones: whichever Ofcom input ran)
    **{
        name: (BROADBAND if i.family == "broadband" else ()) + tuple(k for m in i.measures.values() for k in m.sources)
        for name, i in INDICATORS.items()
    },
}


def column_sources(column: str, available: list[str], keys: tuple[str, ...] = ()) -> list[str]:
    """The sources behind ``column`` of a table drawing on ``available``, with the sources the key
    columns' meaning rests on (people before networks); every available source where nothing
    narrower is known."""
    if column not in COLUMN_SOURCES:
        return list(available)
    wanted = [key for name in (column, *keys) for key in COLUMN_SOURCES.get(name, ())]
    narrowed = [key for key in dict.fromkeys(wanted) if key in available]  # in the order of the roles
    return narrowed or list(available)
