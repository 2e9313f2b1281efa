"""Places: GP sites' telehealth readiness, fibre gaps for build planning, and the GeoTIFFs."""

from assets.factory import step_assets, step_checks

STEPS = ("gp_readiness", "fibre_gaps", "rasters")
assets = step_assets(*STEPS)
checks = step_checks(*STEPS)
