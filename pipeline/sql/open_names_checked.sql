-- OS Open Names populated places, every row, with the first reason (if any) it cannot be kept.
-- DuckDB reads every field as text; this file types and checks them. Row numbers are lines in
-- the file (line 1 is the header): the CSV reader returns rows in file order. {{x}}, {{y}} and
-- the optional columns are the file's own column names (or NULL where the file has none).
WITH raw AS (
    SELECT row_number() OVER () + 1 AS row_number, *
    FROM read_csv($file, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"',
                  encoding = $encoding)
),
parsed AS (
    SELECT
        row_number,
        "ID" AS id_raw, "NAME1" AS name_raw, "TYPE" AS type_raw, "LOCAL_TYPE" AS local_type_raw,
        {{x}} AS x_raw, {{y}} AS y_raw,
        nullif(trim("ID"), '')                        AS settlement_id,
        nullif(trim("NAME1"), '')                     AS name,
        nullif(trim({{name2}}), '')                   AS name2,
        trim("TYPE")                                  AS feature_type,
        trim("LOCAL_TYPE")                            AS local_type,
        TRY_CAST(trim({{x}}) AS DOUBLE)               AS easting,
        TRY_CAST(trim({{y}}) AS DOUBLE)               AS northing,
        TRY_CAST(trim({{most_detail}}) AS INTEGER)    AS most_detail_view_res,
        TRY_CAST(trim({{least_detail}}) AS INTEGER)   AS least_detail_view_res,
        nullif(trim({{postcode_district}}), '')       AS postcode_district,
        nullif(trim({{district}}), '')                AS district_borough,
        nullif(trim({{county}}), '')                  AS county_unitary
    FROM raw
),
checked AS (
    SELECT *,
        CASE
            WHEN settlement_id IS NULL                                THEN 'ID'
            WHEN name IS NULL                                         THEN 'NAME1'
            WHEN feature_type IS DISTINCT FROM 'populatedPlace'       THEN 'TYPE'
            WHEN NOT list_contains($local_types, local_type)          THEN 'LOCAL_TYPE'
            WHEN easting IS NULL OR isnan(easting)                    THEN 'X'
            WHEN northing IS NULL OR isnan(northing)                  THEN 'Y'
            WHEN easting NOT BETWEEN 0 AND 700000                     THEN 'X'
            WHEN northing NOT BETWEEN 0 AND 1300000                   THEN 'Y'
        END AS problem_field,
        CASE
            WHEN settlement_id IS NULL                                THEN 'missing OS identifier'
            WHEN name IS NULL                                         THEN 'missing name'
            WHEN feature_type IS DISTINCT FROM 'populatedPlace'       THEN 'not a populated place'
            WHEN NOT list_contains($local_types, local_type)
                THEN 'unknown settlement type (expected one of ' || array_to_string($local_types, ', ') || ')'
            WHEN easting IS NULL OR isnan(easting)                    THEN 'easting is not a number'
            WHEN northing IS NULL OR isnan(northing)                  THEN 'northing is not a number'
            WHEN easting NOT BETWEEN 0 AND 700000                     THEN 'easting outside Great Britain (0-700000 m)'
            WHEN northing NOT BETWEEN 0 AND 1300000                   THEN 'northing outside Great Britain (0-1300000 m)'
        END AS problem
    FROM parsed
)
SELECT *,
    CASE problem_field WHEN 'ID' THEN id_raw WHEN 'NAME1' THEN name_raw WHEN 'TYPE' THEN type_raw
                       WHEN 'LOCAL_TYPE' THEN local_type_raw WHEN 'X' THEN x_raw WHEN 'Y' THEN y_raw END AS problem_value,
    CASE WHEN problem_field = 'TYPE' THEN 'out_of_scope' ELSE 'invalid' END AS problem_kind
FROM checked
