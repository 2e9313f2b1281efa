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

-- Typing by kind: every checked SQL file reads fields as text and types them with these, so a
-- value is either read exactly as the publisher wrote it or rejected with the reason.
-- A number as publishers write it: an optional sign, digits with thousands separators only in
-- groups of three (1,234,567), an optional decimal part and exponent. "0,249" (a decimal comma)
-- and "1,2345" are not numbers; "1e999" is not finite.
CREATE OR REPLACE TEMP MACRO number_text(raw) AS
    regexp_full_match(trim(raw), '[-+]?([1-9][0-9]{0,2}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?([eE][-+]?[0-9]+)?|[-+]?\.[0-9]+');
CREATE OR REPLACE TEMP MACRO as_number(raw) AS (
    CASE WHEN number_text(raw) AND isfinite(TRY_CAST(replace(trim(raw), ',', '') AS DOUBLE))
         THEN TRY_CAST(replace(trim(raw), ',', '') AS DOUBLE) END
);
-- Why ``raw`` cannot be a value of ``kind``, or NULL when it can (a blank is NULL: readers decide
-- whether a blank is allowed). Kinds: percentage (0-100), rate (0-1), score (any finite number),
-- count (a whole number >= 0), rank (a whole number >= 1).
CREATE OR REPLACE TEMP MACRO kind_problem(raw, kind) AS (
    CASE
        WHEN raw IS NULL OR trim(raw) = '' THEN NULL
        WHEN NOT number_text(raw) THEN 'not a number'
        WHEN as_number(raw) IS NULL THEN 'not a finite number'
        WHEN kind = 'percentage' AND NOT as_number(raw) BETWEEN 0 AND 100 THEN 'outside 0-100'
        WHEN kind = 'rate' AND NOT as_number(raw) BETWEEN 0 AND 1 THEN 'outside 0-1'
        WHEN kind = 'count' AND (as_number(raw) < 0 OR as_number(raw) <> floor(as_number(raw)))
            THEN 'not a whole number >= 0'
        WHEN kind = 'rank' AND (as_number(raw) < 1 OR as_number(raw) <> floor(as_number(raw)))
            THEN 'not a whole number >= 1'
        WHEN kind NOT IN ('percentage', 'rate', 'score', 'count', 'rank') THEN 'unknown kind ' || kind
    END
);
-- The typed value, NULL when blank or when kind_problem has a reason.
CREATE OR REPLACE TEMP MACRO as_kind(raw, kind) AS (
    CASE WHEN kind_problem(raw, kind) IS NULL THEN as_number(raw) END
);

-- A percentage as published: NULL when blank or not a percentage (see kind_problem below).
CREATE OR REPLACE TEMP MACRO pct_value(raw) AS as_kind(raw, 'percentage');
CREATE OR REPLACE TEMP MACRO pct_problem(raw) AS kind_problem(raw, 'percentage');

-- The value from the finest resolution a row was resolved at (postcode, postcode district, local authority).
CREATE OR REPLACE TEMP MACRO finest(resolution, by_postcode, by_district, by_la) AS (
    CASE resolution WHEN 'postcode' THEN by_postcode WHEN 'postcode_district' THEN by_district
                    WHEN 'local_authority' THEN by_la END
);
