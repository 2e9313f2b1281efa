-- ONS cluster of each area per model and release, with the cluster's code as the descriptions name
-- it (a bare letter in the 2026 allocation is that model's code ending in the letter), and the
-- first reason (if any) the cell cannot be kept. Each model is its own grouping: a '-' where ONS
-- placed an area in no cluster of one model (Isles of Scilly, Orkney) leaves it in the models that
-- do place it, so a cluster has the members ONS lists for it.
WITH typed AS (
    SELECT c.release, c.model, c.label, c.row_number, trim(c.area_code) AS area_code,
           trim(regexp_replace(coalesce(c.area_name, ''), '\s+', ' ', 'g')) AS area_name, trim(c.cluster) AS cluster,
           coalesce(d.cluster_code, CASE WHEN contains(trim(c.cluster), '_') THEN trim(c.cluster) END) AS cluster_code,
           d.description
    FROM clusters_text c
    LEFT JOIN cluster_descriptions d
           ON d.release = c.release AND d.model = c.model
          AND (d.cluster_code = trim(c.cluster) OR split_part(d.cluster_code, '_', 2) = upper(trim(c.cluster)))
),
checked AS (
    SELECT *,
           CASE
               WHEN NOT is_gss_code(area_code) THEN 'malformed area code'
               WHEN cluster IS NULL OR cluster IN ('', '-') THEN 'no cluster given in this model'
               WHEN cluster_code IS NULL THEN 'a cluster the descriptions of this release do not name'
               WHEN row_number() OVER (PARTITION BY release, model, area_code ORDER BY label, row_number) > 1
                   THEN 'repeats an area already listed for this release and model (first row kept)'
           END AS record_problem
    FROM typed
)
SELECT release, model, label, row_number, area_code, area_name, cluster_code, description,
       record_problem AS problem,
       CASE WHEN NOT is_gss_code(area_code) THEN 'AREACD' ELSE model END AS problem_field,
       CASE WHEN NOT is_gss_code(area_code) THEN area_code ELSE cluster END AS problem_value
FROM checked
