-- Residents per postcode, for catchment totals: each LSOA's Census 2021 residents shared
-- equally among its residential postcodes (small-user postcodes, and postcodes too new for the
-- 2022 lookup, which are mostly new housing). LSOAs without census figures (outside the
-- census extract) use their IMD 2019 mid-2015 population instead.
WITH residential AS (
    SELECT postcode, lsoa11cd FROM postcodes
    WHERE lsoa11cd IS NOT NULL AND coalesce(usertype, '0') = '0'
),
per_lsoa AS (
    SELECT lsoa11cd, count(*) AS postcodes FROM residential GROUP BY 1
),
population AS (
    SELECT i.lsoa11cd,
           coalesce(c.residents, i.pop_total_2015) AS residents,
           CASE WHEN c.residents IS NOT NULL THEN 'Census 2021' ELSE 'IMD 2019 mid-2015 population' END AS residents_source
    FROM imd2019 i LEFT JOIN census_age c USING (lsoa11cd)
)
SELECT r.postcode, r.lsoa11cd, p.residents / l.postcodes AS residents, p.residents_source
FROM residential r JOIN per_lsoa l USING (lsoa11cd) JOIN population p USING (lsoa11cd)
