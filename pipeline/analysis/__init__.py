"""Analysis steps: indicators, the exclusion index, hotspots, GP readiness and fibre gaps."""
