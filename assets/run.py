"""``make run``: materialise every asset (all districts) in one run, recorded in DAGSTER_HOME.

Per-district assets run once for all districts (single-run backfill policy), so DuckDB does
each step in one pass. Prints what was written and any checks that did not pass; exits
non-zero when a step or a blocking check fails.
"""


import argparse
import os
import sys
import time

import dagster as dg

from assets.definitions import defs
from assets.partitions import LAD_PARTITIONS


def partition_tags() -> dict[str, str]:
    keys = LAD_PARTITIONS.get_partition_keys()
    return {"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]}


def root_cause(error) -> str:
    """The first error below Dagster's wrappers: ours, naming the file and how to fix it."""
    while error.cls_name and error.cls_name.startswith("Dagster") and getattr(error, "cause", None) is not None:
        error = error.cause
    return error.message.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--job", default="everything", help="job to run (everything, ingest, ...)")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    args = parser.parse_args(argv)
    if not os.environ.get("DAGSTER_HOME"):
        print("DAGSTER_HOME is not set; run through `make run`, which sets it to dagster_home/", file=sys.stderr)
        return 2
    instance = dg.DagsterInstance.get()
    job = defs.resolve_job_def(args.job)
    started = time.perf_counter()
    result = job.execute_in_process(instance=instance, tags=partition_tags(), raise_on_error=False,
                                    run_config={"loggers": {"console": {"config": {"log_level": args.log_level}}}})
    elapsed = time.perf_counter() - started

    materialised = [e.asset_key.to_user_string() for e in result.get_asset_materialization_events()
                    if e.asset_key is not None]
    failed_checks = []
    for event in result.get_asset_check_evaluations():
        if not event.passed:
            failed_checks.append(f"{event.asset_key.to_user_string()}.{event.check_name} ({event.severity.value})")
    failures = [(e.step_key, root_cause(e.event_specific_data.error))
                for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    print(f"\nrun {result.run_id}: {'succeeded' if result.success else 'FAILED'} in {elapsed:.1f} s")
    for step, message in failures:
        print(f"FAILED {step}: {message}")
    print(f"materialised {len(set(materialised))} assets: {', '.join(sorted(set(materialised)))}")
    if failed_checks:
        print("checks not passed: " + "; ".join(sorted(failed_checks)))
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
