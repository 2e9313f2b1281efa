-- Every member's value of each indicator at each Ofcom release dated by month, the zone's as an
-- estimate: the residents-weighted mean of its districts' values (Census 2021 usual residents),
-- since Ofcom's files carry no premises counts. The zone has a value at a release only when every
-- one of its districts has one.
WITH residents AS (
    SELECT w.lad_code, sum(a.residents) AS residents
    FROM lsoa_wards w JOIN census_age a USING (lsoa21cd)
    WHERE list_contains($lads, w.lad_code)
    GROUP BY 1
),
dated AS (
    SELECT area_code, area_name, indicator, indicator_label, release, release_name, dated_by, value, ons_file
    FROM la_connectivity_series WHERE dated_by <> 'year only'
),
zone AS (
    SELECT $zone AS area_code, $zone_name AS area_name, d.indicator, any_value(d.indicator_label) AS indicator_label,
           d.release, any_value(d.release_name) AS release_name,
           CASE WHEN bool_and(d.dated_by = 'ONS metadata') THEN 'ONS metadata' ELSE 'ONS period label' END AS dated_by,
           sum(d.value * r.residents) / sum(r.residents) AS value,
           'estimate: residents-weighted mean of the districts'' Ofcom figures' AS ons_file
    FROM dated d JOIN residents r ON r.lad_code = d.area_code
    GROUP BY d.indicator, d.release
    HAVING count(*) = length($lads)
)
SELECT *, false AS estimate FROM dated
UNION ALL
SELECT *, true AS estimate FROM zone WHERE length($lads) > 1
