-- IMD 2019, one row per LSOA (2011) of File 1 matched in Files 2 and 6 (imd2019_unmatched): its name
-- and district and IMD rank from File 1, domain ranks and deciles from File 2, mid-2015 population
-- from File 6. {{columns}}: the table's columns, each from its field's cells.
WITH matched AS (
    SELECT lsoa_code, row_number FROM imd_file1
    WHERE problem IS NULL AND row_number NOT IN (SELECT row_number FROM imd2019_unmatched WHERE file = 1)
),
cells AS (
    SELECT m.lsoa_code, m.row_number AS source_row, c.field, c.value, c.text
    FROM matched m JOIN imd_file1_cells c USING (row_number)
    UNION ALL
    SELECT m.lsoa_code, m.row_number, c.field, c.value, c.text
    FROM matched m JOIN imd_file2 r USING (lsoa_code) JOIN imd_file2_cells c ON c.row_number = r.row_number
    WHERE r.problem IS NULL AND c.field <> 'imd_rank'
    UNION ALL
    SELECT m.lsoa_code, m.row_number, c.field, c.value, c.text
    FROM matched m JOIN imd_file6 r USING (lsoa_code) JOIN imd_file6_cells c ON c.row_number = r.row_number
    WHERE r.problem IS NULL
)
SELECT lsoa_code AS lsoa11cd, {{columns}}, any_value(source_row) AS source_row
FROM cells
GROUP BY lsoa_code
