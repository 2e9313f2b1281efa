"""Ingest group: one asset per source, each validated, written to data/processed and catalogued."""
