"""``make run``: re-compute what is stale through Dagster, publish the whole result, and say so.

Before any step: the settings, the weights, the study area and every required source are
checked, one line per problem. Then one progress line per step, and a closing summary: what was
re-computed and what was unchanged, which generation is live, where to look, rows rejected per
source, and the checks that did not pass with what each means. The exit status is 0 only when
the run published (or nothing needed re-computing) and no ERROR check fails; 2 when it could
not start; 1 otherwise.
"""

import argparse
import logging
import os
import socket
import sys
import time
import uuid

from assets.tags import CLI_TAG, FULL_TAG, HOST_TAG, PID_TAG, PROGRESS
from pipeline import early, generations, processes
from pipeline.errors import DizError, cannot_write
from pipeline.paths import Paths
from pipeline.plan import make_plan
from pipeline.preflight import preflight
from pipeline.runner import finish, start_drawing_workers
from pipeline.settings import load_settings

WHERE_TO_LOOK = [
    ("maps/index.html", "the maps, the method, headlines, every table, the briefings and a postcode search"),
    ("data/processed/diz_evidence_pack.xlsx", "the evidence pack: every table as a sheet with its sources"),
    (
        "data/processed/briefings/",
        "briefings (PDF): the area's, and its districts' (as many as settings [outputs] allow)",
    ),
    ("data/processed/tables/", "the tables as CSV, each with a .sources.json"),
    ("data/processed/diz.duckdb", "the catalog: a view per table, and `rejects`"),
]


def _quiet_dagster(level: str) -> dict:
    """Run config for Dagster's console logger: silent unless --log-level DEBUG asks for its detail."""
    return {"loggers": {"console": {"config": {"log_level": "DEBUG" if level == "DEBUG" else "CRITICAL"}}}}


def _progress_to_stdout(level: str) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    PROGRESS.handlers[:] = [handler]
    PROGRESS.setLevel(logging.DEBUG if level == "DEBUG" else logging.INFO)
    PROGRESS.propagate = False


def rejected_per_source(folder) -> list[tuple[str, int, str]]:
    """(table, rows rejected, what they were) for every table of the generation with rejected rows."""
    import duckdb

    out = []
    for path in sorted((folder / "rejects").glob("*.parquet")):
        quoted = str(path).replace("'", "''")
        # an invalid row is a fault in a file someone can fix: the first one is named by file, row and field
        rows = duckdb.sql(f"""SELECT kind, count(DISTINCT (source_file, row_number)) n, mode(reason),
                                     arg_min([source_file, row_number::VARCHAR, field, value, reason],
                                             (source_file, row_number)) FILTER (kind = 'invalid')
                              FROM read_parquet('{quoted}') GROUP BY 1 ORDER BY 2 DESC""").fetchall()
        if rows:
            what = "; ".join(
                f"{n:,} {kind.replace('_', ' ')} (e.g. {reason}{_first(first, reason)})"
                for kind, n, reason, first in rows
            )
            out.append((path.stem, sum(n for _, n, _, _ in rows), what))
    return out


def _first(row: list | None, example: str) -> str:
    """'; first: <file>, row <n>, field '<field>': '<value>'' for the first invalid row (its reason too, when it is
    not the example's), else ''."""
    if not row:
        return ""
    file, number, field, value, reason = row
    return f"; first: {file}, row {number}, field {field!r}: {value!r}" + ("" if reason == example else f" ({reason})")


def dagster_failure(result) -> str:
    """The first failed Dagster step and its error, for failures outside our steps' own code."""
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            while error.cause is not None and (error.cls_name or "").startswith("Dagster"):
                error = error.cause
            return f"{event.step_key} failed: {' '.join(error.message.split())}"
    return "the Dagster run failed"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_interrupted(paths: Paths, instance) -> list[str]:
    """After a run was killed: remove its staging folder and mark its Dagster run failed, one line each.

    A staging folder is an orphan when no process holds its owner lock (``generations.remove_orphans``);
    runs launched from the UI run their steps in processes of their own, so theirs are left to the
    sensors while Dagster shows them unfinished. A ``make run`` whose process is gone but whose Dagster
    run still shows as started is marked failed."""
    import dagster as dg

    finished = (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)

    def ui_run(run_id: str) -> bool:
        run = instance.get_run_by_id(run_id)
        return run is not None and run.tags.get(CLI_TAG) != "cli" and run.status not in finished

    lines = [
        f"Removed the staging folder of interrupted run {run_id[:8]} ({size / 1e6:,.0f} MB); nothing of it "
        "was published."
        for run_id, size in generations.remove_orphans(paths, keep=ui_run)
    ]
    unfinished = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=unfinished, tags={CLI_TAG: "cli"})):
        pid = run.tags.get(PID_TAG, "")
        if run.tags.get(HOST_TAG) == socket.gethostname() and pid.isdigit() and not _alive(int(pid)):
            instance.report_run_failed(
                run,
                message="interrupted: the `make run` process running it ended before "
                "the run finished (killed?); nothing of it was published",
            )
            lines.append(f"Marked Dagster run {run.run_id[:8]} failed: its process ended before it finished.")
    return lines


def recover(paths: Paths):
    """Dagster's instance, after cleaning up what an interrupted run left (one line each). Dagster is
    loaded only here: a run with nothing to re-compute and no staging folder left answers without it (a
    killed run's Dagster record is then marked failed by the next run that re-computes something)."""
    import dagster as dg

    instance = dg.DagsterInstance.get()
    for line in recover_interrupted(paths, instance):
        print(line)
    return instance


# What a new DAGSTER_HOME gets: the settings of the repository's own dagster_home/dagster.yaml
INSTANCE_YAML = (
    "telemetry:\n  enabled: false\n"
    "compute_logs:\n  module: dagster._core.storage.noop_compute_log_manager\n  class: NoOpComputeLogManager\n"
    "event_log_storage:\n  module: assets.instance_storage\n  class: KeptConnectionSqliteEventLogStorage\n"
    "  config:\n    base_dir: history/runs\n"
)


def ensure_instance_config(home: str) -> None:
    """A DAGSTER_HOME without dagster.yaml gets the repository's settings: telemetry off (and so the banner),
    no compute-log capture, and the event log that keeps its connections (``assets.instance_storage``)."""
    config = os.path.join(home, "dagster.yaml")
    if not os.path.exists(config):
        os.makedirs(home, exist_ok=True)
        with open(config, "w", encoding="utf-8") as fh:
            fh.write(INSTANCE_YAML)


def summary(checks: dict, folder, published: str | None) -> list[str]:
    lines = []
    failing = [c for c in checks.values() if not c.get("passed")]
    order = {("ERROR", True): 0, ("ERROR", False): 1, ("WARN", False): 2, ("WARN", True): 2}
    failing.sort(key=lambda c: (order[(c["severity"], bool(c["blocking"]))], c["name"]))
    if failing:
        lines.append("Checks not passed:")
        for c in failing:
            kind = "ERROR, blocking" if c["blocking"] else c["severity"]
            lines.append(f"  {kind:<15} {c['name']}: {c['description']}")
            lines.append(f"  {'':<15} {'expected here: ' + c['expected'] if c.get('expected') else c['meaning']}")
    rejected = rejected_per_source(folder) if folder else []
    if rejected:
        lines.append(
            "Rows rejected (they failed validation; list them with `make rejects TABLE=<table>`):"
            if published
            else "Rows rejected by this run (not published, so `make rejects` still lists the live ones):"
        )
        lines += [f"  {table:<28} {rows:>9,}  {what}" for table, rows, what in rejected]
    if published:
        lines.append("Where to look:")
        lines += [f"  {path:<40} {what}" for path, what in WHERE_TO_LOOK]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--full",
        action="store_true",
        default=os.environ.get("FULL") == "1",
        help="re-compute every step whatever changed (make run FULL=1)",
    )
    parser.add_argument("--download", action="store_true", help="fetch missing sources from their official addresses")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    parser.add_argument(
        "--upto",
        metavar="STEP",
        help="only STEP and the steps it reads from (e.g. lsoa_indicators "
        "for an England indicators run); the generation published holds those steps",
    )
    args = parser.parse_args(argv)
    if not os.environ.get("DAGSTER_HOME"):
        print("DAGSTER_HOME is not set; run through `make run`, which sets it to dagster_home/", file=sys.stderr)
        return 2
    started = time.perf_counter()
    from pipeline.steps import BY_NAME, closure

    wanted = closure(args.upto) if args.upto in BY_NAME else None
    notes: list[str] = []  # what the run goes without for some districts, said before it starts
    try:
        ensure_instance_config(os.environ["DAGSTER_HOME"])
        settings = load_settings()
        paths = Paths.from_env().ensure()
        if args.upto and wanted is None:
            problems = [f"--upto: no step {args.upto!r} (the steps are listed in pipeline/steps.py)"]
        else:
            problems = preflight(paths, settings, download=args.download, notes=notes, only=wanted)
    except DizError as exc:
        problems = [str(exc)]
    except OSError as exc:  # a read-only or full output folder (or DAGSTER_HOME): say which, no traceback
        if cannot_write(exc) is None:
            raise
        problems = [cannot_write(exc)]
    if problems:
        print(f"Cannot start: {len(problems)} problem{'s' if len(problems) > 1 else ''} to fix first.")
        for line in problems:
            print(f"  {line}")
        print(
            f"Nothing was changed; the live outputs are still generation "
            f"{generations.live_id(Paths.from_env()) or '(none yet)'}."
        )
        return 2
    for line in notes:
        print(f"Note: {line}")

    # a killed run left its staging folder (and its Dagster run shown as started)
    instance = recover(paths) if any(paths.generations.glob(f"{generations.STAGING}*")) else None
    live = generations.live_folder(paths)
    plans = make_plan(paths, settings, generations.manifest(live), full=args.full)
    if wanted is not None:
        plans = [p for p in plans if p.step.name in wanted]
    stale = [p for p in plans if p.stale]
    planned = {p.step.name: p.fingerprint for p in plans}
    print(
        f"{len(stale)} of {len(plans)} steps to re-compute ({', '.join(settings.lad_codes)}; "
        f"{settings.geography.small_area}):"
    )
    if not stale:
        generations.ensure_public_links(paths)
        print(f"Nothing changed since generation {live.name}; it stays live.")
        checks = generations.check_results(live)
        for line in summary(checks, live, live.name):
            print(line)
        return 1 if any(c["severity"] == "ERROR" and not c["passed"] for c in checks.values()) else 0

    # the worker processes' server imports their code while Dagster loads (about a second of a core each)
    processes.configure(settings.run.worker_processes)
    start_drawing_workers(stale)
    run_id = str(uuid.uuid4())
    # steps marked early start as soon as their inputs are built; those whose inputs this run does not re-compute
    # (a cold run's readers) start while Dagster loads. The ops find them by the run's id
    early.register(run_id, early.EarlyStarts(plans, generations.stage(paths, run_id, set(BY_NAME)), settings))
    try:
        import dagster as dg

        from assets.definitions import defs

        instance = instance or recover(paths)
        _progress_to_stdout(args.log_level)
        assets = {dg.AssetKey(a) for p in stale for a in p.step.assets}
        sources = {dg.AssetKey(["source", k]) for p in stale for k in p.step.sources}
        job = defs.resolve_job_def("everything").get_subset(asset_selection=assets | sources)
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config=_quiet_dagster(args.log_level),
            run_id=run_id,
            tags={
                CLI_TAG: "cli",
                FULL_TAG: "1" if args.full else "0",
                PID_TAG: str(os.getpid()),
                HOST_TAG: socket.gethostname(),
            },
        )
    finally:
        early.unregister(run_id)  # waits for any still running: the staging folder is then the run's alone
        processes.close()
    done = finish(
        paths,
        run_id,
        planned,
        settings,
        discard=False,
        orchestration_failure=None if result.success else dagster_failure(result),
    )
    published, refused, failures, checks, folder = done.published, done.refused, done.failures, done.checks, done.folder
    seconds = time.perf_counter() - started
    staged_manifest = generations.manifest(published.path if published else folder)
    recomputed = [
        p.step.name for p in stale if staged_manifest.get(p.step.name, {}).get("fingerprint") == p.fingerprint
    ]
    print()
    not_run = len(stale) - len(recomputed)
    print(
        f"Run {run_id[:8]}: {len(recomputed)} steps re-computed, {len(plans) - len(stale)} unchanged"
        + (f", {not_run} not completed" if not_run else "")
        + f", in {seconds:.1f} s."
    )
    for step, message in failures.items():
        print(f"FAILED {step}: {message}")
    if published:
        print(
            f"Published generation {published.generation}"
            + (f" (replacing {published.previous})." if published.previous else ".")
        )
        live_folder = published.path
    else:
        print(f"NOT published: {refused}")
        print(f"The live outputs are unchanged: generation {generations.live_id(paths) or '(none yet)'}.")
        live_folder = None
    for line in summary(checks, live_folder or folder, published.generation if published else None):
        print(line)
    if not published:
        generations.discard(paths, run_id)
        print("For Dagster's own log and traceback: make run ARGS='--log-level DEBUG', or open the run in `make dev`.")
        return 1
    return (
        1
        if any(c["severity"] == "ERROR" and not c["passed"] for c in generations.check_results(published.path).values())
        else 0
    )


if __name__ == "__main__":
    sys.exit(main())
