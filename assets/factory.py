"""The one helper that turns the engine's steps (``pipeline/steps.py``) into Dagster definitions.

Each step becomes one multi-asset whose ``code_version`` hashes its code, settings and config;
it depends on the observable source assets ``source/<key>`` of the files it reads, whose data
version is the files' sha256 fingerprint. A materialisation's data version is the step's
fingerprint. So Dagster's stale / up-to-date view and ``make run``'s skip decisions are the same
computation. Checks (``pipeline/checks``) become asset checks on the step's assets.

Every step's wiring (its group, inputs, sources, settings) is read from its ``Step`` entry;
``step_assets`` and ``step_checks`` make the definitions of all of them, so nothing here repeats it.
"""

import html
import time
import warnings
from functools import cache

import dagster as dg

from assets.resources import DuckDBResource, SettingsResource, StorageResource
from assets.tags import FULL_TAG, PROGRESS
from pipeline import early as pipeline_early
from pipeline import generations
from pipeline.checks import ERROR, Check, checks_for
from pipeline.columns import describe
from pipeline.fetch import FileHashes
from pipeline.geography import vintage_of
from pipeline.paths import Paths
from pipeline.plan import StepPlan, make_plan, source_fingerprint, static_version
from pipeline.registry import SOURCES, licence_lines
from pipeline.runner import StepReport, build_step, evaluate_and_record, one_line
from pipeline.settings import Settings, load_settings
from pipeline.steps import BY_NAME, PRODUCER, STEPS, Step, applicable

warnings.filterwarnings("ignore", category=dg.BetaWarning)  # observable source assets, include_sources


@cache
def settings_at_load() -> Settings:
    """The settings the definitions are built for (which base, which steps, their code versions)."""
    return load_settings()


def applies(step: Step) -> bool:
    """The step applies to the small-area base the definitions are built for."""
    return applicable(step, vintage_of(settings_at_load()).key)


_PLANS: dict[str, dict[str, StepPlan]] = {}


def plan_for(run_id: str, paths: Paths, settings: Settings) -> dict[str, StepPlan]:
    """The run's plan, computed once per process per run (fingerprints are known before any step runs)."""
    if run_id not in _PLANS:
        live = generations.manifest(generations.live_folder(paths))
        _PLANS.clear()
        _PLANS[run_id] = {p.step.name: p for p in make_plan(paths, settings, live)}
    return _PLANS[run_id]


def _deps(step: Step) -> list:
    """Upstream assets of applicable steps, and the source assets of the files the step reads."""
    keys = [
        dg.AssetKey(a)
        for a in step.deps
        if a in PRODUCER and applies(BY_NAME[PRODUCER[a]]) and PRODUCER[a] != step.name
    ]
    return keys + [dg.AssetKey(["source", s]) for s in step.sources]


def _md(text: str) -> str:
    return html.escape(text).replace("|", "&#124;")


def _sources_md(sources: dict) -> str:
    keys = [k for k, n in sources.items() if n]
    lines = [f"- **{_md(SOURCES[k].title)}** ({_md(SOURCES[k].release)}): {sources[k]:,} rows" for k in keys]
    return "\n".join(lines + [""] + [f"> {_md(line)}" for line in licence_lines(keys)])


def asset_metadata(report: StepReport, asset: str, staged: Paths, vintage, settings: Settings | None = None) -> dict:
    """Row counts, column descriptions, sources with their rows, status and where the file is."""
    meta = dict(report.assets.get(asset, {}))
    out: dict = {"status": report.status, "reason": report.reason, "seconds": round(report.seconds, 2)}
    if "rows_written" in meta:
        out["dagster/row_count"] = int(meta["rows_written"])
        out["rows_rejected"] = int(meta.get("rows_rejected", 0))
        out["accounting"] = f"{meta['rows_in']:,} in = {meta['rows_kept']:,} kept + {meta['rows_rejected']:,} rejected"
    if meta.get("columns"):
        out["dagster/column_schema"] = dg.TableSchema(
            columns=[
                dg.TableColumn(name, type_, description=describe(name, vintage, settings))
                for name, type_ in meta["columns"]
            ]
        )
    if isinstance(meta.get("sources"), dict):
        out["sources"] = dg.MetadataValue.md(_sources_md(meta.pop("sources")))
    table = staged.table_path(asset)
    if table.exists():
        out["path"] = dg.MetadataValue.path(str(table))
    for key, value in meta.items():
        if key in ("columns", "rows_written", "rows_in", "rows_kept", "rows_rejected", "inputs"):
            continue
        out[key] = value if isinstance(value, (int, float, str, bool)) else dg.MetadataValue.json(value)
    if meta.get("inputs"):
        out["inputs"] = dg.MetadataValue.md("\n".join(f"- `{_md(i)}`" for i in meta["inputs"]))
    return out


def progress_line(report: StepReport) -> str:
    tables = any("rows_written" in m for m in report.assets.values())
    rows = f"{report.rows:,} rows" if tables else "files"
    if report.status == "unchanged":
        return f"  {report.name:<30} unchanged"
    return f"  {report.name:<30} {rows:>16}  {report.seconds:6.1f} s  ({report.reason})"


def _define_step(step: Step) -> dg.AssetsDefinition:
    settings = settings_at_load()
    version = static_version(step, settings)
    specs = [
        dg.AssetSpec(asset, deps=_deps(step), description=step.description, kinds=set(step.kinds), code_version=version)
        for asset in step.assets
    ]

    @dg.multi_asset(
        name=step.name,
        specs=specs,
        can_subset=False,
        group_name=step.group,
        op_tags={"dagster/priority": "-1"} if collected_last(step) else None,
    )
    def _materialise(
        context: dg.AssetExecutionContext, storage: StorageResource, settings: SettingsResource, duckdb: DuckDBResource
    ):
        cfg = settings.get()
        staged = storage.staged(context.run_id)
        plan = plan_for(context.run_id, storage.paths(), cfg)[step.name]
        started = time.perf_counter()
        try:
            early = pipeline_early.for_run(context.run_id)  # make run's steps started before their turn
            report = build_step(
                plan,
                staged,
                cfg,
                force=context.run.tags.get(FULL_TAG) == "1",
                threads=duckdb.threads,
                memory_limit=duckdb.memory_limit,
                early=early,
            )
            if early is not None and report.status == "re-computed":
                early.built(step.name)
            results = [
                dg.MaterializeResult(
                    asset_key=asset,
                    data_version=dg.DataVersion(plan.fingerprint),
                    metadata=asset_metadata(report, asset, staged, vintage_of(cfg), cfg),
                )
                for asset in step.assets
            ]
        except Exception as exc:
            message = one_line(exc)
            generations.record_failure(staged, step.name, message)
            PROGRESS.error(f"  {step.name:<30} FAILED after {time.perf_counter() - started:.1f} s: {message}")
            PROGRESS.debug("traceback of the failure above", exc_info=True)
            raise dg.Failure(description=message, allow_retries=False) from exc
        PROGRESS.info(progress_line(report))
        context.log.info(progress_line(report).strip())
        yield from results

    return _materialise


def collected_last(step: Step) -> bool:
    """A step started early that only the index page reads (or nothing does): its op waits for the build on a
    worker, so Dagster, which runs one op at a time here, takes it after every other op that is ready. The run's
    own steps (the siting, the summaries) then go on while the maps, the briefings and the workbook are drawn,
    instead of waiting behind them."""
    readers = {s.name for s in STEPS if s.name != step.name and set(step.assets) & set(s.deps)}
    return step.early and readers <= {"map_index"}


def check_spec(check: Check) -> dg.AssetCheckSpec:
    """A check as Dagster shows it. Dagster's ``blocking`` means "the steps after it do not run", so only
    blocking checks are marked blocking; what a failure does to publishing opens the description (the UI
    shows it under "This is a blocking / non-blocking asset check") and is in the metadata, so a check
    that stops publishing while later steps still run (``no_lsoa_flagged``) says so."""
    metadata = {
        "severity": check.severity,
        "on_failure": check.on_failure,
        "publishes_if_failed": check.publishes_if_failed,
        "meaning": check.meaning,
        **({"expected": check.expected} if check.expected else {}),
    }
    return dg.AssetCheckSpec(
        check.name,
        asset=check.asset,
        blocking=check.blocking,
        metadata=metadata,
        description=f"**{check.on_failure}**\n\n{check.description}",
    )


def _define_checks(step: Step) -> dg.AssetChecksDefinition:
    """All of a step's checks as one Dagster op: they share one look at the staged generation."""
    checks = checks_for(step.name)
    specs = [check_spec(c) for c in checks]
    by_name = {c.name: c for c in checks}

    @dg.multi_asset_check(name=f"{step.name}_checks", specs=specs, can_subset=True)
    def _evaluate(context: dg.AssetCheckExecutionContext, storage: StorageResource, settings: SettingsResource):
        staged = storage.staged(context.run.run_id)
        wanted = [key.name for key in context.selected_asset_check_keys]
        for result in evaluate_and_record(staged, settings.get(), step.name, wanted):
            check = by_name[result["name"]]
            severity = dg.AssetCheckSeverity.ERROR if check.severity == ERROR else dg.AssetCheckSeverity.WARN
            meta = {
                "on_failure": check.on_failure,
                "meaning": check.meaning,
                **({"expected": check.expected} if check.expected else {}),
                "result": dg.MetadataValue.json(result["metadata"]),
            }
            yield dg.AssetCheckResult(
                asset_key=check.asset,
                check_name=check.name,
                passed=result["passed"],
                severity=severity,
                description=result["description"],
                metadata=meta,
            )

    return _evaluate


def step_assets() -> list[dg.AssetsDefinition]:
    """One multi-asset per step that applies to the configured small-area base, in its Step's group."""
    return [_define_step(step) for step in STEPS if applies(step)]


def step_checks() -> list[dg.AssetChecksDefinition]:
    """The asset checks of every applicable step."""
    return [_define_checks(step) for step in STEPS if applies(step) and checks_for(step.name)]


def _define_source(key: str) -> dg.AssetsDefinition:
    source = SOURCES[key]

    @dg.observable_source_asset(
        key=["source", key],
        group_name="sources",
        description=f"{source.title} ({source.release}). {source.publisher}.",
        required_resource_keys={"storage", "settings"},
    )
    def _observe(context) -> dg.DataVersion:
        paths, cfg = context.resources.storage.paths(), context.resources.settings.get()
        hashes = FileHashes(paths)
        fingerprint = source_fingerprint(key, paths, cfg, hashes)
        hashes.save()
        return dg.DataVersion(fingerprint)

    return _observe


def source_assets() -> list[dg.AssetsDefinition]:
    """An observable source asset for each source an applicable step reads."""
    keys = sorted({k for s in STEPS if applies(s) for k in s.sources})
    return [_define_source(k) for k in keys]
