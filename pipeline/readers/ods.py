"""NHS Organisation Data Service files: epraccur (GP practices) and ebranchs (branch surgeries).

Both are headerless CSVs in the ODS 27-column layout. Only the columns the pipeline uses
are named here; the full list is in the ODS specification.
"""

from __future__ import annotations

import re
import zipfile

import duckdb
import pyarrow as pa

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located, extract_zip
from pipeline.paths import Paths
from pipeline.readers import Read
from pipeline.readers.sheets import to_temp_table
from pipeline.readers.textcsv import normalise_postcode, read_csv
from pipeline.rejects import Rejects

WIDTH = 27
# 0-based positions in the ODS layout.
CODE, NAME, ADDRESS, POSTCODE, OPEN_DATE, CLOSE_DATE, STATUS, SUBTYPE, COMMISSIONER = 0, 1, slice(4, 9), 9, 10, 11, 12, 13, 14
PARENT, LEFT_PARENT, PHONE, SETTING = 14, 16, 17, 25
# epraccur: "High Level Health Geography" (the ICB, e.g. QM7) and "Commissioner" (the Sub-ICB location,
# e.g. 06K). In ebranchs the commissioner's column holds the parent practice instead.
HIGH_LEVEL_GEOGRAPHY = 3
ODS_CODE = re.compile(r"^[A-Z0-9]{3,10}$")
DATE = re.compile(r"^\d{8}$")

STATUS_NAMES = {"A": "active", "C": "closed", "D": "dormant", "P": "proposed"}
SETTING_NAMES = {
    "0": "other", "1": "walk-in centre", "2": "out of hours", "3": "walk-in centre and out of hours",
    "4": "GP practice", "8": "public health service", "9": "community health service", "10": "hospital service",
    "11": "optometry service", "12": "urgent and emergency care", "13": "hospice", "14": "care home / nursing home",
    "15": "border force", "16": "young offender institution", "17": "secure training centre",
    "18": "secure children's home", "19": "immigration removal centre", "20": "court", "21": "police custody",
    "22": "sexual assault referral centre", "24": "other justice estate", "25": "prison", "26": "primary care network",
    "27": "primary care network hub",
}

SCHEMA = pa.schema([
    ("site_code", pa.string()), ("name", pa.string()), ("address", pa.string()), ("postcode", pa.string()),
    ("open_date", pa.string()), ("close_date", pa.string()), ("status", pa.string()), ("status_name", pa.string()),
    ("prescribing_setting", pa.string()), ("setting_name", pa.string()), ("parent_code", pa.string()), ("left_parent_date", pa.string()),
    ("phone", pa.string()), ("icb_code", pa.string()), ("commissioner_code", pa.string()), ("source_file", pa.string()),
    ("source_row", pa.int64()),
])


def _csv_path(located: Located, paths: Paths):
    if located.path.suffix.lower() != ".zip":
        return located.path, located.label
    folder = extract_zip(located.path, paths.raw / "_extracted", label=located.label)
    csvs = sorted(folder.rglob("*.csv"))
    if len(csvs) != 1:
        raise SourceFormatError(located.label, f"expected one CSV in the archive, found {len(csvs)}")
    return csvs[0], f"{located.label}!{csvs[0].relative_to(folder)}"


def _read(con: duckdb.DuckDBPyConnection, located: Located, paths: Paths, table_name: str) -> tuple[str, int, Rejects]:
    """All rows of an ODS file with a valid code, name and postcode format, in a temp table."""
    path, label = _csv_path(located, paths)
    try:
        table = read_csv(path, label, header=False, expected_width=WIDTH)
    except zipfile.BadZipFile as exc:  # pragma: no cover - extract_zip reports this first
        raise SourceFormatError(label, str(exc)) from exc
    rejects, rows, seen = Rejects(), [], set()
    for line, v in table.rows:
        code = v[CODE].strip()
        postcode = normalise_postcode(v[POSTCODE])
        if not ODS_CODE.match(code):
            rejects.add(label, line, "Organisation Code", code, "malformed ODS code")
        elif not v[NAME].strip():
            rejects.add(label, line, "Name", v[NAME], "missing name")
        elif postcode is None:
            rejects.add(label, line, "Postcode", v[POSTCODE], "malformed postcode")
        elif v[OPEN_DATE].strip() and not DATE.match(v[OPEN_DATE].strip()):
            rejects.add(label, line, "Open Date", v[OPEN_DATE], "not a YYYYMMDD date")
        elif code in seen:
            rejects.add(label, line, "Organisation Code", code, "duplicate code (first row kept)", "duplicate")
        else:
            seen.add(code)
            rows.append({
                "site_code": code, "name": " ".join(v[NAME].split()),
                "address": ", ".join(" ".join(part.split()) for part in v[ADDRESS] if part.strip()),
                "postcode": postcode, "open_date": v[OPEN_DATE].strip() or None,
                "close_date": v[CLOSE_DATE].strip() or None, "status": v[STATUS].strip() or None,
                "status_name": STATUS_NAMES.get(v[STATUS].strip(), "unknown"),
                "prescribing_setting": v[SETTING].strip() or None,
                "setting_name": SETTING_NAMES.get(v[SETTING].strip(), "unknown"), "parent_code": v[PARENT].strip() or None,
                "left_parent_date": v[LEFT_PARENT].strip() or None, "phone": v[PHONE].strip() or None,
                "icb_code": v[HIGH_LEVEL_GEOGRAPHY].strip() or None, "commissioner_code": v[COMMISSIONER].strip() or None,
                "source_file": label, "source_row": line,
            })
    to_temp_table(con, table_name, rows, SCHEMA)
    return label, len(table.rows), rejects


def read_epraccur(con: duckdb.DuckDBPyConnection, located: Located, paths: Paths) -> Read:
    """GP practices into temp table ``epraccur`` (every well-formed row; scope is decided later)."""
    label, rows_in, rejects = _read(con, located, paths, "epraccur")
    return Read("epraccur", rows_in, rejects, primary=(label,))


def read_ebranchs(con: duckdb.DuckDBPyConnection, located: Located, paths: Paths) -> Read:
    """Branch surgeries into temp table ``ebranchs``; ``parent_code`` is the practice they belong to."""
    label, rows_in, rejects = _read(con, located, paths, "ebranchs")
    return Read("ebranchs", rows_in, rejects, primary=(label,))
