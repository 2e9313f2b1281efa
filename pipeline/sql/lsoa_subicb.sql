-- Each study neighbourhood's Sub-ICB location, and so its ICB, from the most authoritative source
-- at hand, in this order:
--   1. ONS's LSOA (2011) -> CCG (April 2021) best-fit lookup, through the neighbourhood's 2011
--      parents (each CCG became a Sub-ICB location under the same code in July 2022);
--   2. its district's, when every looked-up neighbourhood of the district lies in one;
--   3. the Sub-ICB outline holding the largest share of its postcodes (Code-Point positions).
-- Never one point of a generalised neighbourhood polygon: near an edge it falls in the neighbour.
WITH parents AS (
    SELECT a.lsoa_code, l.ccg_code
    FROM lsoa_areas a
    JOIN lsoa_crosswalk x ON x.lsoa_code = a.lsoa_code
    JOIN lsoa_ccg l ON l.lsoa11cd = x.lsoa11cd
    GROUP BY ALL
),
by_lookup AS (
    -- A 2021 neighbourhood whose 2011 parents lie in two CCGs is left to the later rules.
    SELECT lsoa_code, any_value(ccg_code) AS subicb_code FROM parents GROUP BY lsoa_code HAVING count(*) = 1
),
by_district AS (
    SELECT a.lad_code, any_value(l.subicb_code) AS subicb_code
    FROM by_lookup l JOIN lsoa_areas a USING (lsoa_code)
    GROUP BY a.lad_code HAVING count(DISTINCT l.subicb_code) = 1
),
by_postcodes AS (
    SELECT p.lsoa_code, b.code AS subicb_code, count(*) AS postcodes_in,
           sum(count(*)) OVER (PARTITION BY p.lsoa_code) AS postcodes_placed
    FROM postcodes p JOIN sicb_b b ON ST_Contains(b.geom, p.geom)
    WHERE p.lsoa_code IS NOT NULL
    GROUP BY p.lsoa_code, b.code
    QUALIFY row_number() OVER (PARTITION BY p.lsoa_code ORDER BY count(*) DESC, b.code) = 1
),
assigned AS (
    SELECT a.lsoa_code, a.lad_code,
           coalesce(l.subicb_code, d.subicb_code, s.subicb_code) AS subicb_code,
           CASE WHEN l.subicb_code IS NOT NULL THEN 'ONS LSOA (2011) to CCG (April 2021) lookup'
                WHEN d.subicb_code IS NOT NULL THEN 'its district (every neighbourhood of it in the lookup is in this one)'
                WHEN s.subicb_code IS NOT NULL
                    THEN 'largest share of its postcodes (' || s.postcodes_in || ' of ' || s.postcodes_placed
                         || ') inside the Sub-ICB outline'
           END AS assigned_by
    FROM lsoa_areas a
    LEFT JOIN by_lookup l USING (lsoa_code)
    LEFT JOIN by_district d ON d.lad_code = a.lad_code
    LEFT JOIN by_postcodes s USING (lsoa_code)
)
SELECT a.lsoa_code, a.lad_code, a.subicb_code, n.subicb_ods_code, n.subicb_name, n.icb_name, a.assigned_by
FROM assigned a LEFT JOIN subicb_names n USING (subicb_code)
ORDER BY a.lsoa_code
