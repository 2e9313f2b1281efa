-- The present-day district of every LSOA in IMD 2019.
-- IMD 2019 names each LSOA's 2019 district. Districts merged since then (unitary authorities made
-- of whole districts, such as Buckinghamshire in 2020 or Cumberland in 2023) are found from where
-- the postcodes are today: a 2019 district belongs to the district holding most of its live
-- postcodes in Code-Point Open, when that district's code is one IMD 2019 does not know.
WITH postcode_districts AS (
    SELECT i.lad_code AS lad_code_2019, c.lad_code, count(*) AS postcodes
    FROM ons_postcode_lookup l
    JOIN codepoint_open c USING (postcode)
    JOIN imd2019 i USING (lsoa11cd)
    WHERE l.is_live AND c.lad_code IS NOT NULL
    GROUP BY ALL
),
holder AS (
    SELECT lad_code_2019, lad_code, postcodes / sum(postcodes) OVER (PARTITION BY lad_code_2019) AS share
    FROM postcode_districts
    QUALIFY row_number() OVER (PARTITION BY lad_code_2019 ORDER BY postcodes DESC, lad_code) = 1
),
merged AS (
    SELECT * FROM holder
    WHERE lad_code <> lad_code_2019 AND lad_code NOT IN (SELECT DISTINCT lad_code FROM imd2019)
)
SELECT i.lsoa11cd,
       i.lsoa11nm,
       coalesce(m.lad_code, i.lad_code)                          AS lad_code,
       -- No source here names a district formed after 2019: its code stands in.
       CASE WHEN m.lad_code IS NULL THEN i.lad_name ELSE m.lad_code END AS lad_name,
       i.lad_code                                                AS lad_code_2019,
       i.lad_name                                                AS lad_name_2019,
       CASE WHEN m.lad_code IS NULL THEN 'IMD 2019 district'
            ELSE 'merged since 2019: ' || round(100 * m.share, 1) || '% of the 2019 district''s live postcodes '
                 || 'are in ' || m.lad_code || ' (Code-Point Open)' END AS district_basis
FROM imd2019 i
LEFT JOIN merged m ON m.lad_code_2019 = i.lad_code
ORDER BY i.lsoa11cd
