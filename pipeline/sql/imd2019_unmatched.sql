-- IMD 2019 (LSOA 2011) rows that cannot be matched across Files 1, 2 and 6: a File 1 LSOA needs a
-- valid row in File 2 and in File 6, and the same IMD rank in Files 1 and 2; a File 2 or File 6
-- LSOA needs a row in File 1. (file, row, LSOA, reason) for each.
WITH kept AS (
    SELECT 1 AS file, lsoa_code, row_number FROM imd_file1 WHERE problem IS NULL
    UNION ALL SELECT 2, lsoa_code, row_number FROM imd_file2 WHERE problem IS NULL
    UNION ALL SELECT 6, lsoa_code, row_number FROM imd_file6 WHERE problem IS NULL
),
imd_rank AS (
    SELECT 1 AS file, lsoa_code, imd_rank AS value FROM imd_file1 WHERE problem IS NULL
    UNION ALL
    SELECT 2, lsoa_code, imd_rank FROM imd_file2 WHERE problem IS NULL
),
file1 AS (
    SELECT o.file, o.row_number, o.lsoa_code,
           CASE WHEN t.lsoa_code IS NULL THEN 'LSOA has no valid row in File 2'
                WHEN s.lsoa_code IS NULL THEN 'LSOA has no valid row in File 6'
                WHEN r1.value <> r2.value
                    THEN 'IMD rank differs between File 1 (' || r1.value::BIGINT || ') and File 2 ('
                         || r2.value::BIGINT || ')' END AS reason
    FROM (SELECT * FROM kept WHERE file = 1) o
    LEFT JOIN (SELECT lsoa_code FROM kept WHERE file = 2) t USING (lsoa_code)
    LEFT JOIN (SELECT lsoa_code FROM kept WHERE file = 6) s USING (lsoa_code)
    LEFT JOIN (SELECT lsoa_code, value FROM imd_rank WHERE file = 1) r1 USING (lsoa_code)
    LEFT JOIN (SELECT lsoa_code, value FROM imd_rank WHERE file = 2) r2 USING (lsoa_code)
)
SELECT * FROM file1 WHERE reason IS NOT NULL
UNION ALL
SELECT file, row_number, lsoa_code, 'LSOA in File ' || file || ' but not in File 1'
FROM kept WHERE file <> 1 AND lsoa_code NOT IN (SELECT lsoa_code FROM kept WHERE file = 1)
