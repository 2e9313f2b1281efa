"""GP sites: practices and branches with list sizes, PCN and Sub-ICB."""

from assets.factory import step_assets, step_checks

STEPS = ("gp_sites",)
assets = step_assets(*STEPS)
checks = step_checks(*STEPS)
