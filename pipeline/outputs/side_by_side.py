"""Output files that do not depend on each other (the briefings, the map pages), drawn side by side on
the machine's cores: drawing is Python (matplotlib, fpdf, folium) and holds one core, so two files drawn
at once take about half the time on two cores. Workers are forked from a fork server that has imported
the drawing code once (a fork of the run's own process would copy DuckDB's threads mid-flight; a spawned
process would import the orchestrator again), and each opens its own connection exposing exactly the
step's declared inputs, as the runner gives the step itself. Every file is drawn by the same code
whichever process draws it, so the files are the same bytes as drawn one after another.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

import duckdb

from pipeline.paths import Paths
from pipeline.settings import Settings

MAX_WORKERS = 2  # the machines this runs on have two cores; DuckDB's own threads are not in play here
PRELOAD = ["pipeline.outputs.briefings", "pipeline.outputs.maps"]  # what the workers draw with


def workers(jobs: int) -> int:
    """How many processes to draw ``jobs`` files with: none beyond the cores or the jobs."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1, jobs))


def _draw(step: str, paths: Paths, settings: Settings, draw: Callable, args: tuple) -> Any:
    from pipeline import duck
    from pipeline.inputs import register_inputs
    from pipeline.steps import BY_NAME

    con = duck.exact(duck.connect())
    try:
        register_inputs(con, paths, BY_NAME[step].deps)
        return draw(con, *args)
    finally:
        con.close()


def start_workers() -> None:
    """Start the fork server now: it imports the drawing code (about 1.5 s of one core) while the run's
    other steps go on, rather than when the first step that draws needs it. It does not wait for it."""
    if workers(MAX_WORKERS) < 2:
        return
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
    with _without_main():
        forkserver.ensure_running()


def draw_all(
    step: str,
    con: duckdb.DuckDBPyConnection,
    paths: Paths,
    settings: Settings,
    jobs: Mapping[str, tuple[Callable, tuple]],
    first: Sequence[str] = (),
) -> dict[str, Any]:
    """``{name: draw(con, *args) for name, (draw, args) in jobs.items()}``, in the order of ``jobs``, on up to
    two processes, the ``first`` (the longest) started first so the two finish together; on one core (or one
    job) in this process, on ``con``. ``draw`` must be a module-level function (it is sent by name)."""
    n = workers(len(jobs))
    if n == 1:
        return {name: draw(con, *args) for name, (draw, args) in jobs.items()}
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    started = [*first, *(name for name in jobs if name not in first)]
    with _without_main(), ProcessPoolExecutor(max_workers=n, mp_context=context) as pool:
        futures = {name: pool.submit(_draw, step, paths, settings, *jobs[name]) for name in started}
        return {name: futures[name].result() for name in jobs}


@contextmanager
def _without_main() -> Iterator[None]:
    """While the workers start, the run's main module is hidden from them: multiprocessing would have each
    import it again (the orchestrator with Dagster, or a user's own script, which would then start a run
    of its own inside the worker). The workers need only the drawing code, which they import by name."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main
