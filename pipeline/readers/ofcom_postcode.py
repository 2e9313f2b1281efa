"""Ofcom Connected Nations fixed coverage by postcode: a zip of per-area CSVs per release."""

from __future__ import annotations

import duckdb

from pipeline.fetch import Located
from pipeline.paths import Paths
from pipeline.readers import Read
from pipeline.readers.ofcom_files import read_ofcom


def read_ofcom_postcode(con: duckdb.DuckDBPyConnection, files: list[Located], paths: Paths) -> Read:
    """Every release present into temp view ``ofcom_postcode`` (key = postcode)."""
    return read_ofcom(con, files, paths, key="postcode", table="ofcom_postcode")
