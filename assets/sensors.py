"""Publish runs launched from the UI (``make run`` publishes its own): a successful run's staging
generation becomes live if it is a consistent whole; a failed run's is discarded."""

import dagster as dg

from assets.resources import SettingsResource, StorageResource
from pipeline import generations
from pipeline.plan import make_plan

CLI_TAG = "diz/publisher"


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, name="publish_successful_runs",
                      default_status=dg.DefaultSensorStatus.RUNNING)
def publish_successful_runs(context: dg.RunStatusSensorContext, storage: StorageResource,
                            settings: SettingsResource):
    run = context.dagster_run
    paths = storage.paths()
    if run.tags.get(CLI_TAG) == "cli" or not generations.staging_folder(paths, run.run_id).exists():
        return dg.SkipReason(f"run {run.run_id} has nothing to publish here")
    cfg = settings.get()
    planned = {p.step.name: p.fingerprint for p in make_plan(paths, cfg, generations.manifest(
        generations.live_folder(paths)))}
    try:
        published = generations.publish(paths, run.run_id, planned, {"lad_codes": list(cfg.lad_codes)})
    except generations.NotPublished as exc:
        generations.discard(paths, run.run_id)
        context.log.warning(f"run {run.run_id} not published: {exc}")
        return dg.SkipReason(f"not published: {exc}")
    context.log.info(f"run {run.run_id} published as generation {published.generation}")
    return None


@dg.run_failure_sensor(name="discard_failed_runs", default_status=dg.DefaultSensorStatus.RUNNING)
def discard_failed_runs(context: dg.RunFailureSensorContext, storage: StorageResource):
    generations.discard(storage.paths(), context.dagster_run.run_id)


SENSORS = [publish_successful_runs, discard_failed_runs]
