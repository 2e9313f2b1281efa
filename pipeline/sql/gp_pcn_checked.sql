-- NHS practice-to-PCN mapping: every row, names and codes with their spacing tidied, and the first
-- reason (if any) it is not kept (a malformed practice code).
WITH tidy AS (
    SELECT row_number, practice_code AS code_text,
           coalesce(trim(practice_code), '')                                      AS practice_code,
           nullif(trim(regexp_replace(coalesce(pcn_code, ''), '\s+', ' ', 'g')), '')      AS pcn_code,
           nullif(trim(regexp_replace(coalesce(pcn_name, ''), '\s+', ' ', 'g')), '')      AS pcn_name,
           nullif(trim(regexp_replace(coalesce(extract_date, ''), '\s+', ' ', 'g')), '')  AS extract_date,
           nullif(trim(regexp_replace(coalesce(ccg_code, ''), '\s+', ' ', 'g')), '')      AS ccg_code,
           nullif(trim(regexp_replace(coalesce(ccg_name, ''), '\s+', ' ', 'g')), '')      AS ccg_name,
           nullif(trim(regexp_replace(coalesce(stp_code, ''), '\s+', ' ', 'g')), '')      AS stp_code,
           nullif(trim(regexp_replace(coalesce(stp_name, ''), '\s+', ' ', 'g')), '')      AS stp_name
    FROM gp_pcn_text
),
checked AS (
    SELECT *, code_check(code_text, 'ods', 'PRACTICE_CODE', 'practice code') AS p FROM tidy
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       NULL::VARCHAR AS reject_key
FROM checked
