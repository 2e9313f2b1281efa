"""NHS 'Patients Registered at a GP Practice': list sizes and the practice-to-PCN map.

The totals file (``gp-reg-pat-prac-all.csv``) changed layout when CCGs became Sub-ICB locations:
January 2021 has ``CCG_CODE, ONS_CCG_CODE`` and dates like ``01JAN2021``; April 2026 has
``SUB_ICB_LOCATION_CODE, ONS_SUB_ICB_LOCATION_CODE`` and ``2026-04-01``. One reader takes both and
keeps the extract date as an ISO date, so every output can say which month the lists describe.
"""

from __future__ import annotations

import duckdb

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.duckcsv import load_csv, reject_problems
from pipeline.readers.later_copies import keep_first_copy
from pipeline.rejects import Rejects
from pipeline.sqlfiles import sql

LIST_FIELDS = {
    "practice_code": ("CODE", "PRACTICE_CODE"),
    "extract_date": ("EXTRACT_DATE",),
    "type": ("TYPE",),
    "subicb_code": ("SUB_ICB_LOCATION_CODE", "CCG_CODE"),
    "subicb_ons_code": ("ONS_SUB_ICB_LOCATION_CODE", "ONS_CCG_CODE"),
    "sex": ("SEX",),
    "age": ("AGE",),
    "patients": ("NUMBER_OF_PATIENTS",),
}
PCN_FIELDS = {
    "practice_code": ("PRACTICE_CODE",),
    "pcn_code": ("PCN_CODE",),
    "pcn_name": ("PCN_NAME",),
    "extract_date": ("EXTRACT_DATE",),
    "ccg_code": ("CCG_CODE", "SUB_ICB_LOCATION_CODE"),
    "ccg_name": ("CCG_NAME", "SUB_ICB_LOCATION_NAME"),
    "stp_code": ("STP_CODE", "ICB_CODE"),
    "stp_name": ("STP_NAME", "ICB_NAME"),
}
# The extract date as the files write it: '2026-04-01', '01JAN2021' or '01Jan2022', '01/04/2026'.
DATE_FORMATS = ["%Y-%m-%d", "%d%b%Y", "%d/%m/%Y"]


def read_list_sizes(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Total registered patients per practice (rows for all ages and both sexes) into ``gp_list_sizes``.

    A file describes one month: rows dated otherwise than its first kept row are rejected, so no
    practice's list is silently from another month."""
    table = load_csv(
        con,
        located.path,
        located.label,
        "gp_list_sizes_text",
        LIST_FIELDS,
        required={
            "patients": LIST_FIELDS["patients"],
            "extract_date": LIST_FIELDS["extract_date"],
            "practice_code": LIST_FIELDS["practice_code"],
        },
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE gp_list_sizes_checked AS " + sql("gp_list_sizes_checked"),
        {"date_formats": DATE_FORMATS},
    )
    rejects = Rejects()
    reject_problems(con, rejects, "gp_list_sizes_checked", table.label)
    keep_first_copy(
        con,
        rejects,
        "gp_list_sizes_checked",
        key="practice_code",
        field="CODE",
        label=table.label,
        reason="duplicate practice (first row kept)",
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE gp_list_sizes AS
        SELECT practice_code, extract_date, list_size, subicb_code, subicb_ons_code, $label AS source_file,
               row_number AS source_row
        FROM gp_list_sizes_checked WHERE problem IS NULL ORDER BY row_number""",
        {"label": table.label},
    )
    month = con.execute("SELECT min(extract_date) FROM gp_list_sizes").fetchone()[0]
    return Read("gp_list_sizes", table.rows_in(con), rejects, primary=(table.label,), counts={"extract_date": month})


def read_pcn_mapping(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Practice to Primary Care Network into ``gp_pcn``, with the CCG (now Sub-ICB location) and STP
    (now ICB) codes and names the file gives; a practice listed twice keeps its first row."""
    table = load_csv(
        con,
        located.path,
        located.label,
        "gp_pcn_text",
        PCN_FIELDS,
        required={k: PCN_FIELDS[k] for k in ("practice_code", "pcn_code", "pcn_name")},
    )
    con.execute("CREATE OR REPLACE TEMP TABLE gp_pcn_checked AS " + sql("gp_pcn_checked"))
    rejects = Rejects()
    reject_problems(con, rejects, "gp_pcn_checked", table.label)
    keep_first_copy(
        con,
        rejects,
        "gp_pcn_checked",
        key="practice_code",
        field="PRACTICE_CODE",
        label=table.label,
        reason="duplicate practice (first row kept)",
    )
    con.execute(f"""CREATE OR REPLACE TEMP VIEW gp_pcn AS
        SELECT {", ".join(PCN_FIELDS)}, row_number AS source_row FROM gp_pcn_checked WHERE problem IS NULL""")
    return Read("gp_pcn", table.rows_in(con), rejects, primary=(table.label,))
