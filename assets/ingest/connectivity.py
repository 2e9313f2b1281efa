"""Connectivity over time: Ofcom's district series as republished by ONS."""

from assets.factory import step_assets, step_checks

STEPS = ("connectivity_series",)
assets = step_assets(*STEPS)
checks = step_checks(*STEPS)
