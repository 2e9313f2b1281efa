-- Indicators per study-area LSOA, one row per LSOA and indicator, each with its source,
-- release and resolution. Study-area LSOAs are the LSOAs of the study districts (lsoa_districts:
-- IMD 2019's district, or the district it has merged into since).
WITH lsoas AS (
    SELECT lsoa11cd, lsoa11nm, lad_code FROM lsoa_districts WHERE list_contains($lads, lad_code)
),
-- Broadband: share of premises without a service, averaged over the LSOA's postcodes,
-- weighted by premises where every contributing postcode has a premises count.
-- Sums are exact decimals (percentages to 6 places), so they do not depend on the order the
-- threads add rows in, and a re-run gives the same bits.
pc AS (
    SELECT p.lsoa11cd, b.resolution, b.release, b.all_premises, coalesce(b.all_premises, 1) AS weight,
           (100 - b.sfbb_pct)::DECIMAL(18, 6) AS no_superfast, (100 - b.gigabit_pct)::DECIMAL(18, 6) AS no_gigabit,
           b.below_uso_pct::DECIMAL(18, 6) AS below_uso
    FROM postcodes p JOIN broadband_coverage b USING (postcode)
    WHERE list_contains($lads, p.lad_code) AND p.lsoa11cd IS NOT NULL
),
resolution_counts AS (
    SELECT lsoa11cd, resolution, count(*) AS n FROM pc WHERE resolution <> 'none' GROUP BY ALL
),
main_resolution AS (  -- the most common; ties go to the first in name order
    SELECT lsoa11cd, first(resolution ORDER BY n DESC, resolution) AS main_resolution,
           string_agg(resolution, ', ' ORDER BY resolution) AS resolutions
    FROM resolution_counts GROUP BY lsoa11cd
),
broadband AS (
    SELECT lsoa11cd,
           (sum(weight * no_superfast) / sum(weight) FILTER (no_superfast IS NOT NULL))::DOUBLE AS pct_no_superfast,
           (sum(weight * no_gigabit) / sum(weight) FILTER (no_gigabit IS NOT NULL))::DOUBLE     AS pct_no_gigabit,
           (sum(weight * below_uso) / sum(weight) FILTER (below_uso IS NOT NULL))::DOUBLE       AS pct_below_uso,
           count(*)                                                                          AS postcodes,
           count(*) FILTER (resolution <> 'none')                                            AS postcodes_covered,
           bool_and(all_premises IS NOT NULL) FILTER (resolution <> 'none')                  AS premises_weighted,
           string_agg(DISTINCT release, ', ' ORDER BY release)                              AS releases
    FROM pc GROUP BY lsoa11cd
),
bb_long AS (
    SELECT b.lsoa11cd, i.indicator, i.value,
           'Ofcom Connected Nations (' || m.resolutions || ')' AS source,
           b.releases AS release,
           m.main_resolution AS resolution,
           b.postcodes_covered || ' of ' || b.postcodes || ' postcodes covered; '
             || CASE WHEN b.premises_weighted THEN 'weighted by premises' ELSE 'unweighted (no premises counts at this resolution)' END
             AS note
    FROM broadband b
    LEFT JOIN main_resolution m USING (lsoa11cd)
    CROSS JOIN LATERAL (VALUES ('pct_no_superfast', b.pct_no_superfast), ('pct_no_gigabit', b.pct_no_gigabit),
                               ('pct_below_uso', b.pct_below_uso)) i(indicator, value)
),
age AS (
    SELECT lsoa11cd, 'pct_65_plus' AS indicator, pct_65_plus AS value, 'ONS Census 2021 (usual residents)' AS source,
           'Census 2021' AS release, 'LSOA (2021 mapped to 2011)' AS resolution,
           CASE WHEN mapping = 'partial' THEN 'partial: 2021 LSOA(s) ' || lsoa21_missing || ' not in the census extract'
                ELSE mapping END AS note
    FROM census_age
    UNION ALL
    SELECT lsoa11cd, 'pct_60_plus', 100.0 * pop_60_plus_2015 / nullif(pop_total_2015, 0),
           'IoD 2019 File 6 population denominators', 'mid-2015', 'LSOA (2011)', NULL
    FROM imd2019
),
deprivation AS (
    SELECT lsoa11cd, d.indicator, d.value::DOUBLE AS value, 'English Indices of Deprivation 2019' AS source,
           '2019' AS release, 'LSOA (2011)' AS resolution, 'rank of 32,844; 1 = most deprived' AS note
    FROM imd2019,
         LATERAL (VALUES ('imd_rank', imd_rank), ('income_rank', income_rank), ('employment_rank', employment_rank),
                         ('education_rank', education_rank), ('barriers_rank', barriers_rank)) d(indicator, value)
),
postcode_counts AS (
    SELECT lsoa11cd, count(*) AS postcodes FROM postcodes WHERE lsoa11cd IS NOT NULL GROUP BY 1
),
rural AS (
    SELECT lsoa11cd, 'rural_class' AS indicator, rural_class AS value, 'ONS Rural Urban Classification 2011' AS source,
           '2011' AS release, 'LSOA (2011)' AS resolution, ruc11cd || ' ' || ruc11 AS note
    FROM rurality
    UNION ALL
    SELECT b.lsoa11cd, 'postcode_density', coalesce(c.postcodes, 0) / b.area_km2,
           'OS Code-Point Open 2025 postcodes per km2 of the LSOA boundary', '2025.2.0', 'LSOA (2011)',
           coalesce(c.postcodes, 0) || ' postcodes in ' || round(b.area_km2, 3) || ' km2'
    FROM lsoa_boundaries b LEFT JOIN postcode_counts c USING (lsoa11cd)
    UNION ALL
    SELECT lsoa11cd, 'population_density', people_per_km2, 'ONS SAPE21DT11 population density', 'mid-2018',
           'LSOA (2011)', NULL
    FROM population_density
)
SELECT l.lsoa11cd, l.lsoa11nm, l.lad_code, x.indicator, x.value, x.source, x.release, x.resolution, x.note
FROM lsoas l
JOIN (SELECT * FROM bb_long UNION ALL SELECT * FROM age UNION ALL SELECT * FROM deprivation UNION ALL SELECT * FROM rural) x
  USING (lsoa11cd)
ORDER BY l.lsoa11cd, x.indicator
