-- Postcodes lacking gigabit on a $grid-metre grid (EPSG:27700), for build planning.
-- A cell whose postcodes are known at postcode level is measured there and ranked by its
-- estimated premises without gigabit (then by distance to a served postcode): build_rank.
-- A cell known only by an area average (a postcode district, a district) cannot be ranked
-- within its area: it takes its main area's share of premises without gigabit, and cells of one
-- area tie in area_rank; build_rank is left empty.
WITH cells AS (
    SELECT floor(easting / $grid)::BIGINT * $grid AS x_min, floor(northing / $grid)::BIGINT * $grid AS y_min, *
    FROM gap_postcodes g LEFT JOIN nearest USING (postcode)
),
per_cell AS (
    SELECT x_min, y_min,
           mode(lad_code)                                                  AS lad_code,
           count(*)                                                        AS postcodes,
           count(gigabit_pct)                                              AS postcodes_with_coverage,
           count(*) FILTER (lacks_gigabit)                                 AS postcodes_lacking_gigabit,
           round(sum(est_without_gigabit), 3)                              AS est_without_gigabit,
           CASE WHEN bool_and(premises_known) FILTER (gigabit_pct IS NOT NULL) THEN 'premises'
                ELSE 'postcode-equivalents' END                            AS est_unit,
           round(avg(gigabit_pct), 2)                                      AS mean_gigabit_pct,
           mode(resolution) FILTER (resolution <> 'none')                  AS broadband_resolution,
           mode(broadband_area) FILTER (resolution <> 'none')              AS broadband_area,
           round(avg(distance_m) FILTER (lacks_gigabit))                   AS mean_distance_to_served_m,
           round(max(distance_m) FILTER (lacks_gigabit))                   AS max_distance_to_served_m
    FROM cells GROUP BY x_min, y_min
    HAVING count(*) FILTER (lacks_gigabit) > 0
),
areas AS (
    SELECT resolution, broadband_area, 100 - any_value(gigabit_pct) AS area_pct_no_gigabit
    FROM gap_postcodes WHERE resolution IN ('postcode_district', 'local_authority') GROUP BY 1, 2
)
SELECT 'E' || (c.x_min // 1000)::VARCHAR || '_N' || (c.y_min // 1000)::VARCHAR
           || CASE WHEN $grid < 1000 THEN '_' || (c.x_min % 1000)::VARCHAR || '_' || (c.y_min % 1000)::VARCHAR ELSE '' END
           AS cell_id,
       c.*,
       c.broadband_resolution <> 'postcode'                                AS area_average,
       a.area_pct_no_gigabit,
       CASE WHEN c.broadband_resolution <> 'postcode' THEN dense_rank() OVER (
           PARTITION BY c.broadband_resolution <> 'postcode' ORDER BY a.area_pct_no_gigabit DESC NULLS LAST) END AS area_rank,
       CASE WHEN c.broadband_resolution = 'postcode' THEN rank() OVER (
           PARTITION BY c.broadband_resolution = 'postcode'
           ORDER BY c.est_without_gigabit DESC NULLS LAST, c.mean_distance_to_served_m DESC NULLS LAST) END AS build_rank,
       ST_SetCRS(ST_MakeEnvelope(c.x_min, c.y_min, c.x_min + $grid, c.y_min + $grid), 'EPSG:27700') AS geom
FROM per_cell c
LEFT JOIN areas a ON a.resolution = c.broadband_resolution AND a.broadband_area = c.broadband_area
ORDER BY build_rank NULLS LAST, area_rank NULLS LAST, cell_id
