-- ONS statistical nearest neighbours, one row per area, model, release and neighbour (1 = nearest),
-- with the first reason (if any) the row cannot be kept. A neighbour list with any bad entry is
-- rejected whole: a hole would move every later neighbour up a place.
WITH typed AS (
    SELECT release, model, label, row_number, trim(area_code) AS area_code, neighbour_rank,
           trim(neighbour_code) AS neighbour_code,
           CASE
               WHEN NOT is_gss_code(trim(area_code))     THEN 'malformed area code'
               WHEN NOT is_gss_code(trim(neighbour_code)) THEN 'malformed neighbour code'
               WHEN trim(neighbour_code) = trim(area_code) THEN 'an area listed as its own neighbour'
           END AS record_problem,
           CASE WHEN NOT is_gss_code(trim(area_code)) THEN 'AREACD' ELSE neighbour_rank::VARCHAR END AS record_field,
           CASE WHEN NOT is_gss_code(trim(area_code)) THEN area_code ELSE neighbour_code END AS record_value
    FROM neighbours_text
),
lines AS (
    SELECT *, count(*) FILTER (record_problem IS NOT NULL) OVER (PARTITION BY label, row_number) AS bad_in_line,
           count(*) OVER (PARTITION BY release, model, area_code, neighbour_rank) AS copies,
           row_number() OVER (PARTITION BY release, model, area_code, neighbour_rank ORDER BY label, row_number) AS copy
    FROM typed
)
SELECT release, model, label, row_number, area_code, neighbour_rank, neighbour_code,
       CASE WHEN record_problem IS NOT NULL THEN record_problem
            WHEN bad_in_line > 0 THEN 'another neighbour in this row is not usable'
            WHEN copy > 1 THEN 'repeats an area already listed for this release and model (first row kept)' END AS problem,
       record_field AS problem_field, record_value AS problem_value
FROM lines
