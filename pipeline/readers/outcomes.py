"""Outcome tables a user drops into ``data/raw/outcomes/`` to test the scores against.

Layout (docs/METHOD.md, "Validation"): optional comment lines first, ``# source: <who published
it, what, which release>`` (required) and ``# licence: <licence line>``; then a header row with
an LSOA code column (``lsoa21cd``/``LSOA21CD``/``LSOA code (2021)`` or the 2011 equivalents) and
exactly one numeric outcome column (its name names the outcome); then one row per LSOA.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located
from pipeline.readers.keyed import KeyedRows
from pipeline.readers.textcsv import CsvFile, decode, is_lsoa_code, normalise_header, parse_number

CODE_COLUMNS = {2021: ("lsoa21cd", "lsoa21_code", "lsoa code (2021)", "lsoa_code_2021"),
                2011: ("lsoa11cd", "lsoa11_code", "lsoa code (2011)", "lsoa_code_2011")}
NAME_COLUMNS = ("lsoa21nm", "lsoa11nm", "lsoa name (2021)", "lsoa name (2011)", "name")


@dataclass
class OutcomeFile:
    label: str
    outcome: str  # the outcome column's name
    stated_source: str
    stated_licence: str | None
    code_year: int
    values: dict[str, float]
    rows: KeyedRows


def read_outcome_file(located: Located) -> OutcomeFile:
    text, _ = decode(located.path.read_bytes(), located.label)
    comments, body_start = {}, 0
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if not line.startswith("#"):
            body_start = i
            break
        match = re.match(r"#\s*(source|licence|license)\s*:\s*(.+)", line.strip(), re.I)
        if match:
            comments[match[1].lower().replace("license", "licence")] = match[2].strip()
    else:
        body_start = len(lines)
    if "source" not in comments:
        raise SourceFormatError(located.label, "no '# source: ...' line naming who published the outcome", row=1)
    table = _body(located, "".join(lines[body_start:]), body_start)
    header = [normalise_header(h) for h in table.header]
    year = next((y for y, names in CODE_COLUMNS.items() if any(n in header for n in names)), None)
    if year is None:
        raise SourceFormatError(table.label, "no LSOA code column (lsoa21cd or lsoa11cd, or 'LSOA code (2021)' / "
                                "'(2011)')", row=body_start + 1, field="lsoa21cd")
    code_at = next(header.index(n) for n in CODE_COLUMNS[year] if n in header)
    others = [i for i, h in enumerate(header) if i != code_at and h not in NAME_COLUMNS]
    if len(others) != 1:
        raise SourceFormatError(table.label, f"expected one outcome column besides the code and name, found "
                                f"{len(others)}: {', '.join(table.header[i] for i in others) or 'none'}",
                                row=body_start + 1)
    at = others[0]
    rows = KeyedRows(table.label, table.header[code_at])
    for line, values in table.rows:
        rows.seen()
        code = values[code_at].strip() if code_at < len(values) else ""
        raw = values[at].strip() if at < len(values) else ""
        if not is_lsoa_code(code):
            rows.reject(line, table.header[code_at], code, "malformed LSOA code", key=code or None)
            continue
        try:
            value = parse_number(raw)
        except ValueError:
            value = None
        if value is None:
            rows.reject(line, table.header[at], raw, "not a number", key=code)
            continue
        rows.keep(line, code, (code, raw), {"value": value})
    return OutcomeFile(table.label, table.header[at], comments["source"], comments.get("licence"), year,
                       {k: r["value"] for k, r in rows.by_key().items()}, rows)


def _body(located: Located, text: str, offset: int) -> CsvFile:
    """The table after the comment lines, with row numbers counted from the top of the file."""
    import csv

    reader = csv.reader(io.StringIO(text, newline=""))
    records = [(reader.line_num + offset, v) for v in reader if v and any(x.strip() for x in v)]
    if not records:
        raise SourceFormatError(located.label, "no header row after the comment lines", row=offset + 1)
    head = [h.strip() for h in records[0][1]]
    return CsvFile(located.label, "utf-8", head, records[1:])
