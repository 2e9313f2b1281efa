"""Deprivation: the Indices of Deprivation 2025 (2021 base) and IMD 2019 (2011 base)."""

from assets.factory import step_assets, step_checks

STEPS = ("iod2025", "imd2019", "imd2019_scores")
assets = step_assets(*STEPS)
checks = step_checks(*STEPS)
