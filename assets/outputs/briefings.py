"""District briefings (PDF) for councillors and bid writers."""

from assets.factory import step_assets, step_checks

STEPS = ("briefings",)
assets = step_assets(*STEPS)
checks = step_checks(*STEPS)
