-- Every place that can offer inclusion support, in and around the study area: Arts Council England's
-- open static libraries, the current GP practices the pipeline rates, and the user's venues. A user row
-- with the name and postcode of a library or GP site corrects it (closes it, or gives its opening
-- hours) instead of adding a venue. A venue's role: existing (it offers help now; "any venue"), or a
-- candidate site for a new one, by its type's setting or, for a user's venue, its `existing` flag.
-- Venues beyond $search_m of the study districts are left out: nobody there is its nearest.
WITH study AS (SELECT ST_Union_Agg(geom) AS g FROM lad_boundaries),
listed AS (
    SELECT 'library' AS venue_type, name, address, postcode, easting, northing, opening_hours, hours_per_week,
           'library position (OS Open UPRN, else postcode centre; Libraries Hacked)' AS located_by,
           $library_date AS data_date, 'libraries' AS source_key, $library_file AS source_file, source_row,
           NULL::BOOLEAN AS user_existing
    FROM libraries
    UNION ALL
    SELECT 'gp_site', name, address, postcode, easting, northing, NULL, NULL, 'practice postcode centre (Code-Point Open)',
           $gp_date, 'gp_sites', source_file, source_row, NULL
    FROM gp_sites WHERE site_type = 'practice' AND listing_current
),
corrections AS (
    SELECT venue_key(u.name, u.postcode) AS k, bool_or(u.closed) AS closed,
           min(u.opening_hours) AS opening_hours, string_agg(DISTINCT u.source_file, '; ') AS corrected_by
    FROM user_venues u SEMI JOIN listed l ON venue_key(l.name, l.postcode) = venue_key(u.name, u.postcode)
    GROUP BY 1
),
corrected AS (
    SELECT l.* REPLACE (coalesce(c.opening_hours, l.opening_hours) AS opening_hours),
           c.corrected_by, coalesce(c.closed, false) AS closed_by_user
    FROM listed l LEFT JOIN corrections c ON c.k = venue_key(l.name, l.postcode)
),
added AS (
    SELECT venue_type, name, address, postcode, easting, northing, opening_hours, NULL::DOUBLE AS hours_per_week,
           located_by, stated_source AS data_date, 'user_venues' AS source_key, source_file, source_row,
           existing AS user_existing, NULL::VARCHAR AS corrected_by, false AS closed_by_user
    FROM user_venues u ANTI JOIN listed l ON venue_key(l.name, l.postcode) = venue_key(u.name, u.postcode)
    WHERE NOT u.closed
),
venues AS (
    SELECT * FROM corrected WHERE NOT closed_by_user
    UNION ALL
    SELECT * FROM added
),
placed AS (
    SELECT v.*, ST_Point(v.easting, v.northing) AS p,
           (SELECT min(l.lad_code) FROM lad_boundaries l WHERE ST_Contains(l.geom, ST_Point(v.easting, v.northing)))
               AS lad_code
    FROM venues v, study
    WHERE v.easting BETWEEN ST_XMin(study.g) - $search_m AND ST_XMax(study.g) + $search_m
      AND v.northing BETWEEN ST_YMin(study.g) - $search_m AND ST_YMax(study.g) + $search_m
)
SELECT source_key || ':' || coalesce(source_file, '') || ':' || source_row AS venue_id,
       name, venue_type,
       CASE WHEN user_existing IS NOT NULL THEN CASE WHEN user_existing THEN 'existing' ELSE 'candidate' END
            WHEN list_contains($existing_types, venue_type) THEN 'existing'
            WHEN list_contains($candidate_types, venue_type) THEN 'candidate'
            ELSE 'neither' END AS role,
       address, postcode, easting, northing, lad_code, lad_code IS NOT NULL AS in_study_area,
       round(CASE WHEN lad_code IS NULL THEN ST_Distance(study.g, p) ELSE 0 END / 1000, 2) AS distance_to_study_km,
       opening_hours, hours_per_week, located_by, data_date, corrected_by, source_key, source_file, source_row,
       ST_SetCRS(p, 'EPSG:27700') AS geom
FROM placed, study
WHERE lad_code IS NOT NULL OR ST_Distance(study.g, p) <= $search_m
ORDER BY venue_type, name, venue_id
