-- ONS postcode -> OA/LSOA/MSOA/LAD best-fit lookup, every row, with the first reason it cannot be kept.
-- Row numbers are lines in the file (line 1 is the header).
WITH raw AS (
    SELECT row_number() OVER () + 1 AS row_number, *
    FROM read_csv($file, header = true, all_varchar = true, auto_detect = true, delim = ',', encoding = $encoding)
),
parsed AS (
    SELECT row_number, pcds,
           -- GIR 0AA (Girobank) and NPT (Newport, terminated 1984) are real but irregular postcodes.
           coalesce(norm_postcode(pcds),
                    CASE WHEN regexp_full_match(trim(pcds), 'GIR 0AA|NPT [0-9][A-Z]{2}') THEN trim(pcds) END)
                                                 AS postcode,
           nullif(trim(dointr), '')              AS dointr,
           nullif(trim(doterm), '')              AS doterm,
           nullif(trim(usertype), '')            AS usertype,
           nullif(trim(oa11cd), '')              AS oa11cd,
           nullif(trim(lsoa11cd), '')            AS lsoa11cd,
           nullif(trim(msoa11cd), '')            AS msoa11cd,
           nullif(trim(ladcd), '')               AS ladcd,
           nullif(trim(lsoa11nm), '')            AS lsoa11nm,
           nullif(trim(ladnm), '')               AS ladnm
    FROM raw
)
SELECT *,
    CASE
        WHEN postcode IS NULL                                   THEN 'pcds'
        WHEN doterm IS NOT NULL AND NOT regexp_full_match(doterm, '[0-9]{6}') THEN 'doterm'
        WHEN usertype IS NOT NULL AND usertype NOT IN ('0', '1') THEN 'usertype'
        WHEN lsoa11cd IS NOT NULL AND NOT is_area_code(lsoa11cd) THEN 'lsoa11cd'
    END AS problem_field,
    CASE
        WHEN postcode IS NULL                                   THEN 'malformed postcode'
        WHEN doterm IS NOT NULL AND NOT regexp_full_match(doterm, '[0-9]{6}') THEN 'termination date is not YYYYMM'
        WHEN usertype IS NOT NULL AND usertype NOT IN ('0', '1') THEN 'user type is not 0 (small) or 1 (large)'
        WHEN lsoa11cd IS NOT NULL AND NOT is_area_code(lsoa11cd) THEN 'malformed LSOA code'
    END AS problem,
    CASE
        WHEN postcode IS NULL THEN pcds
        WHEN doterm IS NOT NULL AND NOT regexp_full_match(doterm, '[0-9]{6}') THEN doterm
        WHEN usertype IS NOT NULL AND usertype NOT IN ('0', '1') THEN usertype
        ELSE lsoa11cd
    END AS problem_value,
    -- A postcode can appear once live; any further live copy is a duplicate.
    row_number() OVER (PARTITION BY postcode, doterm IS NULL ORDER BY row_number) AS copy_number
FROM parsed
