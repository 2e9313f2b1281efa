"""NHS Digital 'Patients Registered at a GP Practice': list sizes and the practice-to-PCN map."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.sheets import to_temp_table
from pipeline.readers.textcsv import column_lookup, parse_number, read_csv
from pipeline.readers.ods import ODS_CODE
from pipeline.rejects import Rejects

LIST_ALIASES = {"practice_code": ("CODE", "PRACTICE_CODE"), "extract_date": ("EXTRACT_DATE",), "sex": ("SEX",),
                "age": ("AGE",), "patients": ("NUMBER_OF_PATIENTS",)}
LIST_SCHEMA = pa.schema([("practice_code", pa.string()), ("extract_date", pa.string()), ("list_size", pa.int64()),
                         ("source_row", pa.int64())])
PCN_ALIASES = {"practice_code": ("PRACTICE_CODE",), "pcn_code": ("PCN_CODE",), "pcn_name": ("PCN_NAME",),
               "extract_date": ("EXTRACT_DATE",)}
PCN_SCHEMA = pa.schema([("practice_code", pa.string()), ("pcn_code", pa.string()), ("pcn_name", pa.string()),
                        ("extract_date", pa.string()), ("source_row", pa.int64())])


def read_list_sizes(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Total registered patients per practice (rows for all ages and both sexes) into ``gp_list_sizes``."""
    table = read_csv(located.path, located.label, required=("NUMBER_OF_PATIENTS",))
    cols = column_lookup(table, LIST_ALIASES)
    rejects, rows, seen = Rejects(), [], set()
    for line, values in table.rows:
        rec = {k: (values[i].strip() if i is not None and i < len(values) else "") for k, i in cols.items()}
        try:
            patients = parse_number(rec["patients"])
        except ValueError:
            patients = None
        if (rec["sex"] and rec["sex"] != "ALL") or (rec["age"] and rec["age"] != "ALL"):
            rejects.add(table.label, line, "SEX", f"{rec['sex']}/{rec['age']}", "not a total (sex and age must be ALL)",
                        "out_of_scope")
        elif not ODS_CODE.match(rec["practice_code"]):
            rejects.add(table.label, line, "CODE", rec["practice_code"], "malformed practice code")
        elif patients is None or patients < 0 or patients != int(patients):
            rejects.add(table.label, line, "NUMBER_OF_PATIENTS", rec["patients"], "not a whole, non-negative count")
        elif rec["practice_code"] in seen:
            rejects.add(table.label, line, "CODE", rec["practice_code"], "duplicate practice (first row kept)", "duplicate")
        else:
            seen.add(rec["practice_code"])
            rows.append({"practice_code": rec["practice_code"], "extract_date": rec["extract_date"],
                         "list_size": int(patients), "source_row": line})
    to_temp_table(con, "gp_list_sizes", rows, LIST_SCHEMA)
    return Read("gp_list_sizes", len(table.rows), rejects, primary=(table.label,))


def read_pcn_mapping(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Practice to Primary Care Network into ``gp_pcn``."""
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
            rows.append(rec | {"pcn_code": rec["pcn_code"] or None, "pcn_name": " ".join(rec["pcn_name"].split()) or None,
                               "source_row": line})
    to_temp_table(con, "gp_pcn", rows, PCN_SCHEMA)
    return Read("gp_pcn", len(table.rows), rejects, primary=(table.label,))
