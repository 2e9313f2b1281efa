"""Tables for bid writers: summaries per district and ward, priorities, the postcode lookup, the evidence pack."""

from assets.factory import step_assets, step_checks

STEPS = ("district_summary", "inclusion_priorities", "ward_summary", "postcode_lookup", "evidence_tables")
assets = step_assets(*STEPS)
checks = step_checks(*STEPS)
