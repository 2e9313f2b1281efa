-- One class per LSOA from inclusion need and the connectivity gap.
--   high need: in the top $need_share of study-area LSOAs by need score;
--   unserved:  in the top $gap_share by connectivity gap.
-- Both tests use the LSOA's rank, and tied LSOAs share a rank, so LSOAs that share an
-- area-average gap value are unserved together or not at all.
-- The suggested inclusion offer follows the need component in which the LSOA stands highest
-- relative to the rest of the study area (its percentile), so a component with a skewed
-- spread of scores does not win by scale alone.
WITH n AS (
    SELECT lsoa_code, need_score, need_rank, need_decile, count(*) OVER () AS total,
           percent_rank() OVER (ORDER BY age_score) AS age_p,
           percent_rank() OVER (ORDER BY disability_score) AS disability_p,
           percent_rank() OVER (ORDER BY deprivation_score) AS deprivation_p,
           percent_rank() OVER (ORDER BY engagement_score) AS engagement_p
    FROM lsoa_need
),
g AS (
    SELECT lsoa_code, supply_gap_score, supply_gap_rank, supply_gap_decile, area_average, broadband_resolution,
           broadband_area, lsoas_sharing_value
    FROM lsoa_supply_gap
),
classed AS (
    SELECT n.*, g.* EXCLUDE (lsoa_code),
           (n.need_rank - 1) < $need_share * n.total          AS high_need,
           (g.supply_gap_rank - 1) < $gap_share * n.total     AS unserved,
           CASE greatest(n.age_p, n.disability_p, n.deprivation_p, n.engagement_p)
               WHEN n.deprivation_p THEN 'devices and donated mobile data (low income)'
               WHEN n.age_p THEN 'digital skills and confidence (older residents)'
               WHEN n.engagement_p THEN 'digital skills and motivation (low internet engagement)'
               ELSE 'assisted digital support and accessible devices (disability and ill health)'
           END                                                AS inclusion_offer
    FROM n JOIN g USING (lsoa_code)
)
SELECT a.lsoa_code, a.lsoa_name, a.ward_code, a.ward_name, a.lad_code, a.lad_name, a.residents_2021,
       c.need_score, c.need_rank, c.need_decile, c.supply_gap_score, c.supply_gap_rank, c.supply_gap_decile,
       c.high_need, c.unserved,
       CASE WHEN c.high_need AND c.unserved THEN 'both'
            WHEN c.high_need THEN 'adoption gap'
            WHEN c.unserved THEN 'infrastructure gap'
            ELSE 'neither' END                                  AS triage_class,
       CASE WHEN c.high_need AND c.unserved THEN 'fibre build and ' || c.inclusion_offer
            WHEN c.high_need THEN c.inclusion_offer
            WHEN c.unserved THEN 'fibre build (connectivity gap)'
            ELSE 'no targeted offer' END                        AS suggested_action,
       c.inclusion_offer, c.area_average AS gap_is_area_average, c.broadband_resolution, c.broadband_area,
       c.lsoas_sharing_value AS lsoas_sharing_gap_value
FROM lsoa_areas a JOIN classed c USING (lsoa_code)
ORDER BY CASE triage_class WHEN 'both' THEN 1 WHEN 'adoption gap' THEN 2 WHEN 'infrastructure gap' THEN 3 ELSE 4 END,
         c.need_rank, a.lsoa_code
