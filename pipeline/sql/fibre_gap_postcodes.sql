-- Each study-area postcode's gigabit gap. A postcode lacks gigabit when its gigabit
-- availability is below $lacking % of premises; premises without gigabit are estimated as
-- premises x (100 - gigabit %) / 100, counting each postcode as one "postcode-equivalent"
-- where the source has no premises counts (postcode-district and local-authority figures).
SELECT p.postcode, p.lsoa_code, p.lad_code, p.easting, p.northing, p.lat, p.lon, p.geom,
       b.resolution, b.release, b.gigabit_pct, b.all_premises,
       CASE b.resolution WHEN 'postcode_district' THEN b.postcode_district WHEN 'local_authority' THEN b.lad_code
                         WHEN 'postcode' THEN b.postcode END                AS broadband_area,
       b.gigabit_pct < $lacking                                           AS lacks_gigabit,
       b.gigabit_pct >= $served                                           AS gigabit_served,
       coalesce(b.all_premises, 1) * (100 - b.gigabit_pct) / 100          AS est_without_gigabit,
       b.all_premises IS NOT NULL                                         AS premises_known
FROM postcodes p JOIN broadband_coverage b USING (postcode)
WHERE list_contains($lads, p.lad_code)
