-- The rows of one IoD file (iod_text), each with its values typed by kind and the first reason (if
-- any) it cannot be kept: a malformed LSOA code, else the first problem among its values, in the
-- order the fields are listed. A value is typed by its kind: a score (any number), a rate (0-1), a
-- rank (1 to the number of LSOAs), a decile (a rank from 1 to 10) or a count of people; a name keeps
-- its words, single-spaced. A value that is missing, not of its kind or out of range is a problem.
--   {{typed}}:    each field's value, typed once (v__<field>);
--   {{values}}:   those values under the fields' names;
--   {{valid}}:    true when every value is of its kind and in range (almost every row): only the
--                 other rows have their problems looked for;
--   {{problems}}: each value's problem as a check, in the file's order;
--   $code_column: the LSOA code's column as published.
WITH typed AS (
    SELECT *, {{typed}} FROM iod_text
),
checked AS (
    SELECT row_number, trim(code) AS lsoa_code, {{values}},
           coalesce(code_check(code, 'lsoa', $code_column, 'LSOA code'),
                    CASE WHEN NOT ({{valid}}) THEN first_problem([{{problems}}]) END) AS p
    FROM typed
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       nullif(lsoa_code, '') AS reject_key
FROM checked
