-- Fixed broadband coverage for each study-area postcode, from the finest source that covers it:
--   1. Ofcom's postcode-level file (latest release present),
--   2. the postcode-district mean of Ofcom's postcode figures,
--   3. Ofcom's local-authority figure.
-- Every row says which resolution and release it came from; a postcode no source covers is kept
-- with resolution 'none' and empty values (never filled in).
WITH pc AS (
    SELECT postcode, postcode_district, lad_code FROM postcodes WHERE list_contains($lads, lad_code)
),
latest_postcode AS (
    SELECT * FROM ofcom_postcode_coverage QUALIFY row_number() OVER (PARTITION BY key ORDER BY release DESC) = 1
),
latest_district AS (
    SELECT * FROM ofcom_postcode_district QUALIFY row_number() OVER (PARTITION BY key ORDER BY release DESC) = 1
),
latest_la AS (
    SELECT * FROM ofcom_la_coverage QUALIFY row_number() OVER (PARTITION BY key ORDER BY release DESC) = 1
),
candidates AS (
    SELECT pc.postcode, 1 AS preference, 'postcode' AS resolution, 'ofcom_postcode_coverage' AS source, c.* EXCLUDE (key)
    FROM pc JOIN latest_postcode c ON c.key = pc.postcode
    UNION ALL BY NAME
    SELECT pc.postcode, 2 AS preference, 'postcode_district' AS resolution, 'ofcom_postcode_district' AS source,
           c.* EXCLUDE (key)
    FROM pc JOIN latest_district c ON c.key = pc.postcode_district
    UNION ALL BY NAME
    SELECT pc.postcode, 3 AS preference, 'local_authority' AS resolution, 'ofcom_la_coverage' AS source, c.* EXCLUDE (key)
    FROM pc JOIN latest_la c ON c.key = pc.lad_code
),
best AS (
    SELECT * FROM candidates QUALIFY row_number() OVER (PARTITION BY postcode ORDER BY preference) = 1
)
SELECT
    pc.postcode,
    pc.postcode_district,
    pc.lad_code,
    coalesce(b.resolution, 'none')  AS resolution,
    b.release,
    b.source,
    b.source_file,
    b.source_row,
    b.all_premises,
    b.sfbb_pct,
    b.ufbb100_pct,
    b.ufbb_pct,
    b.full_fibre_pct,
    b.gigabit_pct,
    b.below_10_pct,
    b.below_30_pct,
    b.below_uso_pct,
    b.nga_pct,
    b.sample_postcodes              AS district_sample_postcodes
FROM pc
LEFT JOIN best b USING (postcode)
ORDER BY pc.lad_code, pc.postcode
