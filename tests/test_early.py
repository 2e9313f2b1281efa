"""Steps started before their turn (pipeline.early): when each starts, and what a run does with it."""

from __future__ import annotations

from concurrent.futures import Future

import pytest

from pipeline import early as early_module
from pipeline import processes
from pipeline.early import EarlyStarts, EarlyStepFailed
from pipeline.plan import StepPlan
from pipeline.settings import load_settings
from pipeline.steps import BY_NAME

SETTINGS = load_settings()


class _Recorder:
    """Stands in for the worker processes and the thread: records what is handed to them, runs nothing."""

    def __init__(self):
        self.handed: list[str] = []

    def submit(self, fn, first, *args):
        self.handed.append(first if isinstance(first, str) else first.name)
        future: Future = Future()
        future.set_result(("result", 0.0))
        return future

    def shutdown(self, wait=True):
        pass


@pytest.fixture
def recorder(monkeypatch):
    workers = _Recorder()
    monkeypatch.setattr(processes, "workers", lambda: 2)
    monkeypatch.setattr(processes, "pool", lambda: workers)
    monkeypatch.setattr(early_module.generations, "forget_step", lambda staged, name: {})
    monkeypatch.setattr(early_module, "ThreadPoolExecutor", lambda **kwargs: workers)
    return workers


def _plans(*stale: str) -> list[StepPlan]:
    return [StepPlan(step, "fp", {}, stale=name in stale) for name, step in BY_NAME.items()]


def test_an_early_step_starts_when_the_last_step_it_reads_from_is_built_and_not_before(recorder):
    # a weight change: scores and what reads it are stale; rank_uncertainty reads lsoa_need (scores) only
    early = EarlyStarts(_plans("scores", "rank_uncertainty", "what_if"), staged=None, settings=SETTINGS)
    assert recorder.handed == []  # scores is not built yet
    early.built("scores")
    assert recorder.handed == ["rank_uncertainty"]  # what_if also reads rank_uncertainty
    early.built("rank_uncertainty")
    assert recorder.handed == ["rank_uncertainty", "what_if"]
    assert early.take("what_if").result() == ("result", 0.0) and early.take("scores") is None


def test_an_early_step_whose_inputs_this_run_does_not_recompute_starts_at_once(recorder):
    EarlyStarts(_plans("maps"), staged=None, settings=SETTINGS)
    assert recorder.handed == ["maps"]


def test_a_step_not_marked_early_waits_for_its_turn(recorder):
    early = EarlyStarts(_plans("scores", "lsoa_triage"), staged=None, settings=SETTINGS)
    early.built("scores")
    assert recorder.handed == [] and not BY_NAME["lsoa_triage"].early


def test_an_early_step_starts_when_the_early_steps_it_reads_from_have_ended_before_the_run_records_them(recorder):
    # a weight change: the what-if page reads the rank uncertainty, both started early on the workers
    early = EarlyStarts(_plans("scores", "rank_uncertainty", "what_if"), staged=None, settings=SETTINGS)
    early.built("scores")
    assert recorder.handed == ["rank_uncertainty"]
    assert early.result("rank_uncertainty") == ("result", 0.0)
    # it has ended, and the run has not recorded it yet: the page starts now, not in the run's order
    assert recorder.handed == ["rank_uncertainty", "what_if"] and early.done == {"scores"}


def test_a_step_does_not_start_on_an_early_build_that_failed_or_has_not_ended(recorder):
    early = EarlyStarts(_plans("scores", "rank_uncertainty", "what_if"), staged=None, settings=SETTINGS)
    early.built("scores")
    early.started["rank_uncertainty"] = Future()  # still running
    early.built("lsoa_triage")
    failed = Future()
    failed.set_exception(ValueError("census.csv row 3: not a number"))
    early.started["rank_uncertainty"] = failed
    with pytest.raises(ValueError, match="not a number"):
        early.result("rank_uncertainty")
    assert recorder.handed == ["rank_uncertainty"] and early.finished == set()  # the page never started


def test_on_one_core_nothing_starts_early(monkeypatch, recorder):
    monkeypatch.setattr(processes, "workers", lambda: 0)
    monkeypatch.setattr(early_module.os, "cpu_count", lambda: 1)
    early = EarlyStarts(_plans("maps", "iod2025"), staged=None, settings=SETTINGS)
    assert recorder.handed == [] and early.take("maps") is None and early.take("iod2025") is None


def test_a_reader_starts_early_in_a_thread_of_the_runs_own_process_one_at_a_time(monkeypatch):
    made: dict[str, _Recorder] = {}

    def executor(max_workers, thread_name_prefix):
        made[thread_name_prefix] = _Recorder()
        made[thread_name_prefix].max_workers = max_workers
        return made[thread_name_prefix]

    monkeypatch.setattr(early_module, "ThreadPoolExecutor", executor)
    monkeypatch.setattr(early_module.generations, "forget_step", lambda staged, name: {})
    monkeypatch.setattr(processes, "pool", lambda: pytest.fail("a reader needs no worker process"))
    early = EarlyStarts(_plans("iod2025", "codepoint_open", "connectivity_series"), staged=None, settings=SETTINGS)
    assert made["read-ahead"].handed == ["iod2025"] and made["read-ahead"].max_workers == 1
    early.built("codepoint_open")  # connectivity_series reads it
    assert made["read-ahead"].handed == ["iod2025", "connectivity_series"] and made["early-step"].handed == []


def test_settling_the_reading_waits_for_the_readers_and_not_for_the_other_early_steps(recorder):
    import threading

    early = EarlyStarts(_plans("maps"), staged=None, settings=SETTINGS)
    reading, drawing = Future(), Future()  # neither done
    early.started = {"iod2025": reading, "maps": drawing}
    settling = threading.Thread(target=early.settle_reading)
    settling.start()
    settling.join(0.3)
    assert settling.is_alive()  # the reader is still being read
    reading.set_result(("result", 0.0))
    settling.join(5)
    assert not settling.is_alive() and not drawing.done()


def test_a_run_without_worker_processes_starts_only_its_readers_early(monkeypatch, recorder):
    from pathlib import Path

    england = load_settings(Path(__file__).resolve().parents[1] / "config" / "england.toml")
    # all of England: a worker beside the run passed 4 GiB; a reader shares the run's DuckDB memory limit
    assert england.run.worker_processes == 0 and england.run.start_early
    monkeypatch.setattr(processes, "workers", lambda: 0)
    early = EarlyStarts(_plans("maps", "iod2025"), staged=None, settings=england)
    assert recorder.handed == ["iod2025"] and early.take("maps") is None


def test_a_step_that_fails_on_a_worker_fails_with_its_own_one_line_message(monkeypatch):
    class Odd(Exception):  # an exception that cannot be rebuilt from its message in the run's process
        def __init__(self, path, row):
            super().__init__(f"{path} row {row}: not a number")

    def failing(*args):
        raise Odd("census.csv", 12)

    monkeypatch.setattr(early_module, "_build", failing)
    with pytest.raises(EarlyStepFailed, match=r"^Odd: census.csv row 12: not a number$"):
        early_module._build_on_worker("scores", None, None)


@pytest.mark.slow
def test_readers_started_early_write_the_same_tables_as_in_their_turn(mirror, tmp_path, monkeypatch):
    """Readers built in a thread beside the run's own SQL, sharing its DuckDB database, write what they write
    built one at a time in their turn."""
    import threading

    import pyarrow.parquet as pq

    from pipeline import generations
    from pipeline.paths import Paths
    from pipeline.runner import run

    readers = {
        "census_age",
        "census_disability",
        "iuc2018",
        "iod2025",
        "rurality",
        "ofcom_postcode_coverage",
        "connectivity_series",
    }
    assert all(BY_NAME[name].early for name in readers)
    only = readers | {"codepoint_open", "ons_postcode_lookup"}  # the run's own SQL beside them
    written, threads = {}, {}
    build = early_module._build

    def recorded(step, *args):
        threads[step.name] = threading.current_thread().name
        return build(step, *args)

    monkeypatch.setattr(early_module, "_build", recorded)
    for start_early in (True, False):
        settings = SETTINGS.model_copy(
            update={"run": SETTINGS.run.model_copy(update={"start_early": start_early, "worker_processes": 0})}
        )
        paths = Paths(root=tmp_path / str(start_early), mirror=mirror)
        report = run(paths, settings, only=only, publish=False, run_id="r")
        assert not report.failed and {s.name for s in report.steps} == only
        folder = generations.staging_folder(paths, "r")
        # the rows, in their order, with every value and the file's provenance; not the bytes: where Parquet
        # starts a row group follows the batches DuckDB's threads hand the writer, which a second query in the
        # process can shift (the same rows, order and values either way)
        written[start_early] = {
            f.relative_to(folder).as_posix(): pq.read_table(f) for f in sorted(folder.rglob("*.parquet"))
        }
    assert set(threads) == readers and all(name.startswith("read-ahead") for name in threads.values())
    assert len(written[True]) >= len(only) and written[True].keys() == written[False].keys()
    for name, table in written[True].items():
        other = written[False][name]
        assert table.equals(other) and table.schema.metadata == other.schema.metadata, name
