"""Analysis group: indicators, the exclusion index, hotspots, GP readiness and fibre gaps."""
