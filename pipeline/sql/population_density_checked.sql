-- ONS mid-2018 population density by LSOA (2011), SAPE21DT11: every row, typed, with the first reason
-- (if any) it cannot be kept: residents a whole count, the area a positive number of km2, the
-- density a number >= 0. $columns: each field's column as the file names it.
WITH typed AS (
    SELECT row_number, code AS code_text, population AS population_text, area AS area_text, density AS density_text,
           coalesce(trim(code), '')                 AS lsoa11cd,
           coalesce(trim(name), '')                 AS lsoa11nm,
           as_kind(population, 'count')::BIGINT     AS population_2018,
           as_kind(area, 'score')                   AS area_km2,
           as_kind(density, 'score')                AS people_per_km2
    FROM population_density_text
),
checked AS (
    SELECT *, first_problem([
        code_check(code_text, 'lsoa', $columns.code, 'LSOA code'),
        required_value(population_text, population_2018, 'count', $columns.population),
        required_value(area_text, area_km2, 'score', $columns.area),
        failed_if(area_km2 <= 0, $columns.area, trim(area_text), 'not a positive number'),
        required_value(density_text, people_per_km2, 'score', $columns.density),
        failed_if(people_per_km2 < 0, $columns.density, trim(density_text), 'not a positive number')
    ]) AS p
    FROM typed
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       nullif(lsoa11cd, '') AS reject_key
FROM checked
