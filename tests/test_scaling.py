"""Fanning out: the multiprocess executor, per-run district batches, and England-sized settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb

from tests.conftest import MIRROR, PROJECT_ROOT

LADS = ["E07000073", "E07000095"]


def _env(tmp_path, **extra) -> dict[str, str]:
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return os.environ | {"DAGSTER_HOME": str(home), "DIZ_OUTPUT_ROOT": str(tmp_path / "out"),
                         "DIZ_SOURCE_MIRROR": str(MIRROR), "DIZ_LAD_CODES": ",".join(LADS), **extra}


def test_multiprocess_executor_runs_each_step_in_its_own_process(tmp_path):
    env = _env(tmp_path, DIZ_EXECUTOR="multiprocess")
    tags = {"dagster/asset_partition_range_start": LADS[0], "dagster/asset_partition_range_end": LADS[-1]}
    done = subprocess.run([sys.executable, "-m", "dagster", "job", "execute", "-m", "assets.definitions", "-a", "defs",
                           "-j", "ingest", "-o", "*postcodes", "--tags", json.dumps(tags)],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    step_pids = subprocess.run([sys.executable, "-c", """
import dagster as dg
instance = dg.DagsterInstance.get()
run = instance.get_runs(limit=1)[0]
print(run.status.value)
for e in instance.all_logs(run.run_id):
    if e.dagster_event and e.dagster_event.event_type_value == "STEP_START":
        print(e.step_key, e.dagster_event.pid)
"""], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120).stdout.split("\n")
    assert step_pids[0] == "SUCCESS"
    pids = dict(line.split() for line in step_pids[1:] if line)
    assert {"codepoint_open", "ons_postcode_lookup", "lsoa_boundaries", "postcodes"} <= set(pids)
    assert len(set(pids.values())) == len(pids), "each step ran in a process of its own"
    for lad in LADS:
        rows = duckdb.sql(f"SELECT count(*) FROM '{tmp_path}/out/data/processed/postcodes/{lad}.parquet'").fetchone()[0]
        assert rows > 1000, lad


def test_backfills_split_districts_into_runs_of_diz_lads_per_run(tmp_path):
    script = ("from assets.definitions import defs\n"
              "a = defs.resolve_assets_def('postcodes')\n"
              "print(a.backfill_policy.policy_type.value, a.backfill_policy.max_partitions_per_run)")
    single = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=_env(tmp_path),
                            capture_output=True, text=True, timeout=120)
    split = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=_env(tmp_path, DIZ_LADS_PER_RUN="25"),
                           capture_output=True, text=True, timeout=120)
    assert single.stdout.split() == ["SINGLE_RUN", "None"], single.stderr
    assert split.stdout.split() == ["MULTI_RUN", "25"], split.stderr


def test_england_settings_are_what_code_point_open_lists(tmp_path):
    env = _env(tmp_path)
    env.pop("DIZ_LAD_CODES")
    done = subprocess.run([sys.executable, "-m", "pipeline.lad_list", "E92000001", "England"], cwd=PROJECT_ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (PROJECT_ROOT / "config" / "england.toml").read_text()


def test_kubernetes_run_config_in_scaling_doc_is_valid_for_the_k8s_executor(monkeypatch, tmp_path):
    import re

    import dagster as dg
    import yaml

    from assets.definitions import build_definitions

    monkeypatch.setenv("DIZ_EXECUTOR", "k8s")
    monkeypatch.setenv("DIZ_OUTPUT_ROOT", str(tmp_path))
    monkeypatch.setenv("DIZ_SOURCE_MIRROR", str(MIRROR))
    doc = (PROJECT_ROOT / "docs" / "SCALING.md").read_text()
    run_config = yaml.safe_load(re.search(r"```yaml\n(execution:.*?)```", doc, re.S).group(1))
    job = build_definitions("production").resolve_job_def("indicators")
    assert dg.validate_run_config(job, run_config)["execution"]["k8s"]["max_concurrent"] == 8
