-- File 7 rows whose ranks or deciles disagree with Files 1 and 3. The three files are one release;
-- a File 7 row whose rank differs from the national files' comes from another upload, so its scores
-- are not used. The national value is File 3's where File 3 has the LSOA, else File 1's; a row's
-- reason is its first disagreeing field, in File 7's order. ($ranks: the rank and decile fields.)
WITH national AS (
    SELECT lsoa_code, field, arg_min(value, file) AS value
    FROM iod2025_kept_cells
    WHERE file IN (1, 3) AND value IS NOT NULL AND list_contains($ranks, field)
    GROUP BY ALL
),
differs AS (
    SELECT s.lsoa_code, s.row_number, s.field, s.position, s.value, n.value AS national_value
    FROM iod2025_kept_cells s JOIN national n USING (lsoa_code, field)
    WHERE s.file = 7 AND s.value <> n.value
)
SELECT lsoa_code, arg_min(row_number, position) AS row_number, arg_min(field, position) AS field,
       arg_min(value, position)::BIGINT::VARCHAR AS value,
       arg_min(field, position) || ' differs from File '
           || CASE WHEN starts_with(arg_min(field, position), 'imd') THEN '1' ELSE '3' END
           || ' (' || arg_min(national_value, position)::BIGINT || '): not the same upload of the release; '
           || 'scores not used' AS reason
FROM differs
GROUP BY lsoa_code
