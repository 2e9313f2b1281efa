-- The study area's small areas in the configured vintage ($vintage), with the names people use.
--   LSOA 2021: district and ward (May 2024) from the ONS LSOA21 -> WD24 -> LAD24 lookup.
--   LSOA 2011: the current district holding most of the LSOA's postcodes (Code-Point's district
--     of each postcode the ONS lookup places in it), and the ward holding most of them.
-- Residents are Census 2021 counts (TS007A), summed over each LSOA's 2021 pieces; a 2021 LSOA
-- shared by several 2011 LSOAs (merged or irregular) is shared equally among them.
WITH pieces AS (
    SELECT DISTINCT lsoa21cd, lsoa_code, CASE WHEN lsoa_code = lsoa21cd THEN 1.0 ELSE 1.0 / parents_of_2021 END AS share
    FROM lsoa_crosswalk WHERE lsoa21cd IS NOT NULL AND lsoa_code IS NOT NULL
),
candidates AS (
    SELECT lsoa_code, any_value(CASE WHEN $vintage = 'lsoa2021' THEN lsoa21nm ELSE lsoa11nm END) AS lookup_name,
           string_agg(DISTINCT chgind, '') AS changes, count(DISTINCT lsoa21cd) AS pieces_2021,
           count(DISTINCT lsoa11cd) AS pieces_2011
    FROM lsoa_crosswalk WHERE in_study AND lsoa_code IS NOT NULL GROUP BY 1
),
postcode_places AS (  -- 2011 base: where each LSOA's live postcodes are today
    SELECT l.lsoa11cd AS lsoa_code, c.lad_code, c.ward_code, count(*) AS postcodes
    FROM ons_postcode_lookup l JOIN codepoint_open c USING (postcode)
    WHERE $vintage = 'lsoa2011' AND l.is_live AND l.lsoa11cd IN (SELECT lsoa_code FROM candidates)
    GROUP BY ALL
),
by_postcodes AS (
    SELECT lsoa_code,
           arg_max(lad_code, postcodes) AS lad_code, max(postcodes) / sum(postcodes) AS lad_share
    FROM (SELECT lsoa_code, lad_code, sum(postcodes) AS postcodes FROM postcode_places GROUP BY ALL) GROUP BY 1
),
ward_by_postcodes AS (
    SELECT p.lsoa_code, arg_max(p.ward_code, p.postcodes) AS ward_code
    FROM postcode_places p JOIN by_postcodes d ON d.lsoa_code = p.lsoa_code AND d.lad_code = p.lad_code GROUP BY 1
),
ward_names AS (
    SELECT DISTINCT ward_code, ward_name FROM lsoa_wards
),
placed AS (
    SELECT c.lsoa_code, c.lookup_name, c.changes, c.pieces_2021, c.pieces_2011,
           CASE WHEN $vintage = 'lsoa2021' THEN w.lad_code ELSE d.lad_code END     AS lad_code,
           CASE WHEN $vintage = 'lsoa2021' THEN w.ward_code ELSE pw.ward_code END  AS ward_code,
           CASE WHEN $vintage = 'lsoa2021' THEN coalesce(w.ward_name, wn.ward_name)
                ELSE coalesce(wn.ward_name, an.area_name) END                      AS ward_name,
           CASE WHEN $vintage = 'lsoa2021' THEN 'ONS LSOA (2021) to ward (2024) lookup'
                ELSE 'district holding ' || round(100 * d.lad_share, 1) || '% of its postcodes (Code-Point Open)' END
                                                                                   AS district_basis
    FROM candidates c
    LEFT JOIN lsoa_wards w ON $vintage = 'lsoa2021' AND w.lsoa21cd = c.lsoa_code
    LEFT JOIN by_postcodes d ON d.lsoa_code = c.lsoa_code
    LEFT JOIN ward_by_postcodes pw ON pw.lsoa_code = c.lsoa_code
    LEFT JOIN ward_names wn ON wn.ward_code = CASE WHEN $vintage = 'lsoa2021' THEN w.ward_code ELSE pw.ward_code END
    LEFT JOIN area_names an ON an.area_code = pw.ward_code
),
residents AS (
    -- whole people: a 2011 area shared by several 2021 pieces gets its equal split rounded
    SELECT p.lsoa_code, round(sum(a.residents * p.share))::BIGINT AS residents,
           bool_and(p.share = 1) AS whole_pieces, count(a.lsoa21cd) AS pieces_with_census
    FROM pieces p JOIN census_age a USING (lsoa21cd) GROUP BY 1
),
district_names AS (
    SELECT DISTINCT lad_code, lad_name FROM lsoa_wards
)
SELECT p.lsoa_code,
       coalesce(b.lsoa_name, p.lookup_name)                              AS lsoa_name,
       p.lad_code,
       coalesce(dn.lad_name, an.area_name, p.lad_code)                   AS lad_name,
       p.ward_code, p.ward_name, p.district_basis,
       r.residents                                                        AS residents_2021,
       CASE WHEN r.residents IS NULL THEN 'not in Census 2021 TS007A'
            WHEN r.whole_pieces THEN 'Census 2021' ELSE 'Census 2021, a shared 2021 piece split equally (rounded)' END
                                                                          AS residents_basis,
       p.changes AS lsoa_changes, p.pieces_2021, p.pieces_2011,
       b.area_km2, b.geom IS NOT NULL AS has_boundary, b.geom
FROM placed p
LEFT JOIN lsoa_boundaries b USING (lsoa_code)
LEFT JOIN residents r USING (lsoa_code)
LEFT JOIN district_names dn ON dn.lad_code = p.lad_code
LEFT JOIN area_names an ON an.area_code = p.lad_code
WHERE list_contains($lads, p.lad_code)
ORDER BY p.lsoa_code
