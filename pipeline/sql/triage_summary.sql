-- Residents and LSOAs per triage class, for the study area, each district and each ward: every area with
-- every class, a class it has no LSOA in published as 0 (not left out, so a reader never wonders).
WITH areas AS (
    SELECT 'study area' AS area_type, 'ALL' AS area_code, $area_name AS area_name, NULL AS district,
           triage_class, residents_2021 FROM lsoa_triage
    UNION ALL
    SELECT 'district', lad_code, lad_name, lad_name, triage_class, residents_2021 FROM lsoa_triage
    UNION ALL
    SELECT 'ward', ward_code, ward_name, lad_name, triage_class, residents_2021 FROM lsoa_triage
),
classes AS (
    SELECT * FROM (VALUES ('both', 1), ('adoption gap', 2), ('infrastructure gap', 3), ('neither', 4)) c(triage_class, ord)
),
places AS (SELECT DISTINCT area_type, area_code, area_name, district FROM areas),
counted AS (
    SELECT area_type, area_code, triage_class, count(*) AS lsoas, sum(residents_2021) AS residents
    FROM areas GROUP BY ALL
)
SELECT p.area_type, p.area_code, p.area_name, p.district, c.triage_class,
       coalesce(n.lsoas, 0) AS lsoas, coalesce(round(n.residents), 0)::BIGINT AS residents,
       round(100.0 * coalesce(n.residents, 0)
             / sum(coalesce(n.residents, 0)) OVER (PARTITION BY p.area_type, p.area_code), 1) AS pct_of_area_residents
FROM places p
CROSS JOIN classes c
LEFT JOIN counted n ON n.area_type = p.area_type AND n.area_code = p.area_code AND n.triage_class = c.triage_class
ORDER BY CASE p.area_type WHEN 'study area' THEN 1 WHEN 'district' THEN 2 ELSE 3 END, p.district NULLS FIRST,
         p.area_name, p.area_code, c.ord
