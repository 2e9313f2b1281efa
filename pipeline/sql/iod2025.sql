-- IoD 2025, one row per LSOA (2021) of Files 1, 3 and 7. Each value comes from the first file that
-- has it, in the order File 1, File 3, File 7: ranks and deciles from the national Files 1 and 3,
-- scores and population denominators from File 7 wherever it has the LSOA and agrees with them
-- (iod2025_disagree). {{columns}}: the table's columns, each its field's value from the first file.
--   $file7: File 7's label, named in scores_from for the LSOAs whose scores it gave.
SELECT lsoa_code AS lsoa21cd, {{columns}},
       CASE WHEN bool_or(file = 7) THEN $file7 END AS scores_from,
       arg_min(row_number, file) AS source_row
FROM iod2025_kept_cells
WHERE file <> 7 OR lsoa_code NOT IN (SELECT lsoa_code FROM iod2025_disagree)
GROUP BY lsoa_code
