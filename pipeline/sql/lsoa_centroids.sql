-- A representative point per study-area LSOA: a point inside its boundary where it has one,
-- else the mean position of its postcodes (an LSOA whose boundary was rejected).
WITH from_postcodes AS (
    SELECT lsoa_code, ST_SetCRS(ST_Point(avg(easting), avg(northing)), 'EPSG:27700') AS geom
    FROM postcodes WHERE lsoa_code IS NOT NULL GROUP BY 1
)
SELECT a.lsoa_code, coalesce(ST_PointOnSurface(a.geom), p.geom) AS geom,
       CASE WHEN a.geom IS NOT NULL THEN 'boundary' ELSE 'postcode mean' END AS located_by,
       a.geom IS NOT NULL AS has_boundary
FROM lsoa_areas a LEFT JOIN from_postcodes p USING (lsoa_code)
WHERE coalesce(a.geom, p.geom) IS NOT NULL
