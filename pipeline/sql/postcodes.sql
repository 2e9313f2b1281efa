-- Study-area postcodes placed in a small area of the configured vintage (lsoa_code).
--   1. The ONS postcode lookup gives each live postcode its 2011 LSOA.
--   2. The crosswalk gives that 2011 LSOA's pieces in the vintage: one piece (unchanged or
--      merged, and always on the 2011 base) is the answer; several (split or irregular) are
--      decided by point in polygon among those pieces only, or the nearest piece when the
--      generalised boundaries leave the postcode in none of them.
--   3. A postcode the live lookup does not know (newer than May 2022, or terminated there) takes
--      the study-area LSOA whose boundary contains it; if none does it is kept and counted as
--      unmatched. Overlapping generalised polygons: the lower code wins.
-- pip_lsoa_code is the unconstrained point in polygon, kept for the agreement check.
WITH study AS (
    SELECT * FROM codepoint_open WHERE lad_code IN (SELECT unnest($lads))
),
pieces AS (
    SELECT DISTINCT lsoa11cd, lsoa_code FROM lsoa_crosswalk WHERE in_study AND lsoa11cd IS NOT NULL
),
piece_counts AS (  -- per 2011 LSOA with pieces in the study area: how many, and the piece when it is the only one
    SELECT lsoa11cd, count(*) AS pieces, CASE WHEN count(*) = 1 THEN min(lsoa_code) END AS only_piece
    FROM pieces GROUP BY lsoa11cd
),
joined AS (  -- has_pieces: the lookup's 2011 LSOA has pieces in the study area (a join, not NOT IN per row)
    SELECT s.*,
           live.lsoa11cd                                             AS lookup_lsoa11cd,
           live.oa11cd, live.usertype,
           live.postcode IS NULL AND dead.postcode IS NOT NULL       AS terminated_in_lookup,
           known.lsoa11cd IS NOT NULL                                AS has_pieces,
           coalesce(known.pieces, 0)                                 AS lookup_pieces,
           known.only_piece,
           ST_SetCRS(ST_Point(s.easting, s.northing), 'EPSG:27700')  AS geom
    FROM study s
    LEFT JOIN (SELECT * FROM ons_postcode_lookup WHERE is_live) live USING (postcode)
    LEFT JOIN (SELECT DISTINCT postcode FROM ons_postcode_lookup WHERE NOT is_live) dead USING (postcode)
    LEFT JOIN piece_counts known ON known.lsoa11cd = live.lsoa11cd
),
candidates AS (  -- the pieces of a postcode's 2011 LSOA, where it has several
    SELECT j.postcode, p.lsoa_code
    FROM joined j JOIN pieces p ON p.lsoa11cd = j.lookup_lsoa11cd
    WHERE j.lookup_pieces > 1
),
among_pieces AS (  -- several pieces: the one containing the postcode, else the nearest, else (no boundaries) the first
    SELECT c.postcode, c.lsoa_code, coalesce(ST_Intersects(b.geom, j.geom), false) AS inside,
           b.lsoa_code IS NOT NULL AS has_boundary
    FROM candidates c JOIN joined j USING (postcode) LEFT JOIN lsoa_boundaries b ON b.lsoa_code = c.lsoa_code
    QUALIFY row_number() OVER (PARTITION BY c.postcode
                               ORDER BY coalesce(ST_Intersects(b.geom, j.geom), false) DESC,
                                        ST_Distance(b.geom, j.geom) NULLS LAST, c.lsoa_code) = 1
),
to_place AS MATERIALIZED (  -- chosen before the spatial join, which would otherwise test every postcode
    SELECT postcode, geom FROM joined
    WHERE NOT has_pieces OR ($agreement_all OR hash(postcode) % $agreement_every::UBIGINT = 0)
),
in_polygon AS (
    SELECT t.postcode, min(b.lsoa_code) AS lsoa_code, count(*) AS polygons
    FROM to_place t JOIN lsoa_boundaries b ON ST_Intersects(b.geom, t.geom)
    GROUP BY t.postcode
)
SELECT
    j.postcode, j.postcode_district, j.postcode_area, j.lad_code, j.ward_code,
    j.lookup_lsoa11cd,
    coalesce(j.only_piece, a.lsoa_code, CASE WHEN NOT j.has_pieces THEN ip.lsoa_code END) AS lsoa_code,
    CASE WHEN j.only_piece IS NOT NULL THEN 'lookup'
         WHEN a.lsoa_code IS NOT NULL AND a.inside THEN 'lookup, then point in polygon among pieces'
         WHEN a.lsoa_code IS NOT NULL AND a.has_boundary THEN 'lookup, then nearest piece'
         WHEN a.lsoa_code IS NOT NULL THEN 'lookup, first piece (no boundaries)'
         WHEN ip.lsoa_code IS NOT NULL THEN 'point in polygon'
         ELSE 'unmatched' END                                             AS placement,
    j.lookup_pieces,
    ip.lsoa_code                                                           AS pip_lsoa_code,
    coalesce(ip.polygons, 0) > 1                                           AS pip_ambiguous,
    j.terminated_in_lookup, j.oa11cd, j.usertype, j.positional_quality, j.easting, j.northing,
    ST_Y(ST_Transform(j.geom, 'EPSG:4326', always_xy := true))             AS lat,
    ST_X(ST_Transform(j.geom, 'EPSG:4326', always_xy := true))             AS lon,
    j.geom
FROM joined j
LEFT JOIN among_pieces a USING (postcode)
LEFT JOIN in_polygon ip USING (postcode)
ORDER BY j.lad_code, j.postcode
