-- Active GP practices (status A, prescribing setting 4) and their open branch surgeries in the
-- study area, placed at their postcode. Every input row gets a decision: kept, or the first
-- reason it is not (which goes to rejects).
WITH placed AS (
    -- Where each site's postcode is: in the study area, elsewhere in GB, or nowhere known.
    SELECT s.*, p.lad_code AS study_lad, p.lsoa_code, p.ward_code, p.easting, p.northing, p.lat, p.lon,
           c.lad_code AS any_lad, c.postcode IS NOT NULL AS known_postcode
    FROM sites s
    LEFT JOIN postcodes p USING (postcode)
    LEFT JOIN codepoint_open c USING (postcode)
),
practice_decisions AS (
    SELECT *, 'practice' AS site_type, site_code AS practice_code,
        CASE
            WHEN coalesce(status, '') <> 'A' THEN 'Status Code'
            WHEN coalesce(prescribing_setting, '') <> '4' THEN 'Prescribing Setting'
            WHEN NOT known_postcode THEN 'Postcode'
            WHEN study_lad IS NULL THEN 'Postcode'
        END AS reject_field,
        CASE
            WHEN coalesce(status, '') <> 'A' THEN coalesce(status, '')
            WHEN coalesce(prescribing_setting, '') <> '4' THEN coalesce(prescribing_setting, '')
            ELSE postcode
        END AS reject_value,
        CASE
            WHEN coalesce(status, '') <> 'A'
                THEN 'not active (status ' || coalesce(status, 'blank') || ': ' || status_name || ')'
            WHEN coalesce(prescribing_setting, '') <> '4'
                THEN 'not a GP practice (prescribing setting ' || coalesce(prescribing_setting, 'blank') || ': '
                     || setting_name || ')'
            WHEN NOT known_postcode THEN 'postcode not found in Code-Point Open: the site cannot be placed'
            WHEN study_lad IS NULL THEN 'outside the study area (district ' || coalesce(any_lad, 'unknown') || ')'
        END AS reason,
        CASE WHEN coalesce(status, '') = 'A' AND coalesce(prescribing_setting, '') = '4' AND NOT known_postcode
             THEN 'invalid' ELSE 'out_of_scope' END AS kind
    FROM placed WHERE file_kind = 'epraccur'
),
kept_practices AS (
    SELECT site_code FROM practice_decisions WHERE reason IS NULL
),
branch_decisions AS (
    SELECT b.*, 'branch' AS site_type, b.parent_code AS practice_code,
        CASE
            WHEN b.close_date IS NOT NULL THEN 'Close Date'
            WHEN b.left_parent_date IS NOT NULL THEN 'Left Parent Date'
            WHEN b.parent_code IS NULL OR k.site_code IS NULL THEN 'Parent Organisation Code'
            WHEN NOT b.known_postcode THEN 'Postcode'
            WHEN b.study_lad IS NULL THEN 'Postcode'
        END AS reject_field,
        CASE
            WHEN b.close_date IS NOT NULL THEN b.close_date
            WHEN b.left_parent_date IS NOT NULL THEN b.left_parent_date
            WHEN b.parent_code IS NULL OR k.site_code IS NULL THEN coalesce(b.parent_code, '')
            ELSE b.postcode
        END AS reject_value,
        CASE
            WHEN b.close_date IS NOT NULL THEN 'branch closed on ' || b.close_date
            WHEN b.left_parent_date IS NOT NULL THEN 'branch left its parent practice on ' || b.left_parent_date
            WHEN b.parent_code IS NULL THEN 'branch has no parent practice'
            WHEN k.site_code IS NULL THEN 'parent practice ' || b.parent_code
                 || ' is not an active GP practice in the current epraccur extract'
            WHEN NOT b.known_postcode THEN 'postcode not found in Code-Point Open: the site cannot be placed'
            WHEN b.study_lad IS NULL THEN 'outside the study area (district ' || coalesce(b.any_lad, 'unknown') || ')'
        END AS reason,
        CASE WHEN b.close_date IS NULL AND b.left_parent_date IS NULL AND k.site_code IS NOT NULL
                  AND NOT b.known_postcode THEN 'invalid' ELSE 'out_of_scope' END AS kind
    FROM placed b LEFT JOIN kept_practices k ON k.site_code = b.parent_code
    WHERE b.file_kind = 'ebranchs'
)
SELECT * FROM practice_decisions
UNION ALL BY NAME
SELECT * FROM branch_decisions
