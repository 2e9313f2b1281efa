-- The k nearest LSOAs (by representative point) for each LSOA that has no boundary or no
-- contiguous neighbour, searched within $radius metres.
SELECT a.lsoa_code AS lsoa_i, b.lsoa_code AS lsoa_j, 'nearest_' || $k AS method
FROM lsoa_centroids a
JOIN lsoa_centroids b ON ST_DWithin(a.geom, b.geom, $radius) AND a.lsoa_code <> b.lsoa_code
WHERE a.lsoa_code IN (SELECT lsoa_code FROM needs_knn)
QUALIFY row_number() OVER (PARTITION BY a.lsoa_code ORDER BY ST_Distance(a.geom, b.geom), b.lsoa_code) <= $k
