-- The study districts' Ofcom figures at every release, with the areas a reader compares them
-- with: the United Kingdom, their nation (from the first letter of the district code) and the
-- counties their postcodes lie in (OS Code-Point Open's county codes).
WITH comparators AS (
    SELECT 'K02000001' AS area_code
    UNION
    SELECT CASE left(lad, 1) WHEN 'E' THEN 'E92000001' WHEN 'W' THEN 'W92000004' WHEN 'S' THEN 'S92000003'
                             WHEN 'N' THEN 'N92000002' END
    FROM (SELECT unnest($lads) AS lad)
    UNION
    SELECT DISTINCT county_code FROM codepoint_open WHERE list_contains($lads, lad_code) AND county_code IS NOT NULL
)
SELECT s.area_code, s.area_name,
       CASE WHEN list_contains($lads, s.area_code) THEN 'study district' ELSE 'comparator' END AS area_type,
       s.* EXCLUDE (area_code, area_name)
FROM la_connectivity_series s
WHERE list_contains($lads, s.area_code) OR s.area_code IN (SELECT area_code FROM comparators)
ORDER BY s.indicator, area_type DESC, s.area_code, s.release
