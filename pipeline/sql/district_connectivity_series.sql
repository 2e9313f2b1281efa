-- The study districts' Ofcom figures at every release, with the areas a reader compares them
-- with: the United Kingdom, their nation (from the first letter of the district code) and the
-- counties their postcodes lie in (OS Code-Point Open's county codes).
-- A study district whose code ONS has since retired (Barnsley E08000016 is E08000038 after the 2024
-- boundary change) also takes the releases published only under its successor: the current code of
-- the same name, when exactly one has it. published_code says under which code each row came.
WITH latest AS (
    SELECT max(release) AS release FROM la_connectivity_series WHERE dated_by <> 'year only'
),
current_codes AS (
    SELECT DISTINCT area_code, area_name FROM la_connectivity_series WHERE release = (SELECT release FROM latest)
),
successor AS (
    SELECT s.area_code AS study_code, any_value(c.area_code) AS successor_code
    FROM (SELECT DISTINCT area_code, area_name FROM la_connectivity_series WHERE list_contains($lads, area_code)) s
    JOIN current_codes c ON lower(c.area_name) = lower(s.area_name) AND c.area_code <> s.area_code
    WHERE s.area_code NOT IN (SELECT area_code FROM current_codes) AND NOT list_contains($lads, c.area_code)
    GROUP BY 1
    HAVING count(DISTINCT c.area_code) = 1
),
comparators AS (
    SELECT 'K02000001' AS area_code
    UNION
    SELECT CASE left(lad, 1) WHEN 'E' THEN 'E92000001' WHEN 'W' THEN 'W92000004' WHEN 'S' THEN 'S92000003'
                             WHEN 'N' THEN 'N92000002' END
    FROM (SELECT unnest($lads) AS lad)
    UNION
    SELECT DISTINCT county_code FROM codepoint_open WHERE list_contains($lads, lad_code) AND county_code IS NOT NULL
),
rows AS (
    SELECT s.*, s.area_code AS published_code
    FROM la_connectivity_series s
    WHERE list_contains($lads, s.area_code) OR s.area_code IN (SELECT area_code FROM comparators)
    UNION ALL BY NAME
    SELECT s.* REPLACE (m.study_code AS area_code), s.area_code AS published_code
    FROM la_connectivity_series s JOIN successor m ON m.successor_code = s.area_code
    WHERE NOT EXISTS (SELECT 1 FROM la_connectivity_series o
                      WHERE o.area_code = m.study_code AND o.indicator = s.indicator AND o.release = s.release)
)
SELECT s.area_code, s.area_name,
       CASE WHEN list_contains($lads, s.area_code) THEN 'study district' ELSE 'comparator' END AS area_type,
       s.* EXCLUDE (area_code, area_name)
FROM rows s
ORDER BY s.indicator, area_type DESC, s.area_code, s.release
