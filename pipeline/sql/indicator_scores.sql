-- Each indicator min-max scaled to 0-10 (10 = highest risk), as in the GMCA Digital Exclusion
-- Risk Index:   score = 10 * (x - min) / (max - min)         when a higher value is worse,
--               score = 10 * (max - x) / (max - min)         when a lower value is worse.
-- min and max come from the scaling base ($base): the whole study area, the LSOA's own
-- district, or England where a national file gives every English LSOA a value ({{national}});
-- other indicators fall back to the study area and the row says so. Skewed densities are
-- scaled on log10(value + 1). An indicator that does not vary over its base scores 0.
WITH used AS (
    SELECT i.lsoa_code, i.lad_code, i.indicator, i.value, m.higher_is_worse,
           CASE WHEN m.transform = 'log10' THEN log10(greatest(i.value, 0) + 1) ELSE i.value END AS x
    FROM {{indicators}} i JOIN indicator_meta m USING (indicator)
    WHERE i.value IS NOT NULL AND m.transform <> 'category'
),
england AS (
    SELECT n.indicator,
           min(CASE WHEN m.transform = 'log10' THEN log10(greatest(n.value, 0) + 1) ELSE n.value END) AS lo,
           max(CASE WHEN m.transform = 'log10' THEN log10(greatest(n.value, 0) + 1) ELSE n.value END) AS hi,
           count(*) AS n
    FROM {{national}} n JOIN indicator_meta m USING (indicator)
    WHERE n.value IS NOT NULL
    GROUP BY 1
),
study AS (
    SELECT indicator, min(x) AS lo, max(x) AS hi, count(*) AS n FROM used GROUP BY 1
),
district AS (
    SELECT indicator, lad_code, min(x) AS lo, max(x) AS hi, count(*) AS n FROM used GROUP BY 1, 2
),
ranged AS (
    SELECT u.*,
           CASE WHEN $base = 'england' AND e.indicator IS NOT NULL THEN 'england'
                WHEN $base = 'district' THEN 'district'
                ELSE 'study_area' END AS scaling_base,
           CASE WHEN $base = 'england' AND e.indicator IS NOT NULL THEN e.lo WHEN $base = 'district' THEN d.lo ELSE s.lo END AS lo,
           CASE WHEN $base = 'england' AND e.indicator IS NOT NULL THEN e.hi WHEN $base = 'district' THEN d.hi ELSE s.hi END AS hi,
           CASE WHEN $base = 'england' AND e.indicator IS NOT NULL THEN e.n WHEN $base = 'district' THEN d.n ELSE s.n END AS base_lsoas
    FROM used u
    JOIN study s USING (indicator)
    JOIN district d USING (indicator, lad_code)
    LEFT JOIN england e USING (indicator)
)
SELECT lsoa_code, lad_code, indicator, value, scaling_base, lo AS base_min, hi AS base_max, base_lsoas,
       CASE WHEN hi = lo THEN 0.0
            WHEN higher_is_worse THEN least(10, greatest(0, 10 * (x - lo) / (hi - lo)))
            ELSE least(10, greatest(0, 10 * (hi - x) / (hi - lo))) END AS score
FROM ranged
ORDER BY lsoa_code, indicator
