"""The Dagster layer: assets, checks, jobs, sensors and resources over the engine in ``pipeline``.

Everything here calls into ``pipeline``; nothing in ``pipeline`` imports Dagster.
"""

import warnings

import dagster as dg

warnings.filterwarnings("ignore", category=dg.BetaWarning)  # observable source assets, include_sources
