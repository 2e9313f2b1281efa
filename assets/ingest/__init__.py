"""Ingest: each source read, validated and written as a table (group ingest)."""

from assets.ingest import broadband, connectivity, context, deprivation, geography, gp, people, postcodes

MODULES = [broadband, connectivity, context, deprivation, geography, gp, people, postcodes]
