"""NHS 'Patients Registered at a GP Practice': list sizes and the practice-to-PCN map.

The totals file (``gp-reg-pat-prac-all.csv``) changed layout when CCGs became Sub-ICB locations:
January 2021 has ``CCG_CODE, ONS_CCG_CODE`` and dates like ``01JAN2021``; April 2026 has
``SUB_ICB_LOCATION_CODE, ONS_SUB_ICB_LOCATION_CODE`` and ``2026-04-01``. One reader takes both and
keeps the extract date as an ISO date, so every output can say which month the lists describe.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import duckdb
import pyarrow as pa

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.ods import ODS_CODE
from pipeline.readers.sheets import to_temp_table
from pipeline.readers.textcsv import column_lookup, parse_number, read_csv, require_columns
from pipeline.rejects import Rejects

LIST_ALIASES = {"practice_code": ("CODE", "PRACTICE_CODE"), "extract_date": ("EXTRACT_DATE",), "type": ("TYPE",),
                "subicb_code": ("SUB_ICB_LOCATION_CODE", "CCG_CODE"),
                "subicb_ons_code": ("ONS_SUB_ICB_LOCATION_CODE", "ONS_CCG_CODE"), "sex": ("SEX",), "age": ("AGE",),
                "patients": ("NUMBER_OF_PATIENTS",)}
LIST_SCHEMA = pa.schema([("practice_code", pa.string()), ("extract_date", pa.string()), ("list_size", pa.int64()),
                         ("subicb_code", pa.string()), ("subicb_ons_code", pa.string()), ("source_file", pa.string()),
                         ("source_row", pa.int64())])
PCN_ALIASES = {"practice_code": ("PRACTICE_CODE",), "pcn_code": ("PCN_CODE",), "pcn_name": ("PCN_NAME",),
               "extract_date": ("EXTRACT_DATE",), "ccg_code": ("CCG_CODE", "SUB_ICB_LOCATION_CODE"),
               "ccg_name": ("CCG_NAME", "SUB_ICB_LOCATION_NAME"), "stp_code": ("STP_CODE", "ICB_CODE"),
               "stp_name": ("STP_NAME", "ICB_NAME")}
PCN_SCHEMA = pa.schema([("practice_code", pa.string()), ("pcn_code", pa.string()), ("pcn_name", pa.string()),
                        ("extract_date", pa.string()), ("ccg_code", pa.string()), ("ccg_name", pa.string()),
                        ("stp_code", pa.string()), ("stp_name", pa.string()), ("source_row", pa.int64())])
DATE_FORMATS = ("%Y-%m-%d", "%d%b%Y", "%d/%m/%Y")


def extract_date(raw: str) -> date | None:
    """'2026-04-01', '01JAN2021' or '01Jan2022' as a date; None if it is none of these."""
    text = raw.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.title() if re.search("[A-Za-z]", text) else text, fmt).date()
        except ValueError:
            continue
    return None


def read_list_sizes(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Total registered patients per practice (rows for all ages and both sexes) into ``gp_list_sizes``.

    A file describes one month: rows dated otherwise than its first dated row are rejected, so no
    practice's list is silently from another month."""
    table = read_csv(located.path, located.label, required=("NUMBER_OF_PATIENTS", "EXTRACT_DATE"))
    require_columns(table, {"CODE": LIST_ALIASES["practice_code"]})
    cols = column_lookup(table, LIST_ALIASES)
    rejects, rows, seen = Rejects(), [], set()
    month: date | None = None
    for line, values in table.rows:
        rec = {k: (values[i].strip() if i is not None and i < len(values) else "") for k, i in cols.items()}
        try:
            patients = parse_number(rec["patients"])
        except ValueError:
            patients = None
        when = extract_date(rec["extract_date"])
        if rec["type"] and rec["type"] != "GP":
            rejects.add(table.label, line, "TYPE", rec["type"], "not a practice row (TYPE must be GP)", "out_of_scope")
        elif (rec["sex"] and rec["sex"] != "ALL") or (rec["age"] and rec["age"] != "ALL"):
            rejects.add(table.label, line, "SEX", f"{rec['sex']}/{rec['age']}", "not a total (sex and age must be ALL)",
                        "out_of_scope")
        elif not ODS_CODE.match(rec["practice_code"]):
            rejects.add(table.label, line, "CODE", rec["practice_code"], "malformed practice code")
        elif when is None:
            rejects.add(table.label, line, "EXTRACT_DATE", rec["extract_date"], "not a date (e.g. 2026-04-01, 01JAN2021)")
        elif month is not None and when != month:
            rejects.add(table.label, line, "EXTRACT_DATE", rec["extract_date"],
                        f"extract date differs from the file's first row ({month.isoformat()})")
        elif patients is None or patients < 0 or patients != int(patients):
            rejects.add(table.label, line, "NUMBER_OF_PATIENTS", rec["patients"], "not a whole, non-negative count")
        elif rec["practice_code"] in seen:
            rejects.add(table.label, line, "CODE", rec["practice_code"], "duplicate practice (first row kept)", "duplicate")
        else:
            month = month or when
            seen.add(rec["practice_code"])
            rows.append({"practice_code": rec["practice_code"], "extract_date": when.isoformat(),
                         "list_size": int(patients), "subicb_code": rec["subicb_code"] or None,
                         "subicb_ons_code": rec["subicb_ons_code"] or None, "source_file": table.label,
                         "source_row": line})
    to_temp_table(con, "gp_list_sizes", rows, LIST_SCHEMA)
    return Read("gp_list_sizes", len(table.rows), rejects, primary=(table.label,),
                counts={"extract_date": month.isoformat() if month else None})


def read_pcn_mapping(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Practice to Primary Care Network into ``gp_pcn``, with the CCG (now Sub-ICB location) and STP
    (now ICB) codes and names the file gives."""
    table = read_csv(located.path, located.label, required=("PRACTICE_CODE", "PCN_CODE", "PCN_NAME"))
    cols = column_lookup(table, PCN_ALIASES)
    rejects, rows, seen = Rejects(), [], set()
    for line, values in table.rows:
        rec = {k: (values[i].strip() if i is not None and i < len(values) else "") for k, i in cols.items()}
        if not ODS_CODE.match(rec["practice_code"]):
            rejects.add(table.label, line, "PRACTICE_CODE", rec["practice_code"], "malformed practice code")
        elif rec["practice_code"] in seen:
            rejects.add(table.label, line, "PRACTICE_CODE", rec["practice_code"], "duplicate practice (first row kept)",
                        "duplicate")
        else:
            seen.add(rec["practice_code"])
            tidy = {k: (" ".join(v.split()) or None) for k, v in rec.items()}
            rows.append(tidy | {"practice_code": rec["practice_code"], "source_row": line})
    to_temp_table(con, "gp_pcn", rows, PCN_SCHEMA)
    return Read("gp_pcn", len(table.rows), rejects, primary=(table.label,))
