-- Who each study district (and the zone, the study area as one) is compared with.
--   neighbours: the district and its statistical nearest neighbours ($nb_release, $nb_model);
--   cluster:    every area in the district's cluster ($cl_release, $cl_model);
--   the zone:   itself and the union of its districts' nearest neighbours, less the districts.
-- One row per subject, group and member; the subject is a member of its own group.
WITH districts AS (
    SELECT unnest($lads) AS area_code
),
neighbours AS (
    SELECT d.area_code AS subject, 'neighbours' AS group_kind, n.neighbour_code AS member, n.neighbour_rank
    FROM districts d JOIN la_neighbours n
      ON n.area_code = d.area_code AND n.release = $nb_release AND n.model = $nb_model
    UNION ALL
    SELECT area_code, 'neighbours', area_code, 0 FROM districts
    WHERE area_code IN (SELECT area_code FROM la_neighbours WHERE release = $nb_release AND model = $nb_model)
),
cluster_of AS (
    SELECT d.area_code AS subject, c.cluster_code, c.description
    FROM districts d JOIN la_clusters c ON c.area_code = d.area_code AND c.release = $cl_release AND c.model = $cl_model
),
clusters AS (
    SELECT o.subject, 'cluster' AS group_kind, c.area_code AS member, NULL::INTEGER AS neighbour_rank
    FROM cluster_of o JOIN la_clusters c
      ON c.release = $cl_release AND c.model = $cl_model AND c.cluster_code = o.cluster_code
),
zone AS (
    SELECT DISTINCT $zone AS subject, 'neighbours' AS group_kind, member, NULL::INTEGER AS neighbour_rank
    FROM neighbours WHERE member NOT IN (SELECT area_code FROM districts)
    UNION ALL
    SELECT $zone, 'neighbours', $zone, 0
)
SELECT g.*, o.cluster_code, o.description AS cluster_description
FROM (SELECT * FROM neighbours UNION ALL SELECT * FROM clusters UNION ALL SELECT * FROM zone) g
LEFT JOIN cluster_of o ON o.subject = g.subject AND g.group_kind = 'cluster'
WHERE length($lads) > 1 OR g.subject <> $zone
ORDER BY g.subject, g.group_kind, g.neighbour_rank NULLS LAST, g.member
