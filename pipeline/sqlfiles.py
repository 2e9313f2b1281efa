"""Load the method's SQL from ``pipeline/sql/*.sql``.

Inputs reach the SQL as named views (``register_parquet``), values as ``$name`` parameters, so
each file reads like the step of the method it implements. Small areas are ``lsoa_code`` and
``lsoa_name`` in every SQL file whatever the vintage (``pipeline/geography.py``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import duckdb

from pipeline.geography import Vintage

SQL_DIR = Path(__file__).resolve().parent / "sql"
SQL_NAME = re.compile(r"""\bsql\(\s*["']([a-z0-9_]+)["']""")


@cache
def sql(name: str, **fragments: str) -> str:
    """The SQL of ``name``, with each ``{{fragment}}`` replaced."""
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    for key, value in fragments.items():
        text = text.replace("{{" + key + "}}", value)
    return text


# Line numbers come from DuckDB's CSV reader returning rows in file order, which needs a
# single-threaded scan. Readers scan in parallel without them, and number the rows (a second,
# slower scan) only when a file has rows to reject.
WITHOUT_LINES = "NULL::BIGINT"
WITH_LINES = "row_number() OVER ()"


def read_in_order(con: duckdb.DuckDBPyConnection, table: str, scan: str, params: dict | None = None) -> None:
    """Temp table ``table`` holding the rows ``scan`` (a query over read_csv) returns, whose ``rowid`` numbers
    them in file order: DuckDB keeps a table's rows in insertion order and documents rowid as that order, so
    the rows are numbered without WITH_LINES's single-threaded window, which cost Code-Point's 1.7 million
    rows 0.7 s of a 1.7 s read."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {scan}", params or {})


def first_rows(con: duckdb.DuckDBPyConnection, table: str, files: int) -> list[int | None]:
    """For a table ``read_in_order`` made from several files (its scan keeping ``file_index::BIGINT AS
    file_index``): the rowid of each file's first row, as a list in the files' order. A row's place in its file is
    then ``rowid - $first[file_index + 1]``: a projection, which keeps the rows in file order where a window per
    file would not, so the table can be written as read, without sorting millions of rows."""
    first: list[int | None] = [None] * files
    for index, rowid in con.execute(f"SELECT file_index, min(rowid) FROM {table} GROUP BY 1").fetchall():
        first[index] = rowid
    return first


def register_parquet(
    con: duckdb.DuckDBPyConnection, view: str, path: Path | str, vintage: Vintage | None = None
) -> None:
    """Expose one Parquet file as a view named ``view``. A table written on a small-area vintage
    (the file says so) is shown with its LSOA columns under the neutral names."""
    from pipeline.geography import VINTAGES
    from pipeline.store import written_vintage

    scan = f"read_parquet({quote(str(path))})"
    select = "*"
    if vintage is None and (key := written_vintage(Path(path))):
        vintage = VINTAGES[key]
    if vintage is not None:
        columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()]
        select = vintage.read_columns(columns)
    con.execute(f'CREATE OR REPLACE TEMP VIEW "{view}" AS SELECT {select} FROM {scan}')


def ident(name: str) -> str:
    """A SQL identifier for a column named by a publisher (any characters)."""
    return '"' + name.replace('"', '""') + '"'


def quote(text: str) -> str:
    """A SQL string literal (views cannot take prepared parameters)."""
    return "'" + text.replace("'", "''") + "'"
