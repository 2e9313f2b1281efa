-- Residents per postcode, for catchment totals: each LSOA's Census 2021 residents shared equally
-- among its residential postcodes (small-user postcodes, and postcodes too new for the 2022
-- lookup, which are mostly new housing).
WITH residential AS (
    SELECT postcode, lsoa_code FROM postcodes
    WHERE lsoa_code IS NOT NULL AND coalesce(usertype, '0') = '0'
),
per_lsoa AS (
    SELECT lsoa_code, count(*) AS postcodes FROM residential GROUP BY 1
)
SELECT r.postcode, r.lsoa_code, a.residents_2021 / l.postcodes AS residents
FROM residential r JOIN per_lsoa l USING (lsoa_code) JOIN lsoa_areas a USING (lsoa_code)
