-- Distance from each postcode lacking gigabit to the nearest gigabit-served postcode, searched
-- within $radius metres (the caller widens the radius for postcodes still without a match).
SELECT l.postcode, min(ST_Distance(l.geom, s.geom)) AS distance_m
FROM gap_postcodes l
JOIN gap_postcodes s ON s.gigabit_served AND ST_DWithin(l.geom, s.geom, $radius)
WHERE l.lacks_gigabit AND l.postcode IN (SELECT postcode FROM unmatched)
GROUP BY l.postcode
