"""Cases 1 and 2: a Dagster job run in-process, as `make run` does, with start-up timed apart."""

from __future__ import annotations

import time


def run_job(job_name: str) -> dict:
    """Run ``job_name`` over every configured district; return timings and what the run did."""
    started = time.perf_counter()
    import dagster as dg

    from assets.definitions import defs
    from assets.run import partition_tags, root_cause

    instance = dg.DagsterInstance.get()
    job = defs.resolve_job_def(job_name)
    ready = time.perf_counter()
    result = job.execute_in_process(instance=instance, tags=partition_tags(), raise_on_error=False,
                                    run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}})
    finished = time.perf_counter()

    steps = instance.get_run_step_stats(result.run_id)
    check_keys = {e.step_key for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    asset_s = sum(s.end_time - s.start_time for s in steps if s.step_key not in check_keys)
    check_s = sum(s.end_time - s.start_time for s in steps if s.step_key in check_keys)
    failures = [root_cause(e.event_specific_data.error) for e in result.all_events
                if e.event_type_value == "STEP_FAILURE"]
    return {
        "startup_s": ready - started,
        "compute_s": finished - ready,
        "success": result.success,
        "failures": failures,
        "assets": len({e.asset_key for e in result.get_asset_materialization_events()}),
        "asset_steps_s": asset_s,
        "check_steps_s": check_s,
        "orchestration_s": (finished - ready) - asset_s - check_s,
        "slowest_steps": [(s.step_key, round(s.end_time - s.start_time, 2))
                          for s in sorted(steps, key=lambda s: s.start_time - s.end_time)[:6]],
    }
