"""Run steps into a staging generation: skip what is unchanged, build what is stale, check it.

The Dagster assets call ``build_step`` and ``evaluate_and_record`` one step at a time; ``run``
does a whole run without Dagster (the benchmark's engine-only case, and tests of the method).
Both record the same manifest, so a run of either kind can follow a run of the other.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import duck, generations, processes
from pipeline.checks import CheckContext, checks_for, evaluate
from pipeline.early import EarlyStarts, reads_ahead
from pipeline.ingest.result import AssetResult
from pipeline.inputs import for_step, register_inputs
from pipeline.paths import Paths
from pipeline.plan import StepPlan, make_plan
from pipeline.settings import Settings, environment
from pipeline.steps import BY_NAME


@dataclass
class StepReport:
    name: str
    status: str  # "re-computed", "unchanged", "failed" or "not run"
    reason: str
    seconds: float = 0.0
    assets: dict[str, dict] = field(default_factory=dict)  # asset -> metadata
    error: str | None = None

    @property
    def rows(self) -> int:
        return sum(int(m.get("rows_written", m.get("rows", 0)) or 0) for m in self.assets.values())

    @property
    def rejected(self) -> dict[str, int]:
        """Source rows rejected by this step, per table."""
        return {a: int(m["rows_rejected"]) for a, m in self.assets.items() if m.get("rows_rejected")}


def _rel(staged: Paths, path: Path | str) -> str:
    return Path(path).resolve().relative_to(staged.gen.resolve()).as_posix()


def normalise(staged: Paths, step_assets: tuple[str, ...], result) -> tuple[dict[str, list[str]], dict[str, dict]]:
    """(files per asset, metadata per asset) from what a step's build returned: an ``AssetResult`` or a
    list of them, one per asset."""
    results = [result] if isinstance(result, AssetResult) else result
    if not isinstance(results, list) or not all(isinstance(r, AssetResult) for r in results):
        raise TypeError(f"a step must return AssetResult(s), not {type(result).__name__}")
    files: dict[str, list[str]] = {}
    meta: dict[str, dict] = {}
    for r in results:
        paths = list(r.all_files)
        reject_file = staged.rejects / f"{r.name}.parquet"
        if reject_file.exists():
            paths.append(reject_file)
        files[r.name] = [_rel(staged, p) for p in paths]
        meta[r.name] = r.metadata()
    missing = [a for a in step_assets if a not in files]
    if missing:
        raise AssertionError(f"step did not report assets {missing}")
    return files, meta


def build_step(
    plan: StepPlan,
    staged: Paths,
    settings: Settings,
    *,
    force: bool = False,
    threads: int | None = None,
    memory_limit: str | None = None,
    early: EarlyStarts | None = None,
) -> StepReport:
    """Keep the step's outputs if its fingerprint is already recorded here, else build them anew (or take
    the build ``early`` started as soon as its inputs were built)."""
    step = plan.step
    processes.configure(settings.run.worker_processes)  # a run launched from the UI reaches its steps only here
    started_early = early.take(step.name) if early is not None else None
    recorded = generations.manifest(staged.gen).get(step.name, {})
    if (
        started_early is None
        and not force
        and recorded.get("fingerprint") == plan.fingerprint
        and not generations.damaged(staged.gen, recorded)
    ):
        return StepReport(
            step.name, "unchanged", "inputs, code and settings as recorded", assets=recorded.get("metadata", {})
        )
    if started_early is not None:
        result, seconds = early.result(step.name)  # the step's own error, if it failed
    else:
        generations.forget_step(staged, step.name)
        if early is not None and not reads_ahead(step):
            early.settle_reading()  # its SQL may need the shared database on one thread (duck.exact)
        alone = early is None or not early.enabled  # no other step runs in this process beside it
        result, seconds = build_now(step, staged, settings, threads=threads, memory_limit=memory_limit, alone=alone)
    files, meta = normalise(staged, step.assets, result)
    generations.record_step(
        staged,
        step.name,
        {
            "fingerprint": plan.fingerprint,
            "parts": plan.parts,
            "files": sorted({f for fs in files.values() for f in fs}),
            "assets": files,
            "metadata": meta,
            "seconds": round(seconds, 3),
        },
    )
    return StepReport(step.name, "re-computed", plan.reason, seconds, meta)


def build_now(
    step, staged: Paths, settings: Settings, *, threads=None, memory_limit=None, alone: bool = False
) -> tuple:
    """(what the step's builder returned, seconds), on a connection of its own; ``alone`` (no other step
    runs in this process) hands DuckDB's cached blocks back afterwards."""
    started = time.perf_counter()
    # DuckDB's share of memory (DIZ_DUCKDB_MEMORY, settings.environment) unless the caller gives its own
    con = duck.connect(threads=threads, memory_limit=memory_limit or environment().duckdb_memory)
    try:
        return call_builder(step, con, staged, settings), time.perf_counter() - started
    finally:
        con.close()
        if alone:
            duck.release_memory()


def call_builder(step, con, paths: Paths, settings: Settings):
    """A step's builder with exactly its declared inputs: a view per table in ``Step.deps`` and paths that
    know only those and the step's own tables."""
    register_inputs(con, paths, step.deps)
    return step.build(con, for_step(paths, step), settings)


def evaluate_and_record(
    staged: Paths, settings: Settings, step_name: str, names: list[str] | None = None
) -> list[dict]:
    """Run a step's checks (or the named ones) on the staged generation and record each result."""
    ctx = CheckContext(staged, settings)
    try:
        results = []
        for check in checks_for(step_name):
            if names is None or check.name in names:
                result = evaluate(check, ctx)
                generations.record_check(staged, result)
                results.append(result)
        return results
    finally:
        ctx.close()


def start_drawing_workers(plans: list[StepPlan]) -> None:
    """When a stale step draws side by side or starts early, start the fork server its workers come from at
    once, importing those steps' code (it loads in the background while the steps before them run)."""
    handed = [p.step for p in plans if p.stale and (p.step.side_by_side or p.step.early)]
    if handed:
        from pipeline.processes import start_server

        start_server([s.module for s in handed])


@dataclass
class RunReport:
    run_id: str
    steps: list[StepReport]
    checks: dict[str, dict]  # every check result of the generation this run left live or staged
    published: generations.Published | None
    not_published: str | None
    seconds: float

    @property
    def failed(self) -> list[StepReport]:
        return [s for s in self.steps if s.status == "failed"]


def run(
    paths: Paths,
    settings: Settings,
    *,
    full: bool = False,
    run_id: str | None = None,
    on_step: Callable[[StepReport], None] | None = None,
    publish: bool = True,
    only: set[str] | None = None,
) -> RunReport:
    """Every stale step (of ``only``, if given), in order, with its checks; then publish the whole
    generation or nothing."""
    run_id = run_id or uuid.uuid4().hex
    started = time.perf_counter()
    paths.ensure()
    plans = make_plan(paths, settings, generations.manifest(generations.live_folder(paths)), full=full)
    if only is not None:
        plans = [p for p in plans if p.step.name in only]
    staged = generations.stage(paths, run_id, set(BY_NAME))
    processes.configure(settings.run.worker_processes)
    start_drawing_workers(plans)
    early = EarlyStarts(plans, staged, settings)
    reports: list[StepReport] = []
    blocked: str | None = None
    try:
        for plan in plans:
            if blocked:
                reports.append(StepReport(plan.step.name, "not run", blocked))
                continue
            try:
                report = build_step(plan, staged, settings, force=full, early=early)
            except Exception as exc:  # the step's own message is what a person needs
                report = StepReport(plan.step.name, "failed", plan.reason, error=one_line(exc))
                generations.record_failure(staged, plan.step.name, report.error)
                blocked = f"{plan.step.name} failed"
            if report.status == "re-computed":
                for result in evaluate_and_record(staged, settings, plan.step.name):
                    if result["blocking"] and not result["passed"]:
                        blocked = f"blocking check {result['name']} failed"
                if not blocked:
                    early.built(plan.step.name)
            reports.append(report)
            if on_step:
                on_step(report)
    finally:
        early.close()  # nothing may still be writing into the staging folder once the run ends
        processes.close()
    if not publish:
        checks = generations.check_results(staged.gen)
        return RunReport(run_id, reports, checks, None, "publishing not requested", time.perf_counter() - started)
    done = finish(paths, run_id, {p.step.name: p.fingerprint for p in plans}, settings)
    return RunReport(run_id, reports, done.checks, done.published, done.refused, time.perf_counter() - started)


@dataclass
class Finished:
    """How a run ended: the generation it published, or why it published nothing."""

    published: generations.Published | None
    refused: str | None
    checks: dict[str, dict]  # every check result of the staged generation
    failures: dict[str, str]  # step -> one-line error
    folder: Path  # where the run's outputs are now: the published generation, or the staging folder (discarded)


def finish(
    paths: Paths,
    run_id: str,
    planned: dict[str, str],
    settings: Settings,
    *,
    orchestration_failure: str | None = None,
    discard: bool = True,
) -> Finished:
    """The one way a run ends, for ``make run``, the Dagster sensor and the engine alike: publish the
    staged generation whole if no step failed and no blocking or ERROR check did; otherwise publish
    nothing, keep the previous generation live, and (``discard``) remove the staging folder."""
    folder = generations.staging_folder(paths, run_id)
    failures = generations.failures(folder)
    checks = generations.check_results(folder)
    published, refused = None, None
    if failures or orchestration_failure:
        blocking = [c["name"] for c in checks.values() if c["blocking"] and not c["passed"]]
        refused = (
            "; ".join(
                [f"{k} failed: {v}" for k, v in failures.items()] + [f"blocking check {b} failed" for b in blocking]
            )
            or orchestration_failure
        )
    else:
        try:
            published = generations.publish(paths, run_id, planned, {"lad_codes": list(settings.lad_codes)})
        except generations.NotPublished as exc:
            refused = str(exc)
        except OSError as exc:  # the disk filled or turned read-only while publishing: the live one stays
            from pipeline.errors import cannot_write

            if cannot_write(exc) is None:
                raise
            refused = f"could not write the new generation: {cannot_write(exc)}"
    if published is None and discard:
        generations.discard(paths, run_id)
    return Finished(published, refused, checks, failures, published.path if published else folder)


def one_line(exc: BaseException) -> str:
    """An error as one line: our own errors as they are (they name file, row and field), others with their type."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    from pipeline.errors import DizError

    return text if isinstance(exc, DizError) else f"{type(exc).__name__}: {text}"
