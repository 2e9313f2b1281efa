-- ONS LSOA (2021) -> electoral ward (May 2024) -> LAD (2024) best-fit lookup: every row, names with
-- their spacing tidied, and the first reason (if any) it cannot be kept.
-- $columns: each field's column as the file names it.
WITH cells AS (
    SELECT row_number, lsoa21cd AS lsoa21_text, ward_code AS ward_text, lad_code AS lad_text,
           trim(regexp_replace(coalesce(lsoa21cd, ''), '\s+', ' ', 'g'))  AS lsoa21cd,
           trim(regexp_replace(coalesce(lsoa21nm, ''), '\s+', ' ', 'g'))  AS lsoa21nm,
           trim(regexp_replace(coalesce(ward_code, ''), '\s+', ' ', 'g')) AS ward_code,
           trim(regexp_replace(coalesce(ward_name, ''), '\s+', ' ', 'g')) AS ward_name,
           trim(regexp_replace(coalesce(lad_code, ''), '\s+', ' ', 'g'))  AS lad_code,
           trim(regexp_replace(coalesce(lad_name, ''), '\s+', ' ', 'g'))  AS lad_name
    FROM ward_lookup_text
),
checked AS (
    SELECT *, first_problem([
        code_check(lsoa21_text, 'lsoa', $columns.lsoa21cd, 'LSOA (2021) code'),
        code_check(ward_text, 'gss', $columns.ward_code, 'ward code'),
        code_check(lad_text, 'gss', $columns.lad_code, 'district code')
    ]) AS p
    FROM cells
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       lsoa21cd AS reject_key
FROM checked
