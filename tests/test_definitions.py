"""The Dagster definitions load, with the groups and settings people rely on."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT


def test_definitions_load_with_groups_and_jobs():
    from assets.definitions import defs

    groups = {defs.resolve_assets_def(k).group_names_by_key[k] for k in defs.resolve_all_asset_keys()}
    assert {"ingest"} <= groups
    assert defs.resolve_job_def("everything") and defs.resolve_job_def("ingest")


def test_production_deployment_reads_its_storage_from_the_environment():
    from assets.definitions import build_definitions

    defs = build_definitions("production")
    assert defs.resolve_job_def("everything").executor_def.name == "multiprocess"


def test_unknown_deployment_is_refused():
    from assets.definitions import build_definitions

    with pytest.raises(ValueError, match="DIZ_DEPLOYMENT"):
        build_definitions("staging")


def test_workspace_yaml_loads_through_the_dagster_cli(tmp_path):
    env = os.environ | {"DAGSTER_HOME": str(tmp_path)}
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    done = subprocess.run([sys.executable, "-m", "dagster", "definitions", "validate", "-w", "workspace.yaml"],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_study_area_follows_diz_lad_codes(monkeypatch):
    from pipeline.settings import load_settings

    monkeypatch.setenv("DIZ_LAD_CODES", "E07000073, e07000095")
    assert load_settings().lad_codes == ("E07000073", "E07000095")


def test_bad_lad_code_is_a_clear_error(monkeypatch):
    from pipeline.errors import DizError
    from pipeline.settings import load_settings

    monkeypatch.setenv("DIZ_LAD_CODES", "E07000073,Harlow")
    with pytest.raises(DizError, match="LAD codes like E07000095"):
        load_settings()


def test_england_settings_list_every_english_district_and_keep_the_method(monkeypatch):
    from pipeline.settings import load_settings

    monkeypatch.delenv("DIZ_LAD_CODES", raising=False)
    england, diz = load_settings(PROJECT_ROOT / "config" / "england.toml"), load_settings()
    assert england.study_area_name == "England" and len(england.lad_codes) == 296
    assert all(code.startswith("E") for code in england.lad_codes) and set(diz.lad_codes) <= set(england.lad_codes)
    assert england.readiness_weights == diz.readiness_weights and england.weights_path == diz.weights_path


def test_settings_file_extends_another_section_by_section(tmp_path, monkeypatch):
    from pipeline.errors import DizError
    from pipeline.settings import load_settings

    monkeypatch.delenv("DIZ_LAD_CODES", raising=False)
    (tmp_path / "base.toml").write_text('[study_area]\nname = "Base"\nlad_codes = ["E07000073"]\n'
                                        '[hotspots]\nknn_k = 4\n[sensitivity]\ntop_n = 7\n')
    (tmp_path / "child.toml").write_text('extends = "base.toml"\n[hotspots]\nknn_k = 9\n')
    child = load_settings(tmp_path / "child.toml")
    assert (child.study_area_name, child.lad_codes, child.knn_k, child.sensitivity_top_n) == ("Base", ("E07000073",), 9, 7)
    (tmp_path / "base.toml").write_text('extends = "child.toml"\n')
    with pytest.raises(DizError, match="loops back"):
        load_settings(tmp_path / "child.toml")


@pytest.mark.parametrize("executor", ["in_process", "multiprocess", "k8s", "celery"])
def test_executor_is_chosen_by_diz_executor(monkeypatch, executor):
    from assets.definitions import build_definitions

    monkeypatch.setenv("DIZ_EXECUTOR", executor)
    assert build_definitions("production").resolve_job_def("indicators").executor_def.name == executor
