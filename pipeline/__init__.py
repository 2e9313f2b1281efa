"""The DIZ engine: source readers, DuckDB spatial queries, scoring, map and table writers.

Plain Python and SQL; nothing here imports Dagster. The Dagster layer in ``assets/``
calls into this package, never the other way round.
"""
