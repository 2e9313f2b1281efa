-- Indicator scores weighted into component scores, and components into the index (all 0-10):
--   component = sum(indicator weight * indicator score) / sum(indicator weight)
--   index     = sum(component weight * component score) / sum(component weight)
-- Weights are as configured; an indicator missing for an LSOA drops out of its component's
-- sums (the LSOA's row lists it), so the remaining weights keep their ratios.
WITH lsoas AS (
    SELECT DISTINCT lsoa11cd, lad_code FROM lsoa_indicators
),
grid AS (
    SELECT l.lsoa11cd, l.lad_code, w.component, w.indicator, w.component_weight, w.indicator_weight
    FROM lsoas l CROSS JOIN weights w
),
scored AS (
    SELECT g.*, s.score FROM grid g LEFT JOIN indicator_scores s USING (lsoa11cd, indicator)
),
components AS (
    SELECT lsoa11cd, lad_code, component, any_value(component_weight) AS component_weight,
           sum(indicator_weight * score) / sum(indicator_weight) FILTER (score IS NOT NULL) AS component_score,
           string_agg(indicator, ', ' ORDER BY indicator) FILTER (score IS NULL) AS missing
    FROM scored GROUP BY 1, 2, 3
)
SELECT lsoa11cd, lad_code, component, component_score,
       sum(component_weight * component_score) OVER w
         / sum(component_weight) FILTER (component_score IS NOT NULL) OVER w AS index_score,
       string_agg(missing, ', ') OVER w AS missing_indicators
FROM components
WINDOW w AS (PARTITION BY lsoa11cd)
ORDER BY lsoa11cd, component
