"""Tables published as CSV or as Excel workbooks (the IoD files are .xlsx), loaded the same way.

Workbooks are read with python-calamine, which reads a 34,000-row IoD sheet in about half a
second (openpyxl takes about nine); their cells go into DuckDB as the text a CSV would hold, so
one checked SQL file types them whichever form the publisher chose.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.errors import SourceFormatError
from pipeline.readers.duckcsv import Fields, TextTable, find_columns, load_columns, load_csv

WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods")
HEADER_SEARCH_ROWS = 12


def cell_text(value) -> str | None:
    """A workbook cell as the text a CSV would hold: whole numbers without '.0'; None when empty."""
    if type(value) is str:  # most cells: tested first, this runs for every cell read
        return value or None
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def open_workbook(path: Path, label: str):
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for bad files
        raise SourceFormatError(label, f"not a readable Excel workbook: {exc}") from exc


def load_workbook(
    con: duckdb.DuckDBPyConnection, path: Path, label: str, name: str, fields: Fields, required: Fields
) -> TextTable:
    """The first sheet whose header row holds every required field, into temp table ``name``.

    Publishers put title and note rows above the header: the header is the first of the top rows
    that names every required column. Row numbers are the sheet's own.
    """
    book = open_workbook(path, label)
    for sheet in book.sheet_names:
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        for at, top in enumerate(rows[:HEADER_SEARCH_ROWS]):
            header = [(cell_text(h) or "").strip() for h in top]
            if header and all(p is not None for p in find_columns(header, required).values()):
                # Only the cells a field reads become text; a row counts if it holds anything.
                found = find_columns(header, fields)
                read = sorted({p for p in found.values() if p is not None})
                body = [
                    (line, values)
                    for line, values in enumerate(rows[at + 1 :], start=at + 2)
                    if any(v is not None and v != "" for v in values)
                ]
                columns = [[cell_text(values[p]) if p < len(values) else None for _, values in body] for p in read]
                positions = {f: (read.index(p) if p is not None else None) for f, p in found.items()}
                table = load_columns(
                    con,
                    [line for line, _ in body],
                    columns,
                    f"{label}!{sheet}",
                    name,
                    fields,
                    [header[p] for p in read],
                    header_line=at + 1,
                    blank_rows_dropped=True,
                    positions=positions,
                )
                table.header = header
                return table
    raise SourceFormatError(
        label,
        f"no sheet has the required columns {', '.join(s[0] for s in required.values())}",
        row=1,
        field=next(iter(required.values()))[0] if required else None,
    )


def load_table_file(
    con: duckdb.DuckDBPyConnection, path: Path, label: str, name: str, fields: Fields, *, required: Fields
) -> TextTable:
    """A CSV, or the first sheet of a workbook with the required columns, into temp table ``name``."""
    if path.suffix.lower() in WORKBOOKS:
        return load_workbook(con, path, label, name, fields, required)
    return load_csv(con, path, label, name, fields, required=required)
