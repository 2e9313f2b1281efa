-- Census 2021 TS038 (disability), nomis's LSOA file: every row, with residents and those disabled
-- under the Equality Act (limited a lot, a little), and the first reason (if any) the row cannot be
-- kept. Every category read must be a whole count, and none may exceed all residents.
WITH typed AS (
    SELECT row_number, code, total, disabled AS disabled_text, disabled_a_lot AS a_lot_text,
           disabled_a_little AS a_little_text,
           trim(code)                                     AS lsoa21cd,
           coalesce(trim(name), '')                       AS lsoa21nm,
           as_kind(total, 'count')::BIGINT                AS residents,
           as_kind(disabled, 'count')::BIGINT             AS disabled,
           as_kind(disabled_a_lot, 'count')::BIGINT       AS disabled_a_lot,
           as_kind(disabled_a_little, 'count')::BIGINT    AS disabled_a_little
    FROM census_text
),
checked AS (
    SELECT *, first_problem([
        code_check(code, 'lsoa', $columns.code, 'LSOA code'),
        required_value(total, residents, 'count', $columns.total),
        required_value(disabled_text, disabled, 'count', $columns.disabled),
        required_value(a_lot_text, disabled_a_lot, 'count', $columns.disabled_a_lot),
        required_value(a_little_text, disabled_a_little, 'count', $columns.disabled_a_little),
        failed_if(disabled > residents, $columns.total, residents::VARCHAR,
                  'disabled (' || disabled || ') exceeds the total'),
        failed_if(disabled_a_lot > residents, $columns.total, residents::VARCHAR,
                  'disabled_a_lot (' || disabled_a_lot || ') exceeds the total'),
        failed_if(disabled_a_little > residents, $columns.total, residents::VARCHAR,
                  'disabled_a_little (' || disabled_a_little || ') exceeds the total')
    ]) AS p
    FROM typed
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       nullif(lsoa21cd, '') AS reject_key
FROM checked
