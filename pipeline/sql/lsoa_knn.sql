-- The k nearest LSOAs (by representative point) for each LSOA that has no boundary or no
-- contiguous neighbour, searched within $radius metres.
SELECT a.lsoa11cd AS lsoa_i, b.lsoa11cd AS lsoa_j, 'nearest_' || $k AS method
FROM lsoa_centroids a
JOIN lsoa_centroids b ON ST_DWithin(a.geom, b.geom, $radius) AND a.lsoa11cd <> b.lsoa11cd
WHERE a.lsoa11cd IN (SELECT lsoa11cd FROM needs_knn)
QUALIFY row_number() OVER (PARTITION BY a.lsoa11cd ORDER BY ST_Distance(a.geom, b.geom), b.lsoa11cd) <= $k
