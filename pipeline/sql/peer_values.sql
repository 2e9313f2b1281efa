-- Every member's value of each indicator at each Ofcom release dated by month, the zone's as an
-- estimate, since Ofcom's files carry no premises counts: the mean of its districts' values weighted
-- the way Ofcom's own county figures are built, by what the indicator counts. Shares of premises are
-- weighted by Census 2021 usual residents (premises are not in these files; residents stand in for
-- them), shares of land area by the districts' land area (the LSOA boundaries' areas, clipped to the
-- coastline). The zone has a value at a release only when every one of its districts has one, rounded to
-- the decimals Ofcom's figures carry at that release, so its rank never rests on a precision the others lack.
WITH weights AS (
    SELECT lad_code, residents, land_km2
    FROM (SELECT w.lad_code, sum(a.residents) AS residents
          FROM lsoa_wards w JOIN census_age a USING (lsoa21cd)
          WHERE list_contains($lads, w.lad_code) GROUP BY 1)
    JOIN (SELECT lad_code, sum(area_km2) AS land_km2 FROM lsoa_areas
          WHERE list_contains($lads, lad_code) GROUP BY 1) USING (lad_code)
),
dated AS (
    SELECT area_code, area_name, indicator, indicator_label, release, release_name, dated_by, value, ons_file,
           NULL::VARCHAR AS weighted_by, unit
    FROM la_connectivity_series WHERE dated_by <> 'year only'
),
weighted AS (
    SELECT d.*, CASE WHEN d.unit = '% of land area' THEN w.land_km2 ELSE w.residents END AS weight,
           CASE WHEN d.unit = '% of land area' THEN 'land area (LSOA boundaries, clipped to the coastline)'
                ELSE 'Census 2021 usual residents' END AS weight_name
    FROM dated d JOIN weights w ON w.lad_code = d.area_code
),
decimals AS (
    SELECT indicator, release, max(length(split_part(value::VARCHAR, '.', 2)))::INTEGER AS places
    FROM dated WHERE value IS NOT NULL GROUP BY ALL
),
zone AS (
    SELECT $zone AS area_code, $zone_name AS area_name, indicator, any_value(indicator_label) AS indicator_label,
           release, any_value(release_name) AS release_name,
           CASE WHEN bool_and(dated_by = 'ONS metadata') THEN 'ONS metadata' ELSE 'ONS period label' END AS dated_by,
           round(sum(value * weight) / sum(weight),
                 (SELECT places FROM decimals x WHERE x.indicator = weighted.indicator AND x.release = weighted.release))
             AS value,
           'estimate: its districts'' Ofcom figures weighted by ' || any_value(weight_name) AS ons_file,
           any_value(weight_name) AS weighted_by, any_value(unit) AS unit
    FROM weighted
    GROUP BY indicator, release
    HAVING count(*) = length($lads)
)
SELECT * EXCLUDE (unit), false AS estimate FROM dated
UNION ALL
SELECT * EXCLUDE (unit), true AS estimate FROM zone WHERE length($lads) > 1
