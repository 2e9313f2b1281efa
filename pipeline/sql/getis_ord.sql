-- Getis-Ord Gi* with binary weights: each LSOA's neighbourhood is its neighbours and itself.
--   Gi* z = (sum_j w_ij x_j - xbar * sum_j w_ij) / (S * sqrt((n * sum_j w_ij^2 - (sum_j w_ij)^2) / (n - 1)))
-- with xbar and S the mean and (population) standard deviation of x over all n LSOAs. With
-- binary weights sum_j w_ij^2 = sum_j w_ij = the neighbourhood size.
WITH x AS (
    SELECT lsoa_code, value FROM gi_values
),
stats AS (
    SELECT count(*) AS n, avg(value) AS xbar, sqrt(avg(value * value) - avg(value) * avg(value)) AS s FROM x
),
w AS (
    SELECT lsoa_i, lsoa_j FROM neighbours
    UNION
    SELECT lsoa_code, lsoa_code FROM x
),
sums AS (
    SELECT w.lsoa_i AS lsoa_code, sum(x.value) AS local_sum, count(*) AS w_sum
    FROM w JOIN x ON x.lsoa_code = w.lsoa_j
    GROUP BY 1
)
SELECT sums.lsoa_code, sums.w_sum - 1 AS neighbours, sums.local_sum / sums.w_sum AS local_mean,
       (sums.local_sum - stats.xbar * sums.w_sum)
         / (stats.s * sqrt((stats.n * sums.w_sum - sums.w_sum * sums.w_sum) / (stats.n - 1))) AS gi_z
FROM sums, stats
ORDER BY sums.lsoa_code
