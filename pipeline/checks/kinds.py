"""Kinds of check: each a small function that, given the asset it guards, makes a ``Check`` with a
generated name, rule, meaning and SQL. ``declared.py`` lists the kinds each table gets.

A kind is ERROR and blocking unless told otherwise (a table that breaks one would make the
outputs wrong); ``severity``, ``blocking``, ``meaning``, ``expected`` and ``name`` can be given
for one use. Every kind reads tables through ``CheckContext``, so a table written on a small-area
vintage is seen under the neutral ``lsoa_code``/``lsoa_name``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence

from pipeline.checks import ERROR, WARN, Check, CheckContext, CheckResult
from pipeline.registry import SOURCES
from pipeline.steps import PRODUCER

Kind = Callable[[str], Check]  # the asset it guards -> the check


def _make(
    asset: str,
    name: str,
    rule: str,
    meaning: str,
    run: Callable[[CheckContext], CheckResult],
    reads: Sequence[str],
    opts: dict,
) -> Check:
    severity = opts.get("severity", ERROR)
    return Check(
        opts.get("name") or name,
        PRODUCER[asset],
        asset,
        run,
        opts.get("meaning") or meaning,
        severity=severity,
        blocking=opts.get("blocking", severity == ERROR),
        expected=opts.get("expected"),
        tables=tuple(reads),
        rule=rule,
    )


def _columns(columns: str | Sequence[str]) -> tuple[str, ...]:
    return (columns,) if isinstance(columns, str) else tuple(columns)


def _listed(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _bound(value) -> str:
    """A bound as it reads in a name: 0, 10, 0p5, residents."""
    return str(value).replace(".", "p").replace("-", "minus_")


def rows_failing(
    ctx: CheckContext,
    table: str,
    where: str,
    what: str,
    show: Sequence[str] = (),
    *also: str,
    params: dict | None = None,
    counts: dict[str, str] | None = None,
) -> CheckResult:
    """Pass when no row of ``table`` matches ``where``; otherwise count them and show up to ten, each
    with the table's first column, its LSOA, source file and row when it has them, and ``show``.
    ``counts`` adds a count per named condition (e.g. per column) to the metadata."""
    parts = [f'count(*) FILTER ({cond}) AS "{label}"' for label, cond in (counts or {}).items()]
    row = ctx.one(
        f'SELECT count(*) {"".join(", " + p for p in parts)} FROM "{table}" WHERE {where}', table, *also, params=params
    )
    bad = row[0]
    meta: dict = {"failing_rows": bad}
    if counts:
        meta["failing_rows_per_condition"] = {label: n for label, n in zip(counts, row[1:], strict=False) if n}
    if not bad:
        return CheckResult(True, f"no rows {what}", meta)
    columns = [r[0] for r in ctx.query(f'SELECT column_name FROM (DESCRIBE "{table}")')]
    named_by = [columns[0], *(c for c in ("lsoa_code", "source_file", "source_row") if c in columns)]
    picked = list(dict.fromkeys([*named_by, *show]))
    examples = [
        [str(v) for v in r]
        for r in ctx.query(
            f'SELECT {", ".join(picked)} FROM "{table}" WHERE {where} ORDER BY ALL LIMIT 10', params=params
        )
    ]
    first = ", ".join(f"{c} {v}" for c, v in zip(picked, examples[0], strict=False))
    return CheckResult(
        False, f"{bad:,} rows {what} (first: {first})", meta | {"columns_shown": picked, "examples": examples}
    )


def one_row_per(*key: str, where: str | None = None, **opts) -> Kind:
    """No two rows share ``key`` (among the rows ``where`` selects)."""
    keys = key[0] if len(key) == 1 else f"({', '.join(key)})"

    def make(table: str) -> Check:
        among = where or "true"
        dup = (
            f'{among} AND ({", ".join(key)}) IN (SELECT ({", ".join(key)}) FROM "{table}" WHERE {among} '
            f"GROUP BY ALL HAVING count(*) > 1)"
        )
        scope = f" (rows where {where})" if where else ""
        return _make(
            table,
            f"{table}_one_row_per_{'_'.join(key)}",
            f"Each {keys} appears once in {table}{scope}.",
            f"Two rows of {table} describe one {keys}: joins on it would count it twice.",
            lambda ctx: rows_failing(ctx, table, dup, f"repeat a {keys}", key),
            (table,),
            opts,
        )

    return make


def not_null(column: str, *, where: str | None = None, **opts) -> Kind:
    """Every row (that ``where`` selects) has a ``column``."""

    def make(table: str) -> Check:
        scope = f" where {where}" if where else ""
        return _make(
            table,
            f"{table}_{column}_not_null",
            f"Every row of {table}{scope} has a {column}.",
            f"A row of {table} has no {column}: it drops out of whatever is built on it.",
            lambda ctx: rows_failing(ctx, table, f"({where or 'true'}) AND {column} IS NULL", f"without a {column}"),
            (table,),
            opts,
        )

    return make


def in_range(
    columns: str | Sequence[str],
    low=None,
    high=None,
    *,
    what: str | None = None,
    where: str | None = None,
    empty_ok: bool | str = False,
    **opts,
) -> Kind:
    """Each value of ``columns`` is a finite number within ``low``-``high`` (either may be None, or a
    column of the same row). A column may be a pattern (``"*_score"``: every such column the table
    has, so the check follows the weights and the publishers' columns; a pattern matching none
    fails). Empty values fail unless ``empty_ok`` (True, or a condition under which an empty value
    is right, e.g. ``"flagged"``). ``what`` names several columns at once."""
    cols = _columns(columns)
    if (len(cols) > 1 or any("*" in c for c in cols)) and not what:
        raise ValueError("in_range over several columns or a pattern needs `what` to name them")
    label = what or cols[0]
    numbers = all(isinstance(b, (int, float)) for b in (low, high) if b is not None)
    if low is not None and high is not None:
        span = f" within {low}-{high}" if numbers else f" between {low} and {high}"
        outside, tail = (
            f"outside {low}-{high}" if numbers else f"below {low} or above {high}",
            f"within_{_bound(low)}_{_bound(high)}",
        )
    elif low is not None:
        span, outside, tail = f" of at least {low}", f"below {low}", f"at_least_{_bound(low)}"
    elif high is not None:
        span, outside, tail = f" of at most {high}", f"above {high}", f"at_most_{_bound(high)}"
    else:
        span, outside, tail = "", "", "finite"
    never = "" if empty_ok is True else ", never empty" if empty_ok is False else f", empty only where {empty_ok}"
    faults = ", ".join(filter(None, [outside, "not a finite number"])) + ("" if empty_ok is True else " or empty")
    named = _listed([f"{c} column" if "*" in c else c for c in cols])

    def bad(c: str) -> str:
        parts = [f"NOT isfinite({c}::DOUBLE)"]
        parts += [f"{c} < {low}"] if low is not None else []
        parts += [f"{c} > {high}"] if high is not None else []
        parts += (
            []
            if empty_ok is True
            else [f"{c} IS NULL"]
            if empty_ok is False
            else [f"({c} IS NULL AND NOT ({empty_ok}))"]
        )
        return " OR ".join(parts)

    def make(table: str) -> Check:
        def run(ctx: CheckContext) -> CheckResult:
            present = [r[0] for r in ctx.query(f'SELECT column_name FROM (DESCRIBE "{table}")', table)]
            found = [c for pattern in cols for c in (fnmatch.filter(present, pattern) if "*" in pattern else [pattern])]
            unmatched = [p for p in cols if "*" in p and not fnmatch.filter(present, p)]
            if unmatched:
                return CheckResult(False, f"no column of {table} matches {', '.join(unmatched)}", {"columns": present})
            failing = f"({where or 'true'}) AND (" + " OR ".join(f"({bad(c)})" for c in found) + ")"
            result = rows_failing(
                ctx,
                table,
                failing,
                f"with {label} {faults}",
                found,
                counts={c: bad(c) for c in found} if len(found) > 1 else None,
            )
            result.metadata["columns_checked"] = found
            return result

        scope = f" where {where}" if where else ""
        return _make(
            table,
            f"{table}_{label}_{tail}",
            f"Every {named} of {table}{scope} is a finite number{span}{never}.",
            f"A value of {named} in {table} is {faults}: whatever is built on it is wrong.",
            run,
            (table,),
            opts,
        )

    return make


def covers(
    key: str,
    reference: str,
    reference_key: str | None = None,
    *,
    noun: str | None = None,
    suffix: str | None = None,
    **opts,
) -> Kind:
    """The table has a row for every ``reference_key`` of ``reference``, and none for anything else:
    nothing silently drops out, nothing foreign comes in."""
    ref_key = reference_key or key
    thing = noun or f"{ref_key} of {reference}"

    def run(table: str) -> Callable[[CheckContext], CheckResult]:
        def check(ctx: CheckContext) -> CheckResult:
            # one join says whether anything is absent or extra (almost always nothing); only then are they listed
            expected, any_absent, any_extra = ctx.one(
                f"""SELECT count(DISTINCT r.{ref_key}), count(*) FILTER (t.{key} IS NULL AND r.{ref_key} IS NOT NULL),
                           count(*) FILTER (r.{ref_key} IS NULL)
                    FROM "{reference}" r FULL JOIN "{table}" t ON r.{ref_key} = t.{key}""",
                reference,
                table,
            )

            def without_match(a: str, a_key: str, b: str, b_key: str, where: str = "true") -> list:
                """The distinct ``a_key`` values of ``a`` that no row of ``b`` has (NULL first)."""
                return [
                    r[0]
                    for r in ctx.query(
                        f'SELECT DISTINCT a.{a_key} FROM "{a}" a ANTI JOIN "{b}" b ON a.{a_key} = b.{b_key} '
                        f"WHERE {where} ORDER BY 1 NULLS FIRST"
                    )
                ]

            absent = without_match(reference, ref_key, table, key, f"a.{ref_key} IS NOT NULL") if any_absent else []
            extra = without_match(table, key, reference, ref_key) if any_extra else []
            text = f"{expected:,} {thing}s; {len(absent):,} absent from {table}, {len(extra):,} not among them"
            example = "; ".join(
                f"{label} e.g. {', '.join(str(v) for v in found[:3])}"
                for label, found in (("absent", absent), ("not among them", extra))
                if found
            )
            return CheckResult(
                not absent and not extra,
                text + (f" ({example})" if example else ""),
                {
                    "expected": expected,
                    "absent": len(absent),
                    "not_among_them": len(extra),
                    "absent_examples": [str(v) for v in absent[:10]],
                    "not_among_them_examples": [str(v) for v in extra[:10]],
                },
            )

        return check

    def make(table: str) -> Check:
        return _make(
            table,
            f"{table}_{suffix or 'covers_' + reference}",
            f"{table} has a row for every {thing} and for nothing else.",
            f"A {thing} is missing from {table} (it would drop out of everything built on it), or "
            f"{table} holds a {key} that is not one.",
            run(table),
            (table, reference),
            opts,
        )

    return make


def covers_study_area(key: str = "lsoa_code", **opts) -> Kind:
    """Every study-area LSOA (``lsoa_areas``) has a row, and no other LSOA has one."""
    return covers(key, "lsoa_areas", "lsoa_code", noun="study-area LSOA", suffix="covers_study_area", **opts)


def every_district_present(column: str = "lad_code", **opts) -> Kind:
    """Every study district has rows (an empty district means a wrong LAD code or a cut-short file)."""

    def make(table: str) -> Check:
        def run(ctx: CheckContext) -> CheckResult:
            found = dict(ctx.query(f'SELECT {column}, count(*) FROM "{table}" GROUP BY 1', table))
            empty = [lad for lad in ctx.lads if not found.get(lad)]
            return CheckResult(
                not empty,
                f"no {table} rows in {', '.join(empty)}" if empty else f"every district has {table} rows",
                {f"{table}_per_district": {lad: found.get(lad, 0) for lad in ctx.lads}},
            )

        return _make(
            table,
            f"{table}_every_district_present",
            f"Every study district has rows in {table}.",
            f"A study district has no rows in {table}: its LAD code is wrong for the source, or a file is cut short.",
            run,
            (table,),
            opts,
        )

    return make


def only_study_districts(column: str = "lad_code", **opts) -> Kind:
    """Every row lies in one of this run's districts."""

    def make(table: str) -> Check:
        return _make(
            table,
            f"{table}_only_study_districts",
            f"Every row of {table} lies in one of this run's districts.",
            f"Rows of {table} from a district outside this run's study area would be published.",
            lambda ctx: rows_failing(
                ctx,
                table,
                f"{column} IS NULL OR NOT list_contains($lads, {column})",
                "outside the study districts",
                (column,),
            ),
            (table,),
            opts,
        )

    return make


def in_great_britain(lat: str = "lat", lon: str = "lon", **opts) -> Kind:
    """Every row has a position in Great Britain (WGS84 latitude 49.8-61, longitude -8.7-2)."""

    def make(table: str) -> Check:
        where = f"{lat} IS NULL OR {lon} IS NULL OR NOT ({lat} BETWEEN 49.8 AND 61 AND {lon} BETWEEN -8.7 AND 2.0)"
        return _make(
            table,
            f"{table}_in_great_britain",
            f"Every row of {table} has a position in Great Britain (WGS84 latitude 49.8-61, longitude -8.7-2).",
            f"A row of {table} has no position, or one outside Great Britain: a grid reference is wrong.",
            lambda ctx: rows_failing(ctx, table, where, "without a position in Great Britain", (lat, lon)),
            (table,),
            opts,
        )

    return make


def expected_rows(source: str, **opts) -> Kind:
    """The table holds the rows a complete release of ``source`` gives (WARN: LSOAs a short file
    leaves out are flagged, not dropped)."""
    low, high = SOURCES[source].expected_rows
    title = SOURCES[source].title

    def make(table: str) -> Check:
        def run(ctx: CheckContext) -> CheckResult:
            rows = ctx.one(f'SELECT count(*) FROM "{table}"', table)[0]
            return CheckResult(
                low <= rows <= high,
                f"{rows:,} rows (a complete release gives {low:,}-{high:,})",
                {"rows": rows, "expected_min": low, "expected_max": high},
            )

        return _make(
            table,
            f"{table}_expected_rows",
            f"The table holds the rows a complete {title} gives.",
            f"{title} is not the complete national release (rows missing or rejected: see `rejects`); "
            "LSOAs it leaves out are flagged, not dropped.",
            run,
            (table,),
            {"severity": WARN} | opts,
        )

    return make


def no_invalid_source_rows(*, study_postcodes: bool = False, **opts) -> Kind:
    """No row of the table's source files was rejected as invalid (a value that is not a number, out of range):
    where every row is a published figure (an Ofcom district value), one dropped would silently change what is
    published (a district's latest figure, a peer left out of its group), so the run stops and names the row.

    ``study_postcodes``: only rows whose reject key ends in a study-area postcode count (``name | postcode``,
    as venues are keyed): a national list's unreadable row elsewhere is counted in rejects but is not this
    run's to stop for, while a study-area library with an unreadable position would vanish from every
    distance."""
    within = " AND split_part(key, ' | ', 2) IN (SELECT postcode FROM postcodes)" if study_postcodes else ""
    reads = ("postcodes",) if study_postcodes else ()
    scope = " in the study area" if study_postcodes else ""

    def make(table: str) -> Check:
        def run(ctx: CheckContext) -> CheckResult:
            path = ctx.paths.rejects / f"{table}.parquet"
            rows = (
                ctx.query(
                    f"""SELECT source_file, row_number, field, value, reason FROM read_parquet('{path}')
                        WHERE kind = 'invalid'{within} ORDER BY source_file, row_number""",
                    *reads,
                )
                if path.exists()
                else []
            )
            if not rows:
                return CheckResult(True, f"no source row{scope} rejected as invalid", {"invalid_rows": 0})
            file, row, field, value, reason = rows[0]
            return CheckResult(
                False,
                f"{len(rows)} source row{'s' if len(rows) > 1 else ''}{scope} rejected as invalid; first: {file}, "
                f"row {row}, field {field!r}: {value!r} ({reason})",
                {"invalid_rows": len(rows), "rows": [list(map(str, r)) for r in rows[:20]]},
            )

        return _make(
            table,
            f"{table}_no_invalid_source_rows",
            f"No row of the source files{scope} was rejected as invalid.",
            "A source row with an unreadable value would leave its figure out of what is published: fix the "
            "row (`make rejects TABLE=" + table + "` lists it) and run again.",
            run,
            reads,
            opts,
        )

    return make


def no_rows_where(
    name: str,
    where: str,
    what: str,
    rule: str,
    meaning: str,
    show: Sequence[str] = (),
    *,
    reads: Sequence[str] = (),
    **opts,
) -> Kind:
    """A rule about each row said in SQL: no row matches ``where``. ``what`` words the failing rows
    ("have an impossible estimate"); the name is given whole."""

    def make(table: str) -> Check:
        return _make(
            table,
            name,
            rule,
            meaning,
            lambda ctx: rows_failing(ctx, table, where, what, show, *reads),
            (table, *reads),
            {"name": name} | opts,
        )

    return make


def custom(
    run: Callable[[CheckContext], CheckResult], meaning: str, *, reads: Sequence[str] | None = None, **opts
) -> Kind:
    """A check no kind can say, written as a function (its docstring is the rule, its name the check's);
    ``reads`` the tables it queries (default: the asset it guards)."""

    def make(asset: str) -> Check:
        tables = (asset,) if reads is None else tuple(reads)
        return _make(asset, run.__name__, " ".join((run.__doc__ or meaning).split()), meaning, run, tables, opts)

    return make
