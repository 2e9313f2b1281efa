-- Residents and LSOAs per triage class, for the study area, each district and each ward.
WITH areas AS (
    SELECT 'study area' AS area_type, 'ALL' AS area_code, $area_name AS area_name, NULL AS district,
           triage_class, residents_2021 FROM lsoa_triage
    UNION ALL
    SELECT 'district', lad_code, lad_name, lad_name, triage_class, residents_2021 FROM lsoa_triage
    UNION ALL
    SELECT 'ward', ward_code, ward_name, lad_name, triage_class, residents_2021 FROM lsoa_triage
)
SELECT area_type, area_code, area_name, district, triage_class,
       count(*) AS lsoas, round(sum(residents_2021))::BIGINT AS residents,
       round(100.0 * sum(residents_2021) / sum(sum(residents_2021)) OVER (PARTITION BY area_type, area_code), 1)
           AS pct_of_area_residents
FROM areas
GROUP BY area_type, area_code, area_name, district, triage_class
ORDER BY CASE area_type WHEN 'study area' THEN 1 WHEN 'district' THEN 2 ELSE 3 END, district NULLS FIRST, area_name,
         CASE triage_class WHEN 'both' THEN 1 WHEN 'adoption gap' THEN 2 WHEN 'infrastructure gap' THEN 3 ELSE 4 END
