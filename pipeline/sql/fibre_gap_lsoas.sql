-- The gigabit gap per LSOA for build planning, ranked by the connectivity gap (lsoa_supply_gap):
-- LSOAs that share an area-average value share its rank. Counts of postcodes lacking gigabit, the
-- estimate of what lacks it and the distance to a served postcode are measures of postcodes, so
-- they are left empty where an LSOA's postcodes carry only an area average (every one would
-- "lack" gigabit and none would be served): they say nothing there.
WITH g AS (
    SELECT lsoa_code, count(*) AS postcodes, count(gigabit_pct) AS postcodes_with_coverage,
           count(*) FILTER (lacks_gigabit) AS postcodes_lacking_gigabit,
           round(sum(est_without_gigabit), 3) AS est_without_gigabit,
           CASE WHEN bool_and(premises_known) FILTER (gigabit_pct IS NOT NULL) THEN 'premises'
                ELSE 'postcode-equivalents' END AS est_unit,
           round(avg(distance_m) FILTER (lacks_gigabit)) AS mean_distance_to_served_m
    FROM gap_postcodes LEFT JOIN nearest USING (postcode) WHERE lsoa_code IS NOT NULL GROUP BY 1
)
SELECT s.lsoa_code, s.lsoa_name, s.ward_name, s.lad_code, s.lad_name, s.residents_2021,
       s.supply_gap_score, s.supply_gap_rank, s.supply_gap_decile, s.area_average, s.broadband_resolution,
       s.broadband_area, s.lsoas_sharing_value, s.pct_no_gigabit, s.pct_no_superfast, s.pct_below_uso,
       g.postcodes, g.postcodes_with_coverage,
       CASE WHEN NOT s.area_average THEN g.postcodes_lacking_gigabit END AS postcodes_lacking_gigabit,
       CASE WHEN NOT s.area_average THEN g.est_without_gigabit END AS est_without_gigabit,
       CASE WHEN NOT s.area_average THEN g.est_unit END AS est_unit,
       CASE WHEN NOT s.area_average THEN g.mean_distance_to_served_m END AS mean_distance_to_served_m,
       t.need_score, t.triage_class
FROM lsoa_supply_gap s
LEFT JOIN g USING (lsoa_code)
LEFT JOIN lsoa_triage t USING (lsoa_code)
ORDER BY s.supply_gap_rank, s.lsoa_code
