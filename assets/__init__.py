"""The Dagster layer: assets, asset checks, resources, jobs and the Definitions.

Everything here calls into ``pipeline`` (the engine); nothing in ``pipeline`` imports Dagster.
"""
