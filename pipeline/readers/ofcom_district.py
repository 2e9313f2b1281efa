"""Ofcom July 2024 coverage as postcode-district means (sahilsayed-ielts/broadbandpicker).

Each value is the unweighted mean, over a postcode district's postcodes, of Ofcom's
per-postcode "% of premises" figure, rounded to 1 dp; ``sampleSize`` is the number of
postcodes. Read from the mirror's CSV, or from the repository's JSON when downloaded (its
values go into DuckDB as text, like the CSV's, and one checked SQL file types both).
"""

from __future__ import annotations

import json

import duckdb

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.duckcsv import TextTable, decode, load_csv, load_rows, reject_problems
from pipeline.rejects import Rejects
from pipeline.sqlfiles import sql

RELEASE = "2024-07"
# Our field -> the file's column (JSON key); the figures are named as in the Ofcom alias table.
FIELDS = {
    "district": ("district",),
    "postcode_area": ("postcodeArea",),
    "sample_size": ("sampleSize",),
    "gigabit": ("gigabitPercent",),
    "superfast": ("superfastPercent",),
    "ultrafast": ("ultrafastPercent",),
    "below_uso": ("belowUsoPercent",),
    "nga": ("ngaPercent",),
}


def _json_rows(con: duckdb.DuckDBPyConnection, located: Located) -> TextTable:
    """The repository's JSON (a list of records, or records keyed by district) as rows of text."""
    text, _ = decode(located.path.read_bytes(), located.label)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceFormatError(located.label, f"not valid JSON: {exc.msg}", row=exc.lineno) from exc
    items = data.items() if isinstance(data, dict) else ((d.get("district"), d) for d in data)
    header = [spellings[0] for spellings in FIELDS.values()]
    rows = []
    for i, (district, record) in enumerate(items, start=1):
        record = {"district": district} | {k: v for k, v in record.items() if k != "district"}
        rows.append((i, [None if record.get(h) is None else str(record.get(h)) for h in header]))
    return load_rows(con, rows, located.label, "ofcom_district_text", FIELDS, header)


def read_ofcom_district(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Postcode-district means into temp table ``ofcom_district`` (key = postcode district)."""
    if located.path.suffix.lower() == ".json":
        table = _json_rows(con, located)
    else:
        table = load_csv(
            con,
            located.path,
            located.label,
            "ofcom_district_text",
            FIELDS,
            required={k: v for k, v in FIELDS.items() if k != "postcode_area"},
        )
    con.execute("CREATE OR REPLACE TEMP TABLE ofcom_district_checked AS " + sql("ofcom_district_checked"))
    rejects = Rejects()
    reject_problems(con, rejects, "ofcom_district_checked", located.label)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE ofcom_district AS
        SELECT key, $release AS release, postcode_area, sample_postcodes, gigabit_pct, sfbb_pct, ufbb_pct,
               below_uso_pct, nga_pct, $label AS source_file, row_number AS source_row
        FROM ofcom_district_checked WHERE problem IS NULL ORDER BY key""",
        {"release": RELEASE, "label": located.label},
    )
    return Read("ofcom_district", table.rows_in(con), rejects, primary=(located.label,))
