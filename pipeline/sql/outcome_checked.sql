-- A user's outcome table (data/raw/outcomes/): every row, with the first reason (if any) it is not
-- kept: the LSOA code well formed, the outcome a finite number as published ("0,249" and "1e999"
-- are not). $columns: the code and outcome columns as the file names them.
WITH typed AS (
    SELECT row_number, code AS code_text, value AS value_text,
           coalesce(trim(code), '')       AS lsoa_code,
           coalesce(trim(value), '')      AS published_value,
           as_kind(value, 'score')        AS value
    FROM outcome_text
),
checked AS (
    SELECT *, first_problem([
        code_check(code_text, 'lsoa', $columns.code, 'LSOA code'),
        required_value(value_text, value, 'score', $columns.value)
    ]) AS p
    FROM typed
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       nullif(lsoa_code, '') AS reject_key
FROM checked
