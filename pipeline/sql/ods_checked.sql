-- An NHS Organisation Data Service file (epraccur: GP practices; ebranchs: branch surgeries), the
-- headerless 27-column layout: every row, tidied, with the first reason (if any) it is not kept.
-- Columns are named by their place in the ODS layout (ods_text). Scope (active GP practices in the
-- study area) is decided later (gp_sites.sql).
--   $status_codes / $status_names, $setting_codes / $setting_names: the ODS code lists (same positions).
WITH tidy AS (
    SELECT row_number, code AS code_text, name AS name_text, postcode AS postcode_text, open_date AS open_text,
           coalesce(trim(code), '')                                   AS site_code,
           trim(regexp_replace(coalesce(name, ''), '\s+', ' ', 'g'))   AS name,
           array_to_string(list_filter(list_transform([address_1, address_2, address_3, address_4, address_5],
                                                      a -> trim(regexp_replace(coalesce(a, ''), '\s+', ' ', 'g'))),
                                       a -> a <> ''), ', ')            AS address,
           norm_postcode(postcode)                                    AS postcode,
           nullif(trim(open_date), '')                                AS open_date,
           nullif(trim(close_date), '')                               AS close_date,
           nullif(trim(status), '')                                   AS status,
           coalesce($status_names[list_position($status_codes, trim(status))], 'unknown') AS status_name,
           nullif(trim(setting), '')                                  AS prescribing_setting,
           coalesce($setting_names[list_position($setting_codes, trim(setting))], 'unknown') AS setting_name,
           nullif(trim(parent), '')                                   AS parent_code,
           nullif(trim(left_parent), '')                              AS left_parent_date,
           nullif(trim(phone), '')                                    AS phone,
           nullif(trim(health_geography), '')                         AS icb_code,
           nullif(trim(commissioner), '')                             AS commissioner_code
    FROM ods_text
),
checked AS (
    SELECT *, first_problem([
        code_check(code_text, 'ods', 'Organisation Code', 'ODS code'),
        failed_if(name = '', 'Name', coalesce(name_text, ''), 'missing name'),
        failed_if(postcode IS NULL, 'Postcode', coalesce(postcode_text, ''), 'malformed postcode'),
        failed_if(open_date IS NOT NULL AND NOT regexp_full_match(open_date, '[0-9]{8}'), 'Open Date', open_text,
                  'not a YYYYMMDD date')
    ]) AS p
    FROM tidy
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       NULL::VARCHAR AS reject_key
FROM checked
