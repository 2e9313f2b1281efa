"""Ofcom July 2024 coverage as postcode-district means (sahilsayed-ielts/broadbandpicker).

Each value is the unweighted mean, over a postcode district's postcodes, of Ofcom's
per-postcode "% of premises" figure, rounded to 1 dp; ``sampleSize`` is the number of
postcodes. Read from the mirror's CSV, or from the repository's JSON when downloaded.
"""

from __future__ import annotations

import json
import re

import duckdb
import pyarrow as pa

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.sheets import to_temp_table
from pipeline.readers.textcsv import decode, parse_number, read_csv
from pipeline.rejects import Rejects

RELEASE = "2024-07"
DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
# JSON key -> canonical field (same names as the Ofcom alias table).
FIELDS = {
    "gigabitPercent": "gigabit_pct", "superfastPercent": "sfbb_pct", "ultrafastPercent": "ufbb_pct",
    "belowUsoPercent": "below_uso_pct", "ngaPercent": "nga_pct",
}
SCHEMA = pa.schema([("key", pa.string()), ("release", pa.string()), ("postcode_area", pa.string()),
                    ("sample_postcodes", pa.int64())] + [(f, pa.float64()) for f in FIELDS.values()]
                   + [("source_file", pa.string()), ("source_row", pa.int64())])


def _records(located: Located) -> list[tuple[int, dict[str, str]]]:
    if located.path.suffix.lower() == ".json":
        text, _ = decode(located.path.read_bytes(), located.label)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceFormatError(located.label, f"not valid JSON: {exc.msg}", row=exc.lineno) from exc
        items = data.items() if isinstance(data, dict) else ((d.get("district"), d) for d in data)
        return [(i, {"district": str(k)} | {kk: "" if vv is None else str(vv) for kk, vv in v.items()})
                for i, (k, v) in enumerate(items, start=1)]
    table = read_csv(located.path, located.label, required=("district", "sampleSize", *FIELDS))
    return [(line, dict(zip(table.header, values))) for line, values in table.rows]


def read_ofcom_district(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Postcode-district means into temp table ``ofcom_district`` (key = postcode district)."""
    rejects, rows, seen = Rejects(), [], {}
    records = _records(located)
    for line, rec in records:
        district = (rec.get("district") or "").strip().upper()
        problem = None
        values: dict[str, float | None] = {}
        if not DISTRICT.match(district):
            problem = ("district", district, "malformed postcode district")
        for key, field in FIELDS.items():
            if problem:
                break
            raw = rec.get(key, "")
            try:
                value = parse_number(raw)
            except ValueError:
                problem = (key, raw, "not a number")
                break
            if value is not None and not 0 <= value <= 100:
                problem = (key, raw, "outside 0-100")
            values[field] = value
        try:
            sample = parse_number(rec.get("sampleSize", ""))
        except ValueError:
            sample = -1
        if not problem and (sample is None or sample < 1 or sample != int(sample)):
            problem = ("sampleSize", rec.get("sampleSize"), "not a positive whole number of postcodes")
        if problem:
            rejects.add(located.label, line, *problem)
            continue
        row = {"key": district, "release": RELEASE, "postcode_area": (rec.get("postcodeArea") or "").strip() or None,
               "sample_postcodes": int(sample), **values, "source_file": located.label, "source_row": line}
        if district in seen:
            same = all(seen[district][f] == row[f] for f in FIELDS.values())
            rejects.add(located.label, line, "district", district,
                        "duplicate (identical values; first row kept)" if same else "duplicate with conflicting values",
                        "duplicate")
            if not same:
                seen[district]["_conflict"] = True
            continue
        seen[district] = row
        rows.append(row)
    kept = []
    for row in rows:
        if row.pop("_conflict", False):
            rejects.add(located.label, row["source_row"], "district", row["key"], "duplicate with conflicting values",
                        "duplicate")
        else:
            kept.append(row)
    to_temp_table(con, "ofcom_district", sorted(kept, key=lambda r: r["key"]), SCHEMA)
    return Read("ofcom_district", len(records), rejects, primary=(located.label,))
