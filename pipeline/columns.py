"""What each published column means, in one place: the CSV sidecars, the evidence pack's column
notes and Dagster's column schema all read it, so they cannot disagree.

``describe(column, vintage)`` covers every column of every published table: names of its own,
then indicator columns (from the indicator catalogue), then component scores.
"""

from __future__ import annotations

from pipeline.analysis.indicators import INDICATORS
from pipeline.geography import Vintage

COLUMNS: dict[str, str] = {
    # places
    "lsoa_code": "LSOA code ({label})", "lsoa_name": "LSOA name ({label}), as ONS names it",
    "ward_code": "Ward code (May 2024 wards)", "ward_name": "Ward name (May 2024 wards)",
    "postcode_ward_code": "Ward code Code-Point Open gives the postcode itself (May 2024 wards)",
    "lad_code": "Local authority district code", "lad_name": "Local authority district name",
    "area_code": "Area code (district, or ALL for the study area)", "area_name": "Area name",
    "area_type": "study area, district or ward (or comparator in the connectivity series)",
    "district": "District the ward is in", "residents_2021": "Usual residents, Census 2021 (TS007A)",
    "residents": "Usual residents, Census 2021", "lsoas": "Number of LSOAs",
    "postcode": "Postcode", "postcodes": "Number of Code-Point Open postcodes",
    # scores
    "need_score": "Inclusion need, 0-10 (10 = highest need): people-side indicators only (docs/METHOD.md s.6)",
    "need_rank": "Rank by inclusion need in the study area (1 = highest; ties share a rank)",
    "need_decile": "Need decile of the study area (1 = highest-need tenth; ties share a decile)",
    "supply_gap_score": "Connectivity gap, 0-10 (10 = least served): broadband and mobile supply only (s.7)",
    "supply_gap_rank": "Rank by connectivity gap (1 = least served); LSOAs sharing an area-average value tie",
    "supply_gap_decile": "Connectivity-gap decile (1 = least-served tenth; ties share a decile)",
    "index_score": "Headline index, 0-10, in the configured mode (index_mode)",
    "index_rank": "Rank by the headline index (1 = highest)", "index_decile": "Decile of the headline index (1 = highest)",
    "index_mode": "Which weights the headline index uses: need, mixed or deri",
    "mixed_score": "The earlier mixed index, 0-10: broadband, age, deprivation, rurality (comparison only, s.9)",
    "deri_score": "GMCA DERI v1.4-compatible score, 0-10, on substitute indicators (comparison only, s.9)",
    "scaling_base": "Min-max scaling base configured: study_area, district or england",
    "missing_indicators": "Indicators with no value for this LSOA; the score is computed over those present",
    "flagged": "True when an indicator is missing, so the score rests on fewer indicators than configured",
    "age_score": "Need component: older residents (0-10)", "disability_score": "Need component: disability and ill health (0-10)",
    "deprivation_score": "Component: deprivation (0-10)", "engagement_score": "Need component: internet engagement (IUC 2018, 0-10)",
    "fixed_score": "Gap component: fixed broadband (0-10)", "mobile_score": "Gap component: mobile coverage (0-10)",
    "broadband_score": "Component: broadband (0-10)", "rurality_score": "Mixed-index component: rurality (0-10)",
    "demography_score": "DERI component: demography (0-10)",
    "iuc_group": "Internet User Classification 2018 group code (1-10)", "iuc_label": "IUC 2018 group name",
    "ruc_code": "Rural Urban Classification code", "ruc_label": "Rural Urban Classification",
    # resolution
    "broadband_resolution": "Finest resolution the LSOA's broadband values are known at: postcode (measured in "
                            "the LSOA), postcode_district or local_authority (an area average), none",
    "broadband_area": "The area whose value the LSOA takes (postcode district, district, or the LSOA itself)",
    "broadband_release": "Ofcom release of the broadband values", "mobile_area": "District whose mobile coverage the LSOA takes",
    "area_average": "True when the value is an area average shared by every LSOA in that area",
    "gap_is_area_average": "True when the connectivity gap rests on area averages (it cannot rank LSOAs within the area)",
    "lsoas_sharing_value": "How many study-area LSOAs share this exact value (they tie)",
    "lsoas_sharing_gap_value": "How many study-area LSOAs share this connectivity-gap value (they tie)",
    "resolution": "Resolution the value is known at", "resolution_area": "Area the value belongs to",
    # triage
    "high_need": "In the top share of LSOAs by need (triage.high_need_top_share)",
    "unserved": "In the top share of LSOAs by connectivity gap (triage.unserved_top_share)",
    "triage_class": "both (fibre and inclusion), adoption gap (inclusion offer), infrastructure gap (fibre), neither",
    "suggested_action": "What the triage class suggests: fibre build, an inclusion offer, both, or none",
    "inclusion_offer": "Inclusion offer for the need component in which the LSOA stands highest in the study area",
    "suggested_offer": "Inclusion offer for the need component in which the LSOA stands highest in the study area",
    "pct_of_area_residents": "Share of the area's residents in this class (%)",
    "residents_both": "Residents in LSOAs classed both", "residents_adoption_gap": "Residents in adoption-gap LSOAs",
    "residents_infrastructure_gap": "Residents in infrastructure-gap LSOAs", "residents_neither": "Residents in neither",
    # uncertainty
    "score": "Which score: need or supply_gap (uncertainty); the indicator's 0-10 score (indicator scores)",
    "configured_rank": "Rank with the configured weights", "median_rank": "Median rank over the draws",
    "rank_p05": "5th-percentile rank over the draws (best 5%)", "rank_p95": "95th-percentile rank over the draws",
    "p_top_decile": "Share of draws in which the LSOA is in the top decile",
    "priority": "robust (top decile in >= robust_probability of draws), weight-dependent, or not a priority",
    "robustness": "robust, weight-dependent or not a priority (rank_uncertainty)",
    # hotspots
    "neighbours": "Neighbouring LSOAs (shared boundary, else nearest)", "neighbour_method": "How neighbours were found",
    "local_mean": "Mean need over the LSOA and its neighbours", "gi_z": "Getis-Ord Gi* z-score (analytic)",
    "gi_p": "Two-sided p-value of gi_z under the normal approximation",
    "gi_p_sim": "Two-sided conditional-permutation pseudo p-value (999 permutations, seeded, as PySAL esda)",
    "gi_p_fdr": "gi_p_sim adjusted for testing every LSOA at once (Benjamini-Hochberg false discovery rate)",
    "hotspot_class": "Hot or cold spot at 99/95/90% confidence from gi_p_fdr (or gi_p_sim if configured), else not significant",
    # GP
    "site_code": "ODS code of the practice or branch", "site_type": "practice or branch", "practice_code": "Parent practice ODS code",
    "name": "Name as ODS publishes it", "pcn_name": "Primary Care Network",
    "subicb_code": "Sub-ICB location's ODS code: the practice's own commissioner in epraccur (a branch takes its "
                   "practice's)",
    "subicb_name": "Sub-ICB location's area name: its predecessor CCG's name (same code) without 'NHS' and 'CCG'",
    "subicb_ons_code": "Sub-ICB location's ONS code (E38)", "subicb_ods_code": "Sub-ICB location's ODS code",
    "icb_code": "ICB's ODS code: the practice's high-level health geography in epraccur",
    "icb_name": "Integrated Care Board's name", "health_names_from": "Which published file gave the Sub-ICB and ICB names",
    "published_name": "The name as the boundary file publishes it", "names_from": "Which published file gave each name",
    "study_lsoas": "Study-area LSOAs in it, by lsoa_subicb (the ONS lookup), not by outline",
    "assigned_by": "How the LSOA's Sub-ICB location was found (docs/METHOD.md s.13)",
    "listed_in": "The ODS file (and extract) listing the site", "listing_current": "False for a branch known only "
    "from an old branch file (not ranked)", "open_date": "Date the site opened (ODS, YYYYMMDD)",
    "list_size": "Registered patients of the practice at list_size_extract (NHS England)",
    "list_size_extract": "Extract date of the registered-patient counts (first day of the month they describe)",
    "list_size_applies_to": "Whose list the size is",
    "pcn_code": "Primary Care Network code", "practice_imd2019_score": "IMD 2019 score of the practice's registered list (OHID)",
    "address": "Address as ODS publishes it", "phone": "Telephone as ODS publishes it",
    "easting": "British National Grid easting of the postcode (m)", "northing": "British National Grid northing (m)",
    "location_id": "Site location (sites sharing a building share one)", "sites_at_location": "Sites at that location",
    "site_own_gigabit_known": "True when the site's own postcode is measured (postcode-level data); only then does "
                              "site_gigabit_pct describe the site and enter its score",
    "site_gigabit_pct": "Gigabit availability (%) that the broadband data give for the site's postcode: the postcode's "
                        "own figure only where site_own_gigabit_known, else the average of site_broadband_area",
    "site_superfast_pct": "Superfast availability (%) the broadband data give for the site's postcode (same rule)",
    "site_broadband_resolution": "Resolution of the site's broadband figure",
    "site_broadband_area": "The area (postcode district or district) whose average the site's figure is, if not its own",
    "site_broadband_release": "Ofcom release",
    "catchment_postcodes": "Postcodes in the catchment (nearest site within the cap)",
    "catchment_residents": "Estimated residents in the catchment (Census 2021 shared among postcodes)",
    "catchment_pct_no_superfast": "Catchment premises without superfast (%)",
    "catchment_pct_no_gigabit": "Catchment premises without gigabit (%)",
    "catchment_mean_need": "Resident-weighted mean inclusion need of the catchment (0-10)",
    "catchment_postcodes_without_coverage": "Catchment postcodes no broadband source covers",
    "catchment_broadband_resolution": "Most common broadband resolution in the catchment",
    "catchment_max_distance_m": "Farthest catchment postcode (m)",
    "broadband_parts_area_average": "True when the site's broadband parts rest on area averages",
    "readiness_score": "Telehealth readiness 0-10 (10 = ready); ranked sites only",
    "readiness_rank": "1 = least ready (first for support); empty for sites shown but not ranked",
    "readiness_parts": "The parts of the score that are known and their re-weighted weights",
    "not_ranked_reason": "Why the site is shown but not ranked (empty for ranked sites)",
    # fibre
    "cell_id": "1 km British National Grid cell", "x_min": "Cell west edge (EPSG:27700 m)", "y_min": "Cell south edge (m)",
    "postcodes_with_coverage": "Postcodes with a broadband value", "postcodes_lacking_gigabit": "Postcodes below the gigabit threshold",
    "est_without_gigabit": "Estimated premises (or postcode-equivalents) without gigabit",
    "est_unit": "premises, or postcode-equivalents where the source has no premises counts",
    "mean_gigabit_pct": "Mean gigabit availability (%)", "area_pct_no_gigabit": "The cell's area's % without gigabit",
    "area_rank": "Rank of the cell's area by % without gigabit: cells of one area tie (area averages)",
    "build_rank": "Rank by estimated premises without gigabit, only for cells measured at postcode level",
    "mean_distance_to_served_m": "Mean distance to a gigabit-served postcode (m)",
    "max_distance_to_served_m": "Greatest distance to a gigabit-served postcode (m)",
    # district, ward
    "lsoas_in_top_need_decile": "LSOAs in the study area's highest-need tenth",
    "robust_need_priorities": "LSOAs whose top-decile need is robust to the method's choices",
    "need_hotspot_lsoas": "LSOAs in a need hot spot (Gi*, FDR-adjusted)", "mean_need_score": "Resident-weighted mean need",
    "mean_supply_gap_score": "Resident-weighted mean connectivity gap", "mean_index_score": "Resident-weighted mean index",
    "high_need_lsoas": "LSOAs classed high need", "gap_from_area_averages": "True when the gap rests on area averages",
    "gp_sites": "GP sites (practices and branches)", "gp_practices": "GP practices",
    "gp_sites_without_gigabit": "Sites below 100% gigabit at their own postcode (postcode-level data only; empty otherwise)",
    "gp_sites_area_average_only": "Sites known only by an area average (cannot say whether the site has gigabit)",
    "gp_sites_without_data": "Sites with no broadband figure", "gp_sites_mean_gigabit_pct": "Mean gigabit at the sites' postcodes",
    # inclusion priorities
    "priority_order": "Order of priority (by need rank)",
    # connectivity series
    "indicator": "Indicator name", "indicator_label": "What the indicator measures", "unit": "Unit",
    "snapshot": "Ofcom snapshot (year-month) the value describes", "snapshot_date": "First day of the snapshot month",
    "snapshot_basis": "How the snapshot was dated (METHOD.md s.12)", "value": "Value",
    "first_snapshot": "Earliest snapshot", "first_value": "Value at the earliest snapshot",
    "latest_snapshot": "Latest snapshot", "latest_value": "Value at the latest snapshot",
    "change_pp": "Change in percentage points", "snapshots": "Distinct snapshots",
    "improvement_rank": "Rank among study districts by improvement (1 = most improved)",
    "direction": "Which way is an improvement", "series_pct": "Ofcom's district figure (%)",
    "derived_pct": "The same figure from our postcode-level input (%)", "difference_pp": "derived minus series (points)",
    "within_threshold": "Difference within the warning threshold", "threshold_pp": "Warning threshold (points)",
    "derived_resolution": "Resolution of our postcode-based input (postcode, or postcode-district averages)",
    "postcodes_used": "Study-district postcodes our figure averages over",
    "derived_weighting": "How our figure weights postcodes (unweighted mean unless premises are known)",
    "series_file": "ONS Explore Local Statistics file the series value comes from",
    "geography": "Geography the ONS file describes", "files": "ONS files carrying this value",
    "ons_labels": "Labels ONS gives the value", "stated_snapshots": "Snapshot dates the files state",
    "ofcom_source_date": "Ofcom release the ONS metadata names", "source_commit": "Commit of the ONS data repository",
    "file": "Source file", "source_file": "Source file the row came from", "source_row": "Row in that file (1 = header)",
    # indicators (long form)
    "side": "need (people), supply (networks) or context", "source": "Registry key of the source",
    "source_title": "Source", "release": "Release", "label": "What the indicator measures here",
    "higher_is_worse": "True when a higher value means more need or a bigger gap", "note": "Note",
    "base_min": "Minimum of the scaling base", "base_max": "Maximum of the scaling base",
    "base_lsoas": "LSOAs the range was taken over",
    # sensitivity, validation
    "level": "component or indicator", "component": "Component", "change": "Weight moved up or down by",
    "weight_before": "Weight before (normalised)", "weight_after": "Weight after (normalised)",
    "top_n": "Top N compared", "top_n_retained": "Top-N LSOAs still in the top N", "share_retained": "Share retained",
    "outcome_file": "Outcome file in data/raw/outcomes", "outcome": "Outcome column", "stated_source": "Source the file states",
    "stated_licence": "Licence the file states", "score_label": "Score compared",
    "spearman_rho": "Spearman rank correlation", "rho_ci_low": "Bootstrap 95% interval, low",
    "rho_ci_high": "Bootstrap 95% interval, high", "top_decile_overlap": "Share of the score's top decile also in the outcome's",
    "top_decile_lsoas": "LSOAs in the score's top decile", "bootstrap": "Bootstrap resamples",
    # lookup
    "gap_resolution": "Resolution of the connectivity gap", "gap_area": "Area whose gap value the LSOA takes",
    "nearest_gp_code": "Nearest GP site (straight line)", "nearest_gp_name": "Nearest GP site name",
    "nearest_gp_postcode": "Its postcode", "nearest_gp_readiness_rank": "Its readiness rank (1 = least ready)",
    "nearest_gp_distance_m": "Straight-line distance (m)", "placement": "How the postcode was placed in its LSOA",
    "lat": "Latitude (WGS84)", "lon": "Longitude (WGS84)",
}


def describe(column: str, vintage: Vintage | None = None) -> str:
    label = vintage.label if vintage else "LSOA"
    if vintage and column in (vintage.code, vintage.name):
        column = "lsoa_code" if column == vintage.code else "lsoa_name"
    if column in COLUMNS:
        return COLUMNS[column].format(label=label)
    if column in INDICATORS:
        measure = INDICATORS[column].measures.get(vintage.key if vintage else "lsoa2021") or \
            next(iter(INDICATORS[column].measures.values()))
        return f"{measure.label} ({measure.unit})"
    if column.endswith("_score"):
        return f"Component score: {column.removesuffix('_score').replace('_', ' ')} (0-10)"
    return column.replace("_", " ")
