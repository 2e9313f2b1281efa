-- The indicators published for every LSOA in England, for the England scaling base.
SELECT lsoa11cd, d.indicator, d.value::DOUBLE AS value
FROM imd2019,
     LATERAL (VALUES ('imd_rank', imd_rank), ('income_rank', income_rank), ('employment_rank', employment_rank),
                     ('education_rank', education_rank), ('barriers_rank', barriers_rank),
                     ('pct_60_plus', 100.0 * pop_60_plus_2015 / nullif(pop_total_2015, 0))) d(indicator, value)
UNION ALL
SELECT lsoa11cd, 'rural_class', rural_class FROM rurality WHERE lsoa11cd LIKE 'E%'
