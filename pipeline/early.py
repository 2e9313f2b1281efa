"""Steps started before their turn.

Dagster's in-process executor (``make run``) and the engine's runner take steps one at a time, and most of
what a weight change re-computes is Python (statistics, maps, PDFs, the workbook) holding one core while
the other waits. A step marked ``Step.early`` starts as soon as every step it reads from has been built in
this run: its whole build on one of the run's worker processes (``pipeline.processes``), or, for a step
that draws side by side, its build in a thread of this process that hands its files to those workers. The
run goes on with the steps after it; when the step's own turn comes, the runner (or its Dagster op) waits
for it, then checks and records it like any other step. A step started early counts as built once its build
has ended (its files are written), before its turn records it: while the run waits for one, each that ends
starts the steps that read only built ones (the what-if page once the rank uncertainty has ended, the workbook
once the tables have), not when the run's order reaches the step it reads. The short steps between (the triage,
the summaries, the siting) are not marked early: on two workers they queued behind the long ones, and a weight
change took longer (4 alternating pairs: 16.3 s in the run's own process, 18.3 s on the workers).

An early step of the ingest group reads one source into one table, most of it on one core (a workbook, a
small table DuckDB scans as a single row group, a GDAL file): it is built in one thread of the run's own
process, on the run's DuckDB database and within its one memory limit, while the run's SQL goes on beside
it. So it starts early even in a run that holds one process (``[run] worker_processes = 0``, all of
England), where the other early steps wait their turn; on one core nothing starts early.

Only the run's main thread writes the staging generation's manifest, and a step reads only the tables of
steps already built, so a step started early writes the same bytes it would have written in its turn.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from pipeline import generations, processes
from pipeline.errors import DizError
from pipeline.paths import Paths
from pipeline.plan import StepPlan
from pipeline.settings import Settings
from pipeline.steps import BY_NAME, PRODUCER, Step


class EarlyStepFailed(DizError):
    """A step that failed on a worker process, with its own one-line message (its exception may not travel)."""


def _build(step: Step, staged: Paths, settings: Settings):
    """(what the step's builder returned, seconds), built as the runner builds a step; a worker takes one job
    at a time, so its database's cache is handed back after it."""
    from pipeline.runner import build_now

    return build_now(step, staged, settings, alone=processes.in_worker())


def _build_on_worker(step_name: str, staged: Paths, settings: Settings):
    from pipeline.runner import one_line

    try:
        return _build(BY_NAME[step_name], staged, settings)
    except Exception as exc:  # sent back as its line: not every exception can be rebuilt in the run's process
        raise EarlyStepFailed(one_line(exc)) from None


def reads_ahead(step: Step) -> bool:
    """A step of the ingest group reads one source into one table: started early, it is read in this process's
    read-ahead thread, on the run's own DuckDB database."""
    return step.group == "ingest"


class EarlyStarts:
    """The early steps of one run: ``built`` after each step is built starts those now ready; ``take`` gives
    a step's build when its turn comes; ``close`` waits for every one started (a run that stops part-way
    must not discard the staging folder while one is still writing into it)."""

    def __init__(self, plans: list[StepPlan], staged: Paths, settings: Settings):
        self.staged, self.settings = staged, settings
        self.stale = {p.step.name: p for p in plans if p.stale}
        self.done: set[str] = set()  # built and recorded by the run's main thread
        self.finished: set[str] = set()  # started early, and its build has ended without error
        self.started: dict[str, Future] = {}
        self.on_workers = settings.run.worker_processes >= 1 and processes.workers() >= 1
        self.enabled = (
            settings.run.start_early
            and (os.cpu_count() or 1) >= 2
            and any(p.step.early and self._can_start(p.step) for p in self.stale.values())
        )
        self._threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="early-step") if self.enabled else None
        # one source read beside the run's own SQL at a time: they share one DuckDB database and its memory
        self._reading = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead") if self.enabled else None
        if self.enabled:
            self._start_ready()

    def _can_start(self, step: Step) -> bool:
        """A reader starts in this process's thread; any other early step needs the run's worker processes."""
        return reads_ahead(step) or self.on_workers

    def _ready(self, step: Step) -> bool:
        """Every step it reads from that this run re-computes has been built: recorded by the run, or started
        early and ended (its files are written; the run records them when the step's turn comes)."""
        producers = {PRODUCER[a] for a in step.deps if a in PRODUCER} - {step.name}
        return all(p not in self.stale or p in self.done or p in self.finished for p in producers)

    def _collect(self) -> None:
        """Note the early steps whose builds have ended without error since last asked."""
        for name, future in self.started.items():
            if name not in self.finished and future.done() and future.exception() is None:
                self.finished.add(name)

    def _start_ready(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("early steps are started from the run's main thread (it alone writes the manifest)")
        for name, plan in self.stale.items():
            step = plan.step
            if not step.early or name in self.started or name in self.done:
                continue
            if not self._can_start(step) or not self._ready(step):
                continue
            generations.forget_step(self.staged, name)  # its previous files go now, not when its turn comes
            if reads_ahead(step):
                self.started[name] = self._reading.submit(_build, step, self.staged, self.settings)
                continue
            workers = processes.pool()  # started from this (the main) thread, before any thread hands them work
            if plan.step.side_by_side:
                self.settle_reading()  # it draws from a session of this process's database
                self.started[name] = self._threads.submit(_build, plan.step, self.staged, self.settings)
            else:
                self.started[name] = workers.submit(_build_on_worker, name, self.staged, self.settings)

    def settle_reading(self) -> None:
        """Wait for the readers started early. The shared database's threads are the database's, not a
        session's: an analysis or output step sets them to one for sums in a fixed order (``duck.exact``), and
        a reader's new session would set them back, so no such step runs in this process beside a reader."""
        wait([future for name, future in self.started.items() if reads_ahead(BY_NAME[name])])

    def built(self, name: str) -> None:
        """A step of this run has been built and recorded: start the early steps it was the last input of."""
        self.done.add(name)
        if self.enabled:
            self._collect()
            self._start_ready()

    def take(self, name: str) -> Future | None:
        """The step's build, if it was started early."""
        return self.started.get(name)

    def result(self, name: str):
        """The build of a step started early, waited for on the run's main thread. The run takes its steps one
        at a time in Dagster's order, so while it waits here, each early step that ends starts those that read
        only what has been built: the steps flow on the workers, not in the order the run records them."""
        future = self.started[name]
        while True:
            self._collect()
            self._start_ready()
            if future.done():
                return future.result()
            wait([f for f in self.started.values() if not f.done()], return_when=FIRST_COMPLETED)

    def close(self) -> None:
        wait(self.started.values())
        for pool in (self._threads, self._reading):
            if pool is not None:
                pool.shutdown(wait=True)


_RUNS: dict[str, EarlyStarts] = {}


def register(run_id: str, early: EarlyStarts) -> None:
    """Make a run's early steps known to its Dagster ops (which find them by run id)."""
    _RUNS[run_id] = early


def for_run(run_id: str) -> EarlyStarts | None:
    """The run's early steps, when its driver registered them (``make run``); a run launched from the UI
    goes one step at a time."""
    return _RUNS.get(run_id)


def unregister(run_id: str) -> None:
    early = _RUNS.pop(run_id, None)
    if early is not None:
        early.close()
