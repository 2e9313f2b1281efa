"""``diz_evidence_pack.xlsx``: one sheet per evidence table, each headed by its sources and licence
lines, a Sources sheet, and the change-over-time charts.

Cells are written as values. openpyxl would store text starting with ``=`` as a formula, so every
text cell is typed as a string explicitly: a hostile name shows as text, never runs.
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from pipeline.outputs.tables import TABLES, sources_rows
from pipeline.store import replace_atomically, temp_path

HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")


def cell_value(text: str):
    """A CSV cell as a spreadsheet value: numbers as numbers, anything else as text."""
    if text == "":
        return None
    try:
        number = float(text)
        return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
    except ValueError:
        return text


def put(ws, row: int, column: int, value):
    """Write a value; text is always a string cell (never a formula)."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _header_block(ws, title: str, description: str, sidecar: dict) -> int:
    put(ws, 1, 1, title).font = Font(bold=True, size=14)
    put(ws, 2, 1, description)
    sources = "; ".join(f"{s['title']} ({s['publisher']}, {s['release']}; {s.get('rows', 0):,} rows)"
                        for s in sidecar.get("sources", []))
    put(ws, 3, 1, f"Sources: {sources}")
    put(ws, 4, 1, "Licence: " + " ".join(sidecar.get("licence", [])))
    row = 5
    for note in sidecar.get("notes", []):
        put(ws, row, 1, f"Note: {note}")
        row += 1
    for r in range(1, row):
        ws.cell(row=r, column=1).alignment = Alignment(wrap_text=False)
    return row + 1


def _table(ws, start: int, csv_path: Path) -> int:
    with csv_path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    for c, name in enumerate(header, start=1):
        cell = put(ws, start, c, name)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        width = max([len(name)] + [len(r[c - 1]) for r in body[:200]])
        ws.column_dimensions[get_column_letter(c)].width = min(max(10, width + 2), 60)
    for r, values in enumerate(body, start=start + 1):
        for c, text in enumerate(values, start=1):
            put(ws, r, c, cell_value(text))
    ws.freeze_panes = ws.cell(row=start + 1, column=1)
    return len(body)


def _images(ws, anchor_row: int, pngs: list[Path]) -> None:
    for i, png in enumerate(p for p in pngs if p.exists()):
        image = Image(str(png))
        image.width, image.height = 960, 540
        ws.add_image(image, f"A{anchor_row + i * 29}")


CHARTS_FOR = {"change_over_time": ("gigabit_over_time", "premises_below_30_over_time", "mobile_coverage_over_time")}


def build_workbook(tables: Path, charts: Path, dest: Path, sidecars: dict[str, dict]) -> dict:
    """One sheet per evidence table present (each headed by its sources with row counts and its
    licence lines), a Columns sheet describing every column, and the Sources sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    counts = {}
    for t in TABLES:
        if t.name not in sidecars:
            continue
        ws = wb.create_sheet(t.sheet)
        start = _header_block(ws, t.sheet, t.description, sidecars[t.name])
        counts[t.sheet] = _table(ws, start, tables / f"{t.name}.csv")
        pngs = [charts / f"{n}.png" for n in CHARTS_FOR.get(t.name, ())]
        if t.name == "validation":
            pngs = sorted(charts.glob("validation_*.png"))
        _images(ws, start + counts[t.sheet] + 3, pngs)
    ws = wb.create_sheet("Columns")
    put(ws, 1, 1, "What each column means").font = Font(bold=True, size=14)
    for c, name in enumerate(("sheet", "column", "description"), start=1):
        cell = put(ws, 3, c, name)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    row = 4
    for t in TABLES:
        for column in sidecars.get(t.name, {}).get("columns", []):
            put(ws, row, 1, t.sheet)
            put(ws, row, 2, column["name"])
            put(ws, row, 3, column["description"])
            row += 1
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width, ws.column_dimensions["C"].width = 24, 32, 110
    ws = wb.create_sheet("Sources")
    put(ws, 1, 1, "Sources, releases and licence lines").font = Font(bold=True, size=14)
    records = sources_rows(sidecars)
    header = list(records[0]) if records else []
    for c, name in enumerate(header, start=1):
        cell = put(ws, 3, c, name)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(c)].width = 40
    for r, record in enumerate(records, start=4):
        for c, name in enumerate(header, start=1):
            put(ws, r, c, cell_value(record[name]))
    counts["Sources"] = len(records)
    wb.properties.creator = "DIZ pipeline"
    tmp = temp_path(dest)
    try:
        wb.save(tmp)
        replace_atomically(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return {"path": str(dest), "sheets": counts}
