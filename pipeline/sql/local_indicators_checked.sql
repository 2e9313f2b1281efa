-- Ofcom's local-authority figures as ONS republished them: every row of every file read, typed,
-- and given the first reason (if any) it cannot be kept.
--   $prefixes / $indicators:    file-name prefix -> our indicator (same positions);
--   $texts / $text_indicators:  Indicator text of the 2021 subnational-indicators file -> our indicator.
WITH typed AS (
    SELECT t.*, f.layout, f.ons_label, f.commit, f.committed, f.metadata_file, f.metadata_as_of,
           f.metadata_source_date,
           trim(t.area_code)                                                  AS code,
           CASE WHEN t.prefix = 'subnational-indicators'
                THEN $text_indicators[list_position($texts, lower(trim(coalesce(t.indicator_text, ''))))]
                ELSE $indicators[list_position($prefixes, t.prefix)] END      AS indicator,
           pct_value(t.value_text)                                            AS value
    FROM series_text t JOIN series_files f USING (file)
)
SELECT file, label, layout, prefix, ons_label, commit, committed, metadata_file, metadata_as_of, metadata_source_date,
       row_number, code AS area_code, tidy_name(area_name) AS area_name,
       trim(coalesce(geography, '')) AS geography, indicator, value, nullif(trim(note), '') AS ons_note,
       CASE
           WHEN indicator IS NULL                 THEN 'indicator not used here'
           WHEN NOT is_gss_code(code)             THEN 'malformed area code'
           WHEN value_text IS NULL OR trim(value_text) = '' THEN 'no value published'
           WHEN pct_problem(value_text) IS NOT NULL THEN 'not a percentage: ' || pct_problem(value_text)
       END AS problem,
       CASE
           WHEN indicator IS NULL THEN 'Indicator'
           WHEN NOT is_gss_code(code) THEN 'AREACD'
           ELSE value_field
       END AS problem_field,
       CASE
           WHEN indicator IS NULL THEN indicator_text
           WHEN NOT is_gss_code(code) THEN area_code
           ELSE value_text
       END AS problem_value
FROM typed
