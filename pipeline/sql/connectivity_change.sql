-- Change over time per area and indicator, from the first to the latest release that carries a
-- month (a release dated only by a year is not a baseline: its month is unknown). Study districts
-- are ranked against each other by improvement (rank 1 = most improved): a rise for coverage
-- indicators, a fall for premises below 30 Mbit/s. The pace divides by the exact span, not the
-- rounded years shown, so it is the figure peer_pace gives for the same district and releases.
WITH dated AS (
    SELECT *, make_date(left(release, 4)::INT, right(release, 2)::INT, 1) AS release_date
    FROM district_connectivity_series WHERE dated_by <> 'year only'
),
bounds AS (
    SELECT area_code, indicator,
           arg_min(release, release_date) AS first_release, arg_max(release, release_date) AS latest_release,
           min(release_date) AS first_date, max(release_date) AS latest_date, count(*) AS releases
    FROM dated GROUP BY 1, 2
),
change AS (
    SELECT b.*, s1.area_name, s1.area_type, s1.indicator_label, s1.unit,
           s1.release_name AS first_release_name, s1.value AS first_value,
           s2.release_name AS latest_release_name, s2.value AS latest_value,
           s2.dated_by AS latest_dated_by, s1.dated_by AS first_dated_by,
           round(s2.value - s1.value, 2) AS change_pp,
           date_diff('month', b.first_date, b.latest_date) / 12 AS span_years,
           CASE WHEN b.indicator = 'premises_below_30_pct' THEN s1.value - s2.value ELSE s2.value - s1.value END AS improvement
    FROM bounds b
    JOIN dated s1 ON s1.area_code = b.area_code AND s1.indicator = b.indicator AND s1.release = b.first_release
    JOIN dated s2 ON s2.area_code = b.area_code AND s2.indicator = b.indicator AND s2.release = b.latest_release
)
SELECT area_code, area_name, area_type, indicator, indicator_label, unit, first_release, first_release_name,
       first_dated_by, first_value, latest_release, latest_release_name, latest_dated_by, latest_value, change_pp,
       round(span_years, 2) AS years,
       round((latest_value - first_value) / nullif(span_years, 0), 2) AS change_pp_per_year, releases,
       CASE WHEN area_type = 'study district'
            THEN rank() OVER (PARTITION BY indicator, area_type = 'study district' ORDER BY improvement DESC) END
         AS improvement_rank,
       CASE WHEN indicator = 'premises_below_30_pct' THEN 'a fall is an improvement' ELSE 'a rise is an improvement' END
         AS direction
FROM change
ORDER BY indicator, area_type DESC, improvement_rank NULLS LAST, area_code
