"""The run's worker processes: two, on the two cores, shared by every step that hands them work (the files
drawn side by side, and the steps started early: ``pipeline.early``).

Workers are forked from a fork server that has imported the code they run once (a fork of the run's own
process would copy DuckDB's threads mid-flight; a spawned process would import the orchestrator again).
All of them are started at once, by the run's main thread, while the run's main module is hidden from
them; after that, any thread may hand them work. Each job opens its own DuckDB connection exposing exactly
its step's declared inputs, as the runner gives the step itself, so a file or table is the same bytes
whichever process makes it.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import types
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

MAX_WORKERS = 2  # the machines this runs on have two cores
DRAWING = ("pipeline.outputs.briefings", "pipeline.outputs.maps")  # what the drawing steps draw with

_POOL: ProcessPoolExecutor | None = None
_IN_WORKER = False  # set in each worker: a job there runs its own drawing one file after another
_ALLOWED = MAX_WORKERS  # settings [run] worker_processes, as the run set it (configure)


def configure(worker_processes: int) -> None:
    """How many worker processes this run may use (settings ``[run] worker_processes``)."""
    global _ALLOWED
    _ALLOWED = worker_processes


def workers() -> int:
    """The run's worker processes: as many as the settings allow, none on one core (a worker would only
    share it) and none inside a worker (its pieces of work are done there, one after another)."""
    if _IN_WORKER or (os.cpu_count() or 1) < 2:
        return 0
    return max(0, min(MAX_WORKERS, _ALLOWED))


def in_worker() -> bool:
    """This process is one of a run's workers (it takes one job at a time)."""
    return _IN_WORKER


def _mark_worker() -> None:
    global _IN_WORKER
    _IN_WORKER = True


def _ready() -> int:
    return os.getpid()


def start_server(modules: Sequence[str] = DRAWING) -> None:
    """Start the fork server now, importing ``modules`` (the drawing code alone is about 1.5 s of a core) while
    the run's other steps go on, rather than when the first piece of work needs it. It does not wait."""
    if not workers():
        return
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(list(dict.fromkeys([*DRAWING, *modules])))
    with _without_main():
        forkserver.ensure_running()


def pool() -> ProcessPoolExecutor:
    """The run's worker processes, made on first use (from the main thread) with every worker started at
    once; ``close`` ends them."""
    global _POOL
    if _POOL is None:
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("the worker processes are started from the run's main thread (pipeline.processes)")
        context = multiprocessing.get_context("forkserver")
        n = max(1, workers())
        with _without_main():
            made = ProcessPoolExecutor(max_workers=n, mp_context=context, initializer=_mark_worker)
            # each submit starts a worker while none is idle: n at once start all n, here, with main hidden
            for _ in range(n):
                made.submit(_ready)
        _POOL = made
    return _POOL


def close() -> None:
    """End the worker processes (the next run starts its own)."""
    global _POOL
    if _POOL is not None:
        _POOL.shutdown(wait=True, cancel_futures=True)
        _POOL = None


@contextmanager
def _without_main() -> Iterator[None]:
    """While workers start, the run's main module is hidden from them: multiprocessing would have each
    import it again (the orchestrator with Dagster, or a user's own script, which would then start a run
    of its own inside the worker). The workers need only the pipeline's code, which they import by name."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main
