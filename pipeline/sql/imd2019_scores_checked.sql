-- mySociety's composite_uk_imd (GB_IMD_E.csv): every row, with the first reason (if any) it cannot be
-- kept. English rows (nation E) carry MHCLG's IMD 2019 score and the income and employment domain
-- rates times 100, each a number from 0 to 100; Scottish and Welsh rows are out of scope.
-- $columns: each field's column as the file names it.
WITH typed AS (
    SELECT row_number, lsoa, imd_score AS imd_text, income AS income_text, employment AS employment_text,
           coalesce(trim(nation), '')              AS nation,
           coalesce(trim(lsoa), '')                AS lsoa11cd,
           as_kind(imd_score, 'percentage')        AS imd_score,
           as_kind(income, 'percentage')           AS income_pct,
           as_kind(employment, 'percentage')       AS employment_pct
    FROM imd2019_scores_text
),
checked AS (
    SELECT *,
        round(income_pct / 100, 6)      AS income_score,
        round(employment_pct / 100, 6)  AS employment_score,
        first_problem([
            out_of_scope_if(nation <> 'E', 'nation', nation, 'not an English LSOA (IMD scores are per nation)'),
            code_check(lsoa, 'lsoa', 'lsoa', 'LSOA code'),
            failed_if(imd_score IS NULL, $columns.imd_score, trim(imd_text), 'not a score in 0-100'),
            failed_if(income_pct IS NULL, $columns.income, trim(income_text), 'not a score in 0-100'),
            failed_if(employment_pct IS NULL, $columns.employment, trim(employment_text), 'not a score in 0-100')
        ]) AS p
    FROM typed
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       nullif(lsoa11cd, '') AS reject_key
FROM checked
