"""NHS Organisation Data Service files: epraccur (GP practices) and ebranchs (branch surgeries).

Both are headerless CSVs in the ODS 27-column layout. Only the columns the pipeline uses
are named here; the full list is in the ODS specification.
"""

from __future__ import annotations

import duckdb

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located, extract_zip
from pipeline.paths import Paths
from pipeline.readers import Read
from pipeline.readers.duckcsv import load_csv, reject_problems
from pipeline.readers.later_copies import keep_first_copy
from pipeline.rejects import Rejects
from pipeline.sqlfiles import sql

WIDTH = 27
# 0-based positions in the ODS layout of the columns read. epraccur's "High Level Health Geography"
# is the ICB (e.g. QM7) and its "Commissioner" the Sub-ICB location (e.g. 06K); in ebranchs the
# commissioner's column holds the parent practice instead.
POSITIONS = {
    "code": 0,
    "name": 1,
    "health_geography": 3,
    "address_1": 4,
    "address_2": 5,
    "address_3": 6,
    "address_4": 7,
    "address_5": 8,
    "postcode": 9,
    "open_date": 10,
    "close_date": 11,
    "status": 12,
    "commissioner": 14,
    "parent": 14,
    "left_parent": 16,
    "phone": 17,
    "setting": 25,
}

STATUS_NAMES = {"A": "active", "C": "closed", "D": "dormant", "P": "proposed"}
SETTING_NAMES = {
    "0": "other",
    "1": "walk-in centre",
    "2": "out of hours",
    "3": "walk-in centre and out of hours",
    "4": "GP practice",
    "8": "public health service",
    "9": "community health service",
    "10": "hospital service",
    "11": "optometry service",
    "12": "urgent and emergency care",
    "13": "hospice",
    "14": "care home / nursing home",
    "15": "border force",
    "16": "young offender institution",
    "17": "secure training centre",
    "18": "secure children's home",
    "19": "immigration removal centre",
    "20": "court",
    "21": "police custody",
    "22": "sexual assault referral centre",
    "24": "other justice estate",
    "25": "prison",
    "26": "primary care network",
    "27": "primary care network hub",
}

COLUMNS = (
    "site_code",
    "name",
    "address",
    "postcode",
    "open_date",
    "close_date",
    "status",
    "status_name",
    "prescribing_setting",
    "setting_name",
    "parent_code",
    "left_parent_date",
    "phone",
    "icb_code",
    "commissioner_code",
)


def _csv_path(located: Located, paths: Paths):
    if located.path.suffix.lower() != ".zip":
        return located.path, located.label
    folder = extract_zip(located.path, paths.raw / "_extracted", label=located.label)
    csvs = sorted(folder.rglob("*.csv"))
    if len(csvs) != 1:
        raise SourceFormatError(located.label, f"expected one CSV in the archive, found {len(csvs)}")
    return csvs[0], f"{located.label}!{csvs[0].relative_to(folder)}"


def _read(con: duckdb.DuckDBPyConnection, located: Located, paths: Paths, table_name: str) -> tuple[str, int, Rejects]:
    """All rows of an ODS file with a valid code, name and postcode format, in temp table ``table_name``."""
    path, label = _csv_path(located, paths)
    table = load_csv(con, path, label, "ods_text", {}, header=False, width=WIDTH, positions=POSITIONS)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ods_checked AS " + sql("ods_checked"),
        {
            "status_codes": list(STATUS_NAMES),
            "status_names": list(STATUS_NAMES.values()),
            "setting_codes": list(SETTING_NAMES),
            "setting_names": list(SETTING_NAMES.values()),
        },
    )
    rejects = Rejects()
    reject_problems(con, rejects, "ods_checked", label)
    keep_first_copy(
        con,
        rejects,
        "ods_checked",
        key="site_code",
        field="Organisation Code",
        label=label,
        reason="duplicate code (first row kept)",
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table_name} AS
        SELECT {", ".join(COLUMNS)}, $label AS source_file, row_number AS source_row
        FROM ods_checked WHERE problem IS NULL ORDER BY row_number""",
        {"label": label},
    )
    return label, table.rows_in(con), rejects


def read_epraccur(con: duckdb.DuckDBPyConnection, located: Located, paths: Paths) -> Read:
    """GP practices into temp table ``epraccur`` (every well-formed row; scope is decided later)."""
    label, rows_in, rejects = _read(con, located, paths, "epraccur")
    return Read("epraccur", rows_in, rejects, primary=(label,))


def read_ebranchs(con: duckdb.DuckDBPyConnection, located: Located, paths: Paths) -> Read:
    """Branch surgeries into temp table ``ebranchs``; ``parent_code`` is the practice they belong to."""
    label, rows_in, rejects = _read(con, located, paths, "ebranchs")
    return Read("ebranchs", rows_in, rejects, primary=(label,))
