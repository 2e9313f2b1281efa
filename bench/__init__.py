"""Benchmark: `python bench/run.py` (see docs/PERFORMANCE.md)."""
