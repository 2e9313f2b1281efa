-- Indicators per study-area LSOA (lsoa_code, in the configured vintage): one row per LSOA and
-- indicator with its value, source, resolution, the area the value belongs to, how many study
-- LSOAs share that value, and a note. Five families:
WITH study AS (
    SELECT lsoa_code, lad_code, area_km2 FROM lsoa_areas
),

-- 1. Fixed broadband, by the resolution rule. An LSOA most of whose covered postcodes are known
--    at postcode level is measured inside it: the premises-weighted mean over those postcodes.
--    Otherwise it takes the value of the coarser area (postcode district, else local authority)
--    holding most of its covered postcodes: that area's value, the same for every LSOA in it, so
--    LSOAs sharing it tie. Sums are exact decimals, so the threads' order cannot change the bits.
pc AS (
    SELECT p.lsoa_code, b.postcode, b.resolution, b.release, b.source,
           CASE b.resolution WHEN 'postcode' THEN b.postcode WHEN 'postcode_district' THEN b.postcode_district
                             WHEN 'local_authority' THEN b.lad_code END                              AS area,
           coalesce(b.all_premises, 1) AS weight, b.all_premises,
           (100 - b.sfbb_pct)::DECIMAL(18, 6) AS no_superfast, (100 - b.gigabit_pct)::DECIMAL(18, 6) AS no_gigabit,
           b.below_uso_pct::DECIMAL(18, 6) AS below_uso
    FROM postcodes p JOIN broadband_coverage b USING (postcode)
    WHERE p.lsoa_code IN (SELECT lsoa_code FROM study)
),
bb_counts AS (
    SELECT lsoa_code, count(*) AS postcodes, count(*) FILTER (resolution <> 'none') AS covered,
           count(*) FILTER (resolution = 'postcode') AS at_postcode
    FROM pc GROUP BY 1
),
measured AS (
    SELECT pc.lsoa_code, 'postcode' AS resolution, pc.lsoa_code AS area, any_value(pc.source) AS source,
           string_agg(DISTINCT pc.release, ', ' ORDER BY pc.release) AS release,
           (sum(weight * no_superfast) / sum(weight) FILTER (no_superfast IS NOT NULL))::DOUBLE AS pct_no_superfast,
           (sum(weight * no_gigabit) / sum(weight) FILTER (no_gigabit IS NOT NULL))::DOUBLE     AS pct_no_gigabit,
           (sum(weight * below_uso) / sum(weight) FILTER (below_uso IS NOT NULL))::DOUBLE       AS pct_below_uso,
           count(*) AS used, bool_and(pc.all_premises IS NOT NULL) AS premises_weighted
    FROM pc JOIN bb_counts c USING (lsoa_code)
    WHERE c.at_postcode * 2 > c.covered AND pc.resolution = 'postcode'
    GROUP BY pc.lsoa_code
),
main_area AS (
    SELECT lsoa_code, resolution, area, n
    FROM (SELECT lsoa_code, resolution, area, count(*) AS n FROM pc
          WHERE resolution IN ('postcode_district', 'local_authority') GROUP BY ALL)
    QUALIFY row_number() OVER (PARTITION BY lsoa_code
                               ORDER BY (resolution = 'postcode_district') DESC, n DESC, area) = 1
),
area_values AS (
    SELECT resolution, area, any_value(source) AS source, any_value(release) AS release,
           any_value(no_superfast)::DOUBLE AS pct_no_superfast, any_value(no_gigabit)::DOUBLE AS pct_no_gigabit,
           any_value(below_uso)::DOUBLE AS pct_below_uso
    FROM pc WHERE resolution IN ('postcode_district', 'local_authority') GROUP BY 1, 2
),
bb AS (
    SELECT * FROM measured
    UNION ALL BY NAME
    SELECT m.lsoa_code, m.resolution, m.area, v.source, v.release, v.pct_no_superfast, v.pct_no_gigabit,
           v.pct_below_uso, m.n AS used, false AS premises_weighted
    FROM main_area m JOIN area_values v USING (resolution, area)
    WHERE m.lsoa_code NOT IN (SELECT lsoa_code FROM measured)
),
broadband AS (
    SELECT b.lsoa_code, i.indicator, i.value, b.source, b.resolution, b.area AS resolution_area,
           CASE WHEN b.resolution = 'postcode' THEN 1
                ELSE count(*) OVER (PARTITION BY i.indicator, b.resolution, b.area) END AS lsoas_sharing_value,
           CASE WHEN b.resolution = 'postcode'
                THEN 'measured in the LSOA: ' || c.at_postcode || ' of ' || c.postcodes || ' postcodes at postcode level, '
                     || CASE WHEN b.premises_weighted THEN 'premises-weighted' ELSE 'unweighted' END
                ELSE 'area average: the value of ' || b.area || ' (' || replace(b.resolution, '_', ' ')
                     || '), the same for every LSOA averaged as it; ' || b.used || ' of the LSOA''s '
                     || c.postcodes || ' postcodes lie in it' END || '; Ofcom ' || b.release AS note,
           'Ofcom Connected Nations ' || strftime(strptime(b.release, '%Y-%m'), '%B %Y') AS release,
           CASE WHEN b.resolution = 'postcode' AND b.premises_weighted THEN '% of premises'
                WHEN b.resolution = 'postcode' THEN '%: mean over the LSOA''s postcodes, each counted once'
                WHEN b.resolution = 'postcode_district'
                    THEN '%: mean over the postcode district''s postcodes, each counted once (not a share of premises)'
                ELSE '% of premises in the district' END AS unit
    FROM bb b JOIN bb_counts c USING (lsoa_code)
    CROSS JOIN LATERAL (VALUES ('pct_no_superfast', b.pct_no_superfast), ('pct_no_gigabit', b.pct_no_gigabit),
                               ('pct_below_uso', b.pct_below_uso)) i(indicator, value)
),

-- 2. Mobile coverage: known only per district (Ofcom via ONS); each LSOA takes its district's
--    latest release, the same for every LSOA in the district.
mobile_latest AS (
    SELECT area_code AS lad_code, indicator, arg_max(value, release) AS value, arg_max(release_name, release) AS release_name
    FROM district_connectivity_series
    WHERE indicator IN ('coverage_4g_area_pct', 'coverage_5g_area_pct') AND area_type = 'study district'
      AND dated_by <> 'year only'
    GROUP BY 1, 2
),
mobile AS (
    SELECT s.lsoa_code, CASE m.indicator WHEN 'coverage_4g_area_pct' THEN 'pct_area_no_4g' ELSE 'pct_area_no_5g' END
               AS indicator,
           100 - m.value AS value, 'ons_local_indicators' AS source, 'local_authority' AS resolution,
           s.lad_code AS resolution_area, count(*) OVER (PARTITION BY m.indicator, s.lad_code) AS lsoas_sharing_value,
           'area average: the district''s outdoor coverage of its land area from any operator, Ofcom '
               || m.release_name AS note, 'Ofcom Connected Nations ' || m.release_name AS release
    FROM study s JOIN mobile_latest m USING (lad_code)
),

-- 3. Census 2021 counts: each LSOA's 2021 pieces summed (on the 2021 base the LSOA itself); a
--    2021 LSOA shared by several 2011 LSOAs is split equally among them. Shares are of the
--    summed counts, not averaged.
pieces AS (
    SELECT DISTINCT lsoa21cd, lsoa_code, CASE WHEN lsoa_code = lsoa21cd THEN 1.0 ELSE 1.0 / parents_of_2021 END AS share
    FROM lsoa_crosswalk WHERE lsoa21cd IS NOT NULL AND lsoa_code IN (SELECT lsoa_code FROM study)
),
census AS (
    SELECT p.lsoa_code, count(*) AS pieces, count(a.lsoa21cd) AS age_pieces, count(d.lsoa21cd) AS disability_pieces,
           bool_and(p.share = 1) AS whole,
           sum(a.residents * p.share) AS residents, sum(a.age_65_74 * p.share) AS age_65_74,
           sum(a.age_75_plus * p.share) AS age_75_plus,
           sum(d.residents * p.share) AS d_residents, sum(d.disabled * p.share) AS disabled,
           sum(d.disabled_a_lot * p.share) AS disabled_a_lot
    FROM pieces p LEFT JOIN census_age a USING (lsoa21cd) LEFT JOIN census_disability d USING (lsoa21cd)
    GROUP BY 1
),
census_long AS (
    SELECT c.lsoa_code, i.indicator, i.value, i.source, 'lsoa' AS resolution, c.lsoa_code AS resolution_area,
           1 AS lsoas_sharing_value,
           CASE WHEN c.pieces = 1 AND c.whole THEN NULL
                WHEN c.whole THEN 'sum of ' || c.pieces || ' LSOA (2021) pieces'
                ELSE 'sum of ' || c.pieces || ' LSOA (2021) pieces, one shared with another LSOA and split equally' END
               AS note
    FROM census c
    CROSS JOIN LATERAL (VALUES
        ('pct_65_74', CASE WHEN c.age_pieces = c.pieces THEN 100 * c.age_65_74 / nullif(c.residents, 0) END, 'census_ts007a'),
        ('pct_75_plus', CASE WHEN c.age_pieces = c.pieces THEN 100 * c.age_75_plus / nullif(c.residents, 0) END, 'census_ts007a'),
        ('pct_65_plus', CASE WHEN c.age_pieces = c.pieces THEN 100 * (c.age_65_74 + c.age_75_plus) / nullif(c.residents, 0) END,
         'census_ts007a'),
        ('pct_disabled', CASE WHEN c.disability_pieces = c.pieces THEN 100 * c.disabled / nullif(c.d_residents, 0) END,
         'census_ts038'),
        ('pct_disabled_a_lot', CASE WHEN c.disability_pieces = c.pieces THEN 100 * c.disabled_a_lot / nullif(c.d_residents, 0) END,
         'census_ts038')) i(indicator, value, source)
    WHERE i.value IS NOT NULL
),

-- 4. Scores, ranks and classes from national tables, carried to the configured vintage
--    (carried_values.sql).
values_long AS (
    SELECT v.lsoa_code, v.key AS indicator, v.value, m.source, v.resolution, v.resolution_area,
           v.lsoas_sharing_value, v.note
    FROM carried_values v JOIN indicator_meta m ON m.indicator = v.key
    WHERE v.value IS NOT NULL
),

-- 5. Postcode density: Code-Point postcodes per km2 of the LSOA boundary.
postcode_counts AS (
    SELECT lsoa_code, count(*) AS postcodes FROM postcodes WHERE lsoa_code IS NOT NULL GROUP BY 1
),
density AS (
    SELECT s.lsoa_code, 'postcode_density' AS indicator, coalesce(c.postcodes, 0) / s.area_km2 AS value,
           'codepoint_open' AS source, 'lsoa' AS resolution, s.lsoa_code AS resolution_area, 1 AS lsoas_sharing_value,
           coalesce(c.postcodes, 0) || ' postcodes in ' || round(s.area_km2, 3) || ' km2' AS note
    FROM study s LEFT JOIN postcode_counts c USING (lsoa_code)
    WHERE s.area_km2 > 0
)
SELECT * FROM broadband
UNION ALL BY NAME SELECT * FROM mobile
UNION ALL BY NAME SELECT * FROM census_long
UNION ALL BY NAME SELECT * FROM values_long
UNION ALL BY NAME SELECT * FROM density
