"""Checks on the ingested sources: each table complete, unique where it must be, in range."""

from __future__ import annotations

from pipeline.checks import WARN, Check, CheckContext, CheckResult, count_rows
from pipeline.registry import SOURCES

PERCENTAGES = ("gigabit_pct", "sfbb_pct", "ufbb_pct", "below_uso_pct", "nga_pct")


def _pct_out_of_range(columns) -> str:
    return " OR ".join(f"{c} NOT BETWEEN 0 AND 100 OR isnan({c})" for c in columns)


def expected_rows(table: str, source: str) -> Check:
    low, high = SOURCES[source].expected_rows

    def run(ctx: CheckContext) -> CheckResult:
        rows = ctx.one(f'SELECT count(*) FROM "{table}"', table)[0]
        return CheckResult(low <= rows <= high, f"{rows:,} rows (a complete release gives {low:,}-{high:,})",
                           {"rows": rows, "expected_min": low, "expected_max": high})

    run.__doc__ = f"The table holds the rows a complete {SOURCES[source].title} gives."
    return Check(f"{table}_expected_rows", table, table, run, severity=WARN, tables=(table,),
                 meaning=f"{SOURCES[source].title} is not the complete national release (rows missing or "
                         "rejected: see `rejects`); LSOAs it leaves out are flagged, not dropped.")


def unique(table: str, key: str, where: str = "true", step: str | None = None) -> Check:
    def run(ctx: CheckContext) -> CheckResult:
        return count_rows(ctx, table, f"{where} AND {key} IN (SELECT {key} FROM \"{table}\" WHERE {where} "
                                      f"GROUP BY 1 HAVING count(*) > 1)", f"repeat a {key}")

    run.__doc__ = f"Each {key} appears once in {table}."
    return Check(f"{table}_{key}_unique", step or table, table, run, blocking=True, tables=(table,),
                 meaning=f"Two rows describe one {key}: joins on it would double count.")


def postcodes_every_district_present(ctx: CheckContext) -> CheckResult:
    """Every study district has postcodes (an empty district means a wrong LAD code or source)."""
    found = dict(ctx.query("SELECT lad_code, count(*) FROM postcodes GROUP BY 1", "postcodes"))
    empty = [lad for lad in ctx.lads if not found.get(lad)]
    return CheckResult(not empty, f"no postcodes in {', '.join(empty)}" if empty else "every district has postcodes",
                       {"postcodes_per_district": {lad: found.get(lad, 0) for lad in ctx.lads}})


def postcodes_only_study_districts(ctx: CheckContext) -> CheckResult:
    """The table holds this run's districts and no other."""
    return count_rows(ctx, "postcodes", "NOT list_contains($lads, lad_code)", "belong to another district",
                      show="postcode, lad_code")


def postcodes_placed(ctx: CheckContext) -> CheckResult:
    """Postcodes without a small area are counted; warn when more than 1% of a district has none."""
    rows = ctx.query("""SELECT lad_code, count(*) FILTER (lsoa_code IS NULL), count(*) FROM postcodes
                        GROUP BY 1 ORDER BY 1""", "postcodes")
    worst = max((u / n for _, u, n in rows), default=0.0)
    return CheckResult(worst <= 0.01, f"worst district: {worst:.1%} of postcodes without an LSOA",
                       {"unplaced_per_district": {lad: u for lad, u, _ in rows}, "worst_share": round(worst, 4)})


def postcodes_in_great_britain(ctx: CheckContext) -> CheckResult:
    """Positions lie in Great Britain (WGS84 latitude 49.8-61, longitude -8.7-2)."""
    return count_rows(ctx, "postcodes", "NOT (lat BETWEEN 49.8 AND 61 AND lon BETWEEN -8.7 AND 2.0)",
                      "lie outside Great Britain", show="postcode, lat, lon")


def lsoa_areas_complete(ctx: CheckContext) -> CheckResult:
    """Every study-area LSOA has a district, residents (Census 2021) and a boundary."""
    rows, no_residents, no_boundary, districts = ctx.one(
        """SELECT count(*), count(*) FILTER (residents_2021 IS NULL), count(*) FILTER (NOT has_boundary),
                  count(DISTINCT lad_code) FROM lsoa_areas""", "lsoa_areas")
    ok = rows > 0 and no_residents == 0 and no_boundary == 0 and districts == len(ctx.lads)
    return CheckResult(ok, f"{rows} LSOAs in {districts} of {len(ctx.lads)} districts; {no_residents} without "
                           f"residents, {no_boundary} without a boundary",
                       {"lsoas": rows, "without_residents": no_residents, "without_boundary": no_boundary,
                        "districts": districts})


def broadband_one_row_per_postcode(ctx: CheckContext) -> CheckResult:
    """Exactly one coverage row for each study-area postcode, with its resolution and release recorded."""
    postcodes, coverage, rows, unlabelled = ctx.one("""
        SELECT (SELECT count(*) FROM postcodes), (SELECT count(DISTINCT postcode) FROM broadband_coverage),
               (SELECT count(*) FROM broadband_coverage),
               (SELECT count(*) FROM broadband_coverage WHERE resolution IS NULL OR (resolution <> 'none' AND release IS NULL))""",
                                                    "postcodes", "broadband_coverage")
    return CheckResult(postcodes == coverage == rows and unlabelled == 0,
                       f"{postcodes} postcodes, {rows} coverage rows, {unlabelled} without resolution or release",
                       {"postcodes": postcodes, "coverage_rows": rows, "distinct_postcodes": coverage,
                        "rows_without_resolution_or_release": unlabelled})


def broadband_percentages_in_range(ctx: CheckContext) -> CheckResult:
    """Every coverage percentage lies within 0-100."""
    return count_rows(ctx, "broadband_coverage", _pct_out_of_range(PERCENTAGES), "have a percentage outside 0-100",
                      show="postcode, source_file, source_row")


def broadband_measured_per_postcode(ctx: CheckContext) -> CheckResult:
    """Broadband is known per postcode (Ofcom's postcode file), not only as area averages."""
    rows = dict(ctx.query("SELECT resolution, count(*) FROM broadband_coverage GROUP BY 1 ORDER BY 1",
                          "broadband_coverage"))
    averaged = sum(n for r, n in rows.items() if r in ("postcode_district", "local_authority"))
    return CheckResult(averaged == 0, f"{averaged:,} of {sum(rows.values()):,} postcodes have only an area average",
                       {"postcodes_by_resolution": rows})


def gp_sites_have_positions(ctx: CheckContext) -> CheckResult:
    """Every GP site has a position and lies in a study district."""
    return count_rows(ctx, "gp_sites", "geom IS NULL OR NOT list_contains($lads, lad_code)",
                      "have no position or lie outside the study area", show="site_code, name, postcode, lad_code")


def gp_practices_have_list_sizes(ctx: CheckContext) -> CheckResult:
    """Every study-area practice has a registered list size, all from one extract month."""
    missing, months = ctx.one("""SELECT count(*) FILTER (site_type = 'practice' AND list_size IS NULL),
        list_distinct(list(list_size_extract) FILTER (list_size_extract IS NOT NULL)) FROM gp_sites""", "gp_sites")
    names = [r[0] for r in ctx.query("SELECT site_code || ' ' || name FROM gp_sites WHERE site_type = 'practice' "
                                     "AND list_size IS NULL ORDER BY 1", "gp_sites")]
    return CheckResult(missing == 0 and len(months) <= 1,
                       f"{missing} practices without a list size; list sizes from {', '.join(sorted(months)) or 'no extract'}",
                       {"practices_without_list_size": names, "list_size_extracts": sorted(months)})


def series_values_are_percentages(ctx: CheckContext) -> CheckResult:
    """No release is listed twice for an area, and every value is a percentage."""
    return count_rows(ctx, "la_connectivity_series",
                      "value NOT BETWEEN 0 AND 100 OR (area_code, indicator, release) IN (SELECT (area_code, indicator, "
                      "release) FROM la_connectivity_series GROUP BY ALL HAVING count(*) > 1)",
                      "repeat a release or are not a percentage")


def series_covers_study_districts(ctx: CheckContext) -> CheckResult:
    """Each study district has a gigabit series with at least two releases dated by month."""
    found = dict(ctx.query("""SELECT area_code, count(*) FROM district_connectivity_series
                              WHERE indicator = 'gigabit_capable_pct' AND dated_by <> 'year only' GROUP BY 1""",
                           "district_connectivity_series"))
    short = [lad for lad in ctx.lads if found.get(lad, 0) < 2]
    return CheckResult(not short, f"{len(short)} districts with fewer than two releases",
                       {"gigabit_releases_per_district": {lad: found.get(lad, 0) for lad in ctx.lads}})


CHECKS = [
    unique("codepoint_open", "postcode", step="codepoint_open"),
    expected_rows("codepoint_open", "codepoint_open"),
    unique("ons_postcode_lookup", "postcode", "is_live"),
    expected_rows("ons_postcode_lookup", "ons_postcode_lookup"),
    expected_rows("census_age", "census_ts007a"),
    unique("census_age", "lsoa21cd"),
    expected_rows("census_disability", "census_ts038"),
    expected_rows("iuc2018", "iuc2018"),
    unique("iuc2018", "lsoa11cd"),
    expected_rows("iod2025", "iod2025"),
    unique("iod2025", "lsoa21cd"),
    expected_rows("imd2019", "imd2019"),
    expected_rows("imd2019_scores", "imd2019_scores"),
    unique("postcodes", "postcode"),
    Check("postcodes_every_district_present", "postcodes", "postcodes", postcodes_every_district_present,
          blocking=True, tables=("postcodes",),
          meaning="A study district has no postcodes: its LAD code is wrong for Code-Point Open, or a file is cut short."),
    Check("postcodes_only_study_districts", "postcodes", "postcodes", postcodes_only_study_districts, blocking=True,
          tables=("postcodes",), meaning="Postcodes of a district outside this run's study area would be published."),
    Check("postcodes_placed", "postcodes", "postcodes", postcodes_placed, severity=WARN, tables=("postcodes",),
          meaning="More than 1% of a district's postcodes could not be placed in a small area; they count nowhere."),
    Check("postcodes_in_great_britain", "postcodes", "postcodes", postcodes_in_great_britain, blocking=True,
          tables=("postcodes",), meaning="A postcode position is outside Great Britain: a grid reference is wrong."),
    Check("lsoa_areas_complete", "lsoa_areas", "lsoa_areas", lsoa_areas_complete, blocking=True, tables=("lsoa_areas",),
          meaning="A small area has no residents or no boundary, or a district has no small areas."),
    Check("broadband_one_row_per_postcode", "broadband_coverage", "broadband_coverage", broadband_one_row_per_postcode,
          blocking=True, tables=("postcodes", "broadband_coverage"),
          meaning="A postcode has no coverage row or two, or a value has no resolution or release recorded."),
    Check("broadband_percentages_in_range", "broadband_coverage", "broadband_coverage", broadband_percentages_in_range,
          blocking=True, tables=("broadband_coverage",), meaning="A coverage percentage is outside 0-100."),
    Check("broadband_measured_per_postcode", "broadband_coverage", "broadband_coverage",
          broadband_measured_per_postcode, severity=WARN, tables=("broadband_coverage",),
          meaning="Broadband is known only as area averages, so it cannot rank small areas within one area.",
          expected="expected with the mirror: Ofcom's postcode file is not in it, so broadband is postcode-district "
                   "averages; every output marks those values and never ranks areas inside one postcode district by them"),
    unique("gp_sites", "site_code"),
    unique("settlements", "settlement_id"),
    Check("gp_sites_have_positions", "gp_sites", "gp_sites", gp_sites_have_positions, blocking=True,
          tables=("gp_sites",), meaning="A GP site has no position or lies outside the study area."),
    Check("gp_practices_have_list_sizes", "gp_sites", "gp_sites", gp_practices_have_list_sizes, severity=WARN,
          tables=("gp_sites",), meaning="A practice has no registered list size (the list-size file misses it: it "
          "is shown but not ranked), or list sizes come from more than one month."),
    Check("series_values_are_percentages", "connectivity_series", "la_connectivity_series",
          series_values_are_percentages, blocking=True, tables=("la_connectivity_series",),
          meaning="An Ofcom release is listed twice for an area, or a value is not a percentage."),
    Check("series_covers_study_districts", "connectivity_series", "district_connectivity_series",
          series_covers_study_districts, severity=WARN, tables=("district_connectivity_series",),
          meaning="A district's connectivity trend has fewer than two points, so no change can be shown."),
]
