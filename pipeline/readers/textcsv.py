"""Small CSV files read in Python, with the checks every reader needs.

Publishers' files arrive as UTF-8, UTF-8 with a byte-order mark, or Windows cp1252; some are
headerless, some quote everything. Anything that makes the file unreadable as a whole (empty
file, wrong delimiter, missing column) is an error naming the file, row and field. Row-level
problems are left to the reader, which sends them to rejects.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import SourceFormatError

OTHER_DELIMITERS = (";", "\t", "|")


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
            raise SourceFormatError(label, f"bytes are neither UTF-8 nor cp1252 (offset {exc.start})", row=line) from exc


def normalise_header(name: str) -> str:
    """Case-, space- and BOM-insensitive form of a column name, for alias matching."""
    return re.sub(r"\s+", " ", name.replace("\ufeff", "").strip()).lower()


@dataclass
class CsvFile:
    label: str
    encoding: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number in the file, values)

    def index(self, column: str) -> int:
        return self.header.index(column)


def read_csv(path: Path, label: str, *, header: bool = True, expected_width: int | None = None,
             required: tuple[str, ...] = ()) -> CsvFile:
    """Read a whole small CSV, raising for problems that make it unusable.

    ``required`` columns are matched with ``normalise_header``; the returned header keeps
    the publisher's spelling.
    """
    text, encoding = decode(path.read_bytes(), label)
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    try:
        for values in reader:
            if not values or all(not v.strip() for v in values):
                continue
            records.append((reader.line_num, values))
    except csv.Error as exc:
        raise SourceFormatError(label, f"not valid CSV: {exc}", row=reader.line_num) from exc
    if not records:
        raise SourceFormatError(label, "file has no rows", row=1)

    if header:
        head_line, head = records[0]
        head = [h.replace("\ufeff", "").strip() for h in head]
        body = records[1:]
        _check_delimiter(label, head_line, head)
        normalised = [normalise_header(h) for h in head]
        for column in required:
            if normalise_header(column) not in normalised:
                raise SourceFormatError(label, f"required column is missing (header has: {', '.join(head)})",
                                        row=head_line, field=column)
    else:
        head, body = [], records
        if body:
            _check_delimiter(label, body[0][0], body[0][1], expected_width)
    if expected_width is not None:
        for line, values in body:
            if len(values) != expected_width:
                raise SourceFormatError(label, f"expected {expected_width} fields, found {len(values)}", row=line)
    return CsvFile(label=label, encoding=encoding, header=head, rows=body)


def header_row(path: Path, label: str) -> list[str]:
    """The first row of a CSV file, read without reading the rest (its names as published)."""
    with path.open("rb") as fh:
        first = fh.read(1 << 20).split(b"\n", 1)[0].rstrip(b"\r")
    text, _ = decode(first, label)
    try:
        return next(csv.reader([text]))
    except csv.Error as exc:
        raise SourceFormatError(label, f"header is not valid CSV: {exc}", row=1) from exc


def _check_delimiter(label: str, line: int, values: list[str], expected_width: int | None = None) -> None:
    if len(values) == 1 and (expected_width is None or expected_width > 1):
        for delim in OTHER_DELIMITERS:
            if delim in values[0]:
                shown = {"\t": "tab"}.get(delim, delim)
                raise SourceFormatError(label, f"file appears to be {shown!r}-delimited; expected commas", row=line)


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


def column_lookup(csvfile: CsvFile, aliases: dict[str, tuple[str, ...]]) -> dict[str, int | None]:
    """Map canonical field names to column positions through an alias table."""
    normalised = [normalise_header(h) for h in csvfile.header]
    found: dict[str, int | None] = {}
    for canonical, names in aliases.items():
        found[canonical] = next((p for p in (_position(normalised, n) for n in names) if p is not None), None)
    return found


def require_columns(csvfile: CsvFile, any_of: dict[str, tuple[str, ...]]) -> None:
    """Each entry needs one of its spellings in the header; else an error naming the file and column."""
    normalised = [normalise_header(h) for h in csvfile.header]
    for shown, names in any_of.items():
        if all(_position(normalised, n) is None for n in names):
            also = f" (or {', '.join(n for n in names if n != shown)})" if len(names) > 1 else ""
            raise SourceFormatError(csvfile.label, f"required column is missing{also}; header has: "
                                    f"{', '.join(csvfile.header[:12])}{' ...' if len(csvfile.header) > 12 else ''}",
                                    row=1, field=shown)


LSOA_CODE = re.compile(r"^[EW]01\d{6}$")
GSS_CODE = re.compile(r"^[A-Z]\d{8}$")


def is_lsoa_code(code: str) -> bool:
    """An English or Welsh LSOA code (2011 or 2021), e.g. E01021819."""
    return bool(LSOA_CODE.match(code or ""))


def is_gss_code(code: str) -> bool:
    return bool(GSS_CODE.match(code or ""))


def iter_dicts(csvfile: CsvFile) -> Iterator[tuple[int, dict[str, str]]]:
    for line, values in csvfile.rows:
        yield line, dict(zip(csvfile.header, values))


POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")


def normalise_postcode(raw: str | None) -> str | None:
    """``"cm20  1aa"`` -> ``"CM20 1AA"``; None when it is not a well-formed UK postcode."""
    if raw is None:
        return None
    compact = re.sub(r"\s+", "", raw).upper()
    if not 5 <= len(compact) <= 7:
        return None
    candidate = f"{compact[:-3]} {compact[-3:]}"
    return candidate if POSTCODE.match(candidate) else None


def parse_number(raw: str | None) -> float | None:
    """A plain number, allowing thousands separators; raises ValueError otherwise."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip().replace(",", "")
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text):
        raise ValueError(raw)
    return float(text)
