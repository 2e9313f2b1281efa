-- Values published for LSOAs of one vintage, carried to the configured vintage ($year).
-- Input {{values}}: (src_code, src_year, key, value). Output: (lsoa_code, key, value, note,
-- resolution, resolution_area, lsoas_sharing_value) for the study area's LSOAs.
--   Same vintage: the LSOA's own value.
--   2011 -> 2021: a 2021 LSOA takes its 2011 parent's value (a split piece inherits it); a 2021
--     LSOA with several parents (merged or irregular) takes the value of the parent holding most
--     of its postcodes.
--   2021 -> 2011: the residents-weighted mean of the 2011 LSOA's 2021 pieces.
-- A value taken from a 2011 LSOA that is not the same area (a split, merged or irregular change)
-- says so: resolution 'lsoa_2011', the parent's code, and how many study LSOAs share it (the
-- pieces of a split tie on it, so it never ranks them against each other).
WITH study AS (
    SELECT lsoa_code FROM lsoa_areas
),
own AS (
    SELECT src_code AS lsoa_code, key, value, NULL AS note, 'lsoa' AS resolution, src_code AS resolution_area
    FROM {{values}} WHERE src_year = $year AND src_code IN (SELECT lsoa_code FROM study)
),
parents AS (
    SELECT DISTINCT x.lsoa21cd AS lsoa_code, x.lsoa11cd, x.chgind, x.parents_of_2021
    FROM lsoa_crosswalk x WHERE $year = 2021 AND x.lsoa21cd IN (SELECT lsoa_code FROM study) AND x.lsoa11cd IS NOT NULL
),
parent_postcodes AS (
    SELECT lsoa_code, lookup_lsoa11cd AS lsoa11cd, count(*) AS postcodes FROM postcodes GROUP BY ALL
),
chosen_parent AS (
    SELECT p.lsoa_code, p.lsoa11cd, p.chgind, p.parents_of_2021
    FROM parents p LEFT JOIN parent_postcodes pp USING (lsoa_code, lsoa11cd)
    QUALIFY row_number() OVER (PARTITION BY p.lsoa_code ORDER BY coalesce(pp.postcodes, 0) DESC, p.lsoa11cd) = 1
),
up AS (
    SELECT c.lsoa_code, s.key, s.value,
           'carried from LSOA (2011) ' || c.lsoa11cd || CASE c.chgind WHEN 'U' THEN ' (unchanged)'
               WHEN 'S' THEN ' (split: the piece inherits its parent''s value)'
               ELSE ' (' || CASE c.chgind WHEN 'M' THEN 'merged' ELSE 'irregular' END || ': of ' || c.parents_of_2021
                    || ' parents, the one holding the most of its postcodes)' END AS note,
           CASE c.chgind WHEN 'U' THEN 'lsoa' ELSE 'lsoa_2011' END AS resolution,
           CASE c.chgind WHEN 'U' THEN c.lsoa_code ELSE c.lsoa11cd END AS resolution_area
    FROM chosen_parent c JOIN {{values}} s ON s.src_year = 2011 AND s.src_code = c.lsoa11cd
),
pieces AS (
    SELECT DISTINCT x.lsoa11cd AS lsoa_code, x.lsoa21cd FROM lsoa_crosswalk x
    WHERE $year = 2011 AND x.lsoa11cd IN (SELECT lsoa_code FROM study) AND x.lsoa21cd IS NOT NULL
),
down AS (
    SELECT p.lsoa_code, s.key, sum(s.value * coalesce(a.residents, 1)) / sum(coalesce(a.residents, 1)) AS value,
           'residents-weighted mean of ' || count(*) || ' LSOA (2021) pieces' AS note,
           'lsoa' AS resolution, p.lsoa_code AS resolution_area
    FROM pieces p JOIN {{values}} s ON s.src_year = 2021 AND s.src_code = p.lsoa21cd
    LEFT JOIN census_age a ON a.lsoa21cd = p.lsoa21cd
    GROUP BY p.lsoa_code, s.key
)
SELECT *, count(*) OVER (PARTITION BY key, resolution, resolution_area) AS lsoas_sharing_value
FROM (SELECT * FROM own UNION ALL SELECT * FROM up UNION ALL SELECT * FROM down)
