-- Catchment areas for maps: the Voronoi cell of each site location (every point nearer to it
-- than to any other location), cut to $cap metres from the site and to the study area.
WITH cells AS (
    SELECT unnest(ST_Dump(ST_VoronoiDiagram(ST_Collect(list(geom))))).geom AS cell FROM gp_locations
),
study AS (
    -- The union of the generalised LSOAs has hairline gaps where neighbours do not quite meet;
    -- growing and shrinking it by 10 m closes them.
    SELECT ST_Buffer(ST_Buffer(ST_Union_Agg(geom), 10), -10) AS geom FROM lsoa_areas WHERE geom IS NOT NULL
)
SELECT l.location_id, l.site_codes, l.sites_at_location,
       ST_SetCRS(ST_CollectionExtract(ST_Intersection(ST_Intersection(c.cell, ST_Buffer(l.geom, $cap, 32)), study.geom), 3),
                 'EPSG:27700') AS geom
FROM gp_locations l
JOIN cells c ON ST_Contains(c.cell, l.geom)
CROSS JOIN study
ORDER BY l.location_id
