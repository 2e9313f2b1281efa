-- Key figures per study district, and for the study area as a whole (lad_code 'ALL').
-- Broadband shares are estimated % of premises without the service: premises-weighted where the
-- source has premises counts, otherwise the unweighted mean over the district's postcodes.
-- Residents in a triage class the district has no LSOA in are 0, a count, not an unknown.
WITH bb AS (
    SELECT lad_code, count(*) AS postcodes,
           count(*) FILTER (resolution <> 'none') AS postcodes_with_coverage,
           sum(coalesce(all_premises, 1) * (100 - sfbb_pct)) / sum(coalesce(all_premises, 1)) FILTER (sfbb_pct IS NOT NULL) AS pct_no_superfast,
           sum(coalesce(all_premises, 1) * (100 - gigabit_pct)) / sum(coalesce(all_premises, 1)) FILTER (gigabit_pct IS NOT NULL) AS pct_no_gigabit,
           mode(resolution) FILTER (resolution <> 'none') AS broadband_resolution,
           string_agg(DISTINCT release, ', ' ORDER BY release) AS broadband_release
    FROM broadband_coverage GROUP BY GROUPING SETS ((lad_code), ())
),
lsoa AS (
    SELECT t.lad_code, count(*) AS lsoas, round(sum(t.residents_2021))::BIGINT AS residents_2021,
           count(*) FILTER (t.need_decile = 1) AS lsoas_in_top_need_decile,
           count(*) FILTER (u.priority = 'robust') AS robust_need_priorities,
           count(*) FILTER (h.hotspot_class LIKE 'hot%') AS need_hotspot_lsoas,
           round(sum(t.residents_2021 * t.need_score) / sum(t.residents_2021), 2) AS mean_need_score,
           coalesce(round(sum(t.residents_2021) FILTER (t.triage_class = 'both')), 0)::BIGINT AS residents_both,
           coalesce(round(sum(t.residents_2021) FILTER (t.triage_class = 'adoption gap')), 0)::BIGINT AS residents_adoption_gap,
           coalesce(round(sum(t.residents_2021) FILTER (t.triage_class = 'infrastructure gap')), 0)::BIGINT AS residents_infrastructure_gap
    FROM lsoa_triage t
    JOIN hotspots h USING (lsoa_code)
    LEFT JOIN (SELECT * FROM rank_uncertainty WHERE score = 'need') u USING (lsoa_code)
    GROUP BY GROUPING SETS ((t.lad_code), ())
),
gp AS (
    SELECT lad_code, count(*) AS gp_sites, count(*) FILTER (site_type = 'practice') AS gp_practices,
           -- Whether a site itself lacks gigabit is known only from postcode-level data; an area
           -- average below 100% says some premises nearby lack it, not that the site does. With
           -- no site known at postcode level the count is left empty, not reported as 0.
           CASE WHEN count(*) FILTER (site_broadband_resolution = 'postcode') > 0
                THEN count(*) FILTER (site_broadband_resolution = 'postcode' AND site_gigabit_pct < $lacking)
           END AS gp_sites_without_gigabit,
           count(*) FILTER (site_gigabit_pct IS NOT NULL AND site_broadband_resolution <> 'postcode')
                                                      AS gp_sites_area_average_only,
           count(*) FILTER (site_gigabit_pct IS NULL) AS gp_sites_without_data,
           round(avg(site_gigabit_pct), 1) AS gp_sites_mean_gigabit_pct
    FROM gp_readiness GROUP BY GROUPING SETS ((lad_code), ())
),
names AS (
    SELECT DISTINCT lad_code, lad_name FROM lsoa_triage
)
SELECT coalesce(bb.lad_code, 'ALL') AS lad_code,
       coalesce(n.lad_name, $area_name) AS area_name,
       l.residents_2021, bb.postcodes, bb.postcodes_with_coverage,
       round(bb.pct_no_superfast, 1) AS pct_no_superfast, round(bb.pct_no_gigabit, 1) AS pct_no_gigabit,
       bb.broadband_resolution, bb.broadband_release,
       l.lsoas, l.lsoas_in_top_need_decile, l.robust_need_priorities, l.need_hotspot_lsoas, l.mean_need_score,
       l.residents_both, l.residents_adoption_gap, l.residents_infrastructure_gap,
       g.gp_sites, g.gp_practices, g.gp_sites_without_gigabit, g.gp_sites_area_average_only, g.gp_sites_without_data,
       g.gp_sites_mean_gigabit_pct
FROM bb
LEFT JOIN lsoa l ON l.lad_code IS NOT DISTINCT FROM bb.lad_code
LEFT JOIN gp g ON g.lad_code IS NOT DISTINCT FROM bb.lad_code
LEFT JOIN names n ON n.lad_code = bb.lad_code
ORDER BY bb.lad_code IS NULL, area_name
