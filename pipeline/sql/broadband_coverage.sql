-- Fixed broadband coverage for each study-area postcode, from the finest source that covers it:
--   1. Ofcom's postcode-level file (latest release present),
--   2. the postcode-district mean of Ofcom's postcode figures,
--   3. Ofcom's local-authority figure.
-- Every row says which resolution and release it came from; a postcode no source covers is kept
-- with resolution 'none' and empty values (never filled in).
--   {{latest_*}}: each source's rows of each key's latest release (broadband.latest).
WITH pc AS (
    SELECT postcode, postcode_district, lad_code FROM postcodes WHERE list_contains($lads, lad_code)
),
latest_postcode AS ({{latest_postcode}}),
latest_district AS ({{latest_district}}),
latest_la AS ({{latest_la}})
SELECT
    pc.postcode,
    pc.postcode_district,
    pc.lad_code,
    -- Each postcode is looked up at all three resolutions at once; the finest with a row wins.
    CASE WHEN p.key IS NOT NULL THEN 'postcode' WHEN d.key IS NOT NULL THEN 'postcode_district'
         WHEN l.key IS NOT NULL THEN 'local_authority' ELSE 'none' END AS resolution,
    finest(resolution, p.release, d.release, l.release)                      AS release,
    -- District means computed by the pipeline from Ofcom's postcode file are that file's figures.
    finest(resolution, 'ofcom_postcode_coverage',
           CASE WHEN d.source_file LIKE 'computed from%' THEN 'ofcom_postcode_coverage' ELSE 'ofcom_postcode_district' END,
           'ofcom_la_coverage') AS source,
    finest(resolution, p.source_file, d.source_file, l.source_file)          AS source_file,
    finest(resolution, p.source_row, d.source_row, l.source_row)             AS source_row,
    finest(resolution, p.all_premises, NULL, l.all_premises)                 AS all_premises,
    finest(resolution, p.sfbb_pct, d.sfbb_pct, l.sfbb_pct)                   AS sfbb_pct,
    finest(resolution, p.ufbb100_pct, NULL, l.ufbb100_pct)                   AS ufbb100_pct,
    finest(resolution, p.ufbb_pct, d.ufbb_pct, l.ufbb_pct)                   AS ufbb_pct,
    finest(resolution, p.full_fibre_pct, NULL, l.full_fibre_pct)             AS full_fibre_pct,
    finest(resolution, p.gigabit_pct, d.gigabit_pct, l.gigabit_pct)          AS gigabit_pct,
    finest(resolution, p.below_10_pct, NULL, l.below_10_pct)                 AS below_10_pct,
    finest(resolution, p.below_30_pct, NULL, l.below_30_pct)                 AS below_30_pct,
    finest(resolution, p.below_uso_pct, d.below_uso_pct, l.below_uso_pct)    AS below_uso_pct,
    finest(resolution, p.nga_pct, d.nga_pct, l.nga_pct)                      AS nga_pct,
    CASE WHEN resolution = 'postcode_district' THEN d.sample_postcodes END AS district_sample_postcodes
FROM pc
LEFT JOIN latest_postcode p ON p.key = pc.postcode
LEFT JOIN latest_district d ON d.key = pc.postcode_district
LEFT JOIN latest_la l       ON l.key = pc.lad_code
ORDER BY pc.lad_code, pc.postcode
