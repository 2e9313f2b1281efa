-- Telehealth readiness of each GP site: broadband at the site's own postcode and across its
-- catchment, and its catchment's inclusion need (resident-weighted mean of lsoa_need).
WITH catchment AS (
    SELECT c.location_id,
           count(*)                                                                   AS catchment_postcodes,
           sum(coalesce(r.residents, 0))                                              AS catchment_residents,
           sum(coalesce(b.all_premises, 1) * (100 - b.sfbb_pct))
             / sum(coalesce(b.all_premises, 1)) FILTER (b.sfbb_pct IS NOT NULL)       AS catchment_pct_no_superfast,
           sum(coalesce(b.all_premises, 1) * (100 - b.gigabit_pct))
             / sum(coalesce(b.all_premises, 1)) FILTER (b.gigabit_pct IS NOT NULL)    AS catchment_pct_no_gigabit,
           sum(r.residents * n.need_score) / sum(r.residents) FILTER (n.need_score IS NOT NULL) AS catchment_mean_need,
           count(*) FILTER (b.resolution = 'none')                                    AS catchment_postcodes_without_coverage,
           mode(b.resolution) FILTER (b.resolution <> 'none')                         AS catchment_broadband_resolution,
           max(c.distance_m)                                                          AS catchment_max_distance_m
    FROM catchment_postcodes c
    LEFT JOIN postcode_residents r USING (postcode)
    LEFT JOIN broadband_coverage b USING (postcode)
    LEFT JOIN lsoa_need n ON n.lsoa_code = c.lsoa_code
    GROUP BY 1
),
sites AS (
    SELECT s.*, l.location_id, l.sites_at_location,
           b.gigabit_pct AS site_gigabit_pct, b.sfbb_pct AS site_superfast_pct,
           b.resolution AS site_broadband_resolution, b.release AS site_broadband_release
    FROM gp_sites s
    JOIN gp_locations l ON l.easting = s.easting AND l.northing = s.northing
    LEFT JOIN broadband_coverage b USING (postcode)
),
parts AS (
    -- Each part on 0-10, 10 = ready.
    SELECT s.*, c.* EXCLUDE (location_id),
           s.site_gigabit_pct / 10                    AS part_site_gigabit,
           10 - c.catchment_pct_no_superfast / 10     AS part_catchment_superfast,
           10 - c.catchment_pct_no_gigabit / 10       AS part_catchment_gigabit,
           10 - c.catchment_mean_need                 AS part_catchment_need
    FROM sites s LEFT JOIN catchment c USING (location_id)
),
scored AS (
    SELECT *,
           (  $w_site * coalesce(part_site_gigabit, 0) + $w_sfbb * coalesce(part_catchment_superfast, 0)
            + $w_gig * coalesce(part_catchment_gigabit, 0) + $w_need * coalesce(part_catchment_need, 0))
           / nullif(  $w_site * (part_site_gigabit IS NOT NULL)::INT + $w_sfbb * (part_catchment_superfast IS NOT NULL)::INT
                    + $w_gig * (part_catchment_gigabit IS NOT NULL)::INT + $w_need * (part_catchment_need IS NOT NULL)::INT, 0)
             AS readiness_score
    FROM parts
)
SELECT site_code, site_type, practice_code, name, postcode, lad_code, lsoa_code, ward_code, subicb_name, pcn_name,
       list_size,
       list_size_applies_to, location_id, sites_at_location,
       site_gigabit_pct, site_superfast_pct, site_broadband_resolution, site_broadband_release,
       catchment_postcodes, round(catchment_residents) AS catchment_residents, catchment_pct_no_superfast,
       catchment_pct_no_gigabit, catchment_mean_need, catchment_postcodes_without_coverage,
       catchment_broadband_resolution, catchment_max_distance_m,
       coalesce(site_broadband_resolution, 'none') <> 'postcode' AS broadband_parts_area_average,
       readiness_score,
       rank() OVER (ORDER BY readiness_score ASC NULLS FIRST) AS readiness_rank,
       lat, lon, geom
FROM scored
ORDER BY readiness_rank, site_code
