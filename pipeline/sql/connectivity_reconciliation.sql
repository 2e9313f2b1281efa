-- Ofcom's own district figures beside the figures our broadband input gives for the same release,
-- for gigabit-capable premises and premises below 30 Mbit/s, in every study district.
-- Ours: the mean over the district's postcodes of their values (premises-weighted when the input
-- has premises counts; with postcode-district averages, each postcode counted once). Premises
-- below 30 Mbit/s are 100 minus superfast (30 Mbit/s and over) availability. Ofcom's figures count
-- premises, so some gap from a mean over postcodes is expected, and from an input that counts
-- residential premises only (derived_premises: which premises the input's source counts).
-- Each indicator has its threshold: $threshold points for gigabit, $threshold_below_30 for premises below 30 Mbit/s (a few per cent).
WITH input_releases AS (
    SELECT DISTINCT release FROM broadband_coverage
    WHERE resolution IN ('postcode', 'postcode_district') AND release IS NOT NULL
),
ours AS (
    SELECT lad_code, release, indicator,
           sum(coalesce(all_premises, 1) * v) / sum(coalesce(all_premises, 1)) AS derived_pct,
           count(*) AS postcodes_used,
           string_agg(DISTINCT resolution, ', ' ORDER BY resolution) AS derived_resolution,
           -- which premises the input's shares count, as its source says ($premises_sources -> $premises_counted)
           string_agg(DISTINCT coalesce($premises_counted[list_position($premises_sources, source)], $not_stated),
                      ', ') AS derived_premises,
           bool_and(all_premises IS NOT NULL) AS premises_weighted
    FROM broadband_coverage
    CROSS JOIN LATERAL (VALUES ('gigabit_capable_pct', gigabit_pct), ('premises_below_30_pct', 100 - sfbb_pct)) x(indicator, v)
    WHERE resolution IN ('postcode', 'postcode_district') AND v IS NOT NULL
    GROUP BY ALL
),
official AS (
    SELECT area_code AS lad_code, area_name, release, indicator, value AS official_pct, release_name, dated_by,
           release_basis, ons_file
    FROM district_connectivity_series
    WHERE area_type = 'study district' AND indicator IN ('gigabit_capable_pct', 'premises_below_30_pct')
)
SELECT l.lad_code, o.area_name, r.release, o.release_name, i.indicator,
       o.official_pct, round(d.derived_pct, 2) AS derived_pct,
       round(d.derived_pct - o.official_pct, 2) AS difference_pp,
       abs(d.derived_pct - o.official_pct) <= i.threshold_pp AS within_threshold, i.threshold_pp,
       d.derived_resolution, d.derived_premises, d.postcodes_used,
       CASE WHEN d.premises_weighted THEN 'premises-weighted mean over postcodes'
            ELSE 'mean over postcodes, each counted once' END AS derived_weighting,
       o.dated_by, o.release_basis, o.ons_file
FROM (SELECT unnest($lads) AS lad_code) l
CROSS JOIN input_releases r
CROSS JOIN (VALUES ('gigabit_capable_pct', $threshold), ('premises_below_30_pct', $threshold_below_30))
    i(indicator, threshold_pp)
LEFT JOIN official o ON o.lad_code = l.lad_code AND o.release = r.release AND o.indicator = i.indicator
LEFT JOIN ours d ON d.lad_code = l.lad_code AND d.release = r.release AND d.indicator = i.indicator
ORDER BY r.release, i.indicator, l.lad_code
