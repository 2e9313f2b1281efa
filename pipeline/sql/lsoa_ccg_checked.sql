-- ONS LSOA (2011) -> CCG -> LAD (April 2021) lookup: every row, with the first reason (if any) it
-- cannot be kept. Each CCG became a Sub-ICB location under the same code (E38...) in July 2022.
WITH cells AS (
    SELECT row_number, lsoa11cd AS lsoa11_text, ccg_code AS ccg_text,
           nullif(trim(lsoa11cd), '') AS lsoa11cd, nullif(trim(ccg_code), '') AS ccg_code,
           nullif(trim(ccg_ods_code), '') AS ccg_ods_code, nullif(trim(ccg_name), '') AS ccg_name,
           nullif(trim(lad_code), '') AS lad_code
    FROM lsoa_ccg_text
),
checked AS (
    SELECT *, first_problem([
        code_check(lsoa11_text, 'lsoa', 'LSOA11CD', 'LSOA (2011) code'),
        code_check(ccg_text, 'ccg', 'CCG21CD', 'CCG code (E38 followed by six digits)')
    ]) AS p
    FROM cells
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       lsoa11cd AS reject_key
FROM checked
