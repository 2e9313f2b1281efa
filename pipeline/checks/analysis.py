"""Checks on the method's results: one row per small area, scores in range, the gap policy."""

from __future__ import annotations

import rasterio

from pipeline.checks import ERROR, WARN, Check, CheckContext, CheckResult, count_rows

SCORE_TABLES = {"lsoa_need": ("age_score", "disability_score", "deprivation_score", "engagement_score", "need_score"),
                "lsoa_supply_gap": ("fixed_score", "supply_gap_score")}


def indicator_percentages_in_range(ctx: CheckContext) -> CheckResult:
    """Percentage indicators lie within 0-100 and none is NaN."""
    return count_rows(ctx, "lsoa_indicators", "indicator LIKE 'pct_%' AND (value NOT BETWEEN 0 AND 100 OR isnan(value))",
                      "have a percentage outside 0-100", show="lsoa_code, indicator, value, source")


def one_score_row_per_lsoa(ctx: CheckContext) -> CheckResult:
    """Need and gap each have exactly one row for every study-area LSOA: none disappears."""
    counts = {}
    for table in SCORE_TABLES:
        counts[table] = ctx.one(f"""SELECT count(*), count(DISTINCT lsoa_code),
            (SELECT count(*) FROM lsoa_areas WHERE lsoa_code NOT IN (SELECT lsoa_code FROM {table})) FROM {table}""",
                                table, "lsoa_areas")
    areas = ctx.one("SELECT count(*) FROM lsoa_areas", "lsoa_areas")[0]
    ok = all(rows == distinct == areas and absent == 0 for rows, distinct, absent in counts.values())
    return CheckResult(ok, f"{areas} study-area LSOAs; " + "; ".join(
        f"{t}: {r} rows, {a} LSOAs absent" for t, (r, _, a) in counts.items()),
                       {"study_area_lsoas": areas, **{t: {"rows": r, "distinct": d, "absent": a}
                                                       for t, (r, d, a) in counts.items()}})


def scores_within_0_10(ctx: CheckContext) -> CheckResult:
    """Every score present lies within 0-10; a score is empty only where all its indicators are missing."""
    bad_rows, checked = 0, []
    examples = []
    for table, columns in SCORE_TABLES.items():
        where = " OR ".join(f"isnan({c}) OR {c} NOT BETWEEN 0 AND 10 OR ({c} IS NULL AND NOT flagged)" for c in columns)
        result = count_rows(ctx, table, where, "out of range", show="lsoa_code, " + ", ".join(columns))
        bad_rows += result.metadata["failing_rows"]
        examples += result.metadata.get("examples", [])
        checked += [f"{table}.{c}" for c in columns]
    return CheckResult(bad_rows == 0, f"{bad_rows} rows with a score outside 0-10, NaN, or empty without a flag",
                       {"columns_checked": checked, "failing_rows": bad_rows, "examples": examples[:10]})


def no_lsoa_flagged(ctx: CheckContext) -> CheckResult:
    """No study-area LSOA is missing an indicator (the gap policy: flagged LSOAs stay in, scored over what is
    present, and are listed here with the rejected source rows behind them)."""
    flagged = ctx.query("""SELECT lsoa_code, any_value(lsoa_name), string_agg(DISTINCT missing, '; ' ORDER BY missing)
        FROM (SELECT lsoa_code, lsoa_name, missing_indicators AS missing FROM lsoa_need WHERE flagged
              UNION ALL SELECT lsoa_code, lsoa_name, missing_indicators FROM lsoa_supply_gap WHERE flagged)
        GROUP BY 1 ORDER BY 1""", "lsoa_need", "lsoa_supply_gap")
    if not flagged:
        return CheckResult(True, "no LSOA is missing an indicator", {"flagged_lsoas": 0})
    codes = [r[0] for r in flagged]
    behind: list[list[str]] = []
    if any(ctx.paths.rejects.glob("*.parquet")):
        pattern = str(ctx.paths.rejects / "*.parquet").replace("'", "''")
        ctx.query("SELECT 1", "lsoa_crosswalk")
        behind = [[str(v) for v in r] for r in ctx.query(f"""
            WITH keys AS (SELECT unnest($codes) AS key
                          UNION SELECT lsoa11cd FROM lsoa_crosswalk WHERE list_contains($codes, lsoa21cd)
                          UNION SELECT lsoa21cd FROM lsoa_crosswalk WHERE list_contains($codes, lsoa11cd))
            SELECT key, source_file, row_number, field, value, reason
            FROM read_parquet('{pattern}', union_by_name = true)
            WHERE kind <> 'out_of_scope' AND key IN (SELECT key FROM keys)
            ORDER BY key, source_file, row_number LIMIT 50""", params={"codes": codes})]
    first = flagged[0]
    cause = f"; first rejected row: {behind[0][1]} row {behind[0][2]} field {behind[0][3]!r} ({behind[0][5]})" if behind else ""
    return CheckResult(False, f"{len(flagged)} LSOAs are missing an indicator (first: {first[0]} {first[1]}, "
                              f"missing {first[2]}){cause}",
                       {"flagged_lsoas": len(flagged),
                        "lsoas": [{"lsoa": c, "name": n, "missing": m} for c, n, m in flagged[:50]],
                        "rejected_source_rows": [dict(zip(("key", "file", "row", "field", "value", "reason"), r))
                                                 for r in behind]})


def triage_one_class_per_lsoa(ctx: CheckContext) -> CheckResult:
    """Every study-area LSOA has exactly one triage class."""
    rows, distinct, classless, areas = ctx.one("""SELECT count(*), count(DISTINCT lsoa_code),
        count(*) FILTER (triage_class IS NULL), (SELECT count(*) FROM lsoa_areas) FROM lsoa_triage""",
                                               "lsoa_triage", "lsoa_areas")
    return CheckResult(rows == distinct == areas and classless == 0,
                       f"{rows} rows for {areas} LSOAs, {classless} without a class",
                       {"rows": rows, "study_area_lsoas": areas, "without_class": classless})


def every_lsoa_has_a_hotspot_class(ctx: CheckContext) -> CheckResult:
    """Every study LSOA has neighbours, a finite Gi* z-score, p-values in 0-1 and a class."""
    rows, bad, areas = ctx.one("""SELECT count(*), count(*) FILTER (neighbours < 1 OR gi_z IS NULL OR isnan(gi_z)
        OR gi_p_sim NOT BETWEEN 0 AND 1 OR gi_p_fdr NOT BETWEEN 0 AND 1 OR hotspot_class IS NULL),
        (SELECT count(*) FROM lsoa_areas) FROM hotspots""", "hotspots", "lsoa_areas")
    return CheckResult(rows == areas and bad == 0, f"{rows} rows for {areas} LSOAs, {bad} invalid",
                       {"rows": rows, "study_area_lsoas": areas, "invalid_rows": bad})


def rank_draws_bracket_the_rank(ctx: CheckContext) -> CheckResult:
    """Each LSOA's 5th-95th percentile rank range is ordered and its top-decile probability is in 0-1."""
    return count_rows(ctx, "rank_uncertainty", "rank_p05 > rank_p95 OR p_top_decile NOT BETWEEN 0 AND 1",
                      "have an impossible rank range", show="lsoa_code, rank_p05, rank_p95, p_top_decile")


def every_gp_site_has_a_readiness_row(ctx: CheckContext) -> CheckResult:
    """Each GP site has one readiness row: ranked with a score in 0-10, or shown with the reason it is not ranked."""
    sites, rows, ranked, unranked = ctx.one("""SELECT (SELECT count(*) FROM gp_sites),
        (SELECT count(DISTINCT site_code) FROM gp_readiness WHERE site_code IN (SELECT site_code FROM gp_sites)),
        (SELECT count(*) FROM gp_readiness WHERE readiness_rank IS NOT NULL AND not_ranked_reason IS NULL
                                            AND readiness_score BETWEEN 0 AND 10),
        (SELECT count(*) FROM gp_readiness WHERE readiness_rank IS NULL AND not_ranked_reason IS NOT NULL)""",
                                            "gp_sites", "gp_readiness")
    return CheckResult(sites == rows == ranked + unranked,
                       f"{sites} sites, {rows} with a readiness row: {ranked} ranked, {unranked} shown with a reason",
                       {"gp_sites": sites, "readiness_rows": rows, "ranked_scored_0_to_10": ranked,
                        "not_ranked_with_reason": unranked})


def gp_site_part_is_the_sites_own(ctx: CheckContext) -> CheckResult:
    """A site's own gigabit part enters its score only from postcode-level data, never an area average."""
    return count_rows(ctx, "gp_readiness", "readiness_parts LIKE '%site gigabit%' AND NOT site_own_gigabit_known",
                      "score an area average as the site's own gigabit", show="site_code, site_broadband_resolution")


def gap_estimates_are_bounded(ctx: CheckContext) -> CheckResult:
    """Estimated units without gigabit are never negative nor more than the cell has."""
    return count_rows(ctx, "fibre_gap_cells", "est_without_gigabit < 0 OR (est_unit = 'postcode-equivalents' "
                      "AND est_without_gigabit > postcodes_with_coverage + 1e-9)", "have an impossible estimate",
                      show="cell_id, est_without_gigabit, est_unit, postcodes_with_coverage")


def area_averages_never_rank_within_their_area(ctx: CheckContext) -> CheckResult:
    """Cells whose gap is an area average share one rank within that area: no coarse value orders them."""
    return count_rows(ctx, "fibre_gap_cells", """area_average AND build_rank IS NOT NULL OR area_average AND broadband_area IN (
        SELECT broadband_area FROM fibre_gap_cells WHERE area_average GROUP BY 1 HAVING count(DISTINCT area_rank) > 1)""",
                      "are ranked inside their own averaging area", show="cell_id, broadband_area, area_rank, build_rank")


def rasters_readable(ctx: CheckContext) -> CheckResult:
    """Every GeoTIFF written opens with rasterio, in EPSG:27700, with nodata set and some valid cells (the gigabit
    one is written only when some postcode has its own broadband figure)."""
    found = {}
    for name in ("gigabit_gap_250m", "need_250m"):
        if name == "gigabit_gap_250m" and not (ctx.paths.gen / f"{name}.tif").exists():
            continue
        with rasterio.open(ctx.paths.gen / f"{name}.tif") as tif:
            data = tif.read(1, masked=True)
            found[name] = {"crs": str(tif.crs), "nodata": tif.nodata, "valid_cells": int(data.count()),
                           "ok": tif.crs.to_epsg() == 27700 and tif.nodata is not None and data.count() > 0}
    return CheckResult(all(v["ok"] for v in found.values()), "; ".join(
        f"{k}: {v['valid_cells']} valid cells, {v['crs']}" for k, v in found.items()), found)


def reconciliation_within_threshold(ctx: CheckContext) -> CheckResult:
    """Ofcom's district figures (gigabit, below 30 Mbit/s) are within the threshold of the figures our broadband input
    gives for the same release."""
    rows = ctx.query("""SELECT lad_code || ' ' || indicator || ' ' || release, official_pct, derived_pct, difference_pp,
                               within_threshold, threshold_pp
                        FROM connectivity_reconciliation ORDER BY 1""", "connectivity_reconciliation")
    over = [r[0] for r in rows if r[4] is False]
    missing = [r[0] for r in rows if r[4] is None]
    threshold = rows[0][5] if rows else ctx.settings.connectivity_series.reconciliation_warn_pp
    return CheckResult(not over and not missing,
                       (f"{len(over)} of {len(rows)} district figures differ by more than {threshold} pp" if over else
                        "every district figure within the threshold") + (f"; {len(missing)} not compared" if missing else ""),
                       {"difference_pp": {r[0]: r[3] for r in rows}, "over_threshold": over, "not_compared": missing})


def _check(name, step, asset, run, meaning, *tables, **kw) -> Check:
    return Check(name, step, asset, run, meaning=meaning, tables=tables, **kw)


CHECKS = [
    _check("indicator_percentages_in_range", "lsoa_indicators", "lsoa_indicators", indicator_percentages_in_range,
           "An indicator that should be a percentage is outside 0-100.", "lsoa_indicators", blocking=True),
    _check("one_score_row_per_lsoa", "scores", "lsoa_need", one_score_row_per_lsoa,
           "A study-area LSOA is missing from the need or gap scores.", "lsoa_need", "lsoa_supply_gap", "lsoa_areas",
           blocking=True),
    _check("scores_within_0_10", "scores", "lsoa_need", scores_within_0_10,
           "A score is outside 0-10, NaN, or empty without being flagged.", "lsoa_need", "lsoa_supply_gap",
           blocking=True),
    _check("no_lsoa_flagged", "scores", "lsoa_need", no_lsoa_flagged,
           "Some LSOAs are missing an indicator (usually a rejected source row): they are kept, scored over "
           "the indicators present and flagged, and nothing is published until the source rows named are fixed.",
           "lsoa_need", "lsoa_supply_gap", "lsoa_crosswalk", severity=ERROR),
    _check("triage_one_class_per_lsoa", "lsoa_triage", "lsoa_triage", triage_one_class_per_lsoa,
           "A study-area LSOA has no triage class, or two.", "lsoa_triage", "lsoa_areas", blocking=True),
    _check("every_lsoa_has_a_hotspot_class", "hotspots", "hotspots", every_lsoa_has_a_hotspot_class,
           "An LSOA has no neighbours or no valid Gi* statistic.", "hotspots", "lsoa_areas", blocking=True),
    _check("rank_draws_bracket_the_rank", "rank_uncertainty", "rank_uncertainty", rank_draws_bracket_the_rank,
           "A rank range or probability is impossible.", "rank_uncertainty", blocking=True),
    _check("every_gp_site_has_a_readiness_row", "gp_readiness", "gp_readiness", every_gp_site_has_a_readiness_row,
           "A GP site has no readiness row, or is neither ranked with a score nor given a reason.", "gp_sites",
           "gp_readiness", blocking=True),
    _check("gp_site_part_is_the_sites_own", "gp_readiness", "gp_readiness", gp_site_part_is_the_sites_own,
           "An area average stands in for a surgery's own gigabit status in its readiness score.", "gp_readiness",
           blocking=True),
    _check("gap_estimates_are_bounded", "fibre_gaps", "fibre_gap_cells", gap_estimates_are_bounded,
           "A cell's estimate of premises without gigabit is impossible.", "fibre_gap_cells", blocking=True),
    _check("area_averages_never_rank_within_their_area", "fibre_gaps", "fibre_gap_cells",
           area_averages_never_rank_within_their_area,
           "A coarse (area-average) value would order cells inside the area it describes.", "fibre_gap_cells",
           blocking=True),
    _check("rasters_readable", "rasters", "need_250m", rasters_readable,
           "A GeoTIFF does not open, has no CRS or nodata, or is empty.", blocking=True),
    _check("reconciliation_within_threshold", "connectivity_reconciliation", "connectivity_reconciliation",
           reconciliation_within_threshold,
           "Ofcom's own district figure (gigabit, below 30 Mbit/s) and ours from the broadband input differ by more "
           "than the threshold.",
           "connectivity_reconciliation", severity=WARN,
           expected="expected with postcode-district averages: they weigh every postcode equally, not by premises, "
                    "so they differ from Ofcom's premises-weighted district figures by several points"),
]
