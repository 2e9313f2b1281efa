-- One row per study-area postcode for frontline staff: where it is (LSOA, ward, district), the
-- neighbourhood's need and connectivity gap (with the gap's resolution), its triage class and
-- suggested action, the district's own Ofcom figures at their latest release dated by month (the district
-- is the neighbourhood's, as the ward is: a few border postcodes lie in a neighbourhood of another district
-- than the one Code-Point Open gives them, kept as postcode_lad_code), and
-- the nearest active GP practice in a straight line (nearest_practice, found by pipeline.analysis.nearest)
-- with its readiness rank (and what it rests on, when that is an area average), and the nearest open static library (nearest_venues, kind 'library') with its
-- address and opening hours as at the library list's date. Where the neighbourhood's gap is a
-- postcode-district average, own_district_in_broadband says whether the postcode's own outward code
-- is in the broadband data at all (E4 7QT lies in an Epping Forest neighbourhood averaged as EN9).
WITH district AS (
    SELECT area_code AS lad_code,
           arg_max(value, release) FILTER (indicator = 'gigabit_capable_pct') AS district_gigabit_pct,
           arg_max(release_name, release) FILTER (indicator = 'gigabit_capable_pct') AS district_gigabit_release,
           arg_max(value, release) FILTER (indicator = 'premises_below_30_pct') AS district_below_30_pct,
           arg_max(release_name, release) FILTER (indicator = 'premises_below_30_pct') AS district_below_30_release
    FROM district_connectivity_series
    WHERE area_type = 'study district' AND dated_by <> 'year only'
    GROUP BY 1
),
-- where the district's neighbourhood broadband figures miss Ofcom's own district figure for their release by more
-- than the settings allow (connectivity_reconciliation), the gap there is less sure, and the answer says so
caution AS (
    SELECT lad_code,
           arg_max(release_name, release) FILTER (g) AS caution_release,
           arg_max(official_pct, release) FILTER (g) AS caution_official_pct,
           arg_max(derived_pct, release) FILTER (g) AS caution_derived_pct,
           arg_max(threshold_pp, release) FILTER (g) AS caution_threshold_pp,
           arg_max(release_name, release) FILTER (NOT g) AS caution_below_30_release,
           arg_max(official_pct, release) FILTER (NOT g) AS caution_below_30_official_pct,
           arg_max(derived_pct, release) FILTER (NOT g) AS caution_below_30_derived_pct,
           arg_max(threshold_pp, release) FILTER (NOT g) AS caution_below_30_threshold_pp,
           arg_max(derived_premises, release) AS caution_premises
    FROM (SELECT *, indicator = 'gigabit_capable_pct' AS g FROM connectivity_reconciliation)
    WHERE indicator IN ('gigabit_capable_pct', 'premises_below_30_pct') AND NOT within_threshold
    GROUP BY 1
),
nearest_library AS (
    SELECT n.point_key AS postcode, v.name AS library_name, v.address AS library_address, v.postcode AS library_postcode,
           v.opening_hours AS library_hours, v.data_date AS library_data_date, round(n.distance_m) AS library_distance_m
    FROM nearest_venues n JOIN venues v ON v.venue_id = n.place_key
    WHERE n.kind = 'library'
),
nearest_gp AS (
    SELECT n.point_key AS postcode, r.site_code, r.name AS gp_name, r.postcode AS gp_postcode, r.readiness_rank,
           r.not_ranked_reason, round(n.distance_m) AS gp_distance_m,
           -- a rank shared with another site is shown as "=3", as everywhere else; a rank that leaves out area
           -- averages says so where it is read, as the gap does
           CASE WHEN tie.sites > 1 THEN '=' ELSE '' END || r.readiness_rank AS rank_label,
           CASE WHEN r.readiness_rank IS NOT NULL AND r.catchment_broadband_area_average
                THEN CASE WHEN NOT r.site_own_gigabit_known THEN 'by its catchment''s need alone: ' ELSE '' END
                     || 'its catchment''s broadband is known only as '
                     || replace(coalesce(r.catchment_broadband_resolution, 'area'), '_', ' ')
                     || ' averages, which never rank sites within an area'
           END AS rank_basis,
           -- two practices at one postcode are equally near: the answer names the others too
           (SELECT string_agg(o.name, '; ' ORDER BY o.name) FROM gp_readiness o
            WHERE o.postcode = r.postcode AND o.site_code <> r.site_code AND o.readiness_rank IS NOT NULL)
               AS also_here
    FROM nearest_practice n JOIN gp_readiness r ON r.site_code = n.place_key
    LEFT JOIN (SELECT readiness_rank, count(*) AS sites FROM gp_readiness WHERE readiness_rank IS NOT NULL GROUP BY 1)
         tie USING (readiness_rank)
)
SELECT p.postcode, p.lsoa_code, t.lsoa_name, t.ward_code, t.ward_name, p.ward_code AS postcode_ward_code,
       coalesce(t.lad_code, p.lad_code) AS lad_code, t.lad_name, p.lad_code AS postcode_lad_code, t.need_score, t.need_decile, t.supply_gap_score, t.supply_gap_decile,
       t.broadband_resolution AS gap_resolution, t.broadband_area AS gap_area, t.gap_is_area_average,
       split_part(p.postcode, ' ', 1) AS postcode_district,
       split_part(p.postcode, ' ', 1) IN (SELECT postcode_district FROM broadband_coverage WHERE resolution <> 'none')
           AS own_district_in_broadband,
       g.broadband_release AS gap_release,
       t.triage_class, t.inclusion_offer, t.suggested_action,
       d.district_gigabit_pct, d.district_gigabit_release, d.district_below_30_pct, d.district_below_30_release,
       c.caution_release, c.caution_official_pct, c.caution_derived_pct, c.caution_threshold_pp,
       c.caution_below_30_release, c.caution_below_30_official_pct, c.caution_below_30_derived_pct,
       c.caution_below_30_threshold_pp, c.caution_premises,
       n.site_code AS nearest_gp_code, n.gp_name AS nearest_gp_name, n.gp_postcode AS nearest_gp_postcode,
       n.readiness_rank AS nearest_gp_readiness_rank, n.rank_label AS nearest_gp_rank_label,
       n.not_ranked_reason AS nearest_gp_not_ranked_reason,
       n.rank_basis AS nearest_gp_rank_basis, n.also_here AS nearest_gp_also_here,
       (SELECT count(readiness_rank) FROM gp_readiness) AS gp_sites_ranked,
       n.gp_distance_m AS nearest_gp_distance_m,
       l.library_name AS nearest_library, l.library_address AS nearest_library_address,
       l.library_postcode AS nearest_library_postcode, l.library_hours AS nearest_library_hours,
       l.library_data_date AS nearest_library_data_date, l.library_distance_m AS nearest_library_distance_m,
       p.placement, round(p.lat, 5) AS lat, round(p.lon, 5) AS lon,
       -- what staff should know about the postcode itself: one organisation's (ONS usertype 1), or a position
       -- Code-Point Open only estimates (positional quality 50 and over), which makes every distance approximate
       p.usertype = '1' AS large_user, p.positional_quality
FROM postcodes p
LEFT JOIN lsoa_triage t USING (lsoa_code)
LEFT JOIN lsoa_supply_gap g USING (lsoa_code)
LEFT JOIN nearest_gp n USING (postcode)
LEFT JOIN nearest_library l USING (postcode)
LEFT JOIN district d ON d.lad_code = coalesce(t.lad_code, p.lad_code)
LEFT JOIN caution c ON c.lad_code = coalesce(t.lad_code, p.lad_code)
ORDER BY p.postcode
