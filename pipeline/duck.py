"""DuckDB connections with the spatial extension loaded from its PyPI package.

``INSTALL spatial`` needs the internet; the pinned ``duckdb-extension-spatial`` wheel
ships the binary, so we load that file directly and never touch the home folder.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb

from pipeline.errors import DizError

MACROS = (Path(__file__).resolve().parent / "sql" / "macros.sql").read_text(encoding="utf-8")


def spatial_extension_path() -> Path:
    version = duckdb.__version__
    path = Path(str(resources.files("duckdb_extension_spatial"))) / "extensions" / f"v{version}" / "spatial.duckdb_extension"
    if not path.is_file():
        raise DizError(
            f"DuckDB spatial extension for duckdb {version} not found at {path}; "
            f"install duckdb-extension-spatial=={version} (it must match duckdb exactly)"
        )
    return path


def connect(database: str | Path = ":memory:", *, threads: int | None = None, memory_limit: str | None = None,
            read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection with spatial loaded, insertion order preserved and no progress bar."""
    config = {"preserve_insertion_order": True, "autoinstall_known_extensions": False,
              "autoload_known_extensions": False}
    if threads:
        config["threads"] = threads
    if memory_limit:
        config["memory_limit"] = memory_limit
    con = duckdb.connect(str(database), read_only=read_only, config=config)
    con.load_extension(str(spatial_extension_path()))
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:  # inside Jupyter DuckDB wants ipywidgets even to switch the bar off
        pass
    con.execute(MACROS)
    return con


def exact(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Run this connection's work on one thread.

    Parallel aggregation adds floating-point numbers in a different order on each run, which
    changes the last bits of sums and averages; on one thread the order follows the (ordered)
    input, so a re-run writes byte-identical files. Used by the analysis and output steps,
    whose tables are small.
    """
    con.execute("SET threads = 1")
    return con
