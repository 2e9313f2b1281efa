"""Ofcom Connected Nations figures by local authority, as republished by ONS ("Explore local
statistics"): one CSV per indicator and ONS period label, plus ``periods.csv``, the metadata ONS
published with each file (Ofcom source date and an "as of <month> <year>" description).

File names are ``<indicator>_<ONS label>.csv``; ``subnational-indicators_<year>.csv`` holds
several indicators, told apart by its Indicator column. Headers vary between ONS releases
(AREACD/areacd, Value/Observation) and are matched case-insensitively.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
import duckdb
import pyarrow as pa

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.sheets import to_temp_table
from pipeline.readers.textcsv import column_lookup, parse_number, read_csv
from pipeline.rejects import Rejects

# File-name prefix -> our indicator. ONS renamed the mobile folders in 2026.
INDICATOR_FILES = {
    "gigabit-capable-broadband": "gigabit_capable_pct",
    "premises-below-30": "premises_below_30_pct",
    "4g-coverage": "coverage_4g_area_pct",
    "network-coverage-4g": "coverage_4g_area_pct",
    "5g-coverage": "coverage_5g_area_pct",
    "network-coverage-5g": "coverage_5g_area_pct",
}
# subnational-indicators rows, by their Indicator text.
SUBNATIONAL = {
    "percentage of premises with gigabit-capable broadband": "gigabit_capable_pct",
    "percentage of 4g (and 5g) coverage by at least one mobile network operator": "coverage_4g_area_pct",
}
LABELS = {
    "gigabit_capable_pct": "Premises with gigabit-capable broadband (%)",
    "premises_below_30_pct": "Premises without a service above 30 Mbit/s (%)",
    "coverage_4g_area_pct": "Land area with outdoor 4G from at least one operator (%)",
    "coverage_5g_area_pct": "Land area with outdoor 5G from at least one operator (%)",
}
UNITS = {k: "% of premises" if k in ("gigabit_capable_pct", "premises_below_30_pct") else "% of land area"
         for k in LABELS}
FILE_NAME = re.compile(r"^(?P<prefix>[a-z0-9-]+)_(?P<label>\d{4}(-\d{2}(-\d{2})?)?)\.csv$")
ALIASES = {"area_code": ("AREACD",), "area_name": ("AREANM",), "geography": ("Geography",),
           "indicator_text": ("Indicator",), "value": ("Value", "Observation")}
PERIOD_ALIASES = {"file": ("file",), "source_commit": ("source_commit",), "commit_date": ("commit_date",),
                  "ofcom_source_date": ("ofcom_source_date",), "ons_description": ("ons_description",)}
SCHEMA = pa.schema([
    ("file", pa.string()), ("ons_label", pa.string()), ("indicator", pa.string()), ("area_code", pa.string()),
    ("area_name", pa.string()), ("geography", pa.string()), ("value", pa.float64()), ("source_row", pa.int64()),
])
PERIOD_SCHEMA = pa.schema([(k, pa.string()) for k in PERIOD_ALIASES])


@dataclass(frozen=True)
class SeriesFile:
    located: Located
    prefix: str
    label: str


def classify(files: list[Located], rejects: Rejects) -> tuple[list[SeriesFile], Located | None]:
    """Split the folder into data files and periods.csv; unknown names go to rejects."""
    data, periods = [], None
    for located in files:
        name = located.path.name
        if name == "periods.csv":
            periods = located
            continue
        match = FILE_NAME.match(name)
        if not match or (match["prefix"] not in INDICATOR_FILES and match["prefix"] != "subnational-indicators"):
            rejects.add(located.label, None, "file name", name,
                        "not a known indicator file (<indicator>_<period>.csv)", "out_of_scope")
            continue
        data.append(SeriesFile(located, match["prefix"], match["label"]))
    return data, periods


def read_periods(con: duckdb.DuckDBPyConnection, located: Located | None) -> None:
    """Temp table ``series_periods`` (file -> published metadata); empty when periods.csv is absent."""
    rows = []
    if located is not None:
        table = read_csv(located.path, located.label, required=("file", "ons_description"))
        cols = column_lookup(table, PERIOD_ALIASES)
        rows = [{k: (v[i].strip() or None) if i is not None and i < len(v) else None for k, i in cols.items()}
                for _, v in table.rows]
    to_temp_table(con, "series_periods", rows, PERIOD_SCHEMA)


def read_local_indicators(con: duckdb.DuckDBPyConnection, files: list[Located]) -> Read:
    """Every row of every indicator file into temp table ``series_raw`` (one row per file, area, indicator)."""
    rejects = Rejects()
    data, periods = classify(files, rejects)
    if not data:
        raise SourceFormatError("ons-local-indicators/", "no indicator files found")
    read_periods(con, periods)
    rows, rows_in, primary = [], 0, []
    for item in data:
        table = read_csv(item.located.path, item.located.label, required=("AREACD",))
        cols = column_lookup(table, ALIASES)
        if cols["value"] is None:
            raise SourceFormatError(item.located.label, f"no Value or Observation column (header has: {', '.join(table.header)})",
                                    row=1, field="Value")
        primary.append(item.located.label)
        for line, values in table.rows:
            rows_in += 1
            rec = {k: (values[i].strip() if i is not None and i < len(values) else "") for k, i in cols.items()}
            if item.prefix == "subnational-indicators":
                indicator = SUBNATIONAL.get(rec["indicator_text"].lower())
                if indicator is None:
                    rejects.add(item.located.label, line, "Indicator", rec["indicator_text"], "indicator not used here",
                                "out_of_scope")
                    continue
            else:
                indicator = INDICATOR_FILES[item.prefix]
            try:
                value = parse_number(rec["value"])
            except ValueError:
                value = None
            code = rec["area_code"]
            if not re.fullmatch(r"[A-Z]\d{8}", code):
                rejects.add(item.located.label, line, "AREACD", code, "malformed area code")
            elif value is None or not 0 <= value <= 100:
                rejects.add(item.located.label, line, table.header[cols["value"]], rec["value"],
                            "not a percentage in 0-100")
            else:
                rows.append({"file": item.located.path.name, "ons_label": item.label, "indicator": indicator,
                             "area_code": code, "area_name": " ".join(rec["area_name"].split()),
                             "geography": rec["geography"], "value": value, "source_row": line})
    to_temp_table(con, "series_raw", rows, SCHEMA)
    return Read("series_raw", rows_in, rejects, primary=tuple(primary), rows_kept=len(rows),
                notes={"files_read": len(data), "periods_file": periods.label if periods else None})


def stated_snapshot(description: str | None) -> str | None:
    """'... in the UK, as of July 2025.' -> '2025-07'."""
    if not description:
        return None
    match = re.search(r"as of (January|February|March|April|May|June|July|August|September|October|November|December)"
                      r" (\d{4})", description)
    if not match:
        return None
    month = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"].index(match[1]) + 1
    return f"{match[2]}-{month:02d}"


def label_snapshot(label: str) -> str:
    """ONS label '2026-01-01' or '2023-05' -> '2026-01' / '2023-05'; a bare year stays a year."""
    return label[:7]
