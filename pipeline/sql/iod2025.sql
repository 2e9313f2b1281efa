-- IoD 2025, one row per LSOA (2021) of Files 1, 3 and 7. Each value comes from the first file that
-- has it, in the order File 1, File 3, File 7: ranks and deciles from the national Files 1 and 3,
-- scores and population denominators from File 7 wherever it has the LSOA and agrees with them
-- (iod2025_disagree). {{columns}}: the table's columns, each its field's value from the first file
-- that has the field and a kept row for the LSOA.
--   $file7: File 7's label, named in scores_from for the LSOAs whose scores it gave.
WITH f1 AS (SELECT * FROM iod_file1 WHERE problem IS NULL),
f3 AS (SELECT * FROM iod_file3 WHERE problem IS NULL),
f7 AS (SELECT * FROM iod_file7 WHERE problem IS NULL AND lsoa_code NOT IN (SELECT lsoa_code FROM iod2025_disagree))
SELECT lsoa_code AS lsoa21cd, {{columns}},
       CASE WHEN f7.row_number IS NOT NULL THEN $file7 END AS scores_from,
       coalesce(f1.row_number, f3.row_number, f7.row_number) AS source_row
FROM f1 FULL JOIN f3 USING (lsoa_code) FULL JOIN f7 USING (lsoa_code)
