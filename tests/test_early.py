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


def test_on_one_core_nothing_starts_early(monkeypatch, recorder):
    monkeypatch.setattr(processes, "workers", lambda: 0)
    early = EarlyStarts(_plans("maps"), staged=None, settings=SETTINGS)
    assert recorder.handed == [] and early.take("maps") is None


def test_a_run_whose_settings_start_nothing_early_takes_each_step_in_its_turn(recorder):
    from pathlib import Path

    england = load_settings(Path(__file__).resolve().parents[1] / "config" / "england.toml")
    assert not england.run.start_early  # all of England: a step beside the run's own passed 4 GiB
    early = EarlyStarts(_plans("maps"), staged=None, settings=england)
    assert recorder.handed == [] and early.take("maps") is None


def test_a_step_that_fails_on_a_worker_fails_with_its_own_one_line_message(monkeypatch):
    class Odd(Exception):  # an exception that cannot be rebuilt from its message in the run's process
        def __init__(self, path, row):
            super().__init__(f"{path} row {row}: not a number")

    def failing(*args):
        raise Odd("census.csv", 12)

    monkeypatch.setattr(early_module, "_build", failing)
    with pytest.raises(EarlyStepFailed, match=r"^Odd: census.csv row 12: not a number$"):
        early_module._build_on_worker("scores", None, None)
