-- The rows of one IoD file (iod_text), each with the first reason (if any) it cannot be kept: a
-- malformed LSOA code, else the first problem among its cells (iod_cells), in the order the fields
-- are listed. $code_column: the LSOA code's column as published.
WITH cell_problems AS (
    SELECT row_number,
           arg_min({'field': column_name, 'value': trim(raw), 'reason': problem, 'kind': 'invalid'}, position) AS p
    FROM iod_cells WHERE problem IS NOT NULL GROUP BY row_number
),
checked AS (
    SELECT t.row_number, trim(t.code) AS lsoa_code,
           coalesce(code_check(t.code, 'lsoa', $code_column, 'LSOA code'), c.p) AS p
    FROM iod_text t LEFT JOIN cell_problems c USING (row_number)
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       nullif(lsoa_code, '') AS reject_key
FROM checked
