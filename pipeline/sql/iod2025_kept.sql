-- The kept cells of IoD 2025 Files 1, 3 and 7 (file, LSOA, the row they came from, field, value or name).
SELECT 1 AS file, r.lsoa_code, r.row_number, c.field, c.position, c.value, c.text
FROM iod_file1 r JOIN iod_file1_cells c USING (row_number) WHERE r.problem IS NULL
UNION ALL
SELECT 3, r.lsoa_code, r.row_number, c.field, c.position, c.value, c.text
FROM iod_file3 r JOIN iod_file3_cells c USING (row_number) WHERE r.problem IS NULL
UNION ALL
SELECT 7, r.lsoa_code, r.row_number, c.field, c.position, c.value, c.text
FROM iod_file7 r JOIN iod_file7_cells c USING (row_number) WHERE r.problem IS NULL
