"""The Dagster layer: assets, checks, jobs, sensors and resources over the engine in ``pipeline``.

Everything here calls into ``pipeline``; nothing in ``pipeline`` imports Dagster. The package itself
imports nothing, so ``make run`` loads Dagster only when there is something to re-compute.
"""
