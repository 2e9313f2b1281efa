"""Turn DuckDB's CSV errors into errors that name the publisher's file, row and field."""

from __future__ import annotations

import re

import duckdb

from pipeline.errors import SourceFormatError


def duckdb_csv_error(exc: duckdb.Error, label: str) -> SourceFormatError:
    text = str(exc)
    line = re.search(r"[Ll]ine:?\s*(\d+)", text)
    column = re.search(r'[Cc]olumn:?\s*"?([^"\n,]+)"?', text)
    member = re.search(r'file "?([^"\s]+\.csv)"?', text)
    where = f"{label}!{member.group(1).rsplit('/', 1)[-1]}" if member else label
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return SourceFormatError(where, first, row=int(line.group(1)) if line else None,
                             field=column.group(1).strip() if column else None)


def is_encoding_error(exc: duckdb.Error) -> bool:
    return "not utf-8 encoded" in str(exc).lower() or "invalid unicode" in str(exc).lower()


def with_encoding_fallback(run, label: str):
    """Call ``run(encoding)`` with UTF-8, then with Latin-1 (Windows cp1252 files) if DuckDB
    reports invalid Unicode; other DuckDB errors become ``SourceFormatError``s naming ``label``."""
    try:
        return run("utf-8")
    except duckdb.Error as exc:
        if not is_encoding_error(exc):
            raise duckdb_csv_error(exc, label) from exc
    try:
        return run("latin-1")
    except duckdb.Error as exc:
        raise duckdb_csv_error(exc, label) from exc
