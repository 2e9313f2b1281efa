"""``diz_evidence_pack.xlsx``: one sheet per evidence table, each headed by its sources and licence
lines, a Columns sheet, a Sources sheet, and the change-over-time charts.

Written with XlsxWriter (about four times faster than openpyxl for the pack's quarter of a
million cells). Text is always written as a string cell, never as a formula, so a hostile name
shows as text; the ``'`` the CSVs put before formula-like text is taken off again here. The
creation date is fixed, so an unchanged input writes the same bytes.
"""

from __future__ import annotations

import csv
import math
from datetime import datetime
from pathlib import Path

import xlsxwriter

from pipeline.outputs.tables import TABLES, omitted_tables, sources_rows, undefused
from pipeline.registry import SOURCES
from pipeline.store import replace_atomically, temp_path

FIXED_DATE = datetime(2000, 1, 1)
HEADER = {"bold": True, "bg_color": "#DDDDDD"}
TITLE = {"bold": True, "font_size": 14}


def cell_value(text: str):
    """A CSV cell as a spreadsheet value: numbers as numbers, anything else as text, without the CSV's
    formula guard (a string cell is never a formula, so '=42nd of 52' shows as written)."""
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        return undefused(text)
    if not math.isfinite(number):  # "nan", "inf": text, as written
        return text
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def put(ws, row: int, column: int, value, fmt=None) -> None:
    """Write a value at 1-based (row, column): numbers as numbers, text as a string cell (never a formula)."""
    if value is None:
        return
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        ws.write_number(row - 1, column - 1, value, fmt)
    else:
        ws.write_string(row - 1, column - 1, str(value), fmt)


def _header_block(ws, formats: dict, title: str, description: str, sidecar: dict) -> int:
    put(ws, 1, 1, title, formats["title"])
    put(ws, 2, 1, description)
    sources = "; ".join(
        f"{s['title']} ({s['publisher']}, {s['release']}; {s.get('rows', 0):,} rows)"
        for s in sidecar.get("sources", [])
    )
    put(ws, 3, 1, f"Sources: {sources}")
    put(ws, 4, 1, "Licence: " + " ".join(sidecar.get("licence", [])))
    row = 5
    for note in sidecar.get("notes", []):
        put(ws, row, 1, f"Note: {note}")
        row += 1
    return row + 1


def _table(ws, formats: dict, start: int, csv_path: Path) -> int:
    with csv_path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    for c, name in enumerate(header, start=1):
        put(ws, start, c, name, formats["header"])
        width = max([len(name)] + [len(r[c - 1]) for r in body[:200]])
        ws.set_column(c - 1, c - 1, min(max(10, width + 2), 60))
    for r, values in enumerate(body, start=start + 1):
        for c, text in enumerate(values, start=1):
            put(ws, r, c, cell_value(text))
    ws.freeze_panes(start, 0)
    return len(body)


def _images(ws, anchor_row: int, pngs: list[Path]) -> None:
    for i, png in enumerate(p for p in pngs if p.exists()):
        # the charts are 1999 x 1125 px (13.33 x 7.5 in at 150 dpi); shown at 960 x 540
        ws.insert_image(
            anchor_row - 1 + i * 29, 0, str(png), {"x_scale": 960 / 1999, "y_scale": 540 / 1125, "object_position": 3}
        )


def _pointer(ws, formats: dict, start: int, csv_path: Path, rows: int, most: int) -> int:
    """The header row and one line pointing to the CSV, for a table longer than ``most`` rows (settings:
    outputs.pack_max_rows): an England run's 776,000 indicator rows made a pack of over 100 MB that took
    minutes to write and to open."""
    with csv_path.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    for c, name in enumerate(header, start=1):
        put(ws, start, c, name, formats["header"])
        ws.set_column(c - 1, c - 1, max(10, len(name) + 2))
    put(
        ws,
        start + 1,
        1,
        f"{rows:,} rows: more than a sheet here carries ({most:,}). Every row is in tables/{csv_path.name}.",
    )
    return 0


CHARTS_FOR = {"change_over_time": ("gigabit_over_time", "premises_below_30_over_time", "mobile_coverage_over_time")}


def build_workbook(tables: Path, charts: Path, dest: Path, sidecars: dict[str, dict], most_rows: int) -> dict:
    """One sheet per evidence table present (each headed by its sources with row counts and its
    licence lines), a Columns sheet describing every column, and the Sources sheet."""
    tmp = temp_path(dest)
    counts = {}
    try:
        wb = xlsxwriter.Workbook(
            str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        )
        wb.set_properties({"author": "DIZ pipeline", "created": FIXED_DATE})
        formats = {"title": wb.add_format(TITLE), "header": wb.add_format(HEADER)}
        for t in TABLES:
            if t.name not in sidecars:
                continue
            ws = wb.add_worksheet(t.sheet)
            start = _header_block(ws, formats, t.sheet, t.description, sidecars[t.name])
            rows = sidecars[t.name].get("rows", 0)
            if rows > most_rows:
                counts[t.sheet] = _pointer(ws, formats, start, tables / f"{t.name}.csv", rows, most_rows)
            else:
                counts[t.sheet] = _table(ws, formats, start, tables / f"{t.name}.csv")
            pngs = [charts / f"{n}.png" for n in CHARTS_FOR.get(t.name, ())]
            if t.name == "validation":
                pngs = sorted(charts.glob("validation_*.png"))
            if t.name == "peer_league":
                pngs = sorted(charts.glob("peers_*.png"))
            _images(ws, start + counts[t.sheet] + 3, pngs)
        ws = wb.add_worksheet("Columns")
        put(ws, 1, 1, "What each column means", formats["title"])
        for c, name in enumerate(("sheet", "column", "description", "sources behind it"), start=1):
            put(ws, 3, c, name, formats["header"])
        row = 4
        for t in TABLES:
            for column in sidecars.get(t.name, {}).get("columns", []):
                put(ws, row, 1, t.sheet)
                put(ws, row, 2, column["name"])
                put(ws, row, 3, column["description"])
                put(ws, row, 4, _column_sources_text(column))
                row += 1
        ws.set_column(0, 0, 24)
        ws.set_column(1, 1, 32)
        ws.set_column(2, 2, 110)
        ws.set_column(3, 3, 80)
        ws = wb.add_worksheet("Sources")
        put(ws, 1, 1, "Sources, releases and licence lines", formats["title"])
        records = sources_rows(sidecars)
        header = list(records[0]) if records else []
        for c, name in enumerate(header, start=1):
            put(ws, 3, c, name, formats["header"])
            ws.set_column(c - 1, c - 1, 40)
        for r, record in enumerate(records, start=4):
            for c, name in enumerate(header, start=1):
                put(ws, r, c, cell_value(record[name]))
        counts["Sources"] = len(records)
        row = len(records) + 6
        for name, why in omitted_tables(tables).items():
            put(ws, row, 1, f"Not published with these data: {name}: {why}")
            row += 1
        wb.close()
        replace_atomically(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return {"path": str(dest), "sheets": counts}


def _column_sources_text(column: dict) -> str:
    """A column's sources in words, and where they differ from row to row, which rows rest on which:
    "…; in rows where k = 0: …; in other rows: …"."""

    def named(keys: list[str]) -> str:
        return "; ".join(SOURCES[k].citation for k in keys if k in SOURCES)

    text = named(column.get("sources", []))
    for entry in column.get("sources_by_row", []):
        where = " and ".join(f"{k} = {' or '.join(v)}" for k, v in entry["where"].items())
        text += f" | in {'rows where ' + where if where else 'other rows'}: {named(entry['sources']) or 'none'}"
    return text
