"""How each step's DuckDB connection is sized (threads, memory), per deployment."""

import dagster as dg


class DuckDBResource(dg.ConfigurableResource):
    """Each step opens its own in-memory DuckDB (steps exchange Parquet files, never a database
    file, so parallel steps never contend for one); these limits apply to each."""

    threads: int | None = None
    memory_limit: str | None = None
