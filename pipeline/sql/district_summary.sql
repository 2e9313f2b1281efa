-- Key figures per study district, and for the study area as a whole (lad_code 'ALL').
-- Broadband: Ofcom's own district figures (% of premises, as ONS republishes them) at the latest
-- release dated by month come first. Beside them, the figures our broadband input gives: the mean
-- over the district's postcodes (premises-weighted where the input has premises counts; with
-- postcode-district averages each postcode counts once, so they are not shares of premises).
WITH official AS (
    SELECT area_code AS lad_code,
           arg_max(value, release) FILTER (indicator = 'gigabit_capable_pct') AS ofcom_gigabit_pct,
           arg_max(value, release) FILTER (indicator = 'premises_below_30_pct') AS ofcom_below_30_pct,
           max(release) FILTER (indicator = 'gigabit_capable_pct') AS ofcom_release,
           arg_max(release_name, release) FILTER (indicator = 'gigabit_capable_pct') AS ofcom_release_name,
           max(release) FILTER (indicator = 'premises_below_30_pct') AS ofcom_below_30_release,
           arg_max(release_name, release) FILTER (indicator = 'premises_below_30_pct') AS ofcom_below_30_release_name,
           arg_max(dated_by, release) FILTER (indicator = 'gigabit_capable_pct') AS ofcom_dated_by,
           arg_max(ons_file, release) FILTER (indicator = 'gigabit_capable_pct') AS ofcom_file
    FROM district_connectivity_series
    WHERE area_type = 'study district' AND dated_by <> 'year only'
    GROUP BY 1
),
bb AS (
    SELECT lad_code, count(*) AS postcodes,
           count(*) FILTER (resolution <> 'none') AS postcodes_with_coverage,
           sum(coalesce(all_premises, 1) * (100 - gigabit_pct)) / sum(coalesce(all_premises, 1)) FILTER (gigabit_pct IS NOT NULL) AS derived_pct_no_gigabit,
           sum(coalesce(all_premises, 1) * (100 - sfbb_pct)) / sum(coalesce(all_premises, 1)) FILTER (sfbb_pct IS NOT NULL) AS derived_pct_below_30,
           CASE WHEN bool_and(all_premises IS NOT NULL) FILTER (gigabit_pct IS NOT NULL)
                THEN 'premises-weighted mean over postcodes' ELSE 'mean over postcodes, each counted once' END AS derived_weighting,
           mode(resolution) FILTER (resolution <> 'none') AS broadband_resolution,
           string_agg(DISTINCT release, ', ' ORDER BY release) AS broadband_release
    FROM broadband_coverage GROUP BY GROUPING SETS ((lad_code), ())
),
lsoa AS (
    SELECT t.lad_code, count(*) AS lsoas, round(sum(t.residents_2021))::BIGINT AS residents_2021,
           count(*) FILTER (t.need_decile = 1) AS lsoas_in_top_need_decile,
           count(*) FILTER (u.priority = 'robust') AS robust_need_priorities,
           count(*) FILTER (t.high_need) AS high_need_lsoas,
           count(*) FILTER (h.hotspot_class LIKE 'hot%') AS need_hotspot_lsoas,
           round(sum(t.residents_2021 * t.need_score) / sum(t.residents_2021), 2) AS mean_need_score,
           coalesce(round(sum(t.residents_2021) FILTER (t.triage_class = 'both')), 0)::BIGINT AS residents_both,
           coalesce(round(sum(t.residents_2021) FILTER (t.triage_class = 'adoption gap')), 0)::BIGINT AS residents_adoption_gap,
           coalesce(round(sum(t.residents_2021) FILTER (t.triage_class = 'infrastructure gap')), 0)::BIGINT AS residents_infrastructure_gap,
           count(*) FILTER (t.gap_is_area_average) AS lsoas_gap_area_average
    FROM lsoa_triage t
    JOIN hotspots h USING (lsoa_code)
    LEFT JOIN (SELECT * FROM rank_uncertainty WHERE score = 'need') u USING (lsoa_code)
    GROUP BY GROUPING SETS ((t.lad_code), ())
),
gp AS (
    SELECT lad_code, count(*) AS gp_sites, count(*) FILTER (site_type = 'practice') AS gp_practices,
           count(*) FILTER (site_type = 'branch') AS gp_branches,
           any_value(listed_in) FILTER (site_type = 'branch') AS gp_branches_listed_in,
           -- Whether a site itself lacks gigabit is known only from postcode-level data; an area
           -- average below 100% says some premises nearby lack it, not that the site does. With
           -- no site known at postcode level the count is left empty, not reported as 0.
           CASE WHEN count(*) FILTER (site_broadband_resolution = 'postcode') > 0
                THEN count(*) FILTER (site_broadband_resolution = 'postcode' AND site_gigabit_pct < $lacking)
           END AS gp_sites_without_gigabit,
           count(*) FILTER (coalesce(site_broadband_resolution, 'none') <> 'postcode') AS gp_sites_gigabit_unknown
    FROM gp_readiness GROUP BY GROUPING SETS ((lad_code), ())
),
names AS (
    SELECT DISTINCT lad_code, lad_name FROM lsoa_triage
),
-- Ofcom publishes no figure for the study area: its row carries the estimate peer_benchmark makes from
-- the districts' Ofcom figures (weighted as weighted_by says), named as an estimate, never as Ofcom's.
zone AS (
    SELECT arg_max(value, release) AS estimated_gigabit_pct, arg_max(release_name, release) AS estimated_release_name,
           arg_max(weighted_by, release) AS estimated_weighted_by
    FROM peer_benchmark
    WHERE area_code = $zone_code AND estimate AND indicator = 'gigabit_capable_pct'
)
SELECT coalesce(bb.lad_code, 'ALL') AS lad_code,
       coalesce(n.lad_name, $area_name) AS area_name,
       l.residents_2021,
       o.ofcom_gigabit_pct, o.ofcom_below_30_pct, o.ofcom_release, o.ofcom_release_name, o.ofcom_below_30_release,
       o.ofcom_below_30_release_name, o.ofcom_dated_by,
       o.ofcom_file,
       round(z.estimated_gigabit_pct, 1) AS estimated_gigabit_pct, z.estimated_release_name, z.estimated_weighted_by,
       bb.postcodes, bb.postcodes_with_coverage,
       round(bb.derived_pct_no_gigabit, 1) AS derived_pct_no_gigabit, round(bb.derived_pct_below_30, 1) AS derived_pct_below_30,
       bb.derived_weighting, bb.broadband_resolution, bb.broadband_release,
       l.lsoas, l.lsoas_in_top_need_decile, l.robust_need_priorities, l.high_need_lsoas, l.need_hotspot_lsoas,
       l.mean_need_score, l.residents_both, l.residents_adoption_gap, l.residents_infrastructure_gap,
       l.lsoas_gap_area_average,
       g.gp_sites, g.gp_practices, coalesce(g.gp_branches, 0) AS gp_branches, g.gp_branches_listed_in,
       g.gp_sites_without_gigabit, g.gp_sites_gigabit_unknown
FROM bb
LEFT JOIN lsoa l ON l.lad_code IS NOT DISTINCT FROM bb.lad_code
LEFT JOIN gp g ON g.lad_code IS NOT DISTINCT FROM bb.lad_code
LEFT JOIN names n ON n.lad_code = bb.lad_code
LEFT JOIN zone z ON bb.lad_code IS NULL
LEFT JOIN official o ON o.lad_code = bb.lad_code
ORDER BY bb.lad_code IS NULL, area_name
