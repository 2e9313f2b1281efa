"""DuckDB connections with the spatial extension loaded from its PyPI package.

``INSTALL spatial`` needs the internet; the pinned ``duckdb-extension-spatial`` wheel
ships the binary, so we load that file directly and never touch the home folder.
"""

from __future__ import annotations

import os
import tempfile
import threading
from importlib import resources
from pathlib import Path

import duckdb

from pipeline.errors import DizError

MACROS = (Path(__file__).resolve().parent / "sql" / "macros.sql").read_text(encoding="utf-8")
# In the shared in-memory database the macros are made once, in its catalog, for every session to use:
# made per session (as TEMP macros must be) they cost 6 ms a connection, a second over an England run.
SHARED_MACROS = MACROS.replace("CREATE OR REPLACE TEMP MACRO", "CREATE OR REPLACE MACRO")


def spatial_extension_path() -> Path:
    version = duckdb.__version__
    path = (
        Path(str(resources.files("duckdb_extension_spatial")))
        / "extensions"
        / f"v{version}"
        / "spatial.duckdb_extension"
    )
    if not path.is_file():
        raise DizError(
            f"DuckDB spatial extension for duckdb {version} not found at {path}; "
            f"install duckdb-extension-spatial=={version} (it must match duckdb exactly)"
        )
    return path


_shared: tuple[int, duckdb.DuckDBPyConnection, dict[str, str]] | None = None
_SHARED_LOCK = threading.Lock()  # a reader started early (pipeline.early) may connect while the run's step does


def _open(database: str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    config = {
        "preserve_insertion_order": True,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    con = duckdb.connect(database, read_only=read_only, config=config)
    con.load_extension(str(spatial_extension_path()))
    return con


def _shared_database() -> tuple[duckdb.DuckDBPyConnection, dict[str, str]]:
    """One in-memory database per process, with spatial loaded once: loading it costs ~0.1 s,
    which across the ~80 steps and checks of a run added up to seconds."""
    global _shared
    with _SHARED_LOCK:
        if _shared is None or _shared[0] != os.getpid():  # a forked child must not share its parent's
            _shared = _new_shared_database()
        return _shared[1], _shared[2]


def _new_shared_database() -> tuple[int, duckdb.DuckDBPyConnection, dict[str, str]]:
    con = _open(":memory:")
    # where a step over its memory limit spills (DuckDB's default is .tmp in the working directory)
    con.execute("SET temp_directory = $d", {"d": str(Path(tempfile.gettempdir()) / f"diz-duckdb-{os.getpid()}")})
    con.execute(SHARED_MACROS)
    defaults = dict(
        con.execute("SELECT name, value FROM duckdb_settings() WHERE name IN ('threads', 'memory_limit')").fetchall()
    )
    return (os.getpid(), con, defaults)


def connect(
    database: str | Path = ":memory:",
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    read_only: bool = False,
) -> duckdb.DuckDBPyConnection:
    """A connection with spatial loaded, insertion order preserved and no progress bar.

    In-memory connections are sessions of one shared database: each has its own temporary
    tables and views (dropped when it closes), and sets the database's threads and memory limit
    afresh, so a step that ran single-threaded (``exact``) leaves nothing behind.
    """
    if str(database) == ":memory:":
        shared, defaults = _shared_database()
        with _SHARED_LOCK:  # one thread at a time opens a session on the shared database
            con = shared.cursor()
        con.execute(f"SET threads = {int(threads or defaults['threads'])}")
        con.execute("SET memory_limit = $m", {"m": memory_limit or defaults["memory_limit"]})
    else:
        con = _open(str(database), read_only=read_only)
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            con.execute("SET memory_limit = $m", {"m": memory_limit})
        con.execute(MACROS)  # a file database (the catalog) keeps none of them
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:  # inside Jupyter DuckDB wants ipywidgets even to switch the bar off
        pass
    return con


def release_memory() -> None:
    """Hand the shared database's cached blocks back to the system: DuckDB keeps them up to its memory limit
    after a step ends, and an England run's process held about 1.3 GiB of them while it drew its maps. The
    limit belongs to the database, not a session, so this is called only when no other step runs in the
    process (between steps taken one at a time, and after a job on a worker process)."""
    if _shared is None or _shared[0] != os.getpid():
        return
    con, defaults = _shared[1], _shared[2]
    con.execute("SET memory_limit = '16MB'")  # evicts every block not in use, and frees it
    con.execute("SET memory_limit = $m", {"m": defaults["memory_limit"]})


def exact(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Run this connection's work on one thread.

    Parallel aggregation adds floating-point numbers in a different order on each run, which
    changes the last bits of sums and averages; on one thread the order follows the (ordered)
    input, so a re-run writes byte-identical files. Used by the analysis and output steps,
    whose tables are small.
    """
    con.execute("SET threads = 1")
    return con
