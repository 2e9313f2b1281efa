-- The GP sites table: each kept site (gp_decisions) with its list size and the month it describes,
-- its practice's own Sub-ICB location and ICB (epraccur's commissioner and high-level health
-- geography; a branch takes its practice's) named from published files, its PCN and IMD score.
WITH mapping_names AS (
    SELECT 'subicb' AS kind, ccg_code AS code, any_value(ccg_name ORDER BY source_row) AS name FROM gp_pcn
    WHERE ccg_code IS NOT NULL AND ccg_name IS NOT NULL GROUP BY ccg_code
    UNION ALL
    SELECT 'icb', stp_code, any_value(stp_name ORDER BY source_row) FROM gp_pcn
    WHERE stp_code IS NOT NULL AND stp_name IS NOT NULL GROUP BY stp_code
),
practice AS (
    -- The practice's own codes in epraccur: commissioner = Sub-ICB location, high-level health
    -- geography = ICB. A branch takes its practice's.
    SELECT site_code AS practice_code, commissioner_code AS subicb_code, icb_code FROM epraccur
),
named AS (
    SELECT d.* EXCLUDE (icb_code, commissioner_code), p.subicb_code, p.icb_code,
           nullif(trim(regexp_replace(regexp_replace(ms.name, '^NHS\s+', ''), '\s+CCG$', '')), '') AS mapping_subicb,
           sb.subicb_name AS outline_subicb, sb.icb_name AS outline_icb, sb.subicb_code AS outline_subicb_ons_code,
           mi.name AS mapping_icb
    FROM gp_decisions d
    LEFT JOIN practice p USING (practice_code)
    LEFT JOIN mapping_names ms ON ms.kind = 'subicb' AND ms.code = p.subicb_code
    LEFT JOIN mapping_names mi ON mi.kind = 'icb' AND mi.code = p.icb_code
    LEFT JOIN subicb_boundaries sb ON sb.subicb_ods_code = p.subicb_code
    WHERE d.reason IS NULL
)
SELECT
    d.site_code, d.site_type, d.practice_code, d.name, d.address, d.postcode, d.study_lad AS lad_code, d.lsoa_code,
    d.ward_code, d.easting, d.northing, d.lat, d.lon,
    ST_SetCRS(ST_Point(d.easting, d.northing), 'EPSG:27700') AS geom,
    CASE WHEN d.site_type = 'practice' THEN $practice_listing ELSE $branch_listing END AS listed_in,
    d.site_type = 'practice' OR $branches_current AS listing_current,
    d.open_date,
    l.list_size,
    l.extract_date AS list_size_extract,
    CASE WHEN l.list_size IS NULL THEN NULL WHEN d.site_type = 'practice' THEN 'practice'
         ELSE 'parent practice: branches have no list of their own' END AS list_size_applies_to,
    d.subicb_code, coalesce(l.subicb_ons_code, d.outline_subicb_ons_code) AS subicb_ons_code,
    coalesce(d.mapping_subicb, d.outline_subicb) AS subicb_name,
    d.icb_code, coalesce(d.outline_icb, d.mapping_icb) AS icb_name,
    concat_ws('; ',
        CASE WHEN d.mapping_subicb IS NOT NULL THEN 'Sub-ICB: its CCG''s name in ' || $mapping_title
             WHEN d.outline_subicb IS NOT NULL THEN 'Sub-ICB: its CCG''s name in the ONS LSOA to CCG lookup' END,
        CASE WHEN d.outline_icb IS NOT NULL THEN 'ICB: ' || $outline_title
             WHEN d.mapping_icb IS NOT NULL THEN 'ICB: its STP''s name in ' || $mapping_title END) AS health_names_from,
    n.pcn_code, n.pcn_name,
    f.imd2019_score AS practice_imd2019_score,
    d.phone, d.source_file, d.source_row
FROM named d
LEFT JOIN gp_list_sizes l ON l.practice_code = d.practice_code
LEFT JOIN gp_pcn n ON n.practice_code = d.practice_code
LEFT JOIN gp_imd_score f ON f.practice_code = d.practice_code
ORDER BY d.practice_code, d.site_type DESC, d.site_code
