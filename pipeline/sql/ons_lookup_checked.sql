-- ONS postcode -> OA/LSOA/LAD best-fit lookup, every row, with the first reason it cannot be kept.
-- Only the columns the pipeline uses are read: the names and MSOA codes come from other sources.
-- Row numbers are lines in the file (line 1 is the header); {{seq}} is the row's position in the
-- scan, or NULL when no row needs one (see pipeline/sqlfiles.py).
WITH raw AS (
    SELECT {{seq}} + 1 AS row_number, pcds, doterm, usertype, oa11cd, lsoa11cd, ladcd
    FROM read_csv($file, header = true, all_varchar = true, auto_detect = true, delim = ',', encoding = $encoding)
),
parsed AS (
    SELECT row_number, pcds,
           -- GIR 0AA (Girobank) and NPT (Newport, terminated 1984) are real but irregular postcodes.
           coalesce(norm_postcode(pcds),
                    CASE WHEN regexp_full_match(trim(pcds), 'GIR 0AA|NPT [0-9][A-Z]{2}') THEN trim(pcds) END)
                                                 AS postcode,
           nullif(trim(doterm), '')              AS doterm,
           nullif(trim(usertype), '')            AS usertype,
           nullif(trim(oa11cd), '')              AS oa11cd,
           nullif(trim(lsoa11cd), '')            AS lsoa11cd,
           nullif(trim(ladcd), '')               AS ladcd
    FROM raw
),
checked AS (  -- the first field that cannot be kept, tested once per row
    SELECT *,
        CASE
            WHEN postcode IS NULL                                                  THEN 'pcds'
            WHEN doterm IS NOT NULL AND NOT regexp_full_match(doterm, '[0-9]{6}') THEN 'doterm'
            WHEN usertype IS NOT NULL AND usertype NOT IN ('0', '1')               THEN 'usertype'
            WHEN lsoa11cd IS NOT NULL AND NOT is_area_code(lsoa11cd)               THEN 'lsoa11cd'
        END AS problem_field
    FROM parsed
)
SELECT * EXCLUDE (pcds),  -- the postcode as published is kept only as a problem's value
    CASE problem_field
        WHEN 'pcds'     THEN 'malformed postcode'
        WHEN 'doterm'   THEN 'termination date is not YYYYMM'
        WHEN 'usertype' THEN 'user type is not 0 (small) or 1 (large)'
        WHEN 'lsoa11cd' THEN 'malformed LSOA code'
    END AS problem,
    CASE problem_field
        WHEN 'pcds' THEN pcds WHEN 'doterm' THEN doterm WHEN 'usertype' THEN usertype WHEN 'lsoa11cd' THEN lsoa11cd
    END AS problem_value
FROM checked
