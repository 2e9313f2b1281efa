-- Local authority codes ONS has retired (e.g. Barnsley E08000016 -> E08000038 after the 2023
-- boundary change) mapped to the current code of the same name. Current codes are those of Ofcom's
-- latest release; a retired code maps only when exactly one current code carries its name.
WITH latest AS (
    SELECT max(release) AS release FROM la_connectivity_series WHERE dated_by <> 'year only'
),
current_codes AS (
    SELECT DISTINCT area_code, area_name FROM la_connectivity_series WHERE release = (SELECT release FROM latest)
),
named AS (
    SELECT DISTINCT area_code, area_name FROM la_connectivity_series
    UNION SELECT DISTINCT area_code, area_name FROM clusters_checked WHERE problem IS NULL AND area_name <> ''
),
retired AS (
    SELECT DISTINCT n.area_code AS published_code, n.area_name
    FROM named n WHERE n.area_code NOT IN (SELECT area_code FROM current_codes)
)
SELECT r.published_code, any_value(c.area_code) AS current_code, r.area_name
FROM retired r JOIN current_codes c ON lower(c.area_name) = lower(r.area_name)
GROUP BY r.published_code, r.area_name
HAVING count(DISTINCT c.area_code) = 1
ORDER BY 1
