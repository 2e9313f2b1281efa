"""Connectivity change per district, and reconciliation with our postcode-based figure."""

from assets.factory import step_assets, step_checks

STEPS = ("connectivity_reconciliation", "connectivity_change")
assets = step_assets(*STEPS)
checks = step_checks(*STEPS)
