-- CDRC Internet User Classification 2018: every row of the file, with the first reason (if any) it
-- is not kept. Scottish Data Zones are valid but out of scope (the pipeline works on LSOAs).
-- $groups / $labels: the group codes 1-10 and their published labels (same positions);
-- $columns: each field's column as the file names it.
WITH typed AS (
    SELECT row_number, lsoa11cd AS code_raw, group_code AS group_raw, group_label AS label_raw,
           trim(lsoa11cd)                                                        AS lsoa11cd,
           coalesce(trim(lsoa11nm), '')                                          AS lsoa11nm,
           CASE WHEN regexp_full_match(trim(group_code), '[0-9]+') THEN TRY_CAST(trim(group_code) AS INTEGER) END
                                                                                 AS iuc_group,
           trim(group_label)                                                     AS label
    FROM iuc_text
),
checked AS (
    SELECT *, $labels[list_position($groups, iuc_group)] AS iuc_label,
        first_problem([
            out_of_scope_if(starts_with(coalesce(lsoa11cd, ''), 'S'), $columns.lsoa11cd, lsoa11cd,
                            'Scottish Data Zone (no LSOA)'),
            code_check(code_raw, 'lsoa', $columns.lsoa11cd, 'LSOA code'),
            failed_if(NOT coalesce(list_contains($groups, iuc_group), false), $columns.group_code, trim(group_raw),
                      'not an IUC group code (1-10)'),
            failed_if(label <> $labels[list_position($groups, iuc_group)], $columns.group_label, label,
                      'label does not match group ' || iuc_group
                      || ' (' || $labels[list_position($groups, iuc_group)] || ')')
        ]) AS p
    FROM typed
)
SELECT * EXCLUDE (p), p.reason AS problem, p.field AS problem_field, p.value AS problem_value, p.kind AS problem_kind,
       nullif(lsoa11cd, '') AS reject_key
FROM checked
