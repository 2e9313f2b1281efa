"""Small areas: the LSOA lookups and crosswalk, boundaries of LSOAs, wards, Sub-ICBs and districts,
and the settlement names that label the maps."""

from assets.factory import step_assets, step_checks

STEPS = ("lsoa_lookup", "lsoa_wards", "lsoa_crosswalk", "lsoa_boundaries", "lsoa_areas", "ward_boundaries", "subicb_boundaries", "lad_boundaries",
         "settlements")
assets = step_assets(*STEPS)
checks = step_checks(*STEPS)
