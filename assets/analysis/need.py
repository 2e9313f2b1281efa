"""Need and supply: indicators, the two scores apart, triage, how sure each rank is, hotspots, validation."""

from assets.factory import step_assets, step_checks

STEPS = ("lsoa_indicators", "scores", "lsoa_triage", "rank_uncertainty", "index_sensitivity", "hotspots", "index_validation")
assets = step_assets(*STEPS)
checks = step_checks(*STEPS)
