-- Code-Point Open, every row of every area file, with the first reason (if any) it cannot be kept, in
-- file order. codepoint_raw: every area file as read, in file order (sqlfiles.read_in_order); $members:
-- each file's name in the archive; $first: the rowid of each file's first row (sqlfiles.first_rows).
WITH parsed AS (
    SELECT
        $members[file_index + 1]                             AS member,
        rowid - $first[file_index + 1] + 1                   AS row_number,
        pc, pq, ea, no, dc,
        norm_postcode(pc)                                    AS postcode,
        TRY_CAST(pq AS INTEGER)                              AS positional_quality,
        TRY_CAST(ea AS INTEGER)                              AS easting,
        TRY_CAST(no AS INTEGER)                              AS northing,
        nullif(trim(cy), '')                                 AS country_code,
        nullif(trim(cc), '')                                 AS county_code,
        nullif(trim(dc), '')                                 AS lad_code,
        nullif(trim(wc), '')                                 AS ward_code
    FROM codepoint_raw
),
checked AS (  -- the first field that cannot be kept, tested once per row
    SELECT *,
        CASE
            WHEN postcode IS NULL                                   THEN 'Postcode'
            WHEN easting IS NULL                                    THEN 'Eastings'
            WHEN northing IS NULL                                   THEN 'Northings'
            WHEN easting = 0 AND northing = 0                       THEN 'no position'
            WHEN easting NOT BETWEEN 1 AND 700000                   THEN 'Eastings outside'
            WHEN northing NOT BETWEEN 1 AND 1300000                 THEN 'Northings outside'
            WHEN lad_code IS NOT NULL AND NOT is_gss_code(lad_code) THEN 'Admin_district_code'
        END AS failed
    FROM parsed
)
SELECT * EXCLUDE (failed, pc, pq, ea, no, dc),  -- the text as published is kept only as a problem's value
    CASE failed WHEN 'no position' THEN 'Eastings' WHEN 'Eastings outside' THEN 'Eastings'
                WHEN 'Northings outside' THEN 'Northings' ELSE failed END AS problem_field,
    CASE failed
        WHEN 'Postcode'            THEN 'malformed postcode'
        WHEN 'Eastings'            THEN 'easting is not a whole number'
        WHEN 'Northings'           THEN 'northing is not a whole number'
        WHEN 'no position'         THEN 'no position (0,0): Code-Point gives no coordinates for this postcode'
        WHEN 'Eastings outside'    THEN 'easting outside Great Britain (1-700000 m)'
        WHEN 'Northings outside'   THEN 'northing outside Great Britain (1-1300000 m)'
        WHEN 'Admin_district_code' THEN 'malformed district code'
    END AS problem,
    CASE failed
        WHEN 'Postcode' THEN pc WHEN 'Eastings' THEN ea WHEN 'no position' THEN ea WHEN 'Eastings outside' THEN ea
        WHEN 'Northings' THEN no WHEN 'Northings outside' THEN no WHEN 'Admin_district_code' THEN dc
    END AS problem_value
FROM checked
