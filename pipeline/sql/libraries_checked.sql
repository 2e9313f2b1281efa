-- Arts Council England's public libraries, every row, with the first reason (if any) it is not a
-- venue. Out of scope (kept out, counted): mobile, prison, archive and local-history rows, which are
-- not a place a resident can drop in to for help, and libraries with a year of closure. Invalid:
-- no name, no position or a position outside Great Britain. $columns: each field as the file names it.
WITH typed AS (
    SELECT row_number, name AS name_text, type AS type_text, easting AS easting_text, northing AS northing_text,
           trim(name)                                        AS name,
           trim(type)                                        AS library_type,
           nullif(trim(reporting_service), '')               AS reporting_service,
           concat_ws(', ', nullif(trim(address_1), ''), nullif(trim(address_2), ''), nullif(trim(address_3), ''))
                                                             AS address,
           norm_postcode(postcode)                           AS postcode,
           as_kind(easting, 'score')                         AS easting,
           as_kind(northing, 'score')                        AS northing,
           nullif(trim(year_closed), '')                     AS year_closed,
           as_kind(hours_per_week, 'score')                  AS hours_per_week,
           concat_ws('; ', 'Mon ' || nullif(trim(monday), ''), 'Tue ' || nullif(trim(tuesday), ''),
                     'Wed ' || nullif(trim(wednesday), ''), 'Thu ' || nullif(trim(thursday), ''),
                     'Fri ' || nullif(trim(friday), ''), 'Sat ' || nullif(trim(saturday), ''),
                     'Sun ' || nullif(trim(sunday), ''))      AS opening_hours,
           nullif(trim(contact), '')                          AS contact
    FROM libraries_text
),
checked AS (
    SELECT *, first_problem([
        required_check(name_text, $columns.name),
        required_check(type_text, $columns.type),
        out_of_scope_if(library_type <> 'Static Library', $columns.type, library_type,
                        lower(library_type) || ': not a library a resident can drop in to'),
        out_of_scope_if(year_closed IS NOT NULL, $columns.year_closed, year_closed,
                        'closed (year closed ' || year_closed || ')'),
        required_value(easting_text, easting, 'score', $columns.easting),
        required_value(northing_text, northing, 'score', $columns.northing),
        failed_if(NOT easting BETWEEN 1 AND 700000, $columns.easting, trim(easting_text),
                  'easting outside Great Britain (1-700000 m)'),
        failed_if(NOT northing BETWEEN 1 AND 1300000, $columns.northing, trim(northing_text),
                  'northing outside Great Britain (1-1300000 m)')
    ]) AS p
    FROM typed
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       venue_key(name, postcode) AS reject_key
FROM checked
