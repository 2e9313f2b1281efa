-- Census 2021 TS007A (age by single year bands), nomis's LSOA file: every row, with residents and the
-- age groups the indicators use, and the first reason (if any) the row cannot be kept.
-- Every band read must be a whole count, and no group may exceed all residents.
WITH typed AS (
    SELECT row_number, code, total, aged_0_4, aged_5_9, aged_10_14, aged_65_69, aged_70_74, aged_75_79,
           aged_80_84, aged_85_plus,
           trim(code)                         AS lsoa21cd,
           coalesce(trim(name), '')           AS lsoa21nm,
           as_kind(total, 'count')            AS n_total,
           as_kind(aged_0_4, 'count')         AS n_0_4,
           as_kind(aged_5_9, 'count')         AS n_5_9,
           as_kind(aged_10_14, 'count')       AS n_10_14,
           as_kind(aged_65_69, 'count')       AS n_65_69,
           as_kind(aged_70_74, 'count')       AS n_70_74,
           as_kind(aged_75_79, 'count')       AS n_75_79,
           as_kind(aged_80_84, 'count')       AS n_80_84,
           as_kind(aged_85_plus, 'count')     AS n_85_plus
    FROM census_text
),
derived AS (
    SELECT *,
           n_total::BIGINT                            AS residents,
           (n_65_69 + n_70_74)::BIGINT                AS age_65_74,
           (n_75_79 + n_80_84 + n_85_plus)::BIGINT    AS age_75_plus,
           (n_0_4 + n_5_9 + n_10_14)::BIGINT          AS age_0_15
    FROM typed
),
checked AS (
    SELECT *, first_problem([
        code_check(code, 'lsoa', $columns.code, 'LSOA code'),
        required_value(total, n_total, 'count', $columns.total),
        required_value(aged_0_4, n_0_4, 'count', $columns.aged_0_4),
        required_value(aged_5_9, n_5_9, 'count', $columns.aged_5_9),
        required_value(aged_10_14, n_10_14, 'count', $columns.aged_10_14),
        required_value(aged_65_69, n_65_69, 'count', $columns.aged_65_69),
        required_value(aged_70_74, n_70_74, 'count', $columns.aged_70_74),
        required_value(aged_75_79, n_75_79, 'count', $columns.aged_75_79),
        required_value(aged_80_84, n_80_84, 'count', $columns.aged_80_84),
        required_value(aged_85_plus, n_85_plus, 'count', $columns.aged_85_plus),
        failed_if(age_65_74 > residents, $columns.total, residents::VARCHAR,
                  'age_65_74 (' || age_65_74 || ') exceeds the total'),
        failed_if(age_75_plus > residents, $columns.total, residents::VARCHAR,
                  'age_75_plus (' || age_75_plus || ') exceeds the total'),
        failed_if(age_0_15 > residents, $columns.total, residents::VARCHAR,
                  'age_0_15 (' || age_0_15 || ') exceeds the total')
    ]) AS p
    FROM derived
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       nullif(lsoa21cd, '') AS reject_key
FROM checked
