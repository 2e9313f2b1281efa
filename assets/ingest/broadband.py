"""Broadband: Ofcom Connected Nations coverage at the finest resolution present, per postcode."""

from assets.factory import step_assets, step_checks

STEPS = ("ofcom_postcode_coverage", "ofcom_la_coverage", "ofcom_postcode_district", "broadband_coverage")
assets = step_assets(*STEPS)
checks = step_checks(*STEPS)
