-- Each study district's gigabit-capable % for one snapshot, as ONS republished Ofcom's figure,
-- against the same figure derived from our postcode-level or postcode-district input for that
-- release: the premises-weighted (or, without premises counts, unweighted) mean over the
-- district's postcodes. The postcode-district means are unweighted means of postcodes, so some
-- gap from Ofcom's premises-based district figure is expected.
WITH series AS (
    SELECT area_code AS lad_code, area_name, value AS series_pct, file AS series_file
    FROM district_connectivity_series
    WHERE indicator = 'gigabit_capable_pct' AND snapshot = $snapshot AND area_type = 'study district'
),
derived AS (
    SELECT lad_code,
           sum(coalesce(all_premises, 1) * gigabit_pct) / sum(coalesce(all_premises, 1)) AS derived_pct,
           count(*) AS postcodes_used,
           string_agg(DISTINCT resolution, ', ' ORDER BY resolution) AS derived_resolution,
           bool_and(all_premises IS NOT NULL) AS premises_weighted
    FROM broadband_coverage
    WHERE resolution IN ('postcode', 'postcode_district') AND release = $snapshot AND gigabit_pct IS NOT NULL
    GROUP BY 1
)
SELECT l.lad_code, s.area_name, $snapshot AS snapshot, s.series_pct, round(d.derived_pct, 2) AS derived_pct,
       round(d.derived_pct - s.series_pct, 2) AS difference_pp, abs(d.derived_pct - s.series_pct) <= $threshold AS within_threshold,
       $threshold AS threshold_pp, d.derived_resolution, d.postcodes_used,
       CASE WHEN d.premises_weighted THEN 'premises-weighted' ELSE 'unweighted mean of postcodes' END AS derived_weighting,
       s.series_file
FROM (SELECT unnest($lads) AS lad_code) l
LEFT JOIN series s USING (lad_code)
LEFT JOIN derived d USING (lad_code)
ORDER BY l.lad_code
