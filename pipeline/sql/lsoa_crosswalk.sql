-- Pairs of 2011 and 2021 LSOAs touching the study area, with the current district of the 2021
-- side. Steps read it with lsoa_code set to the side of the configured vintage.
-- The 2021 LSOAs are those of the ward lookup (LSOA21 -> WD24 -> LAD24) and of the 2011 -> 2021
-- lookup together, so a row rejected from one lookup does not drop an LSOA from the study area.
WITH pairs AS (
    SELECT l.lsoa11cd, l.lsoa11nm, coalesce(l.lsoa21cd, w.lsoa21cd) AS lsoa21cd,
           coalesce(w.lsoa21nm, l.lsoa21nm) AS lsoa21nm, l.chgind,
           coalesce(w.lad_code, l.lad22cd) AS lad21_code
    FROM lsoa_lookup l
    FULL OUTER JOIN lsoa_wards w ON w.lsoa21cd = l.lsoa21cd
),
study_2021 AS (
    SELECT DISTINCT lsoa21cd FROM pairs WHERE list_contains($lads, lad21_code)
),
study_2011 AS (  -- every 2011 LSOA with a 2021 piece in the study area
    SELECT DISTINCT lsoa11cd FROM pairs WHERE lsoa21cd IN (SELECT lsoa21cd FROM study_2021) AND lsoa11cd IS NOT NULL
)
SELECT lsoa11cd, lsoa11nm, lsoa21cd, lsoa21nm, chgind, lad21_code,
       lsoa21cd IN (SELECT lsoa21cd FROM study_2021)                 AS lsoa21_in_study,
       count(*) OVER (PARTITION BY lsoa11cd)                           AS pieces_of_2011,
       count(*) OVER (PARTITION BY lsoa21cd)                           AS parents_of_2021
FROM pairs
WHERE lsoa21cd IN (SELECT lsoa21cd FROM study_2021) OR lsoa11cd IN (SELECT lsoa11cd FROM study_2011)
ORDER BY lsoa21cd, lsoa11cd
