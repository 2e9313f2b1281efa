-- Queen contiguity: two LSOAs are neighbours when their boundaries share any point. The
-- generalised boundaries share edges but not vertices (and overlap by slivers), so shared
-- points are found with ST_Intersects rather than by matching vertices.
SELECT a.lsoa_code AS lsoa_i, b.lsoa_code AS lsoa_j, 'contiguity' AS method
FROM lsoa_areas a
JOIN lsoa_areas b ON ST_Intersects(a.geom, b.geom) AND a.lsoa_code <> b.lsoa_code
