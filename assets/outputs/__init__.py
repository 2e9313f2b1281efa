"""Outputs group: maps for planners, the evidence pack and headlines for bid writers, charts."""
