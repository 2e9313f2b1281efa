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

-- One venue, however its name is cased: "HARLOW LIBRARY | CM20 1HA" (a user's correction finds its library).
CREATE OR REPLACE TEMP MACRO venue_key(name, postcode) AS upper(trim(name)) || ' | ' || coalesce(postcode, '');

-- Outward code ("CM20 1AA" -> "CM20") and area ("CM20 1AA" -> "CM").
CREATE OR REPLACE TEMP MACRO postcode_district(pc) AS split_part(pc, ' ', 1);
CREATE OR REPLACE TEMP MACRO postcode_area(pc) AS regexp_extract(pc, '^[A-Z]+');

-- A place name as one line of plain text: runs of white space made one space, and the Windows-1252
-- quotes and dashes some files carry as C1 control characters (ONS's 2022-09 Ofcom file writes
-- "King\u0092s Lynn") read as the plain characters they stand for.
CREATE OR REPLACE TEMP MACRO tidy_name(s) AS trim(regexp_replace(
    translate(coalesce(s, ''), chr(145) || chr(146) || chr(147) || chr(148) || chr(150) || chr(151), '''''""--'),
    '\s+', ' ', 'g'));

-- A GSS-style area code such as E07000095 or E01021741.
CREATE OR REPLACE TEMP MACRO is_gss_code(code) AS coalesce(regexp_full_match(code, '[A-Z][0-9]{8}'), false);
-- Codes by kind: lsoa (an English or Welsh LSOA, 2011 or 2021: E01021819), gss (any GSS-style area
-- code: E07000095), ccg (a CCG / Sub-ICB location: E38000049), ods (an NHS organisation: F81027),
-- postcode_district (the outward code: CM20). False for anything else, NULL included.
CREATE OR REPLACE TEMP MACRO is_code(code, kind) AS coalesce(CASE kind
    WHEN 'lsoa' THEN regexp_full_match(code, '[EW]01[0-9]{6}')
    WHEN 'gss' THEN is_gss_code(code)
    WHEN 'ccg' THEN regexp_full_match(code, 'E38[0-9]{6}')
    WHEN 'ods' THEN regexp_full_match(code, '[A-Z0-9]{3,10}')
    WHEN 'postcode_district' THEN regexp_full_match(code, '[A-Z]{1,2}[0-9][A-Z0-9]?')
END, false);

-- A small-area code: GSS (E01021741) or Northern Ireland's super output areas (95GG21S3).
CREATE OR REPLACE TEMP MACRO is_area_code(code) AS coalesce(regexp_full_match(code, '[A-Z][0-9]{8}|95[A-Z]{2}[0-9]{2}[A-Z][0-9]'), false);

-- Typing by kind: every checked SQL file reads fields as text and types them with these, so a
-- value is either read exactly as the publisher wrote it or rejected with the reason.
-- A number as publishers write it: an optional sign, digits with thousands separators only in
-- groups of three (1,234,567), an optional decimal part and exponent. "0,249" (a decimal comma)
-- and "1,2345" are not numbers; "1e999" is not finite.
-- (Spaces around the number are allowed, as trim() would remove them.)
CREATE OR REPLACE TEMP MACRO number_text(raw) AS
    regexp_full_match(raw, ' *([-+]?([1-9][0-9]{0,2}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?([eE][-+]?[0-9]+)?|[-+]?\.[0-9]+) *');
CREATE OR REPLACE TEMP MACRO without_separators(raw) AS
    CASE WHEN contains(raw, ',') THEN replace(raw, ',', '') ELSE raw END;
CREATE OR REPLACE TEMP MACRO as_number(raw) AS
    CASE WHEN number_text(raw) AND isfinite(TRY_CAST(without_separators(raw) AS DOUBLE))
         THEN TRY_CAST(without_separators(raw) AS DOUBLE) END;
-- Why ``raw`` (read as ``n`` by as_number) cannot be a value of ``kind``, or NULL when it can.
CREATE OR REPLACE TEMP MACRO kind_problem_of(raw, n, kind) AS (
    CASE
        WHEN n IS NOT NULL THEN CASE
            WHEN kind = 'percentage' AND NOT n BETWEEN 0 AND 100 THEN 'outside 0-100'
            WHEN kind = 'rate' AND NOT n BETWEEN 0 AND 1 THEN 'outside 0-1'
            WHEN kind = 'count' AND (n < 0 OR n <> floor(n)) THEN 'not a whole number >= 0'
            WHEN kind = 'rank' AND (n < 1 OR n <> floor(n)) THEN 'not a whole number >= 1'
            WHEN kind NOT IN ('percentage', 'rate', 'score', 'count', 'rank') THEN 'unknown kind ' || kind END
        WHEN raw IS NULL OR trim(raw) = '' THEN NULL
        WHEN NOT number_text(raw) THEN 'not a number'
        ELSE 'not a finite number'
    END
);
-- (A one-element list_transform binds a value once: ``list_transform([x], v -> f(v, v))[1]``
-- computes x once where a macro repeating x would compute it at every use.)
-- Why ``raw`` cannot be a value of ``kind``, or NULL when it can (a blank is NULL: readers decide
-- whether a blank is allowed). Kinds: percentage (0-100), rate (0-1), score (any finite number),
-- count (a whole number >= 0), rank (a whole number >= 1).
CREATE OR REPLACE TEMP MACRO kind_problem(raw, kind) AS
    list_transform([as_number(raw)], n -> kind_problem_of(raw, n, kind))[1];
-- The typed value, NULL when blank or when kind_problem has a reason. Most cells are plain decimals
-- ("12", "-0.031"): those are read by a plain cast, which gives the same number as_number would (at
-- most 15 integer digits, so always finite) for about a third of the cost; the rest go the long way.
CREATE OR REPLACE TEMP MACRO plain_decimal(raw) AS regexp_full_match(raw, '-?[0-9]{1,15}(\.[0-9]+)?');
CREATE OR REPLACE TEMP MACRO as_kind(raw, kind) AS
    CASE WHEN plain_decimal(raw)
         THEN CASE WHEN kind_problem_of(raw, TRY_CAST(raw AS DOUBLE), kind) IS NULL THEN TRY_CAST(raw AS DOUBLE) END
         ELSE list_transform([as_number(raw)], n -> CASE WHEN kind_problem_of(raw, n, kind) IS NULL THEN n END)[1]
    END;

-- As kind_problem, and within [low, high] ("outside 1-32,844"): IoD ranks run to the number of LSOAs.
-- (A NULL bound is no bound.)
CREATE OR REPLACE TEMP MACRO range_problem(n, low, high) AS
    CASE WHEN n NOT BETWEEN low AND high THEN 'outside ' || format('{:,}', low) || '-' || format('{:,}', high) END;
CREATE OR REPLACE TEMP MACRO kind_range_problem(raw, kind, low, high) AS
    list_transform([as_number(raw)], n -> coalesce(kind_problem_of(raw, n, kind), range_problem(n, low, high)))[1];

-- Checks. Each checked SQL file lists a row's checks in order; each gives NULL when it passes, else
-- the problem {field, value, reason, kind}, and the row's problem is the first (first_problem).
-- ``field`` is the column as the publisher named it; ``value`` the cell as published (trimmed).
CREATE OR REPLACE TEMP MACRO failed_if(failed, field, value, reason) AS
    CASE WHEN failed THEN {'field': field, 'value': value, 'reason': reason, 'kind': 'invalid'} END;
-- A valid row that is not what the table holds (another nation, a closed practice).
CREATE OR REPLACE TEMP MACRO out_of_scope_if(failed, field, value, reason) AS
    CASE WHEN failed THEN {'field': field, 'value': value, 'reason': reason, 'kind': 'out_of_scope'} END;
CREATE OR REPLACE TEMP MACRO first_problem(checks) AS list_filter(checks, c -> c IS NOT NULL)[1];
-- The code-cell rule, the same for every reader: a row whose code is malformed is rejected,
-- showing the code ("malformed LSOA code").
CREATE OR REPLACE TEMP MACRO code_check(raw, kind, field, what) AS
    failed_if(NOT is_code(trim(raw), kind), field, trim(raw), 'malformed ' || what);
-- The kind rule: a value that is not of its kind is rejected with kind_problem's reason; a blank
-- passes (optional values) unless the value is required (required_check).
CREATE OR REPLACE TEMP MACRO problem_check(problem, field, raw) AS
    list_transform([problem], why -> failed_if(why IS NOT NULL, field, trim(raw), why))[1];
CREATE OR REPLACE TEMP MACRO kind_check(raw, kind, field) AS problem_check(kind_problem(raw, kind), field, raw);
CREATE OR REPLACE TEMP MACRO range_check(raw, kind, low, high, field) AS
    problem_check(kind_range_problem(raw, kind, low, high), field, raw);
CREATE OR REPLACE TEMP MACRO required_check(raw, field) AS
    failed_if(nullif(trim(raw), '') IS NULL, field, trim(raw), 'missing value');
-- The same for a cell already typed (``value``, from as_kind): the reason is looked for only
-- when the value is missing, so a valid row costs one typing per cell. required_value: a blank
-- is a problem; optional_value: a blank is allowed.
CREATE OR REPLACE TEMP MACRO required_value(raw, value, kind, field) AS
    CASE WHEN value IS NULL THEN coalesce(required_check(raw, field), kind_check(raw, kind, field)) END;
CREATE OR REPLACE TEMP MACRO optional_value(raw, value, kind, field) AS
    CASE WHEN value IS NULL AND nullif(trim(raw), '') IS NOT NULL THEN kind_check(raw, kind, field) END;

-- A percentage as published: NULL when blank or not a percentage (see kind_problem below).
CREATE OR REPLACE TEMP MACRO pct_value(raw) AS as_kind(raw, 'percentage');
CREATE OR REPLACE TEMP MACRO pct_problem(raw) AS kind_problem(raw, 'percentage');

-- The value from the finest resolution a row was resolved at (postcode, postcode district, local authority).
CREATE OR REPLACE TEMP MACRO finest(resolution, by_postcode, by_district, by_la) AS (
    CASE resolution WHEN 'postcode' THEN by_postcode WHEN 'postcode_district' THEN by_district
                    WHEN 'local_authority' THEN by_la END
);

-- When a place would reach a target (its peer group's median or best) at the paces seen, in words that fit
-- "Reaching the median: ...": behind (points it is behind, <= 0 when level or ahead), closing (points a year it
-- gains on the target, < 0 when the target pulls away), years_to (years until met, NULL when never), at_bound
-- (met only where both lines reach the bound), span (years between the first and latest release), horizon
-- (years beyond which no date is given), bound_words and bound_text ("not before both reach 100%",
-- "100%"). A gap that is not closing is said so before any date, so no year reads as a catching-up date.
-- Paces closer than level (points a year, a setting) are about the same: two releases cannot tell them apart.
-- A subject already at full coverage (at_full: 100%, or no premises below 30 Mbit/s) cannot fall back.
CREATE OR REPLACE TEMP MACRO pace_outlook(behind, closing, years_to, at_bound, span, latest_release, horizon,
                                          bound_words, bound_text, level, at_full) AS (
    CASE WHEN span IS NULL OR span = 0 THEN 'cannot be said from one release'
         WHEN behind <= 0 AND closing <= -level AND NOT coalesce(at_full, false)
              THEN 'level with it or ahead now, but falling back at this pace'
         WHEN behind <= 0 THEN 'already level with it or ahead'
         WHEN closing = 0 THEN 'not at this pace: the gap is not closing'
         WHEN abs(closing) < level THEN 'not at this pace: both move at about the same pace'
         WHEN closing < 0 THEN 'not at this pace: the gap is widening'
         WHEN years_to IS NULL OR closing = 0 THEN 'not at this pace: the gap is not closing'
         WHEN years_to > horizon THEN 'not within ' || horizon || ' years at this pace'
         ELSE CASE WHEN at_bound THEN bound_words || ' (at this pace its own line reaches ' || bound_text || ' about '
                   ELSE 'about ' END
              || strftime(strptime(latest_release, '%Y-%m') + to_days(CAST(round(365.25 * years_to) AS INTEGER)), '%Y')
              || CASE WHEN at_bound THEN ')' ELSE '' END
    END
);
