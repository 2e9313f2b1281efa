-- A representative point per study-area LSOA: a point inside its boundary where it has one,
-- else the mean position of its postcodes (for LSOAs without a boundary file).
WITH study AS (
    SELECT DISTINCT lsoa11cd FROM lsoa_index
),
from_boundary AS (
    SELECT lsoa11cd, ST_PointOnSurface(geom) AS geom, 'boundary' AS located_by FROM lsoa_boundaries
),
from_postcodes AS (
    SELECT lsoa11cd, ST_Point(avg(easting), avg(northing)) AS geom, 'postcode mean' AS located_by
    FROM postcodes WHERE lsoa11cd IS NOT NULL GROUP BY 1
)
SELECT s.lsoa11cd, coalesce(b.geom, p.geom) AS geom, coalesce(b.located_by, p.located_by) AS located_by,
       b.lsoa11cd IS NOT NULL AS has_boundary
FROM study s
LEFT JOIN from_boundary b USING (lsoa11cd)
LEFT JOIN from_postcodes p USING (lsoa11cd)
WHERE coalesce(b.geom, p.geom) IS NOT NULL
