"""Publish runs launched from the UI (``make run`` publishes its own): a successful run's staging
generation becomes live if it is a consistent whole; a failed run's is discarded."""

import dagster as dg

from assets.resources import SettingsResource, StorageResource
from assets.tags import CLI_TAG
from pipeline import generations
from pipeline.plan import make_plan
from pipeline.runner import finish


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="publish_successful_runs",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def publish_successful_runs(context: dg.RunStatusSensorContext, storage: StorageResource, settings: SettingsResource):
    run = context.dagster_run
    paths = storage.paths()
    if run.tags.get(CLI_TAG) == "cli" or not generations.staging_folder(paths, run.run_id).exists():
        return dg.SkipReason(f"run {run.run_id} has nothing to publish here")
    cfg = settings.get()
    planned = {
        p.step.name: p.fingerprint for p in make_plan(paths, cfg, generations.manifest(generations.live_folder(paths)))
    }
    done = finish(paths, run.run_id, planned, cfg)
    if done.published is None:
        context.log.warning(f"run {run.run_id} not published: {done.refused}")
        return dg.SkipReason(f"not published: {done.refused}")
    context.log.info(f"run {run.run_id} published as generation {done.published.generation}")
    return None


@dg.run_failure_sensor(name="discard_failed_runs", default_status=dg.DefaultSensorStatus.RUNNING)
def discard_failed_runs(context: dg.RunFailureSensorContext, storage: StorageResource):
    generations.discard(storage.paths(), context.dagster_run.run_id)


SENSORS = [publish_successful_runs, discard_failed_runs]
