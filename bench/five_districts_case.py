"""Case 1: the five DIZ districts, every asset from raw files to maps and tables (as `make run`)."""

from __future__ import annotations

from bench.dagster_case import run_job


def run() -> dict:
    return run_job("everything")
