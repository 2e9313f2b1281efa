-- Postcodes lacking gigabit on a $grid-metre grid (EPSG:27700), ranked for build planning:
-- most premises (or postcode-equivalents) without gigabit first, then farthest from a served postcode.
WITH cells AS (
    SELECT floor(easting / $grid)::BIGINT * $grid AS x_min, floor(northing / $grid)::BIGINT * $grid AS y_min, *
    FROM gap_postcodes g LEFT JOIN nearest USING (postcode)
)
SELECT 'E' || (x_min // 1000)::VARCHAR || '_N' || (y_min // 1000)::VARCHAR
           || CASE WHEN $grid < 1000 THEN '_' || (x_min % 1000)::VARCHAR || '_' || (y_min % 1000)::VARCHAR ELSE '' END AS cell_id,
       x_min, y_min,
       mode(lad_code)                                                  AS lad_code,
       count(*)                                                        AS postcodes,
       count(gigabit_pct)                                              AS postcodes_with_coverage,
       count(*) FILTER (lacks_gigabit)                                 AS postcodes_lacking_gigabit,
       round(sum(est_without_gigabit), 3)                              AS est_without_gigabit,
       CASE WHEN bool_and(premises_known) FILTER (gigabit_pct IS NOT NULL) THEN 'premises'
            ELSE 'postcode-equivalents' END                            AS est_unit,
       round(avg(gigabit_pct), 2)                                      AS mean_gigabit_pct,
       mode(resolution) FILTER (resolution <> 'none')                  AS broadband_resolution,
       round(avg(distance_m) FILTER (lacks_gigabit))                   AS mean_distance_to_served_m,
       round(max(distance_m) FILTER (lacks_gigabit))                   AS max_distance_to_served_m,
       rank() OVER (ORDER BY sum(est_without_gigabit) DESC NULLS LAST,
                    avg(distance_m) FILTER (lacks_gigabit) DESC NULLS LAST)  AS build_rank,
       ST_SetCRS(ST_MakeEnvelope(x_min, y_min, x_min + $grid, y_min + $grid), 'EPSG:27700') AS geom
FROM cells
GROUP BY x_min, y_min
HAVING count(*) FILTER (lacks_gigabit) > 0
ORDER BY build_rank, cell_id
