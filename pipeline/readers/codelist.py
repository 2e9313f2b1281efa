"""Code-Point Open's ``Doc/Codelist.xlsx``: the names of the district, ward and county codes its
postcodes carry. One sheet per area type (DIS district, DIW district ward, UTA unitary, LBO
London borough, MTD metropolitan district, ...), each row (name, code). The cells go into DuckDB
as text and ``sql/codelist_checked.sql`` picks the codes and plain names."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.errors import SourceFormatError
from pipeline.readers.duckcsv import load_rows
from pipeline.readers.sheets import cell_text, open_workbook
from pipeline.sqlfiles import sql

DISTRICT_SHEETS = ("DIS", "UTA", "LBO", "MTD")
WARD_SHEETS = ("DIW", "UTW", "UTE", "LBW", "MTW")


def read_codelist(path: Path, label: str, con: duckdb.DuckDBPyConnection | None = None) -> dict[str, tuple[str, str]]:
    """{code: (name, area type)} for every coded area in the list."""
    book = open_workbook(path, label)
    rows, line = [], 0
    for sheet in book.sheet_names:
        if sheet not in DISTRICT_SHEETS + WARD_SHEETS:
            continue
        for cells in book.get_sheet_by_name(sheet).to_python():
            line += 1
            rows.append((line, [sheet] + [cell_text(c) for c in cells[:2]]))
    own = con is None
    if own:
        from pipeline import duck

        con = duck.connect()
    try:
        load_rows(
            con,
            rows,
            label,
            "codelist_text",
            {},
            ["sheet", "name", "code"],
            positions={"sheet": 0, "name": 1, "code": 2},
        )
        out = {code: (name, sheet) for code, name, sheet in con.execute(sql("codelist_checked")).fetchall()}
    finally:
        if own:
            con.close()
    if not out:
        raise SourceFormatError(label, "no district or ward codes found (expected sheets DIS, DIW, UTA, ...)")
    return out
