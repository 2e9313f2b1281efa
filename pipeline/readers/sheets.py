"""Tables published as CSV or as Excel workbooks (the IoD files are .xlsx), read the same way.

Workbooks are read with python-calamine, which reads a 34,000-row IoD sheet in about half a
second (openpyxl takes about nine).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.errors import SourceFormatError
from pipeline.readers.textcsv import CsvFile, column_lookup, read_csv, require_columns


def _cell(value) -> str:
    """A workbook cell as the text a CSV would hold: whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


HEADER_SEARCH_ROWS = 12


def read_table_file(path: Path, label: str, *, required: tuple[str, ...] = (),
                    any_of: dict[str, tuple[str, ...]] | None = None) -> CsvFile:
    """A CSV, or the first sheet of a workbook whose header row holds every required column.

    ``required`` columns must appear as spelled; ``any_of`` maps a column to its accepted spellings.
    """
    wanted = {name: (name,) for name in required} | (any_of or {})
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls", ".ods"):
        table = read_csv(path, label)
        require_columns(table, wanted)
        return table
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for bad files
        raise SourceFormatError(label, f"not a readable Excel workbook: {exc}") from exc
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        # Publishers put title and note rows above the header: the header is the first of the
        # top rows that names every wanted column. Row numbers are the sheet's own.
        for at, top in enumerate(rows[:HEADER_SEARCH_ROWS]):
            header = [_cell(h).strip() for h in top]
            candidate = CsvFile(label=f"{label}!{name}", encoding="xlsx", header=header, rows=[])
            found = column_lookup(candidate, wanted)
            if header and all(v is not None for v in found.values()):
                candidate.rows = [(i, [_cell(v) for v in values])
                                  for i, values in enumerate(rows[at + 1:], start=at + 2)
                                  if any(v not in (None, "") for v in values)]
                return candidate
    raise SourceFormatError(label, f"no sheet has the required columns {', '.join(wanted)}", row=1,
                            field=next(iter(wanted), None))


def to_temp_table(con: duckdb.DuckDBPyConnection, name: str, rows: list[dict], schema: pa.Schema) -> None:
    """Materialise Python rows as a DuckDB temp table with a fixed schema."""
    arrow = pa.Table.from_pylist(rows, schema=schema)
    con.register("_incoming", arrow)
    try:
        con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT * FROM _incoming')
    finally:
        con.unregister("_incoming")
