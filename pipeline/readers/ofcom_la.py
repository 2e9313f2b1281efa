"""Ofcom Connected Nations fixed coverage by local authority (residential file where offered)."""

from __future__ import annotations

import duckdb

from pipeline.fetch import Located
from pipeline.paths import Paths
from pipeline.readers import Read
from pipeline.readers.ofcom_files import read_ofcom


def read_ofcom_la(con: duckdb.DuckDBPyConnection, files: list[Located], paths: Paths) -> Read:
    """Every release present into temp view ``ofcom_la`` (key = LAD code)."""
    return read_ofcom(con, files, paths, key="local_authority", table="ofcom_la", prefer=("laua", "res"))
