-- ONS population-weighted centroids of LSOAs (December 2021): every row, with the first reason (if any)
-- it is not kept: a well-formed LSOA code and a position in Great Britain (metres, British National
-- Grid). $columns: each field as the file names it.
WITH typed AS (
    SELECT row_number, code AS code_text, x AS x_text, y AS y_text,
           trim(code) AS lsoa21cd, as_kind(x, 'score') AS easting, as_kind(y, 'score') AS northing
    FROM lsoa_pwc_text
),
checked AS (
    SELECT *, first_problem([
        code_check(code_text, 'lsoa', $columns.code, 'LSOA code'),
        required_value(x_text, easting, 'score', $columns.x),
        required_value(y_text, northing, 'score', $columns.y),
        failed_if(NOT easting BETWEEN 1 AND 700000, $columns.x, trim(x_text), 'easting outside Great Britain (1-700000 m)'),
        failed_if(NOT northing BETWEEN 1 AND 1300000, $columns.y, trim(y_text), 'northing outside Great Britain (1-1300000 m)')
    ]) AS p
    FROM typed
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       nullif(lsoa21cd, '') AS reject_key
FROM checked
