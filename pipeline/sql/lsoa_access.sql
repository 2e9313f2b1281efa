-- How far each study-area neighbourhood's people are from a place that can help: the straight-line
-- distance from where they live (lsoa_origins) to the nearest library, GP site, user venue and any
-- existing venue (nearest_* found by pipeline.analysis.nearest), and whether its residents, and its
-- high-need residents, are beyond reach ($reach_m). A neighbourhood is within reach or beyond it as a
-- whole, by its one point. need_weighted_residents (residents x need score / 10) is what the siting
-- model covers.
WITH named AS (
    SELECT n.point_key AS lsoa_code, n.kind, round(n.distance_m / 1000, 2) AS km, v.name, v.venue_type, v.address,
           v.postcode, v.opening_hours, v.data_date
    FROM nearest_venues n JOIN venues v ON v.venue_id = n.place_key
)
SELECT o.lsoa_code, o.lsoa_name, o.lad_code, o.lad_name, t.ward_code, t.ward_name,
       o.origin, o.origin_basis, o.easting, o.northing,
       t.residents_2021, t.need_score, t.need_decile, t.high_need,
       round(t.residents_2021 * t.need_score / 10, 1) AS need_weighted_residents,
       lib.km AS nearest_library_km, lib.name AS nearest_library, lib.address AS nearest_library_address,
       lib.opening_hours AS nearest_library_hours,
       gp.km AS nearest_gp_site_km, gp.name AS nearest_gp_site,
       other.km AS nearest_user_venue_km, other.name AS nearest_user_venue, other.venue_type AS nearest_user_venue_type,
       anyv.km AS nearest_venue_km, anyv.name AS nearest_venue, anyv.venue_type AS nearest_venue_type,
       coalesce(anyv.km > $reach_m / 1000, true) AS beyond_reach,
       CASE WHEN coalesce(anyv.km > $reach_m / 1000, true) THEN t.residents_2021 ELSE 0 END AS residents_beyond_reach,
       CASE WHEN coalesce(anyv.km > $reach_m / 1000, true) AND t.high_need THEN t.residents_2021 ELSE 0 END
           AS high_need_residents_beyond_reach,
       'straight line' AS distance_kind
FROM lsoa_origins o
JOIN lsoa_triage t USING (lsoa_code)
LEFT JOIN named lib ON lib.lsoa_code = o.lsoa_code AND lib.kind = 'library'
LEFT JOIN named gp ON gp.lsoa_code = o.lsoa_code AND gp.kind = 'gp_site'
LEFT JOIN named other ON other.lsoa_code = o.lsoa_code AND other.kind = 'user venue'
LEFT JOIN named anyv ON anyv.lsoa_code = o.lsoa_code AND anyv.kind = 'any venue'
ORDER BY o.lsoa_code
