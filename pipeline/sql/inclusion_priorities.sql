-- Priority LSOAs for digital-inclusion outreach: in the highest-risk $deciles index deciles of
-- the study area, and in the top $share of the study area for older residents (Census 2021 65+
-- share) or for deprivation (the index's deprivation component). The suggested offer follows
-- the reason: digital skills where older residents drive the risk; devices and donated mobile
-- data where deprivation does; both where both do.
WITH ranked AS (
    SELECT i.*, c.age_65_plus AS residents_65_plus,
           cume_dist() OVER (ORDER BY i.pct_65_plus DESC)       AS age_top_share,
           cume_dist() OVER (ORDER BY i.deprivation_score DESC) AS deprivation_top_share
    FROM lsoa_index i LEFT JOIN census_age c USING (lsoa11cd)
)
SELECT lsoa11cd, lsoa11nm, lad_code, lad_name, index_score, index_rank, index_decile,
       residents_2021, residents_65_plus, pct_65_plus, deprivation_score, imd_rank,
       age_top_share <= $share                                   AS many_older_residents,
       deprivation_top_share <= $share                           AS high_deprivation,
       CASE WHEN age_top_share <= $share AND deprivation_top_share <= $share
                THEN 'digital skills + devices and donated data'
            WHEN age_top_share <= $share THEN 'digital skills (older residents)'
            ELSE 'devices and donated data (deprivation)' END   AS suggested_offer,
       row_number() OVER (ORDER BY index_score DESC, lsoa11cd)   AS priority_order
FROM ranked
WHERE index_decile <= $deciles AND (age_top_share <= $share OR deprivation_top_share <= $share)
ORDER BY priority_order
