-- The league table behind each subject's latest rank: every member of its group at the latest release
-- dated by month, with its value and rank (1 = best; lower is better only for premises below 30 Mbit/s).
WITH latest AS (
    SELECT v.indicator, max(v.release) AS release FROM peer_values v WHERE NOT v.estimate GROUP BY 1
)
SELECT g.subject AS area_code, s.area_name AS subject_name, g.group_kind, g.cluster_code, v.indicator,
       v.indicator_label, v.release, v.release_name, g.member AS member_code, v.area_name AS member_name,
       g.member = g.subject AS is_subject, v.estimate, v.weighted_by, v.value,
       rank() OVER (PARTITION BY g.subject, g.group_kind, v.indicator
                    ORDER BY CASE WHEN v.indicator = 'premises_below_30_pct' THEN -v.value ELSE v.value END DESC)
           AS rank
FROM peer_groups g
JOIN peer_values v ON v.area_code = g.member
JOIN latest l ON l.indicator = v.indicator AND l.release = v.release
-- A district renamed between releases keeps one name: its latest.
LEFT JOIN (SELECT area_code, arg_max(area_name, release) AS area_name FROM peer_values GROUP BY 1) s
    ON s.area_code = g.subject
ORDER BY g.subject, g.group_kind DESC, v.indicator, rank, member_name
