"""Re-runs re-compute exactly what a change touches: decided on the real run's recorded
fingerprints, and checked once end to end (an outcome file added)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT_ROOT, clone_run, make_run, published_files

INGEST = {
    "codepoint_open",
    "ons_postcode_lookup",
    "lsoa_lookup",
    "lsoa_wards",
    "census_age",
    "census_disability",
    "iuc2018",
    "iod2025",
    "rurality",
    "postcodes",
    "lsoa_areas",
    "broadband_coverage",
    "gp_sites",
}


def stale_steps(root: Path, mirror: Path | None, settings) -> dict[str, str]:
    from pipeline import generations
    from pipeline.paths import Paths
    from pipeline.plan import make_plan

    paths = Paths(root=root, mirror=mirror)
    plans = make_plan(paths, settings, generations.manifest(generations.live_folder(paths)))
    return {p.step.name: p.reason for p in plans if p.stale}


def settings_from(config: Path | None = None):
    from pipeline.settings import load_settings

    return load_settings(config)


def test_nothing_changed_recomputes_nothing_and_keeps_the_generation(real_run, tmp_path):
    root = clone_run(real_run, tmp_path / "root")
    before = published_files(root)
    live = (root / "data/processed/current").resolve().name
    assert stale_steps(root, real_run.paths.mirror, settings_from()) == {}
    code, out = make_run(root, root / "dagster_home")
    assert code == 0 and f"Nothing changed since generation {live}" in out
    assert (root / "data/processed/current").resolve().name == live
    assert published_files(root) == before


def test_a_weight_change_recomputes_scores_and_what_follows_but_no_ingest(real_run, tmp_path):
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    need = config / "weights" / "need.toml"
    need.write_text(need.read_text().replace("age = 0.30", "age = 0.35"))
    stale = stale_steps(real_run.root, real_run.paths.mirror, settings_from(config / "diz.toml"))
    assert stale["scores"] == "config/weights/need.toml changed"
    assert {"lsoa_triage", "hotspots", "rank_uncertainty", "maps", "briefings", "evidence_tables"} <= set(stale)
    assert not INGEST & set(stale)
    assert "connectivity_change" not in stale and "gp_sites" not in stale


def test_a_weight_change_with_steps_started_early_publishes_the_same_bytes_as_one_step_at_a_time(
    real_run, tmp_path, monkeypatch
):
    """make run hands early steps (the statistics, the pack, the maps, the briefings) to worker processes as
    soon as their inputs are built; what it publishes is what a run taking steps one at a time publishes."""
    import os

    import pytest

    from pipeline import processes

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: no step starts early")
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    need = config / "weights" / "need.toml"
    need.write_text(need.read_text().replace("age = 0.30", "age = 0.35"))
    env = {"DIZ_CONFIG": str(config / "diz.toml")}
    published = {}
    for name, most in (("early", processes.MAX_WORKERS), ("one_at_a_time", 0)):
        monkeypatch.setattr(processes, "MAX_WORKERS", most)
        root = clone_run(real_run, tmp_path / name)
        code, out = make_run(root, root / "dagster_home", env=env)
        assert code == 0, out
        # the catalog's views name the generation's folder, which differs; every file people read must not
        published[name] = {k: v for k, v in published_files(root).items() if not k.endswith("diz.duckdb")}
    assert len(published["early"]) > 100 and published["early"] == published["one_at_a_time"]


def test_a_changed_byte_in_a_raw_file_rereads_that_source_only(real_run, tmp_path):
    """A file in data/raw wins over the mirror: a copy with one byte changed makes its reader stale."""
    root = clone_run(real_run, tmp_path / "root")
    original = real_run.paths.mirror / "ruc2021" / "RUC21_LSOA21_EW.csv"
    copy = root / "data" / "raw" / "RUC21_LSOA21_EW.csv"
    data = bytearray(original.read_bytes())
    data[-2] = ord("x") if data[-2] != ord("x") else ord("y")
    copy.write_bytes(bytes(data))
    stale = stale_steps(root, real_run.paths.mirror, settings_from())
    assert stale["rurality"] == "source ruc2021 changed"
    assert not (INGEST - {"rurality"}) & set(stale)


def test_the_same_bytes_under_a_new_time_are_not_reread(real_run, tmp_path):
    """Size and time changed but the sha256 is the same: nothing is stale (the hash is confirmed)."""
    root = clone_run(real_run, tmp_path / "root")
    original = real_run.paths.mirror / "ruc2021" / "RUC21_LSOA21_EW.csv"
    shutil.copy(original, root / "data" / "raw" / "RUC21_LSOA21_EW.csv")
    assert stale_steps(root, real_run.paths.mirror, settings_from()) == {}


def test_a_code_change_recomputes_the_steps_that_import_it(real_run):
    from pipeline.plan import _module_closure

    assert str(PROJECT_ROOT / "pipeline" / "sql" / "lsoa_triage.sql") in _module_closure("pipeline.analysis.triage")
    assert str(PROJECT_ROOT / "pipeline" / "readers" / "codepoint.py") not in _module_closure(
        "pipeline.analysis.triage"
    )


def test_an_added_outcome_file_recomputes_validation_and_its_outputs_only(outcome_run):
    import duckdb

    assert outcome_run.stale["index_validation"] == "source user_outcomes added"
    assert set(outcome_run.stale) <= {"index_validation", "evidence_tables", "evidence_pack", "map_index", "briefings"}
    assert outcome_run.code == 0, outcome_run.output
    assert f"{len(outcome_run.stale)} steps re-computed, " in outcome_run.output
    result = duckdb.sql(f"""SELECT count(*) FROM '{outcome_run.live}/index_validation.parquet'
                            WHERE outcome_file LIKE '%synthetic_residents.csv'""").fetchone()[0]
    assert result > 0


def test_dagster_sees_every_step_up_to_date_after_make_run(real_run, monkeypatch):
    """The UI's stale view and make run agree: nothing to do, nothing stale. The instance is the run's, with
    DAGSTER_HOME naming it as make run and make dev set it (the event log's folder is relative to it)."""
    import importlib

    import dagster as dg
    from dagster._core.definitions.data_version import StaleStatus
    from dagster._utils.test.data_versions import get_stale_status_resolver

    import assets.definitions
    from assets import factory

    # built afresh for the default settings: a test before this one may have run make run under another config, and
    # the definitions' code versions are those of the settings first loaded in the process
    factory.settings_at_load.cache_clear()
    defs = importlib.reload(assets.definitions).defs
    monkeypatch.setenv("DAGSTER_HOME", str(real_run.root / "dagster_home"))
    instance = dg.DagsterInstance.from_config(str(real_run.root / "dagster_home"))
    assets = list(defs.assets)
    resolver = get_stale_status_resolver(instance, assets)
    stale = [
        key.to_user_string()
        for a in assets
        if isinstance(a, dg.AssetsDefinition) and a.is_materializable
        for key in a.keys
        if resolver.get_status(key) != StaleStatus.FRESH
    ]
    assert stale == []


def test_editing_a_helper_makes_exactly_the_steps_that_import_it_stale(monkeypatch):
    """mapkit.py is imported by the map pages, their index (the same module), the what-if page and, through the
    triage map's colours and the index's file names, by the briefings: those four steps and no other."""
    from pipeline import plan
    from pipeline.steps import STEPS

    before = {s.name: plan.code_version(s) for s in STEPS}
    target = PROJECT_ROOT / "pipeline" / "outputs" / "mapkit.py"
    real = plan.file_bytes
    monkeypatch.setattr(plan, "file_bytes", lambda p: real(p) + (b"\n# edited\n" if p == target else b""))
    plan.clear_code_cache()
    try:
        after = {s.name: plan.code_version(s) for s in STEPS}
    finally:
        monkeypatch.undo()
        plan.clear_code_cache()
    assert {n for n in before if before[n] != after[n]} == {"maps", "map_index", "briefings", "what_if"}


def test_a_source_record_change_stales_only_its_readers_and_registry_edits_elsewhere_nothing(monkeypatch):
    """The registry is hashed by the records a step reads, not as code: editing the IUC's notes makes the
    IUC reader stale (and, through its fingerprint, what follows), and no other step's own parts."""
    import dataclasses

    from pipeline import plan
    from pipeline.registry import SOURCES
    from pipeline.settings import load_settings
    from pipeline.steps import STEPS

    settings = load_settings()
    before = {s.name: plan.static_version(s, settings) for s in STEPS}
    monkeypatch.setitem(SOURCES, "iuc2018", dataclasses.replace(SOURCES["iuc2018"], notes="edited"))
    after = {s.name: plan.static_version(s, settings) for s in STEPS}
    assert {n for n in before if before[n] != after[n]} == {s.name for s in STEPS if "iuc2018" in s.sources}


def test_a_run_with_nothing_to_do_reads_code_points_code_list_from_its_cache(real_run, monkeypatch):
    """The study-area check names districts from Code-Point Open's code list (an XLSX, most of a warm run's time
    when read every time): read once per extracted file, then from its cache, with the same answer."""
    from pipeline import preflight

    first = preflight.district_names(real_run.paths)

    def read_again(*args, **kwargs):
        raise AssertionError("the code list was read again")

    monkeypatch.setattr("pipeline.readers.codelist.read_codelist", read_again)
    assert preflight.district_names(real_run.paths) == first and first["E07000073"][0] == "Harlow"


def test_a_run_on_the_2011_base_publishes_every_output_from_the_2011_sources(real_run, tmp_path):
    """The small-area vintage is a setting: on the 2011 base the run takes IMD 2019, does not read IoD 2025
    (published on 2021 LSOAs), and still publishes everything, the access check saying why it compares nothing. (It
    had stopped at lsoa_access, which read IoD 2025's file on either base.)"""
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    main = config / "diz.toml"
    main.write_text(main.read_text().replace('small_area = "lsoa2021"', 'small_area = "lsoa2011"'))
    root = clone_run(real_run, tmp_path / "root")
    # in a process of its own, as make run is: the Dagster definitions of this process are the 2021 base's
    env = os.environ | {
        "DIZ_OUTPUT_ROOT": str(root),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "DIZ_CONFIG": str(main),
    }
    done = subprocess.run(
        [sys.executable, "-m", "assets.run"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    live = (root / "data/processed/current").resolve()
    from pipeline import duck

    con = duck.connect()
    need = con.execute(f"SELECT count(DISTINCT lsoa11cd) FROM read_parquet('{live / 'lsoa_need.parquet'}')")
    assert need.fetchone()[0] > 300  # keyed on 2011 codes
    assert con.execute(f"SELECT count(*) FROM read_parquet('{live / 'imd2019.parquet'}')").fetchone()[0] > 30_000
    note = con.execute(f"SELECT note FROM read_parquet('{live / 'access_validation.parquet'}')").fetchone()[0]
    assert note.startswith("IoD 2025 is published on 2021 LSOAs")
    assert (root / "data/processed/briefings").is_dir() and any((root / "data/processed/briefings").glob("*.pdf"))
