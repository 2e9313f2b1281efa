-- Code-Point Open's Doc/Codelist.xlsx: each coded district or ward with its plain name. A row is a
-- (name, code) pair on the sheet of its area type; rows without a GSS code (titles, notes) are not
-- codes. Names lose the area type the list appends ("Harlow District" -> "Harlow",
-- "... Ward", " ED", " London Boro", " (B)"). A code listed twice takes its last listing.
SELECT code, arg_max(trim(regexp_replace(regexp_replace(coalesce(name, ''), '\s+', ' ', 'g'),
                                         '(\s+(District|Ward|ED|London Boro|\(B\))+)+$', '')), row_number) AS name,
       arg_max(sheet, row_number) AS area_type
FROM (SELECT row_number, sheet, trim(name) AS name, trim(code) AS code FROM codelist_text)
WHERE regexp_full_match(code, '[EWSN][0-9]{8}')
GROUP BY code
