-- How fast each subject and its group move, from the first to the latest release at which the
-- subject has a value: points a year for the subject, the group median and the group's best value;
-- and, if those paces held, when the subject would reach the median and the best. These are
-- straight-line extrapolations, not forecasts, said in words that fit "Reaching the median: ...":
-- "already level with it or ahead" (or "... now, but falling back at this pace" when the target moves
-- faster); "not at this pace: the gap is widening" (or "is not closing"), said before any date; "about
-- 2028" (the lines cross before full coverage); "not before both reach 100% (at this pace its
-- own line reaches 100% about 2033)" (the gap is closing, but coverage cannot pass 100%, nor premises below
-- 30 Mbit/s fall under 0%: the lines would cross only beyond that bound, so the two are level only once
-- both are full); and "not within N years at this pace" beyond the horizon $horizon (a setting), because a
-- straight line drawn from a few releases says little about a decade on. Two paces closer than $level points
-- a year (a setting) are "about the same pace": two releases cannot tell them apart. The words: macro
-- pace_outlook.
WITH span AS (
    SELECT area_code, group_kind, indicator,
           arg_min(release, release) AS first_release, arg_max(release, release) AS latest_release,
           count(*) AS releases
    FROM peer_benchmark GROUP BY ALL
),
ends AS (
    SELECT s.*, f.release_name AS first_release_name, l.release_name AS latest_release_name,
           f.value AS first_value, l.value AS latest_value, f.group_median AS first_median, l.group_median AS latest_median,
           f.best_value AS first_best, l.best_value AS latest_best, l.rank_label AS latest_rank_label,
           f.rank_label AS first_rank_label, l.estimate, l.weighted_by, l.area_name, l.area_type, l.indicator_label, f.dated_by AS first_dated_by,
           l.dated_by AS latest_dated_by,
           date_diff('month', strptime(s.first_release, '%Y-%m'), strptime(s.latest_release, '%Y-%m')) / 12.0 AS years,
           CASE WHEN s.indicator = 'premises_below_30_pct' THEN -1 ELSE 1 END AS better
    FROM span s
    JOIN peer_benchmark f ON f.area_code = s.area_code AND f.group_kind = s.group_kind AND f.indicator = s.indicator
                          AND f.release = s.first_release
    JOIN peer_benchmark l ON l.area_code = s.area_code AND l.group_kind = s.group_kind AND l.indicator = s.indicator
                          AND l.release = s.latest_release
),
paces AS (
    -- at the precision published (2 decimals), so the words follow the figures shown beside them: two paces
    -- both shown as 0.00 are level, not one "falling back" by a thousandth of a point
    SELECT *,
           round((latest_value - first_value) / nullif(years, 0), 2) AS pace_pp_per_year,
           round((latest_median - first_median) / nullif(years, 0), 2) AS median_pace_pp_per_year,
           round((latest_best - first_best) / nullif(years, 0), 2) AS best_pace_pp_per_year,
           round(better * (latest_median - latest_value), 2) AS behind_median,
           round(better * (latest_best - latest_value), 2) AS behind_best
    FROM ends
),
closing AS (
    SELECT *,
           -- differences of the published paces, rounded as they are (0.1 - 0.3 is -0.2, not -0.19999...)
           round(better * (pace_pp_per_year - median_pace_pp_per_year), 2) AS closing_on_median,
           round(better * (pace_pp_per_year - best_pace_pp_per_year), 2) AS closing_on_best,
           latest_value = CASE WHEN better = 1 THEN 100.0 ELSE 0.0 END AS at_full,
           CASE WHEN better = 1 THEN 100.0 ELSE 0.0 END AS bound,
           CASE WHEN better = 1 THEN '100%' ELSE '0%' END AS bound_text,
           CASE WHEN better = 1 THEN 'not before both reach 100%'
                ELSE 'not before both have no premises below 30 Mbit/s' END AS bound_words
    FROM paces
),
meets AS (
    -- years until the subject meets each target: where the lines cross inside the bound, else at the bound
    -- (a target already at 100% is met only at the bound, worded as such, like one that gets there first)
    SELECT *,
           CASE WHEN closing_on_median > 0
                     AND better * (latest_value + pace_pp_per_year * behind_median / closing_on_median) < better * bound
                THEN behind_median / closing_on_median END AS median_cross_years,
           CASE WHEN closing_on_best > 0
                     AND better * (latest_value + pace_pp_per_year * behind_best / closing_on_best) < better * bound
                THEN behind_best / closing_on_best END AS best_cross_years,
           CASE WHEN better * pace_pp_per_year > 0 THEN (bound - latest_value) / pace_pp_per_year END AS bound_years,
           CASE WHEN better * median_pace_pp_per_year > 0 THEN (bound - latest_median) / median_pace_pp_per_year
                WHEN latest_median = bound THEN 0 END AS median_bound_years,
           CASE WHEN better * best_pace_pp_per_year > 0 THEN (bound - latest_best) / best_pace_pp_per_year
                WHEN latest_best = bound THEN 0 END AS best_bound_years
    FROM closing
),
meet_dates AS (
    SELECT *,
           coalesce(median_cross_years, CASE WHEN median_bound_years <= bound_years THEN bound_years END)
             AS median_years,
           median_cross_years IS NULL AND median_bound_years <= bound_years AS median_at_bound,
           coalesce(best_cross_years, CASE WHEN best_bound_years <= bound_years THEN bound_years END) AS best_years,
           best_cross_years IS NULL AND best_bound_years <= bound_years AS best_at_bound
    FROM meets
)
SELECT area_code, area_name, area_type, group_kind, indicator, indicator_label, first_release, first_release_name, first_dated_by,
       latest_release, latest_release_name, latest_dated_by, releases, round(years, 2) AS years, first_value, latest_value, estimate, weighted_by, first_rank_label,
       latest_rank_label, pace_pp_per_year, median_pace_pp_per_year, best_pace_pp_per_year,
       behind_median AS behind_median_pp, behind_best AS behind_best_pp,
       pace_outlook(behind_median, closing_on_median, median_years, median_at_bound, years, latest_release, $horizon,
                    bound_words, bound_text, $level, at_full) AS reaches_median,
       pace_outlook(behind_best, closing_on_best, best_years, best_at_bound, years, latest_release, $horizon,
                    bound_words, bound_text, $level, at_full) AS reaches_best
FROM meet_dates
ORDER BY area_type, area_code, group_kind DESC, indicator
