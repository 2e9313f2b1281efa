-- Per ward (May 2024): residents, LSOAs and the scores' means weighted by Census 2021 residents,
-- with the residents in each triage class (0 where the ward has no LSOA in it). Wards are named as the ONS lookup names them.
SELECT t.ward_code, t.ward_name, t.lad_code, t.lad_name,
       count(*)                                                                   AS lsoas,
       round(sum(t.residents_2021))::BIGINT                                       AS residents_2021,
       round(sum(t.residents_2021 * t.need_score) / sum(t.residents_2021), 2)      AS mean_need_score,
       round(sum(t.residents_2021 * t.supply_gap_score) / sum(t.residents_2021), 2) AS mean_supply_gap_score,
       round(sum(t.residents_2021 * i.index_score) / sum(t.residents_2021), 2)     AS mean_index_score,
       count(*) FILTER (t.need_decile = 1)                                        AS lsoas_in_top_need_decile,
       count(*) FILTER (t.high_need)                                              AS high_need_lsoas,
       coalesce(round(sum(t.residents_2021) FILTER (t.triage_class = 'both')), 0)::BIGINT AS residents_both,
       coalesce(round(sum(t.residents_2021) FILTER (t.triage_class = 'adoption gap')), 0)::BIGINT AS residents_adoption_gap,
       coalesce(round(sum(t.residents_2021) FILTER (t.triage_class = 'infrastructure gap')), 0)::BIGINT AS residents_infrastructure_gap,
       coalesce(round(sum(t.residents_2021) FILTER (t.triage_class = 'neither')), 0)::BIGINT AS residents_neither,
       bool_or(t.gap_is_area_average)                                             AS gap_from_area_averages
FROM lsoa_triage t JOIN lsoa_index i USING (lsoa_code)
GROUP BY ALL
ORDER BY mean_need_score DESC, t.ward_code
