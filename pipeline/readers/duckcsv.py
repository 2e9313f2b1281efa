"""One way to read a publisher's table: every cell as text into DuckDB, each row with its line.

Publishers' CSVs arrive as UTF-8, UTF-8 with a byte-order mark or Windows cp1252; some have a
header row (matched through aliases, case- and space-insensitively, and by prefix where the
publisher truncated a long header), some have none (ODS). ``load_csv`` reads the file's bytes
once, decodes them, and hands them to DuckDB's CSV reader with every value as text; workbooks
(``sheets.py``) and JSON records come in through ``load_rows``. Either way the result is a temp
table with ``row_number`` (the line in the file, or the sheet's row) and one VARCHAR column per
field asked for (NULL where the cell is empty or the file has no such column). Typing and checking is then
the reader's SQL file (``pipeline/sql/<source>_checked.sql``, with the macros of ``macros.sql``).

Anything that makes the file unusable as a whole (empty file, wrong delimiter, a required column
missing, a headerless row of the wrong width) is a ``SourceFormatError`` naming file, row and field.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.errors import SourceFormatError
from pipeline.rejects import Rejects
from pipeline.sqlfiles import ident

OTHER_DELIMITERS = (";", "\t", "|")
# Field -> the column names publishers give it (first one shown in messages).
Fields = dict[str, tuple[str, ...]]


# --- DuckDB's own CSV errors -------------------------------------------------------------------


def duckdb_csv_error(exc: duckdb.Error, label: str) -> SourceFormatError:
    text = str(exc)
    line = re.search(r"[Ll]ine:?\s*(\d+)", text)
    column = re.search(r'[Cc]olumn:?\s*"?([^"\n,]+)"?', text)
    member = re.search(r'file "?([^"\s]+\.csv)"?', text)
    where = f"{label}!{member.group(1).rsplit('/', 1)[-1]}" if member else label
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return SourceFormatError(
        where, first, row=int(line.group(1)) if line else None, field=column.group(1).strip() if column else None
    )


def is_encoding_error(exc: duckdb.Error) -> bool:
    return "not utf-8 encoded" in str(exc).lower() or "invalid unicode" in str(exc).lower()


def with_encoding_fallback(run, label: str):
    """Call ``run(encoding)`` with UTF-8, then with Latin-1 (Windows cp1252 files) if DuckDB
    reports invalid Unicode; other DuckDB errors become ``SourceFormatError``s naming ``label``.
    For the national files DuckDB scans straight from disk (Code-Point, the ONS lookup, Ofcom)."""
    try:
        return run("utf-8")
    except duckdb.Error as exc:
        if not is_encoding_error(exc):
            raise duckdb_csv_error(exc, label) from exc
    try:
        return run("latin-1")
    except duckdb.Error as exc:
        raise duckdb_csv_error(exc, label) from exc


# --- Headers -----------------------------------------------------------------------------------


def normalise_header(name: str) -> str:
    """Case-, space- and BOM-insensitive form of a column name, for alias matching."""
    return re.sub(r"\s+", " ", name.replace("\ufeff", "").strip()).lower()


def _position(normalised: list[str], name: str) -> int | None:
    """Where ``name`` is in a header: an exact (normalised) match, else a header cell the publisher
    truncated (IoD 2025 cuts long headers: "... 10% of LSOA"), at least 30 characters long."""
    wanted = normalise_header(name)
    if wanted in normalised:
        return normalised.index(wanted)
    for i, cell in enumerate(normalised):
        if len(cell) >= 30 and wanted.startswith(cell):
            return i
    return None


def find_columns(header: list[str], fields: Fields) -> dict[str, int | None]:
    """Each field's position in ``header``: its first spelling found, or None."""
    normalised = [normalise_header(h) for h in header]
    return {
        name: next((p for p in (_position(normalised, s) for s in spellings) if p is not None), None)
        for name, spellings in fields.items()
    }


def missing_column(label: str, header: list[str], required: Fields, row: int) -> SourceFormatError | None:
    """The error for the first required field with none of its spellings in ``header``, if any."""
    found = find_columns(header, required)
    for name, spellings in required.items():
        if found[name] is None:
            shown = spellings[0]
            also = f" (or {', '.join(s for s in spellings if s != shown)})" if len(spellings) > 1 else ""
            return SourceFormatError(
                label,
                f"required column is missing{also}; header has: "
                f"{', '.join(header[:12])}{' ...' if len(header) > 12 else ''}",
                row=row,
                field=shown,
            )
    return None


def delimiter_error(label: str, cells: list[str], row: int) -> SourceFormatError | None:
    """A first row read as one cell holding another delimiter: the file is not comma-separated."""
    if len(cells) == 1:
        for delim in OTHER_DELIMITERS:
            if delim in cells[0]:
                shown = {"\t": "tab"}.get(delim, delim)
                return SourceFormatError(label, f"file appears to be {shown!r}-delimited; expected commas", row=row)
    return None


# --- Bytes to text -----------------------------------------------------------------------------


def decode(data: bytes, label: str) -> tuple[str, str]:
    """Text and the encoding it was read with: UTF-8 (BOM stripped), else cp1252."""
    if not data.strip():
        raise SourceFormatError(label, "file is empty", row=1)
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise SourceFormatError(
                label, f"bytes are neither UTF-8 nor cp1252 (offset {exc.start})", row=line
            ) from exc


def header_row(path: Path, label: str) -> list[str]:
    """The first row of a CSV file, read without reading the rest (its names as published)."""
    with path.open("rb") as fh:
        first = fh.read(1 << 20).split(b"\n", 1)[0].rstrip(b"\r")
    text, _ = decode(first, label)
    try:
        return next(csv.reader([text]))
    except csv.Error as exc:
        raise SourceFormatError(label, f"header is not valid CSV: {exc}", row=1) from exc


def _utf8(data: bytes, label: str) -> bytes:
    """The file's bytes as UTF-8 without a byte-order mark (decoded only when they are not already)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif not data.startswith((b"\xff\xfe", b"\xfe\xff")) and data.isascii():
        return data
    text, encoding = decode(data, label)
    return data if encoding == "utf-8" else text.encode("utf-8")


def _nonempty_lines(data: bytes, first_line: int) -> list[int] | None:
    """Line numbers of the non-empty lines, when some line is empty (DuckDB's reader skips empty
    lines, so its row count then differs from the line number); None when no line is empty."""
    if b"\n\n" not in data and b"\n\r\n" not in data and not data.startswith((b"\n", b"\r\n")):
        return None
    return [first_line + i for i, line in enumerate(data.split(b"\n")) if line.rstrip(b"\r")]


# --- The loaded table -------------------------------------------------------------------------


@dataclass
class TextTable:
    """A file's data rows as text in DuckDB temp table ``name``.

    ``columns`` gives each field's column as the publisher spelled it (None when the file has
    none), so reject records name the cell a person will look for.
    """

    name: str
    label: str
    header: list[str]
    columns: dict[str, str | None]
    header_line: int | None = None

    def column(self, name: str) -> str | None:
        return self.columns.get(name)

    def names(self, fields: Fields) -> dict[str, str]:
        """Field -> the column name to show for it: the publisher's, else its first spelling."""
        return {f: self.columns.get(f) or spellings[0] for f, spellings in fields.items()}

    def rows_in(self, con: duckdb.DuckDBPyConnection) -> int:
        return con.execute(f"SELECT count(*) FROM {ident(self.name)}").fetchone()[0]


def _cells_table(n: int) -> str:
    return "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"


def _create(
    con: duckdb.DuckDBPyConnection,
    raw: str,
    table: TextTable,
    positions: dict[str, int | None],
    width: int,
    first_data_line: int,
    *,
    blank_rows_dropped: bool = False,
) -> TextTable:
    """Temp table ``table.name`` from raw cells ``c0..`` of ``raw`` (with ``line``): the rows after
    the header that hold anything, each field under its own name."""
    select = "".join(
        f", nullif(c{p}, '') AS {ident(f)}" if p is not None else f", NULL::VARCHAR AS {ident(f)}"
        for f, p in positions.items()
    )
    cells = ", ".join(f"c{i}" for i in range(width))
    anything = "true" if blank_rows_dropped else f"trim(concat_ws('', {cells})) <> ''"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {ident(table.name)} AS
        SELECT line AS row_number{select} FROM {raw} WHERE line >= $first AND {anything} ORDER BY line""",
        {"first": first_data_line},
    )
    return table


# --- CSV ---------------------------------------------------------------------------------------


def _memory_path(con: duckdb.DuckDBPyConnection, data: bytes) -> tuple[object, str]:
    """The bytes as a file DuckDB can read (fsspec's in-memory file system), and its path."""
    import fsspec

    fs = fsspec.filesystem("memory")
    if "memory" not in con.list_filesystems():
        try:
            con.register_filesystem(fs)
        except duckdb.Error:  # registered by another session of the same database
            pass
    path = f"/diz-text/{uuid.uuid4().hex}.csv"
    fs.pipe(path, data)
    return fs, path


def _first_record(text: str) -> tuple[int, list[str]] | None:
    """(line, cells) of the first line holding anything, parsed as CSV."""
    for i, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            try:
                return i, next(csv.reader([line.rstrip("\r")]))
            except (csv.Error, StopIteration):
                return i, [line]
    return None


def load_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    label: str,
    name: str,
    fields: Fields,
    *,
    required: Fields | None = None,
    header: bool = True,
    width: int | None = None,
    positions: dict[str, int] | None = None,
    skip_lines: int = 0,
) -> TextTable:
    """Read a CSV into temp table ``name`` (see the module docstring).

    ``required`` fields must be in the header (else an error naming the file, header row and
    field). A headerless file (``header=False``) gives its fields by 0-based ``positions`` and
    must have exactly ``width`` fields on every row. ``skip_lines`` lines at the top (comments)
    are not read; line numbers still count them.
    """
    data = path.read_bytes()
    if skip_lines:
        parts = data.split(b"\n", skip_lines)
        data = parts[skip_lines] if len(parts) > skip_lines else b""
        if not data.strip():
            raise SourceFormatError(label, "no header row after the comment lines", row=skip_lines + 1)
    elif not data.strip():
        raise SourceFormatError(label, "file is empty", row=1)
    data = _utf8(data, label)
    first = _first_record(data[: 1 << 20].decode("utf-8", errors="replace"))
    if first is None:
        raise SourceFormatError(label, "file has no rows", row=1)
    first_line, first_cells = first[0] + skip_lines, [c.replace("\ufeff", "") for c in first[1]]
    if (header or width is None or width > 1) and (error := delimiter_error(label, first_cells, first_line)):
        raise error
    if header:
        head = [h.strip() for h in first_cells]
        if required and (error := missing_column(label, head, required, first_line)):
            raise error
        found = find_columns(head, fields)
        n = len(head)
    else:
        head = []
        if width is not None and len(first_cells) != width:
            raise SourceFormatError(label, f"expected {width} fields, found {len(first_cells)}", row=first_line)
        found = dict(positions or {})
        n = width or len(first_cells)

    lines = _nonempty_lines(data, 1 + skip_lines)
    line = f"seq + {skip_lines}" if lines is None else "$lines[seq]"
    strict = "" if not header and width is not None else ", null_padding = true, strict_mode = false"
    raw = f"_raw_{uuid.uuid4().hex[:12]}"
    fs, memory = _memory_path(con, data)
    try:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {raw} AS
            SELECT {line} AS line, * EXCLUDE (seq) FROM (
                SELECT row_number() OVER () AS seq, *
                FROM read_csv($file, header = false, auto_detect = false, all_varchar = true, delim = ',', quote = '"',
                              escape = '"', columns = {_cells_table(n)}{strict}))""",
            {"file": f"memory://{memory}"} | ({} if lines is None else {"lines": lines}),
        )
    except duckdb.Error as exc:
        raise _csv_error(exc, label, skip_lines, width) from exc
    finally:
        fs.rm(memory)
    try:
        table = TextTable(
            name,
            label,
            head,
            {f: (head[p] if header and p is not None else None) for f, p in found.items()},
            first_line if header else None,
        )
        return _create(con, raw, table, found, n, first_line + 1 if header else 1)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {raw}")


def _csv_error(exc: duckdb.Error, label: str, skip_lines: int, width: int | None) -> SourceFormatError:
    text = str(exc)
    line = re.search(r"[Ll]ine:?\s*(\d+)", text)
    row = int(line.group(1)) + skip_lines if line else None
    counts = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if counts and width is not None:
        return SourceFormatError(label, f"expected {counts.group(1)} fields, found {counts.group(2)}", row=row)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return SourceFormatError(label, f"not valid CSV: {first}", row=row)


# --- Rows from a library (workbooks, JSON) -------------------------------------------------------


def load_rows(
    con: duckdb.DuckDBPyConnection,
    rows: Iterable[tuple[int, list[str | None]]],
    label: str,
    name: str,
    fields: Fields,
    header: list[str],
    *,
    header_line: int | None = None,
    positions: dict[str, int | None] | None = None,
) -> TextTable:
    """Rows another library read (``(line, cells as text)``) into temp table ``name``, as ``load_csv``
    does: the same columns, so the same checked SQL reads them."""
    rows = list(rows)
    width = max([len(header)] + [len(cells) for _, cells in rows]) or 1
    columns = [[cells[i] if i < len(cells) else None for _, cells in rows] for i in range(width)]
    return load_columns(
        con,
        [line for line, _ in rows],
        columns,
        label,
        name,
        fields,
        header,
        header_line=header_line,
        positions=positions,
    )


def load_columns(
    con: duckdb.DuckDBPyConnection,
    lines: list[int],
    columns: list[list[str | None]],
    label: str,
    name: str,
    fields: Fields,
    header: list[str],
    *,
    header_line: int | None = None,
    positions: dict[str, int | None] | None = None,
    blank_rows_dropped: bool = False,
) -> TextTable:
    """As ``load_rows``, from columns of cells (``columns[i]`` is header[i]'s). ``blank_rows_dropped``:
    the caller left out the rows holding nothing (a workbook's rows hold cells no field reads)."""
    width = max(len(columns), 1)
    arrow = pa.table(
        {"line": pa.array(lines, pa.int64())}
        | {
            f"c{i}": pa.array(columns[i] if i < len(columns) else [None] * len(lines), pa.string())
            for i in range(width)
        }
    )
    found = positions if positions is not None else find_columns(header, fields)
    table = TextTable(
        name,
        label,
        header,
        {f: (header[p] if p is not None and p < len(header) else None) for f, p in found.items()},
        header_line,
    )
    view = f"_rows_{uuid.uuid4().hex[:12]}"
    con.register(view, arrow)
    try:
        return _create(con, view, table, found, width, -(1 << 62), blank_rows_dropped=blank_rows_dropped)
    finally:
        con.unregister(view)


# --- Checked rows to rejects ------------------------------------------------------------------


def reject_problems(
    con: duckdb.DuckDBPyConnection, rejects: Rejects, checked: str, label: str, *, where: str = "true"
) -> None:
    """Every row of ``checked`` with a ``problem`` (other than being a later copy, which the
    duplicate rule records itself) as a reject: file, line, field, value, reason, kind, key."""
    rejects.extend_from(
        con,
        f"""
        SELECT $label, row_number, problem_field, problem_value, problem, problem_kind, reject_key
        FROM {ident(checked)} WHERE problem IS NOT NULL AND problem <> 'duplicate' AND {where}
        ORDER BY row_number""",
        {"label": label},
    )
