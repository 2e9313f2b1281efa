-- A user's venues file (data/raw/venues/): every row, with the first reason (if any) it is not kept.
-- A row needs a name and a type, and a position: its easting and northing (metres, British National
-- Grid) when given, else its postcode's centre in Code-Point Open. `existing` and `closed` are yes/no
-- (blank: existing yes, closed no). $columns: each field as the file names it.
WITH typed AS (
    SELECT v.row_number, v.name AS name_text, v.type AS type_text, v.easting AS easting_text,
           v.northing AS northing_text, v.postcode AS postcode_text, v.existing AS existing_text,
           v.closed AS closed_text,
           trim(v.name)                                   AS name,
           lower(trim(v.type))                            AS venue_type,
           norm_postcode(v.postcode)                      AS postcode,
           as_kind(v.easting, 'score')                    AS given_easting,
           as_kind(v.northing, 'score')                   AS given_northing,
           nullif(trim(v.opening_hours), '')              AS opening_hours,
           nullif(trim(v.address), '')                    AS address,
           CASE WHEN nullif(trim(v.existing), '') IS NULL THEN true
                WHEN lower(trim(v.existing)) IN ('yes', 'y', 'true', '1') THEN true
                WHEN lower(trim(v.existing)) IN ('no', 'n', 'false', '0') THEN false END AS existing,
           CASE WHEN nullif(trim(v.closed), '') IS NULL THEN false
                WHEN lower(trim(v.closed)) IN ('yes', 'y', 'true', '1') THEN true
                WHEN lower(trim(v.closed)) IN ('no', 'n', 'false', '0') THEN false END AS closed
    FROM user_venues_text v
),
placed AS (
    SELECT t.*, c.easting AS postcode_easting, c.northing AS postcode_northing,
           coalesce(t.given_easting, c.easting) AS easting, coalesce(t.given_northing, c.northing) AS northing,
           CASE WHEN t.given_easting IS NOT NULL AND t.given_northing IS NOT NULL THEN 'grid reference given'
                WHEN c.postcode IS NOT NULL THEN 'postcode centre (Code-Point Open)' END AS located_by
    FROM typed t LEFT JOIN codepoint_open c ON c.postcode = t.postcode
),
checked AS (
    SELECT *, first_problem([
        required_check(name_text, $columns.name),
        required_check(type_text, $columns.type),
        optional_value(easting_text, given_easting, 'score', $columns.easting),
        optional_value(northing_text, given_northing, 'score', $columns.northing),
        failed_if((given_easting IS NULL) <> (given_northing IS NULL), $columns.easting,
                  coalesce(trim(easting_text), '') || ' / ' || coalesce(trim(northing_text), ''),
                  'give both easting and northing, or neither'),
        failed_if(given_easting IS NULL AND nullif(trim(postcode_text), '') IS NULL, $columns.postcode, NULL,
                  'no position: give a postcode or an easting and northing'),
        failed_if(given_easting IS NULL AND postcode IS NULL, $columns.postcode, trim(postcode_text),
                  'malformed postcode'),
        failed_if(given_easting IS NULL AND postcode_easting IS NULL, $columns.postcode, postcode,
                  'postcode not in Code-Point Open (unknown or without a position)'),
        failed_if(NOT easting BETWEEN 1 AND 700000, $columns.easting, trim(easting_text),
                  'easting outside Great Britain (1-700000 m)'),
        failed_if(NOT northing BETWEEN 1 AND 1300000, $columns.northing, trim(northing_text),
                  'northing outside Great Britain (1-1300000 m)'),
        failed_if(existing IS NULL, $columns.existing, trim(existing_text), 'not yes or no'),
        failed_if(closed IS NULL, $columns.closed, trim(closed_text), 'not yes or no')
    ]) AS p
    FROM placed
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       venue_key(name, postcode) AS reject_key
FROM checked
