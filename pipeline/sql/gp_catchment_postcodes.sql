-- Each study-area postcode joins the catchment of its nearest GP site location, if that is
-- within the cap (straight-line distance; found by nearest_location). Sites sharing a building
-- share a location.
SELECT p.postcode, p.lsoa_code, n.place_key::BIGINT AS location_id, n.distance_m
FROM postcodes p
JOIN nearest_location n ON n.point_key = p.postcode
