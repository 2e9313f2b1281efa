-- Which GP sites the readiness ranking compares, and why the others are shown but not ranked.
-- A site is ranked when a current ODS file lists it and its practice's registered list is known
-- and at least $min_list_size patients: a branch known only from an old branch file may have
-- closed since, and a very small list is a specialist or special allocation service, not a
-- surgery serving a community. Unranked sites keep their row (and their own broadband) but have
-- no catchment, score or rank.
SELECT *,
    CASE
        WHEN NOT listing_current
            THEN 'branch surgery listed only in the ' || listed_in || ' (it may have closed since)'
        WHEN list_size IS NULL
            THEN 'no registered list size for its practice in the list-size extract'
        WHEN list_size < $min_list_size
            THEN 'its practice has ' || format('{:,}', list_size) || ' registered patients at '
                 || strftime(CAST(list_size_extract AS DATE), '%-d %B %Y') || ', fewer than the '
                 || format('{:,}', $min_list_size) || ' the ranking needs'
    END AS not_ranked_reason
FROM gp_sites
