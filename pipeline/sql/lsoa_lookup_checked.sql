-- ONS LSOA (2011) -> LSOA (2021) -> LAD (2022) best-fit lookup: every row, with the first reason (if
-- any) it cannot be kept. A row is a pair of LSOAs with the change between them: U unchanged,
-- S split, M merged, X irregular. $columns: each field's column as the file names it.
WITH cells AS (
    SELECT row_number, lsoa11cd AS lsoa11_text, lsoa21cd AS lsoa21_text, chgind AS chgind_text,
           coalesce(trim(lsoa11cd), '') AS lsoa11cd, coalesce(trim(lsoa11nm), '') AS lsoa11nm,
           coalesce(trim(lsoa21cd), '') AS lsoa21cd, coalesce(trim(lsoa21nm), '') AS lsoa21nm,
           coalesce(trim(chgind), '') AS chgind, coalesce(trim(lad22cd), '') AS lad22cd,
           coalesce(trim(lad22nm), '') AS lad22nm
    FROM lsoa_lookup_text
),
checked AS (
    SELECT *, lsoa11cd || '>' || lsoa21cd AS pair, first_problem([
        code_check(lsoa11_text, 'lsoa', $columns.lsoa11cd, 'LSOA (2011) code'),
        code_check(lsoa21_text, 'lsoa', $columns.lsoa21cd, 'LSOA (2021) code'),
        failed_if(chgind NOT IN ('U', 'S', 'M', 'X'), $columns.chgind, chgind, 'change indicator is not U, S, M or X')
    ]) AS p
    FROM cells
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       pair AS reject_key
FROM checked
