-- Queen contiguity: two LSOAs are neighbours when their boundaries share any point. The
-- generalised boundaries share edges but not vertices (and overlap by slivers), so shared
-- points are found with ST_Intersects rather than by matching vertices.
SELECT a.lsoa11cd AS lsoa_i, b.lsoa11cd AS lsoa_j, 'contiguity' AS method
FROM lsoa_boundaries a
JOIN lsoa_boundaries b ON ST_Intersects(a.geom, b.geom) AND a.lsoa11cd <> b.lsoa11cd
WHERE a.lsoa11cd IN (SELECT lsoa11cd FROM lsoa_index) AND b.lsoa11cd IN (SELECT lsoa11cd FROM lsoa_index)
