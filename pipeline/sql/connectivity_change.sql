-- Change over time per area and indicator: first and latest snapshot, and the change in
-- percentage points. Study districts are ranked against each other by improvement
-- (rank 1 = most improved): a rise for coverage indicators, a fall for premises below 30 Mbit/s.
WITH bounds AS (
    SELECT area_code, indicator,
           arg_min(snapshot, snapshot_date) AS first_snapshot, min(snapshot_date) AS first_date,
           arg_max(snapshot, snapshot_date) AS latest_snapshot, max(snapshot_date) AS latest_date,
           count(*) AS snapshots
    FROM district_connectivity_series GROUP BY 1, 2
),
change AS (
    SELECT b.*, s1.area_name, s1.area_type, s1.indicator_label, s1.value AS first_value, s2.value AS latest_value,
           round(s2.value - s1.value, 2) AS change_pp,
           CASE WHEN b.indicator = 'premises_below_30_pct' THEN s1.value - s2.value ELSE s2.value - s1.value END AS improvement
    FROM bounds b
    JOIN district_connectivity_series s1 ON s1.area_code = b.area_code AND s1.indicator = b.indicator AND s1.snapshot = b.first_snapshot
    JOIN district_connectivity_series s2 ON s2.area_code = b.area_code AND s2.indicator = b.indicator AND s2.snapshot = b.latest_snapshot
)
SELECT area_code, area_name, area_type, indicator, indicator_label, first_snapshot, first_value, latest_snapshot,
       latest_value, change_pp, snapshots,
       CASE WHEN area_type = 'study district'
            THEN rank() OVER (PARTITION BY indicator, area_type = 'study district' ORDER BY improvement DESC) END
         AS improvement_rank,
       CASE WHEN indicator = 'premises_below_30_pct' THEN 'a fall is an improvement' ELSE 'a rise is an improvement' END
         AS direction
FROM change
ORDER BY indicator, area_type DESC, improvement_rank NULLS LAST, area_code
