"""Output files that do not depend on each other (the briefings, the map pages), drawn side by side on
the run's worker processes (``pipeline.processes``): drawing is Python (matplotlib, fpdf, folium) and holds
one core, so two files drawn at once take about half the time on two cores. Each file is drawn by the same
code whichever process draws it, on a connection exposing exactly the step's declared inputs, so the files
are the same bytes as drawn one after another.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import wait
from typing import Any

import duckdb

from pipeline import processes
from pipeline.paths import Paths
from pipeline.settings import Settings


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
        duck.release_memory()  # a worker draws one file at a time: its database's cache can go


def draw_all(
    step: str,
    con: duckdb.DuckDBPyConnection,
    paths: Paths,
    settings: Settings,
    jobs: Mapping[str, tuple[Callable, tuple]],
    first: Sequence[str] = (),
) -> dict[str, Any]:
    """``{name: draw(con, *args) for name, (draw, args) in jobs.items()}``, in the order of ``jobs``, on the
    worker processes, the ``first`` (the longest) handed out first so the two finish together; without
    workers (one core, the settings, or inside a worker) in this process, on ``con``. ``draw`` must be a
    module-level function (it is sent by name)."""
    # a step started early draws from a thread: even one file goes to a worker (drawing is not thread-safe);
    # with one worker, files are drawn there one at a time, keeping the run's own process small
    in_thread = threading.current_thread() is not threading.main_thread()
    n = processes.workers()
    if not n or (n > 1 and len(jobs) == 1 and not in_thread):
        return {name: draw(con, *args) for name, (draw, args) in jobs.items()}
    pool = processes.pool()
    started = [*first, *(name for name in jobs if name not in first)]
    futures = {name: pool.submit(_draw, step, paths, settings, *jobs[name]) for name in started}
    try:
        return {name: futures[name].result() for name in jobs}
    finally:  # a failed file fails the step only once none of its files is still being written
        wait(futures.values())
