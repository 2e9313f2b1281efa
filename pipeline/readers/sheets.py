"""Tables published as CSV or as Excel workbooks (the official IMD files are .xlsx)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.errors import SourceFormatError
from pipeline.readers.textcsv import CsvFile, normalise_header, read_csv


def read_table_file(path: Path, label: str, *, required: tuple[str, ...]) -> CsvFile:
    """A CSV, or the first sheet of a workbook whose header row holds every required column."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return read_csv(path, label, required=required)
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for bad files
        raise SourceFormatError(label, f"not a readable Excel workbook: {exc}") from exc
    wanted = {normalise_header(c) for c in required}
    for sheet in book.worksheets:
        rows = sheet.iter_rows(values_only=True)
        head = next(rows, None)
        if not head:
            continue
        header = ["" if h is None else str(h).strip() for h in head]
        if wanted <= {normalise_header(h) for h in header}:
            body = [(i, ["" if v is None else str(v) for v in values])
                    for i, values in enumerate(rows, start=2) if any(v is not None for v in values)]
            return CsvFile(label=f"{label}!{sheet.title}", encoding="xlsx", header=header, rows=body)
    raise SourceFormatError(label, f"no sheet has the required columns {', '.join(required)}", row=1, field=required[0])


def to_temp_table(con: duckdb.DuckDBPyConnection, name: str, rows: list[dict], schema: pa.Schema) -> None:
    """Materialise Python rows as a DuckDB temp table with a fixed schema."""
    arrow = pa.Table.from_pylist(rows, schema=schema)
    con.register("_incoming", arrow)
    try:
        con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT * FROM _incoming')
    finally:
        con.unregister("_incoming")
