-- NHS "Patients Registered at a GP Practice", totals file: every row, with the first reason (if any)
-- it is not kept. Only practice rows (TYPE GP) totalled over sex and age (ALL/ALL) are list sizes;
-- the extract date may be written 2026-04-01, 01JAN2021 or 01/04/2026; a file describes one month,
-- so once a row is kept, rows dated otherwise are rejected (the file's month is its first kept row's).
-- $date_formats: the extract date's formats.
WITH typed AS (
    SELECT row_number, extract_date AS date_text, patients AS patients_text,
           coalesce(trim(practice_code), '')                    AS practice_code,
           coalesce(trim(type), '')                             AS type,
           coalesce(trim(sex), '')                              AS sex,
           coalesce(trim(age), '')                              AS age,
           nullif(trim(subicb_code), '')                        AS subicb_code,
           nullif(trim(subicb_ons_code), '')                    AS subicb_ons_code,
           try_strptime(trim(extract_date), $date_formats)::DATE AS extract_day,
           as_kind(patients, 'count')::BIGINT                   AS list_size
    FROM gp_list_sizes_text
),
checks AS (
    SELECT *, first_problem([
        out_of_scope_if(type <> '' AND type <> 'GP', 'TYPE', type, 'not a practice row (TYPE must be GP)'),
        out_of_scope_if((sex <> '' AND sex <> 'ALL') OR (age <> '' AND age <> 'ALL'), 'SEX', sex || '/' || age,
                        'not a total (sex and age must be ALL)'),
        code_check(practice_code, 'ods', 'CODE', 'practice code'),
        failed_if(extract_day IS NULL, 'EXTRACT_DATE', coalesce(trim(date_text), ''),
                  'not a date (e.g. 2026-04-01, 01JAN2021)')
    ]) AS before_month,
    required_value(patients_text, list_size, 'count', 'NUMBER_OF_PATIENTS') AS count_problem
    FROM typed
),
month AS (  -- the date of the first row with no problem: the month the file describes
    SELECT arg_min(extract_day, row_number) AS day, min(row_number) AS first_row
    FROM checks WHERE before_month IS NULL AND count_problem IS NULL
),
checked AS (
    SELECT c.*, strftime(c.extract_day, '%Y-%m-%d') AS extract_date,
           coalesce(c.before_month,
                    failed_if(c.row_number > m.first_row AND c.extract_day <> m.day, 'EXTRACT_DATE', trim(c.date_text),
                              'extract date differs from the file''s first row ('
                              || strftime(m.day, '%Y-%m-%d') || ')'),
                    c.count_problem) AS p
    FROM checks c, month m
)
SELECT * EXCLUDE (p, before_month, count_problem),
       p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       NULL::VARCHAR AS reject_key
FROM checked
