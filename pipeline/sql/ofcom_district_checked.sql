-- Ofcom July 2024 coverage as postcode-district means (a third party's file): every row, with the
-- first reason (if any) it is not kept. Each figure is a percentage (blank: not given), the sample a
-- positive whole number of postcodes. A district given twice keeps its first row when the copies
-- agree; when they disagree, none is used.
WITH typed AS (
    SELECT row_number, sample_size AS sample_text, gigabit AS gigabit_text, superfast AS superfast_text,
           ultrafast AS ultrafast_text, below_uso AS below_uso_text, nga AS nga_text,
           upper(coalesce(trim(district), ''))        AS key,
           nullif(trim(postcode_area), '')            AS postcode_area,
           as_kind(sample_size, 'count')::BIGINT      AS sample_postcodes,
           pct_value(gigabit)                         AS gigabit_pct,
           pct_value(superfast)                       AS sfbb_pct,
           pct_value(ultrafast)                       AS ufbb_pct,
           pct_value(below_uso)                       AS below_uso_pct,
           pct_value(nga)                             AS nga_pct
    FROM ofcom_district_text
),
checked AS (
    SELECT *, first_problem([
        failed_if(NOT is_code(key, 'postcode_district'), 'district', key, 'malformed postcode district'),
        optional_value(gigabit_text, gigabit_pct, 'percentage', 'gigabitPercent'),
        optional_value(superfast_text, sfbb_pct, 'percentage', 'superfastPercent'),
        optional_value(ultrafast_text, ufbb_pct, 'percentage', 'ultrafastPercent'),
        optional_value(below_uso_text, below_uso_pct, 'percentage', 'belowUsoPercent'),
        optional_value(nga_text, nga_pct, 'percentage', 'ngaPercent'),
        failed_if(coalesce(sample_postcodes < 1, true), 'sampleSize', trim(sample_text),
                  'not a positive whole number of postcodes')
    ]) AS p
    FROM typed
),
copies AS (
    SELECT row_number,
           row_number() OVER w AS copy_number,
           [gigabit_pct, sfbb_pct, ufbb_pct, below_uso_pct, nga_pct] AS figures,
           first_value([gigabit_pct, sfbb_pct, ufbb_pct, below_uso_pct, nga_pct]) OVER w AS first_figures,
           count(DISTINCT [gigabit_pct, sfbb_pct, ufbb_pct, below_uso_pct, nga_pct]) OVER (PARTITION BY key) AS versions
    FROM checked WHERE p IS NULL
    WINDOW w AS (PARTITION BY key ORDER BY row_number)
),
duplicates AS (
    SELECT row_number,
           CASE WHEN copy_number > 1 AND figures IS NOT DISTINCT FROM first_figures
                    THEN 'duplicate (identical values; first row kept)'
                WHEN copy_number > 1 OR versions > 1 THEN 'duplicate with conflicting values' END AS reason
    FROM copies
)
SELECT c.* EXCLUDE (p),
       coalesce(c.p.reason, d.reason) AS problem,
       coalesce(c.p.field, CASE WHEN d.reason IS NOT NULL THEN 'district' END) AS problem_field,
       coalesce(c.p.value, CASE WHEN d.reason IS NOT NULL THEN c.key END) AS problem_value,
       coalesce(c.p.kind, CASE WHEN d.reason IS NOT NULL THEN 'duplicate' END) AS problem_kind,
       NULL::VARCHAR AS reject_key
FROM checked c LEFT JOIN duplicates d USING (row_number)
