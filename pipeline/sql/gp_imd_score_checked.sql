-- OHID Fingertips indicator 93553 (IMD 2019 score of each GP practice's registered list): every row,
-- with the first reason (if any) it is not kept. Comparator rows (England, ICBs...) and other
-- indicators are out of scope; the score is a number from 0 to 100. $indicator: 93553.
WITH typed AS (
    SELECT row_number, value AS value_text,
           coalesce(trim(indicator_id), '')    AS indicator_id,
           coalesce(trim(area_code), '')       AS practice_code,
           coalesce(trim(area_type), '')       AS area_type,
           coalesce(trim(period), '')          AS period,
           as_kind(value, 'percentage')        AS imd2019_score
    FROM gp_imd_score_text
),
checked AS (
    SELECT *, first_problem([
        out_of_scope_if(area_type <> 'GP', 'Area Type', area_type, 'not a GP practice row (comparator)'),
        out_of_scope_if(indicator_id <> $indicator, 'Indicator ID', indicator_id, 'not indicator ' || $indicator),
        failed_if(imd2019_score IS NULL, 'Value', coalesce(trim(value_text), ''), 'IMD score is not a number in 0-100')
    ]) AS p
    FROM typed
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       NULL::VARCHAR AS reject_key
FROM checked
