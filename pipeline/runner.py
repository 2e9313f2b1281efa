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

from pipeline import duck, generations
from pipeline.checks import CheckContext, checks_for, evaluate
from pipeline.ingest.result import TableResult
from pipeline.paths import Paths
from pipeline.plan import StepPlan, make_plan
from pipeline.settings import Settings
from pipeline.steps import BY_NAME
from pipeline.store import Written


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


def _table_metadata(result: TableResult) -> dict:
    meta = result.metadata()
    written = result.outputs[0] if result.outputs else None
    if written is not None:
        meta["columns"] = written.columns
    return meta


def normalise(staged: Paths, step_assets: tuple[str, ...], result) -> tuple[dict[str, list[str]], dict[str, dict]]:
    """(files per asset, metadata per asset) from what a step's build returned."""
    files: dict[str, list[str]] = {}
    meta: dict[str, dict] = {}
    if isinstance(result, TableResult):
        result = [result]
    if isinstance(result, list):
        for r in result:
            paths = [w.path for w in r.outputs]
            reject_file = staged.rejects / f"{r.name}.parquet"
            if reject_file.exists():
                paths.append(reject_file)
            files[r.name] = [_rel(staged, p) for p in paths]
            meta[r.name] = _table_metadata(r)
    elif isinstance(result, dict):
        # "_metadata" is keyed by asset, or (when none of its keys is an asset) belongs to the first
        extra = result.get("_metadata", {})
        assets = [a for a in result if a != "_metadata"]
        by_asset = extra if any(k in assets for k in extra) else {assets[0]: extra} if assets else {}
        for asset in assets:
            items = result[asset] if isinstance(result[asset], list) else [result[asset]]
            paths = [v.path if isinstance(v, Written) else Path(v) for v in items]
            files[asset] = [_rel(staged, p) for p in paths]
            meta[asset] = {"files": len(paths), **by_asset.get(asset, {})}
    else:
        raise TypeError(f"a step returned {type(result).__name__}")
    missing = [a for a in step_assets if a not in files]
    if missing:
        raise AssertionError(f"step did not report assets {missing}")
    return files, meta


def build_step(plan: StepPlan, staged: Paths, settings: Settings, *, force: bool = False,
               threads: int | None = None, memory_limit: str | None = None) -> StepReport:
    """Keep the step's outputs if its fingerprint is already recorded here, else build them anew."""
    step = plan.step
    recorded = generations.manifest(staged.gen).get(step.name, {})
    if not force and recorded.get("fingerprint") == plan.fingerprint and all(
            (staged.gen / f).exists() for f in recorded.get("files", [])):
        return StepReport(step.name, "unchanged", "inputs, code and settings as recorded",
                          assets=recorded.get("metadata", {}))
    generations.forget_step(staged, step.name)
    started = time.perf_counter()
    con = duck.connect(threads=threads, memory_limit=memory_limit)
    try:
        result = step.build(con, staged, settings)
    finally:
        con.close()
    files, meta = normalise(staged, step.assets, result)
    seconds = time.perf_counter() - started
    generations.record_step(staged, step.name, {
        "fingerprint": plan.fingerprint, "parts": plan.parts, "files": sorted({f for fs in files.values() for f in fs}),
        "assets": files, "metadata": meta, "seconds": round(seconds, 3)})
    return StepReport(step.name, "re-computed", plan.reason, seconds, meta)


def evaluate_and_record(staged: Paths, settings: Settings, step_name: str, names: list[str] | None = None) -> list[dict]:
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


def run(paths: Paths, settings: Settings, *, full: bool = False, run_id: str | None = None,
        on_step: Callable[[StepReport], None] | None = None, publish: bool = True,
        only: set[str] | None = None) -> RunReport:
    """Every stale step (of ``only``, if given), in order, with its checks; then publish the whole
    generation or nothing."""
    run_id = run_id or uuid.uuid4().hex
    started = time.perf_counter()
    paths.ensure()
    plans = make_plan(paths, settings, generations.manifest(generations.live_folder(paths)), full=full)
    if only is not None:
        plans = [p for p in plans if p.step.name in only]
    staged = generations.stage(paths, run_id, set(BY_NAME))
    reports: list[StepReport] = []
    blocked: str | None = None
    for plan in plans:
        if blocked:
            reports.append(StepReport(plan.step.name, "not run", blocked))
            continue
        try:
            report = build_step(plan, staged, settings, force=full)
        except Exception as exc:  # the step's own message is what a person needs
            report = StepReport(plan.step.name, "failed", plan.reason, error=one_line(exc))
            generations.record_failure(staged, plan.step.name, report.error)
            blocked = f"{plan.step.name} failed"
        if report.status == "re-computed":
            for result in evaluate_and_record(staged, settings, plan.step.name):
                if result["blocking"] and not result["passed"]:
                    blocked = f"blocking check {result['name']} failed"
        reports.append(report)
        if on_step:
            on_step(report)
    checks = generations.check_results(staged.gen)
    published, refused = None, None
    if publish and not blocked:
        try:
            published = generations.publish(paths, run_id, {p.step.name: p.fingerprint for p in plans},
                                            {"lad_codes": list(settings.lad_codes)})
        except generations.NotPublished as exc:
            refused = str(exc)
    else:
        refused = blocked or "publishing not requested"
    if published is None and publish:
        generations.discard(paths, run_id)
    return RunReport(run_id, reports, checks, published, refused, time.perf_counter() - started)


def one_line(exc: BaseException) -> str:
    """An error as one line: our own errors as they are (they name file, row and field), others with their type."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    from pipeline.errors import DizError

    return text if isinstance(exc, DizError) else f"{type(exc).__name__}: {text}"
