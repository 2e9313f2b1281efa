"""DuckDB connections with the spatial extension, one in-memory database per step.

Steps exchange Parquet files, not database tables, so parallel steps never contend for a
DuckDB file (one writer per file is DuckDB's rule); the catalog is rebuilt separately.
"""


from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

from pipeline import duck


class DuckDBResource(dg.ConfigurableResource):
    threads: int | None = None
    memory_limit: str | None = None

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = duck.connect(threads=self.threads, memory_limit=self.memory_limit)
        try:
            yield con
        finally:
            con.close()
