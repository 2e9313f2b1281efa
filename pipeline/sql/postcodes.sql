-- Study-area postcodes: Code-Point Open positions joined to the ONS postcode -> LSOA lookup.
-- A postcode the live lookup does not know (newer than May 2022, or terminated there) takes
-- the LSOA whose boundary contains its position; if none does, it is counted as unmatched.
WITH study AS (
    SELECT * FROM codepoint_open WHERE list_contains($lads, lad_code)
),
joined AS (
    SELECT s.*,
           live.lsoa11cd                                   AS lookup_lsoa11cd,
           live.oa11cd,
           live.usertype,
           live.postcode IS NULL AND dead.postcode IS NOT NULL AS terminated_in_lookup,
           ST_SetCRS(ST_Point(s.easting, s.northing), 'EPSG:27700') AS geom
    FROM study s
    LEFT JOIN (SELECT * FROM ons_postcode_lookup WHERE is_live) live USING (postcode)
    LEFT JOIN (SELECT DISTINCT postcode FROM ons_postcode_lookup WHERE NOT is_live) dead USING (postcode)
),
in_polygon AS (
    -- Generalised boundaries overlap slightly: a point in two polygons takes the lower code.
    SELECT j.postcode, min(b.lsoa11cd) AS lsoa11cd, count(*) AS polygons
    FROM joined j
    JOIN lsoa_boundaries b ON ST_Intersects(b.geom, j.geom)
    WHERE j.lookup_lsoa11cd IS NULL
    GROUP BY j.postcode
)
SELECT
    j.postcode,
    j.postcode_district,
    j.postcode_area,
    j.lad_code,
    coalesce(j.lookup_lsoa11cd, p.lsoa11cd)                  AS lsoa11cd,
    CASE WHEN j.lookup_lsoa11cd IS NOT NULL THEN 'ons_lookup'
         WHEN p.lsoa11cd IS NOT NULL THEN 'point_in_polygon'
         ELSE 'unmatched' END                                AS lsoa_method,
    coalesce(p.polygons, 0) > 1                              AS lsoa_ambiguous,
    j.terminated_in_lookup,
    j.oa11cd,
    j.usertype,
    j.positional_quality,
    j.easting,
    j.northing,
    ST_Y(ST_Transform(j.geom, 'EPSG:4326', always_xy := true)) AS lat,
    ST_X(ST_Transform(j.geom, 'EPSG:4326', always_xy := true)) AS lon,
    j.geom
FROM joined j
LEFT JOIN in_polygon p USING (postcode)
ORDER BY j.lad_code, j.postcode
