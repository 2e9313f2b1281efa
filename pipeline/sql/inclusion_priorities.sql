-- Priority LSOAs for digital-inclusion outreach (skills, devices, donated data): the highest-need
-- $deciles deciles of the study area by inclusion need (lsoa_need). The suggested offer follows
-- the need component that scores highest (lsoa_triage); "robust" priorities stay in the top
-- decile in at least the configured share of the rank_uncertainty draws. Need only: the triage class,
-- which rests on the connectivity gap too, is in lsoa_triage, with its resolution marks.
SELECT n.lsoa_code, n.lsoa_name, n.ward_code, n.ward_name, n.lad_code, n.lad_name, n.residents_2021,
       n.need_score, n.need_rank, n.need_decile, n.age_score, n.disability_score, n.deprivation_score,
       n.engagement_score, n.pct_75_plus, n.pct_65_plus, n.pct_disabled, n.older_income, n.iuc_label,
       n.iuc_area, n.iuc_lsoas_sharing,
       t.inclusion_offer AS suggested_offer,
       u.p_top_decile, u.rank_p05, u.rank_p95, u.priority AS robustness,
       row_number() OVER (ORDER BY n.need_rank, n.lsoa_code) AS priority_order
FROM lsoa_need n
JOIN lsoa_triage t USING (lsoa_code)
LEFT JOIN (SELECT * FROM rank_uncertainty WHERE score = 'need') u USING (lsoa_code)
WHERE n.need_decile <= $deciles
ORDER BY priority_order
