"""Ingest steps: run a source's reader, write its table and rejects, and account for every row."""
