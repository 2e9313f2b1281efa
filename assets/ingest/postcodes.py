"""Postcodes: every GB postcode's position, the ONS lookup, and the study area's postcodes placed in small areas."""

from assets.factory import step_assets, step_checks

STEPS = ("codepoint_open", "ons_postcode_lookup", "postcodes")
assets = step_assets(*STEPS)
checks = step_checks(*STEPS)
