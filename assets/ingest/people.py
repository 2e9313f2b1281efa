"""People: Census 2021 age and disability, and the Internet User Classification."""

from assets.factory import step_assets, step_checks

STEPS = ("census_age", "census_disability", "iuc2018")
assets = step_assets(*STEPS)
checks = step_checks(*STEPS)
