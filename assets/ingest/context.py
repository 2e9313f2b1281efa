"""Context for comparison indices: rurality and population density."""

from assets.factory import step_assets, step_checks

STEPS = ("rurality", "population_density")
assets = step_assets(*STEPS)
checks = step_checks(*STEPS)
