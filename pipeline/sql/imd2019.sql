-- IMD 2019, one row per LSOA (2011) of File 1 matched in Files 2 and 6 (imd2019_unmatched): its name
-- and district and IMD rank from File 1, domain ranks and deciles from File 2, mid-2015 population
-- from File 6. {{columns}}: the table's columns, each from the file that has it (f1, f2, f6).
WITH f1 AS (
    SELECT * FROM imd_file1
    WHERE problem IS NULL AND row_number NOT IN (SELECT row_number FROM imd2019_unmatched WHERE file = 1)
),
f2 AS (SELECT * FROM imd_file2 WHERE problem IS NULL),
f6 AS (SELECT * FROM imd_file6 WHERE problem IS NULL)
SELECT lsoa_code AS lsoa11cd, {{columns}}, f1.row_number AS source_row
FROM f1 JOIN f2 USING (lsoa_code) JOIN f6 USING (lsoa_code)
