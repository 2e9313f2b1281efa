"""Checks on the ingested sources that no kind can say (``declared.py`` lists them with the kinds)."""

from __future__ import annotations

from pipeline.checks import CheckContext, CheckResult


def postcodes_placed(ctx: CheckContext) -> CheckResult:
    """Postcodes without a small area are counted; warn when more than 1% of a district has none."""
    rows = ctx.query(
        """SELECT lad_code, count(*) FILTER (lsoa_code IS NULL), count(*) FROM postcodes
                        GROUP BY 1 ORDER BY 1""",
        "postcodes",
    )
    worst = max((u / n for _, u, n in rows), default=0.0)
    return CheckResult(
        worst <= 0.01,
        f"worst district: {worst:.1%} of postcodes without an LSOA",
        {"unplaced_per_district": {lad: u for lad, u, _ in rows}, "worst_share": round(worst, 4)},
    )


def broadband_measured_per_postcode(ctx: CheckContext) -> CheckResult:
    """Broadband is known per postcode (Ofcom's postcode file), not only as area averages."""
    rows = dict(
        ctx.query("SELECT resolution, count(*) FROM broadband_coverage GROUP BY 1 ORDER BY 1", "broadband_coverage")
    )
    averaged = sum(n for r, n in rows.items() if r in ("postcode_district", "local_authority"))
    return CheckResult(
        averaged == 0,
        f"{averaged:,} of {sum(rows.values()):,} postcodes have only an area average",
        {"postcodes_by_resolution": rows},
    )


def gp_practices_have_list_sizes(ctx: CheckContext) -> CheckResult:
    """Every study-area practice has a registered list size, all from one extract month."""
    missing, months = ctx.one(
        """SELECT count(*) FILTER (site_type = 'practice' AND list_size IS NULL),
        list_distinct(list(list_size_extract) FILTER (list_size_extract IS NOT NULL)) FROM gp_sites""",
        "gp_sites",
    )
    names = [
        r[0]
        for r in ctx.query(
            "SELECT site_code || ' ' || name FROM gp_sites WHERE site_type = 'practice' "
            "AND list_size IS NULL ORDER BY 1",
            "gp_sites",
        )
    ]
    return CheckResult(
        missing == 0 and len(months) <= 1,
        f"{missing} practices without a list size; list sizes from {', '.join(sorted(months)) or 'no extract'}",
        {"practices_without_list_size": names, "list_size_extracts": sorted(months)},
    )


def series_covers_study_districts(ctx: CheckContext) -> CheckResult:
    """Each study district has a gigabit series with at least two releases dated by month."""
    found = dict(
        ctx.query(
            """SELECT area_code, count(*) FROM district_connectivity_series
                              WHERE indicator = 'gigabit_capable_pct' AND dated_by <> 'year only' GROUP BY 1""",
            "district_connectivity_series",
        )
    )
    short = [lad for lad in ctx.lads if found.get(lad, 0) < 2]
    return CheckResult(
        not short,
        f"{len(short)} districts with fewer than two releases",
        {"gigabit_releases_per_district": {lad: found.get(lad, 0) for lad in ctx.lads}},
    )
