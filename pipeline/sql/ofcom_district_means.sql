-- Postcode-district means computed from Ofcom's own postcode file, the way the broadbandpicker
-- project made the July 2024 means the mirror holds: for each postcode district and release,
-- the unweighted mean over its postcodes of each "% of premises" figure, rounded to 1 dp.
SELECT postcode_district(key) AS key, release, any_value(postcode_area(key)) AS postcode_area,
       count(*) AS sample_postcodes,
       round(avg(gigabit_pct), 1) AS gigabit_pct, round(avg(sfbb_pct), 1) AS sfbb_pct,
       round(avg(ufbb_pct), 1) AS ufbb_pct, round(avg(below_uso_pct), 1) AS below_uso_pct,
       round(avg(nga_pct), 1) AS nga_pct,
       'computed from ' || min(source_file) AS source_file, NULL::BIGINT AS source_row
FROM ofcom_postcode_coverage
GROUP BY 1, 2
