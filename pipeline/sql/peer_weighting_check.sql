-- The check behind the zone's estimate: weighting a county's districts' Ofcom figures by Census 2021
-- usual residents, as the zone's shares of premises are weighted (peer_values.sql), and setting the result
-- beside the figure ONS publishes for that county, for each county the study districts' postcodes lie in
-- (Code-Point Open's county codes name the county and its districts) and every release dated by month.
-- A county is checked at a release only when every one of its districts has a figure and residents.
-- Shares of land area are not checked here: the LSOA areas are read for the study area only.
WITH counties AS (
    SELECT DISTINCT county_code FROM codepoint_open WHERE list_contains($lads, lad_code) AND county_code IS NOT NULL
),
members AS (
    SELECT DISTINCT county_code, lad_code FROM codepoint_open WHERE county_code IN (SELECT county_code FROM counties)
),
residents AS (
    SELECT w.lad_code, sum(a.residents) AS residents
    FROM lsoa_wards w JOIN census_age a USING (lsoa21cd)
    WHERE w.lad_code IN (SELECT lad_code FROM members)
    GROUP BY 1
),
premises AS (
    SELECT area_code, area_name, indicator, indicator_label, release, release_name, dated_by, value
    FROM la_connectivity_series
    WHERE dated_by <> 'year only' AND unit = '% of premises'
),
estimated AS (
    SELECT m.county_code, r.indicator, r.release, count(*) AS districts,
           count(f.value * w.residents) AS districts_weighted,
           sum(f.value * w.residents) / sum(w.residents) AS estimate
    FROM members m
    CROSS JOIN (SELECT DISTINCT indicator, release FROM premises) r
    LEFT JOIN premises f ON f.area_code = m.lad_code AND f.indicator = r.indicator AND f.release = r.release
    LEFT JOIN residents w ON w.lad_code = m.lad_code
    GROUP BY ALL
)
SELECT c.area_code AS county_code, c.area_name AS county_name, c.indicator, c.indicator_label,
       c.release, c.release_name, c.dated_by, c.value AS published_value,
       round(e.estimate, 2) AS estimate, round(e.estimate - c.value, 2) + 0.0 AS difference_pp,  -- + 0.0: never "-0.0"
       e.districts, 'Census 2021 usual residents' AS weighted_by
FROM premises c
JOIN estimated e ON e.county_code = c.area_code AND e.indicator = c.indicator AND e.release = c.release
WHERE e.districts_weighted = e.districts
ORDER BY county_name, indicator, release
