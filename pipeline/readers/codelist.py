"""Code-Point Open's ``Doc/Codelist.xlsx``: the names of the district, ward and county codes its
postcodes carry. One sheet per area type (DIS district, DIW district ward, UTA unitary, LBO
London borough, MTD metropolitan district, ...), each row (name, code)."""

from __future__ import annotations

import re
from pathlib import Path

from python_calamine import CalamineWorkbook

from pipeline.errors import SourceFormatError

DISTRICT_SHEETS = ("DIS", "UTA", "LBO", "MTD")
WARD_SHEETS = ("DIW", "UTW", "UTE", "LBW", "MTW")
SUFFIX = re.compile(r"\s+(District|Ward|ED|London Boro|\(B\))+$")


def read_codelist(path: Path, label: str) -> dict[str, tuple[str, str]]:
    """{code: (name, area type)} for every coded area in the list."""
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise SourceFormatError(label, f"not a readable Excel workbook: {exc}") from exc
    out: dict[str, tuple[str, str]] = {}
    for sheet in book.sheet_names:
        if sheet not in DISTRICT_SHEETS + WARD_SHEETS:
            continue
        for row in book.get_sheet_by_name(sheet).to_python():
            if len(row) >= 2 and isinstance(row[1], str) and re.fullmatch(r"[EWSN]\d{8}", row[1].strip()):
                out[row[1].strip()] = (plain_name(str(row[0])), sheet)
    if not out:
        raise SourceFormatError(label, "no district or ward codes found (expected sheets DIS, DIW, UTA, ...)")
    return out


def plain_name(name: str) -> str:
    """'Harlow District' -> 'Harlow'; 'Bicknacre and East and West Hanningfield Ward' -> '... Hanningfield'."""
    previous = None
    text = " ".join(name.split())
    while previous != text:
        previous, text = text, SUFFIX.sub("", text)
    return text
