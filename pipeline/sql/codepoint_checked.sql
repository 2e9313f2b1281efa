-- Code-Point Open, every row of every area file, with the first reason (if any) it cannot be kept.
-- codepoint_raw: every area file as read, in file order; its rowid numbers the rows
-- (sqlfiles.read_in_order). (The per-file window returns rows in no fixed order: whoever needs an order sorts.)
WITH raw AS (
    SELECT rowid AS seq, * FROM codepoint_raw
),
parsed AS (
    SELECT
        substr(filename, length($prefix) + 2)                AS member,
        seq - min(seq) OVER (PARTITION BY filename) + 1      AS row_number,
        pc, pq, ea, no, dc,
        norm_postcode(pc)                                    AS postcode,
        TRY_CAST(pq AS INTEGER)                              AS positional_quality,
        TRY_CAST(ea AS INTEGER)                              AS easting,
        TRY_CAST(no AS INTEGER)                              AS northing,
        nullif(trim(cy), '')                                 AS country_code,
        nullif(trim(cc), '')                                 AS county_code,
        nullif(trim(dc), '')                                 AS lad_code,
        nullif(trim(wc), '')                                 AS ward_code
    FROM raw
)
SELECT
    *,
    CASE
        WHEN postcode IS NULL                                 THEN 'Postcode'
        WHEN easting IS NULL                                  THEN 'Eastings'
        WHEN northing IS NULL                                 THEN 'Northings'
        WHEN easting = 0 AND northing = 0                     THEN 'Eastings'
        WHEN easting NOT BETWEEN 1 AND 700000                 THEN 'Eastings'
        WHEN northing NOT BETWEEN 1 AND 1300000               THEN 'Northings'
        WHEN lad_code IS NOT NULL AND NOT is_gss_code(lad_code) THEN 'Admin_district_code'
    END AS problem_field,
    CASE
        WHEN postcode IS NULL                                 THEN 'malformed postcode'
        WHEN easting IS NULL                                  THEN 'easting is not a whole number'
        WHEN northing IS NULL                                 THEN 'northing is not a whole number'
        WHEN easting = 0 AND northing = 0                     THEN 'no position (0,0): Code-Point gives no coordinates for this postcode'
        WHEN easting NOT BETWEEN 1 AND 700000                 THEN 'easting outside Great Britain (1-700000 m)'
        WHEN northing NOT BETWEEN 1 AND 1300000               THEN 'northing outside Great Britain (1-1300000 m)'
        WHEN lad_code IS NOT NULL AND NOT is_gss_code(lad_code) THEN 'malformed district code'
    END AS problem,
    CASE
        WHEN postcode IS NULL THEN pc WHEN easting IS NULL OR (easting = 0 AND northing = 0) OR easting NOT BETWEEN 1 AND 700000 THEN ea
        WHEN northing IS NULL OR northing NOT BETWEEN 1 AND 1300000 THEN no ELSE dc
    END AS problem_value
FROM parsed
