"""Checks on the method's results that no kind can say: the gap policy naming the rejected source rows,
the rasters, and Ofcom's district figures beside ours (``declared.py`` lists them with the kinds)."""

from __future__ import annotations

import rasterio

from pipeline.checks import CheckContext, CheckResult


def no_lsoa_flagged(ctx: CheckContext) -> CheckResult:
    """No study-area LSOA is missing an indicator (the gap policy: flagged LSOAs stay in, scored over what is
    present, and are listed here with the rejected source rows behind them)."""
    flagged = ctx.query(
        """SELECT lsoa_code, any_value(lsoa_name), string_agg(DISTINCT missing, '; ' ORDER BY missing)
        FROM (SELECT lsoa_code, lsoa_name, missing_indicators AS missing FROM lsoa_need WHERE flagged
              UNION ALL SELECT lsoa_code, lsoa_name, missing_indicators FROM lsoa_supply_gap WHERE flagged)
        GROUP BY 1 ORDER BY 1""",
        "lsoa_need",
        "lsoa_supply_gap",
    )
    if not flagged:
        return CheckResult(True, "no LSOA is missing an indicator", {"flagged_lsoas": 0})
    codes = [r[0] for r in flagged]
    behind: list[list[str]] = []
    unlinked = False
    if any(ctx.paths.rejects.glob("*.parquet")):
        pattern = str(ctx.paths.rejects / "*.parquet").replace("'", "''")
        ctx.query("SELECT 1", "lsoa_crosswalk")
        behind = [
            [str(v) for v in r]
            for r in ctx.query(
                f"""
            WITH keys AS (SELECT unnest($codes) AS key
                          UNION SELECT lsoa11cd FROM lsoa_crosswalk WHERE list_contains($codes, lsoa21cd)
                          UNION SELECT lsoa21cd FROM lsoa_crosswalk WHERE list_contains($codes, lsoa11cd))
            SELECT key, source_file, row_number, field, value, reason
            FROM read_parquet('{pattern}', union_by_name = true)
            WHERE kind <> 'out_of_scope' AND key IN (SELECT key FROM keys)
            ORDER BY key, source_file, row_number LIMIT 50""",
                params={"codes": codes},
            )
        ]
        if not behind:  # a row whose code was mistyped names no LSOA: name the rejected rows with such codes
            behind = [
                [str(v) for v in r]
                for r in ctx.query(
                    f"""
                WITH known AS (SELECT lsoa11cd AS key FROM lsoa_crosswalk UNION SELECT lsoa21cd FROM lsoa_crosswalk)
                SELECT key, source_file, row_number, field, value, reason
                FROM read_parquet('{pattern}', union_by_name = true)
                WHERE kind <> 'out_of_scope' AND key IS NOT NULL AND key NOT IN (SELECT key FROM known)
                      AND (field ILIKE '%lsoa%' OR reason ILIKE '%lsoa%')
                ORDER BY source_file, row_number LIMIT 50"""
                )
            ]
            unlinked = bool(behind)
    first = flagged[0]
    if behind and unlinked:
        cause = (
            f"; no rejected row names it, but {len(behind)}{'+' if len(behind) == 50 else ''} rejected row(s) carry "
            f"a code that is no LSOA's and may be it (first: {behind[0][1]} row {behind[0][2]} field "
            f"{behind[0][3]!r}, {behind[0][4]!r}: {behind[0][5]})"
        )
    elif behind:
        cause = f"; first rejected row: {behind[0][1]} row {behind[0][2]} field {behind[0][3]!r} ({behind[0][5]})"
    else:
        cause = ""
    return CheckResult(
        False,
        f"{len(flagged)} LSOAs are missing an indicator (first: {first[0]} {first[1]}, missing {first[2]}){cause}",
        {
            "flagged_lsoas": len(flagged),
            "lsoas": [{"lsoa": c, "name": n, "missing": m} for c, n, m in flagged[:50]],
            "rejected_source_rows": [
                dict(zip(("key", "file", "row", "field", "value", "reason"), r, strict=False)) for r in behind
            ],
        },
    )


def outcome_files_match_the_study_area(ctx: CheckContext) -> CheckResult:
    """Every outcome file in data/raw/outcomes/ has usable rows for the study area's LSOAs (a file with none
    validates nothing, and index_validation would be silently empty)."""
    matched = dict(
        ctx.query(
            "SELECT outcome_file, count(DISTINCT lsoa_code) FROM validation_points GROUP BY 1", "validation_points"
        )
    )
    rejected: dict[str, dict[str, int]] = {}
    path = ctx.paths.rejects / "index_validation.parquet"
    if path.exists():
        for file, kind, n in ctx.con.execute(
            """SELECT source_file, kind, count(DISTINCT row_number)
                FROM read_parquet($p) GROUP BY 1, 2 ORDER BY 1, 2""",
            {"p": str(path)},
        ).fetchall():
            rejected.setdefault(file, {})[kind] = n
    files = sorted(set(matched) | set(rejected))
    empty = [f for f in files if not matched.get(f)]
    lines = [
        f"{f}: no row is a usable LSOA of the study area ("
        + ", ".join(f"{n:,} {kind.replace('_', ' ')}" for kind, n in rejected.get(f, {}).items())
        + ")"
        for f in empty
    ]
    return CheckResult(
        not empty,
        "; ".join(lines)
        if lines
        else (f"{len(files)} outcome files, each with rows in the study area" if files else "no outcome file"),
        {"files": files, "matched_lsoas": matched, "files_without_study_area_rows": empty},
    )


def rasters_readable(ctx: CheckContext) -> CheckResult:
    """Every GeoTIFF written opens with rasterio, in EPSG:27700, with nodata set and some valid cells (the gigabit
    one is written only when some postcode has its own broadband figure)."""
    found = {}
    for name in ("gigabit_gap_250m", "need_250m"):
        if name == "gigabit_gap_250m" and not (ctx.paths.gen / f"{name}.tif").exists():
            continue
        with rasterio.open(ctx.paths.gen / f"{name}.tif") as tif:
            data = tif.read(1, masked=True)
            found[name] = {
                "crs": str(tif.crs),
                "nodata": tif.nodata,
                "valid_cells": int(data.count()),
                "ok": tif.crs.to_epsg() == 27700 and tif.nodata is not None and data.count() > 0,
            }
    return CheckResult(
        all(v["ok"] for v in found.values()),
        "; ".join(f"{k}: {v['valid_cells']} valid cells, {v['crs']}" for k, v in found.items()),
        found,
    )


def reconciliation_within_threshold(ctx: CheckContext) -> CheckResult:
    """Ofcom's district figures (gigabit, below 30 Mbit/s) are within the threshold of the figures our broadband input
    gives for the same release."""
    rows = ctx.query(
        """SELECT lad_code || ' ' || indicator || ' ' || release, official_pct, derived_pct, difference_pp,
                               within_threshold, threshold_pp
                        FROM connectivity_reconciliation ORDER BY 1""",
        "connectivity_reconciliation",
    )
    over = [r[0] for r in rows if r[4] is False]
    missing = [r[0] for r in rows if r[4] is None]
    cfg = ctx.settings.connectivity_series
    return CheckResult(
        not over and not missing,
        (
            f"{len(over)} of {len(rows)} district figures differ by more than their threshold "
            f"({cfg.reconciliation_warn_pp:g} pp for gigabit, {cfg.reconciliation_below_30_warn_pp:g} pp below "
            "30 Mbit/s)"
            if over
            else "every district figure within the threshold"
        )
        + (f"; {len(missing)} not compared" if missing else ""),
        {"difference_pp": {r[0]: r[3] for r in rows}, "over_threshold": over, "not_compared": missing},
    )
