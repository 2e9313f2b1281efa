"""Checks on what each step wrote: plain Python, run by the engine's runner and wrapped as
Dagster asset checks by ``assets/factory.py``.

Most checks are kinds (``kinds.py``: one row per key, covers the study area, in range, ...)
that ``declared.py`` applies to each table from one list; the few no kind can say are functions
in ``ingest.py``, ``analysis.py`` and ``outputs.py``, listed in the same declaration.

A check belongs to one step, reads only that step's tables and those of steps upstream of it
(so it is re-run whenever anything it reads changes), and says in ``meaning`` what a failure
means for a person reading the outputs. Severity and blocking are separate on purpose:

- blocking ERROR: the outputs would be wrong; nothing after it runs and the run publishes nothing;
- ERROR (not blocking): the outputs are complete but need someone to act first (the gap policy:
  an LSOA flagged for a rejected source row); every step still runs, so the summary shows the
  whole result, but the run publishes nothing and exits non-zero;
- WARN: worth knowing; ``expected`` says when a WARN is the normal state of the data here.

``Check.on_failure`` says which of the three a check is, in the words the Dagster UI and docs use.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from pipeline import duck
from pipeline.geography import vintage_of
from pipeline.paths import Paths
from pipeline.settings import Settings
from pipeline.sqlfiles import register_parquet

ERROR, WARN = "ERROR", "WARN"


@dataclass
class CheckResult:
    passed: bool
    description: str = ""
    metadata: dict = field(default_factory=dict)


class CheckContext:
    """What a check may look at: the generation it checks, the settings, and SQL over its tables."""

    def __init__(self, paths: Paths, settings: Settings):
        self.paths, self.settings = paths, settings
        self.vintage = vintage_of(settings)
        self.lads = list(settings.lad_codes)
        self._con: duckdb.DuckDBPyConnection | None = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = duck.connect()
        return self._con

    def query(self, sql: str, *tables: str, params: dict | None = None) -> list[tuple]:
        """Rows of ``sql`` over the named tables (those written on the vintage under the neutral names)."""
        for name in tables:
            register_parquet(self.con, name, self.paths.table_path(name))
        return self.con.execute(
            sql, {"lads": self.lads} | (params or {}) if "$lads" in sql else params or {}
        ).fetchall()

    def one(self, sql: str, *tables: str, params: dict | None = None):
        return self.query(sql, *tables, params=params)[0]

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


@dataclass(frozen=True)
class Check:
    name: str
    step: str  # the step whose outputs it checks
    asset: str  # the asset it is attached to in Dagster
    run: Callable[[CheckContext], CheckResult]
    meaning: str  # what a failure means, in a person's words
    severity: str = ERROR
    blocking: bool = False
    expected: str | None = None  # when a failing WARN is the normal state here, why
    tables: tuple[str, ...] = ()  # tables it reads (for the upstream rule)
    rule: str = ""  # what it asserts, in one sentence

    @property
    def description(self) -> str:
        return self.rule or (self.run.__doc__ or self.meaning).strip().split("\n\n")[0]

    @property
    def publishes_if_failed(self) -> bool:
        return self.severity != ERROR

    @property
    def on_failure(self) -> str:
        """What a failure does to the run, in one sentence."""
        if self.blocking:
            return "Blocking: if it fails, the steps after it do not run and nothing is published."
        if self.severity == ERROR:
            return (
                "Stops publishing: if it fails, nothing is published; the steps after it still run, so the "
                "run reports the whole result."
            )
        return "Warning: a failure is reported and publishing goes ahead."


def evaluate(check: Check, ctx: CheckContext) -> dict:
    """Run one check; a check that crashes fails (blocking stays blocking) with the error named."""
    try:
        result = check.run(ctx)
    except Exception as exc:  # a check must never hide a failure behind a crash
        result = CheckResult(
            False, f"the check could not run: {type(exc).__name__}: {exc}", {"traceback": traceback.format_exc(limit=3)}
        )
    return {
        "name": check.name,
        "step": check.step,
        "asset": check.asset,
        "passed": bool(result.passed),
        "severity": check.severity,
        "blocking": check.blocking,
        "description": result.description,
        "meaning": check.meaning,
        "expected": check.expected,
        "metadata": _plain(result.metadata),
    }


def _plain(value):
    """Metadata as JSON-ready values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def all_checks() -> list[Check]:
    from pipeline.checks.declared import declared_checks

    return declared_checks()


def checks_for(step: str) -> list[Check]:
    return [c for c in all_checks() if c.step == step]
