-- Indicator scores weighted into component scores, and components into one score (all 0-10):
--   component = sum(indicator weight * indicator score) / sum(indicator weight)
--   score     = sum(component weight * component score) / sum(component weight)
-- Weights are as configured (weights), one set per variant (a run's own weights are variant 0; the
-- sensitivity table scores every changed set in one pass). An indicator missing for an LSOA drops out of
-- its component's sums, and a component with no indicator drops out of the score, so the remaining
-- weights keep their ratios; the LSOA's row lists what was missing.
WITH grid AS (
    SELECT w.variant, l.lsoa_code, l.lad_code, w.component, w.indicator, w.component_weight, w.indicator_weight
    FROM lsoa_list l CROSS JOIN weights w
),
scored AS (
    SELECT g.*, s.score FROM grid g LEFT JOIN indicator_scores s USING (lsoa_code, indicator)
),
components AS (
    SELECT variant, lsoa_code, lad_code, component, any_value(component_weight) AS component_weight,
           sum(indicator_weight * score) / sum(indicator_weight) FILTER (score IS NOT NULL) AS component_score,
           string_agg(indicator, ', ' ORDER BY indicator) FILTER (score IS NULL) AS missing
    FROM scored GROUP BY 1, 2, 3, 4
)
SELECT variant, lsoa_code, lad_code, component, component_score,
       sum(component_weight * component_score) OVER w
         / sum(component_weight) FILTER (component_score IS NOT NULL) OVER w AS score,
       string_agg(missing, ', ' ORDER BY component) OVER w AS missing_indicators
FROM components
WINDOW w AS (PARTITION BY variant, lsoa_code)
ORDER BY variant, lsoa_code, component
