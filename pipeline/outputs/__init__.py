"""Outputs for people: planner maps, the bid-writer evidence pack, headlines and charts."""
