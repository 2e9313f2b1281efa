"""Everything Dagster loads: assets by group, their checks, jobs, and resources per deployment.

``DIZ_DEPLOYMENT=local`` (default) runs in one process against the project folder;
``DIZ_DEPLOYMENT=production`` reads ``DIZ_OUTPUT_ROOT`` and ``DIZ_SOURCE_MIRROR`` from the
environment and fans steps out across processes. ``DIZ_EXECUTOR`` overrides the executor:
in_process, multiprocess, or on a cluster k8s or celery (docs/SCALING.md).
"""

import dagster as dg

from assets.factory import source_assets, step_assets, step_checks
from assets.jobs import JOBS
from assets.resources import DuckDBResource, SettingsResource, StorageResource
from assets.sensors import SENSORS
from pipeline.settings import environment

RESOURCES = {
    "local": {"settings": SettingsResource(), "storage": StorageResource(), "duckdb": DuckDBResource()},
    "production": {
        "settings": SettingsResource(),
        "storage": StorageResource(
            output_root=dg.EnvVar("DIZ_OUTPUT_ROOT"), source_mirror=dg.EnvVar("DIZ_SOURCE_MIRROR")
        ),
        "duckdb": DuckDBResource(memory_limit=environment().duckdb_memory),
    },
}


def _cluster_executor(name: str) -> dg.ExecutorDefinition:
    """Kubernetes (one pod per step) or Celery (steps on workers): the `production` extra."""
    try:
        if name == "k8s":
            from dagster_k8s import k8s_job_executor

            return k8s_job_executor
        from dagster_celery import celery_executor

        return celery_executor
    except ImportError as exc:
        raise ValueError(f"DIZ_EXECUTOR={name} needs the production extra: pip install -e '.[production]'") from exc


EXECUTORS = {
    "in_process": lambda: dg.in_process_executor,
    "multiprocess": lambda: dg.multiprocess_executor,
    "k8s": lambda: _cluster_executor("k8s"),
    "celery": lambda: _cluster_executor("celery"),
}
DEFAULT_EXECUTOR = {"local": "in_process", "production": "multiprocess"}


def build_definitions(deployment: str | None = None) -> dg.Definitions:
    env = environment()
    deployment = deployment or env.deployment
    if deployment not in RESOURCES:
        raise ValueError(f"DIZ_DEPLOYMENT must be one of {sorted(RESOURCES)}, got {deployment!r}")
    executor = env.executor or DEFAULT_EXECUTOR[deployment]
    if executor not in EXECUTORS:
        raise ValueError(f"DIZ_EXECUTOR must be one of {sorted(EXECUTORS)}, got {executor!r}")
    return dg.Definitions(
        assets=[*source_assets(), *step_assets()],
        asset_checks=step_checks(),
        jobs=JOBS,
        sensors=SENSORS,
        resources=RESOURCES[deployment],
        executor=EXECUTORS[executor](),
    )


defs = build_definitions()
