"""The Dagster layer is the engine's step list and nothing more: every step an asset in its Step's
group with its Step's inputs, every check attached, sources observable."""

from __future__ import annotations

import ast
from pathlib import Path

import dagster as dg
from conftest import PROJECT_ROOT


def test_definitions_load_with_every_step_asset_check_and_source():
    from assets.definitions import defs
    from pipeline.checks import all_checks
    from pipeline.steps import STEPS, applicable

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    steps = [s for s in STEPS if applicable(s, "lsoa2021")]
    assert {a for s in steps for a in s.assets} <= keys
    assert {f"source/{k}" for s in steps for k in s.sources} <= keys
    checks = (
        {c.name for c in defs.resolve_all_asset_check_keys()}
        if hasattr(defs, "resolve_all_asset_check_keys")
        else {k.name for k in graph.asset_check_keys}
    )
    assert {c.name for c in all_checks() if any(c.step == s.name for s in steps)} <= checks


def test_each_asset_is_in_its_steps_group_and_depends_on_exactly_its_steps_inputs():
    from assets.definitions import defs
    from pipeline.steps import BY_NAME, PRODUCER, STEPS, applicable

    graph = defs.resolve_asset_graph()
    for step in (s for s in STEPS if applicable(s, "lsoa2021")):
        for asset in step.assets:
            node = graph.get(dg.AssetKey(asset))
            assert node.group_name == step.group, asset
            parents = {k.to_user_string() for k in node.parent_keys}
            expected = {
                d for d in step.deps if applicable(BY_NAME[PRODUCER[d]], "lsoa2021") and PRODUCER[d] != step.name
            }
            assert parents == expected | {f"source/{k}" for k in step.sources}, asset
    lookup = graph.get(dg.AssetKey("postcode_lookup"))
    assert dg.AssetKey("gp_sites") in lookup.parent_keys


def test_groups_and_code_versions_are_set_on_every_asset():
    from assets.definitions import defs

    for asset in defs.assets:
        if isinstance(asset, dg.AssetsDefinition) and asset.is_materializable:
            for key in asset.keys:
                assert asset.group_names_by_key[key] in ("ingest", "analysis", "outputs")
                assert asset.code_versions_by_key[key]


def test_every_job_resolves_so_the_ui_loads_the_code_location():
    """One job that cannot resolve (a selection splitting a step's multi-asset) keeps `make dev` from loading
    any definitions."""
    from assets.definitions import defs
    from assets.jobs import JOBS

    for job in JOBS:
        assert defs.resolve_job_def(job.name).name == job.name
    indicators = {n.name for n in defs.resolve_job_def("indicators").graph.node_defs}
    assert {"connectivity_series", "lsoa_indicators", "postcodes"} <= indicators and "scores" not in indicators


def test_jobs_observe_the_sources_they_read():
    from assets.definitions import defs

    job = defs.resolve_job_def("everything")
    ops = {node.name for node in job.graph.node_defs}
    assert any(name.startswith("source__") for name in ops)


def test_the_engine_never_imports_dagster():
    for path in (PROJECT_ROOT / "pipeline").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] == "dagster" for n in names), path


def test_every_check_reads_only_its_step_and_upstream_tables():
    """So re-running a step re-runs every check whose inputs changed."""
    from pipeline.checks import all_checks
    from pipeline.steps import BY_NAME, PRODUCER, closure

    for check in all_checks():
        allowed = closure(check.step)
        assert check.asset in BY_NAME[check.step].assets, check.name
        for table in check.tables:
            assert PRODUCER[table] in allowed, f"{check.name} reads {table}"


def test_the_ui_says_what_a_failing_check_does_to_the_run():
    """Dagster marks blocking only the checks after which later steps do not run (that is what its
    ``blocking`` does); every check's description opens with what its failure does, so the check that
    stops publishing while the later steps still run (``no_lsoa_flagged``) says so in the UI."""
    from assets.definitions import defs
    from pipeline.checks import all_checks

    graph = defs.resolve_asset_graph()
    checks = {c.name: c for c in all_checks()}
    for key in graph.asset_check_keys:
        spec, check = graph.get_check_spec(key), checks[key.name]
        assert spec.blocking == check.blocking, key.name
        assert spec.description.startswith(f"**{check.on_failure}**"), key.name
        assert spec.metadata["severity"] == check.severity
        assert spec.metadata["publishes_if_failed"] == (check.severity == "WARN"), key.name
    flagged = graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey("lsoa_need"), "no_lsoa_flagged"))
    assert not flagged.blocking and flagged.description.startswith("**Stops publishing")
    assert flagged.metadata["publishes_if_failed"] is False


def test_sensors_publish_ui_runs_and_discard_failed_ones():
    from assets.definitions import defs

    names = {s.name for s in defs.sensors}
    assert {"publish_successful_runs", "discard_failed_runs"} <= names


def test_workspace_points_at_the_definitions():
    text = Path(PROJECT_ROOT / "workspace.yaml").read_text()
    assert "assets.definitions" in text
