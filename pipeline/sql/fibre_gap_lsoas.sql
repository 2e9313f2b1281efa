-- The same gap measures per LSOA, ranked for build planning, with the LSOA's exclusion index.
WITH g AS (
    SELECT * FROM gap_postcodes LEFT JOIN nearest USING (postcode) WHERE lsoa11cd IS NOT NULL
)
SELECT i.lsoa11cd, i.lsoa11nm, i.lad_code,
       count(*)                                                        AS postcodes,
       count(g.gigabit_pct)                                            AS postcodes_with_coverage,
       count(*) FILTER (g.lacks_gigabit)                               AS postcodes_lacking_gigabit,
       round(sum(g.est_without_gigabit), 3)                            AS est_without_gigabit,
       CASE WHEN bool_and(g.premises_known) FILTER (g.gigabit_pct IS NOT NULL) THEN 'premises'
            ELSE 'postcode-equivalents' END                            AS est_unit,
       round(avg(g.gigabit_pct), 2)                                    AS mean_gigabit_pct,
       mode(g.resolution) FILTER (g.resolution <> 'none')              AS broadband_resolution,
       round(avg(g.distance_m) FILTER (g.lacks_gigabit))               AS mean_distance_to_served_m,
       round(min(g.distance_m) FILTER (g.lacks_gigabit))               AS min_distance_to_served_m,
       any_value(i.index_score)                                        AS index_score,
       rank() OVER (ORDER BY sum(g.est_without_gigabit) DESC NULLS LAST,
                    avg(g.distance_m) FILTER (g.lacks_gigabit) DESC NULLS LAST) AS build_rank
FROM lsoa_index i JOIN g USING (lsoa11cd)
GROUP BY i.lsoa11cd, i.lsoa11nm, i.lad_code
ORDER BY build_rank, i.lsoa11cd
