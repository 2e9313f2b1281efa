"""Planner maps and the index page."""

from assets.factory import step_assets, step_checks

STEPS = ("maps",)
assets = step_assets(*STEPS)
checks = step_checks(*STEPS)
