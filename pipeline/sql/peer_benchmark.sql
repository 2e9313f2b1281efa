-- Each subject's standing among its group at every release: its rank (1 = best; lower is better
-- only for premises below 30 Mbit/s; ties share the best rank and say how many tie), how many were
-- compared (members with a value at that release), the median of those compared (the subject
-- included), the best value and who holds it, and how far the subject is behind the best and the
-- median in percentage points (negative: ahead).
WITH compared AS (
    SELECT g.subject, g.group_kind, g.member, g.cluster_code, g.cluster_description, v.indicator, v.indicator_label,
           v.release,
           v.release_name, v.dated_by, v.area_name, v.value, v.estimate, v.weighted_by, v.ons_file,
           CASE WHEN v.indicator = 'premises_below_30_pct' THEN -v.value ELSE v.value END AS goodness
    FROM peer_groups g JOIN peer_values v ON v.area_code = g.member
),
ranked AS (
    SELECT *,
           rank() OVER w_desc AS rank,
           count(*) OVER (PARTITION BY subject, group_kind, indicator, release, goodness) AS tied,
           count(*) OVER w AS n_compared,
           median(value) OVER w AS group_median,
           max(goodness) OVER w AS best_goodness
    FROM compared
    WINDOW w AS (PARTITION BY subject, group_kind, indicator, release),
           w_desc AS (PARTITION BY subject, group_kind, indicator, release ORDER BY goodness DESC)
),
best AS (
    SELECT subject, group_kind, indicator, release,
           string_agg(area_name, '; ' ORDER BY area_name) FILTER (goodness = best_goodness AND member <> subject)
               AS best_peers
    FROM ranked GROUP BY ALL
)
SELECT r.subject AS area_code, r.area_name, CASE WHEN r.estimate THEN 'zone' ELSE 'district' END AS area_type,
       r.group_kind, r.cluster_code, r.cluster_description, r.indicator, r.indicator_label, r.release, r.release_name,
       r.dated_by,
       r.value, r.estimate, r.weighted_by, r.rank, r.tied, r.n_compared,
       CASE WHEN r.tied > 1 THEN '=' ELSE '' END || r.rank || CASE
           WHEN r.rank % 100 BETWEEN 11 AND 13 THEN 'th' WHEN r.rank % 10 = 1 THEN 'st' WHEN r.rank % 10 = 2 THEN 'nd'
           WHEN r.rank % 10 = 3 THEN 'rd' ELSE 'th' END || ' of ' || r.n_compared
           || CASE WHEN r.tied > 1 THEN ' (' || r.tied || ' tied)' ELSE '' END AS rank_label,
       r.group_median, abs(r.best_goodness) AS best_value, b.best_peers,
       round(CASE WHEN r.indicator = 'premises_below_30_pct' THEN r.value - abs(r.best_goodness)
                  ELSE abs(r.best_goodness) - r.value END, 2) AS behind_best_pp,
       round(CASE WHEN r.indicator = 'premises_below_30_pct' THEN r.value - r.group_median
                  ELSE r.group_median - r.value END, 2) AS behind_median_pp,
       r.ons_file
FROM ranked r JOIN best b USING (subject, group_kind, indicator, release)
WHERE r.member = r.subject
ORDER BY area_type, r.subject, r.group_kind DESC, r.indicator, r.release
