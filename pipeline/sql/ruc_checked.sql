-- A Rural Urban Classification of LSOAs (2011 or 2021): every row, with its class's label and rural
-- score, and the first reason (if any) it cannot be kept.
--   $codes / $labels / $scores: the classification's class codes, labels and rural scores (same positions);
--   $columns: each field's column as the file names it.
WITH cells AS (
    SELECT row_number, code AS code_text, coalesce(trim(code), '') AS lsoa_code, coalesce(trim(class), '') AS ruc_code
    FROM ruc_text
),
checked AS (
    SELECT *,
        $labels[list_position($codes, ruc_code)]            AS ruc_label,
        $scores[list_position($codes, ruc_code)]::DOUBLE    AS rural_class,
        first_problem([
            code_check(code_text, 'lsoa', $columns.code, 'LSOA code'),
            failed_if(NOT list_contains($codes, ruc_code), $columns.class, ruc_code,
                      'unknown class (expected one of ' || array_to_string($codes, ', ') || ')')
        ]) AS p
    FROM cells
)
SELECT * EXCLUDE (p), rural_class > 0 AS is_rural,
       p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       nullif(lsoa_code, '') AS reject_key
FROM checked
