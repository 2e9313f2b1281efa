-- File 7 rows whose ranks or deciles disagree with Files 1 and 3. The three files are one release;
-- a File 7 row whose rank differs from the national files' comes from another upload, so its scores
-- are not used. The national value is File 1's where File 1 has the field, else File 3's; a row's
-- reason is its first disagreeing field, in File 7's order.
--   {{differs}}: for each rank and decile field of File 7 that a national file has, in File 7's order,
--                {field, value, national} when the two differ (s: File 7's row, f1, f3: the national rows).
WITH f1 AS (SELECT * FROM iod_file1 WHERE problem IS NULL),
f3 AS (SELECT * FROM iod_file3 WHERE problem IS NULL),
first_difference AS (
    SELECT s.lsoa_code, s.row_number, list_filter([{{differs}}], d -> d IS NOT NULL)[1] AS d
    FROM iod_file7 s LEFT JOIN f1 USING (lsoa_code) LEFT JOIN f3 USING (lsoa_code)
    WHERE s.problem IS NULL
)
SELECT lsoa_code, row_number, d.field, d.value::BIGINT::VARCHAR AS value,
       d.field || ' differs from File ' || CASE WHEN starts_with(d.field, 'imd') THEN '1' ELSE '3' END
           || ' (' || d.national::BIGINT || '): not the same upload of the release; scores not used' AS reason
FROM first_difference
WHERE d IS NOT NULL
