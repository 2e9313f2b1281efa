-- One file of the English Indices of Deprivation (2019 or 2025), typed cell by cell. Each value is
-- typed by its kind: a score (any number), a rate (0-1), a rank (1 to the number of LSOAs), a decile
-- (a rank from 1 to 10) or a count of people; a name keeps its words, single-spaced. A value that is
-- missing, not of its kind or out of range has a problem.
--   iod_text: the file as text (row_number, code, one column per field);
--   $fields:  {field, kind ('text' or a kind of kind_problem), low, high, column_name (as published), position}.
WITH fields AS (
    SELECT unnest($fields, recursive := true)
),
cells AS (
    SELECT c.row_number, f.field, f.kind, f.low, f.high, f.column_name, f.position, c.raw,
           CASE WHEN f.kind = 'text' THEN trim(regexp_replace(coalesce(c.raw, ''), '\s+', ' ', 'g')) END AS text,
           CASE WHEN f.kind <> 'text' THEN as_kind(c.raw, f.kind) END AS value
    FROM (SELECT * FROM iod_text UNPIVOT INCLUDE NULLS (raw FOR field IN (COLUMNS(* EXCLUDE (row_number, code))))) c
    JOIN fields f USING (field)
)
SELECT row_number, field, position, column_name, raw, text, value,
       CASE WHEN kind = 'text' THEN NULL
            WHEN value IS NOT NULL THEN range_problem(value, low, high)
            WHEN nullif(trim(raw), '') IS NULL THEN 'missing value'
            ELSE kind_problem(raw, kind) END AS problem
FROM cells
