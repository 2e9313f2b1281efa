-- Each study-area postcode joins the catchment of its nearest GP site location, if that is
-- within $cap metres (straight-line distance). Sites sharing a building share a location.
SELECT p.postcode, p.lsoa_code, l.location_id, ST_Distance(p.geom, l.geom) AS distance_m
FROM postcodes p
JOIN gp_locations l ON ST_DWithin(p.geom, l.geom, $cap)
QUALIFY row_number() OVER (PARTITION BY p.postcode ORDER BY ST_Distance(p.geom, l.geom), l.location_id) = 1
