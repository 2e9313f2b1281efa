-- Shared SQL helpers, created on every connection.

-- "cm20  1aa" -> "CM20 1AA"; NULL unless the result is a well-formed UK postcode.
-- Most published postcodes are already in this form, so test that first.
CREATE OR REPLACE TEMP MACRO norm_postcode_compact(c) AS (
    CASE WHEN regexp_full_match(c, '[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}') THEN left(c, -3) || ' ' || right(c, 3) END
);
CREATE OR REPLACE TEMP MACRO norm_postcode(raw) AS (
    CASE WHEN regexp_full_match(raw, '[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}') THEN raw
         ELSE norm_postcode_compact(regexp_replace(upper(coalesce(raw, '')), '\s+', '', 'g')) END
);

-- Outward code ("CM20 1AA" -> "CM20") and area ("CM20 1AA" -> "CM").
CREATE OR REPLACE TEMP MACRO postcode_district(pc) AS split_part(pc, ' ', 1);
CREATE OR REPLACE TEMP MACRO postcode_area(pc) AS regexp_extract(pc, '^[A-Z]+');

-- A GSS-style area code such as E07000095 or E01021741.
CREATE OR REPLACE TEMP MACRO is_gss_code(code) AS coalesce(regexp_full_match(code, '[A-Z][0-9]{8}'), false);
-- A small-area code: GSS (E01021741) or Northern Ireland's super output areas (95GG21S3).
CREATE OR REPLACE TEMP MACRO is_area_code(code) AS coalesce(regexp_full_match(code, '[A-Z][0-9]{8}|95[A-Z]{2}[0-9]{2}[A-Z][0-9]'), false);

-- A percentage as published: NULL when blank, NaN-free double otherwise (NULL if not a number).
CREATE OR REPLACE TEMP MACRO pct_value(raw) AS TRY_CAST(nullif(trim(raw), '') AS DOUBLE);

-- Why a published percentage cannot be used, or NULL when it can.
CREATE OR REPLACE TEMP MACRO pct_problem(raw) AS (
    CASE
        WHEN raw IS NULL OR trim(raw) = '' THEN NULL
        WHEN TRY_CAST(trim(raw) AS DOUBLE) IS NULL OR isnan(TRY_CAST(trim(raw) AS DOUBLE)) THEN 'not a number'
        WHEN TRY_CAST(trim(raw) AS DOUBLE) < 0 OR TRY_CAST(trim(raw) AS DOUBLE) > 100 THEN 'outside 0-100'
    END
);

-- The value from the finest resolution a row was resolved at (postcode, postcode district, local authority).
CREATE OR REPLACE TEMP MACRO finest(resolution, by_postcode, by_district, by_la) AS (
    CASE resolution WHEN 'postcode' THEN by_postcode WHEN 'postcode_district' THEN by_district
                    WHEN 'local_authority' THEN by_la END
);
