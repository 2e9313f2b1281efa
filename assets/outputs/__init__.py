"""Outputs: what people open (group outputs)."""

from assets.outputs import briefings, maps, tables

MODULES = [briefings, maps, tables]
