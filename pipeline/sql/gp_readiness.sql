-- Telehealth readiness of each ranked GP site: gigabit at the site's own postcode, broadband
-- across its catchment, and its catchment's inclusion need (resident-weighted mean of lsoa_need).
-- A part that is not known drops out and the others are re-weighted in their ratios. The site's
-- own part is known only from postcode-level data: a postcode-district or district average says
-- how many premises nearby can get gigabit, not whether the surgery can, so it never stands in.
-- Likewise the catchment's broadband parts count only when every catchment postcode's figure is its
-- own: a mean of postcode-district averages would rank sites inside those districts by a value known
-- only for the district as a whole. The score is published at the precision it is shown ($decimals
-- places), and sites whose scores agree at it share a rank.
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
           count(*) FILTER (b.resolution IN ('postcode_district', 'local_authority')) > 0
                                                                                      AS catchment_broadband_area_average,
           mode(b.resolution) FILTER (b.resolution <> 'none')                         AS catchment_broadband_resolution,
           -- the Ofcom release(s) its postcodes' figures describe, so a figure shown for it can say which
           array_to_string(list_sort(list_distinct(list(b.release) FILTER (b.resolution <> 'none'))), ', ')
                                                                                      AS catchment_broadband_release,
           -- and the districts they lie in: a caution about a district's broadband figures follows the catchment
           array_to_string(list_sort(list_distinct(list(b.lad_code) FILTER (b.resolution <> 'none'))), ', ')
                                                                                      AS catchment_broadband_districts,
           max(c.distance_m)                                                          AS catchment_max_distance_m
    FROM catchment_postcodes c
    LEFT JOIN postcode_residents r USING (postcode)
    LEFT JOIN broadband_coverage b USING (postcode)
    LEFT JOIN lsoa_need n ON n.lsoa_code = c.lsoa_code
    GROUP BY 1
),
sites AS (
    SELECT s.*, l.location_id, l.sites_at_location,
           -- the site's own figures only from postcode-level data; an area's average in columns named for the area
           CASE WHEN b.resolution = 'postcode' THEN b.gigabit_pct END AS site_gigabit_pct,
           CASE WHEN b.resolution = 'postcode' THEN b.sfbb_pct END AS site_superfast_pct,
           CASE WHEN b.resolution <> 'postcode' THEN b.gigabit_pct END AS site_area_gigabit_pct,
           CASE WHEN b.resolution <> 'postcode' THEN b.sfbb_pct END AS site_area_superfast_pct,
           b.resolution AS site_broadband_resolution, b.release AS site_broadband_release,
           CASE b.resolution WHEN 'postcode_district' THEN b.postcode_district WHEN 'local_authority' THEN b.lad_code
           END AS site_broadband_area,
           coalesce(b.resolution = 'postcode' AND b.gigabit_pct IS NOT NULL, false) AS site_own_gigabit_known
    FROM gp_ranked_sites s
    LEFT JOIN gp_locations l ON l.easting = s.easting AND l.northing = s.northing AND s.not_ranked_reason IS NULL
    LEFT JOIN broadband_coverage b USING (postcode)
),
parts AS (
    -- Each part on 0-10, 10 = ready; NULL where not known.
    SELECT s.*, c.* EXCLUDE (location_id),
           CASE WHEN s.site_own_gigabit_known THEN s.site_gigabit_pct / 10 END AS part_site_gigabit,
           CASE WHEN NOT c.catchment_broadband_area_average THEN 10 - c.catchment_pct_no_superfast / 10 END
                                                      AS part_catchment_superfast,
           CASE WHEN NOT c.catchment_broadband_area_average THEN 10 - c.catchment_pct_no_gigabit / 10 END
                                                      AS part_catchment_gigabit,
           10 - c.catchment_mean_need                 AS part_catchment_need
    FROM sites s LEFT JOIN catchment c USING (location_id)
),
weighed AS (
    SELECT *,
           $w_site * (part_site_gigabit IS NOT NULL)::INT + $w_sfbb * (part_catchment_superfast IS NOT NULL)::INT
             + $w_gig * (part_catchment_gigabit IS NOT NULL)::INT + $w_need * (part_catchment_need IS NOT NULL)::INT
             AS weight_known
    FROM parts
),
scored AS (
    SELECT *,
           CASE WHEN not_ranked_reason IS NULL THEN
               (  $w_site * coalesce(part_site_gigabit, 0) + $w_sfbb * coalesce(part_catchment_superfast, 0)
                + $w_gig * coalesce(part_catchment_gigabit, 0) + $w_need * coalesce(part_catchment_need, 0))
               / nullif(weight_known, 0)
           END AS readiness_score,
           CASE WHEN not_ranked_reason IS NOT NULL THEN NULL
                ELSE concat_ws(', ',
                    CASE WHEN part_site_gigabit IS NOT NULL THEN 'site gigabit ' || round($w_site / weight_known, 2) END,
                    CASE WHEN part_catchment_superfast IS NOT NULL
                         THEN 'catchment superfast ' || round($w_sfbb / weight_known, 2) END,
                    CASE WHEN part_catchment_gigabit IS NOT NULL
                         THEN 'catchment gigabit ' || round($w_gig / weight_known, 2) END,
                    CASE WHEN part_catchment_need IS NOT NULL
                         THEN 'catchment need ' || round($w_need / weight_known, 2) END)
                    || coalesce(' (' || nullif(concat_ws(', and ',
                           CASE WHEN part_site_gigabit IS NULL AND $w_site > 0
                                THEN 'the site''s own gigabit status is not known' END,
                           CASE WHEN catchment_broadband_area_average AND ($w_sfbb > 0 OR $w_gig > 0)
                                THEN 'the catchment''s broadband is known only as area averages, which never rank '
                                     || 'sites within an area' END), '')
                       || ': ' || CASE WHEN part_site_gigabit IS NULL AND $w_site > 0
                                        AND catchment_broadband_area_average AND ($w_sfbb > 0 OR $w_gig > 0)
                                       THEN 'those parts drop out'
                                       WHEN part_site_gigabit IS NULL AND $w_site > 0 THEN 'its part drops out'
                                       ELSE 'its parts drop out' END
                       || ' and the others are re-weighted)', '')
           END AS readiness_parts
    FROM weighed
)
SELECT site_code, site_type, practice_code, name, postcode, lad_code, lsoa_code, ward_code,
       subicb_code, subicb_name, icb_code, icb_name, pcn_name, listed_in, open_date,
       list_size, list_size_extract, list_size_applies_to, location_id, sites_at_location,
       site_own_gigabit_known, site_gigabit_pct, site_superfast_pct, site_broadband_resolution, site_broadband_area,
       site_area_gigabit_pct, site_area_superfast_pct, site_broadband_release,
       catchment_postcodes, round(catchment_residents)::BIGINT AS catchment_residents, catchment_pct_no_superfast,
       catchment_pct_no_gigabit, catchment_mean_need, catchment_postcodes_without_coverage,
       catchment_broadband_resolution, catchment_broadband_release, catchment_broadband_districts,
       catchment_broadband_area_average,
       catchment_max_distance_m, coalesce(site_broadband_resolution, 'none') <> 'postcode' AS broadband_parts_area_average,
       readiness_parts, round(readiness_score, $decimals) AS readiness_score,
       CASE WHEN not_ranked_reason IS NULL AND readiness_score IS NOT NULL
            THEN rank() OVER (PARTITION BY not_ranked_reason IS NULL AND readiness_score IS NOT NULL
                              ORDER BY round(readiness_score, $decimals) ASC)
       END AS readiness_rank,
       coalesce(not_ranked_reason, CASE WHEN readiness_score IS NULL THEN 'no part of its score is known' END)
         AS not_ranked_reason,
       lat, lon, geom
FROM scored
ORDER BY readiness_rank NULLS LAST, site_code
