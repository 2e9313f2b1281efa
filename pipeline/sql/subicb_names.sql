-- Human names of the Sub-ICB locations, from published files only: the area name is the name of
-- the CCG that became the location under the same code (ONS LSOA -> CCG lookup, April 2021),
-- without "NHS" and "CCG"; the ICB's name is the part of the Sub-ICB boundary file's name before
-- " - " ("NHS Hertfordshire and West Essex ICB - 06K").
WITH ccg AS (
    SELECT ccg_code AS subicb_code, any_value(ccg_ods_code) AS ods_code, any_value(ccg_name) AS ccg_name
    FROM lsoa_ccg GROUP BY 1
),
outline AS (
    SELECT code AS subicb_code, any_value(name) AS published_name FROM sicb_b GROUP BY 1
)
SELECT subicb_code,
       coalesce(c.ods_code, nullif(regexp_extract(o.published_name, ' - ([0-9A-Z]+)$', 1), '')) AS subicb_ods_code,
       nullif(trim(regexp_replace(regexp_replace(c.ccg_name, '^NHS\s+', ''), '\s+CCG$', '')), '') AS subicb_name,
       nullif(trim(regexp_extract(o.published_name, '^(.*) - [0-9A-Z]+$', 1)), '') AS icb_name,
       o.published_name,
       concat_ws('; ', CASE WHEN c.ccg_name IS NOT NULL THEN 'Sub-ICB name: CCG name in the ONS LSOA to CCG '
                                                              || 'lookup (April 2021)' END,
                       CASE WHEN o.published_name LIKE '% - %' THEN 'ICB name: Sub-ICB Locations (July 2022) '
                                                                    || 'boundary file' END) AS names_from
FROM ccg c FULL JOIN outline o USING (subicb_code)
