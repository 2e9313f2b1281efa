-- Where each study-area neighbourhood's people live, as one point (metres, British National Grid):
-- ONS's population-weighted centroid where the file holds the LSOA, else the mean position of the
-- LSOA's postcodes, each counted once (origin says which, per row).
WITH by_postcodes AS (
    SELECT lsoa_code, avg(easting) AS easting, avg(northing) AS northing, count(*) AS postcodes
    FROM postcodes WHERE lsoa_code IS NOT NULL AND easting IS NOT NULL GROUP BY 1
)
SELECT a.lsoa_code, a.lsoa_name, a.lad_code, a.lad_name,
       round(coalesce(w.easting, p.easting), 1) AS easting, round(coalesce(w.northing, p.northing), 1) AS northing,
       CASE WHEN w.lsoa21cd IS NOT NULL THEN 'population-weighted centroid' ELSE 'mean of its postcodes' END AS origin,
       CASE WHEN w.lsoa21cd IS NOT NULL THEN 'ONS population-weighted centroid (December 2021), ' || $label
            || ' row ' || w.source_row
            ELSE 'mean position of its ' || p.postcodes || ' postcodes, each counted once (Code-Point Open)' END
           AS origin_basis,
       ST_SetCRS(ST_Point(coalesce(w.easting, p.easting), coalesce(w.northing, p.northing)), 'EPSG:27700') AS geom
FROM lsoa_areas a
LEFT JOIN lsoa_pwc w ON w.lsoa21cd = a.lsoa_code
LEFT JOIN by_postcodes p ON p.lsoa_code = a.lsoa_code
WHERE coalesce(w.easting, p.easting) IS NOT NULL
ORDER BY a.lsoa_code
