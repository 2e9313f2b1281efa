"""OS Code-Point Open: 120 headerless Latin-1 CSVs, one per postcode area, in a zip."""

from __future__ import annotations

import duckdb

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located, extract_zip
from pipeline.paths import Paths
from pipeline.readers import Read
from pipeline.readers.duckcsv import duckdb_csv_error, header_row
from pipeline.readers.later_copies import find_duplicated, reject_copies
from pipeline.rejects import Rejects
from pipeline.sqlfiles import first_rows, read_in_order, sql

COLUMNS = ("PC", "PQ", "EA", "NO", "CY", "RH", "LH", "CC", "DC", "WC")


def read_codepoint(con: duckdb.DuckDBPyConnection, located: Located, paths: Paths) -> Read:
    """Check Code-Point Open into temp view ``codepoint`` (valid rows, in file order); return (rows in, rejects)."""
    folder = extract_zip(located.path, paths.raw / "_extracted", label=located.label)
    headers = folder / "Doc" / "Code-Point_Open_Column_Headers.csv"
    if headers.exists():
        documented = [h.strip() for h in header_row(headers, f"{located.label}!Doc/{headers.name}")]
        if tuple(h.upper() for h in documented) != COLUMNS:
            raise SourceFormatError(
                f"{located.label}!Doc/{headers.name}",
                f"column layout changed: expected {','.join(COLUMNS)}, found {','.join(documented)}",
                row=1,
            )
    files = sorted((folder / "Data" / "CSV").glob("*.csv"))
    if not files:
        raise SourceFormatError(located.label, "no Data/CSV/*.csv members: not a Code-Point Open archive")
    try:
        read_in_order(con, "codepoint_raw", sql("codepoint_read"), {"files": [str(f) for f in files]})
        con.execute(
            "CREATE OR REPLACE TEMP TABLE codepoint_checked AS " + sql("codepoint_checked"),
            {
                "members": [f.relative_to(folder).as_posix() for f in files],
                "first": first_rows(con, "codepoint_raw", len(files)),
            },
        )
        con.execute("DROP TABLE codepoint_raw")
    except duckdb.Error as exc:
        raise duckdb_csv_error(exc, located.label) from exc

    rejects = Rejects()
    rejects.extend_from(
        con,
        """
        SELECT $label || '!' || member, row_number, problem_field, problem_value, problem, 'invalid', postcode
        FROM codepoint_checked WHERE problem IS NOT NULL""",
        {"label": located.label},
    )
    if find_duplicated(con, "codepoint_checked", key="postcode"):
        reject_copies(
            con,
            rejects,
            "codepoint_checked",
            key="postcode",
            line=("member", "row_number"),
            values=("positional_quality", "easting", "northing", "country_code", "lad_code", "ward_code"),
            source_file="$label || '!' || member",
            field="Postcode",
            params={"label": located.label},
        )
    con.execute("""
        CREATE OR REPLACE TEMP VIEW codepoint AS
        SELECT postcode, postcode_district(postcode) AS postcode_district, postcode_area(postcode) AS postcode_area,
               easting, northing, positional_quality, country_code, county_code, lad_code, ward_code,
               member AS source_member
        FROM codepoint_checked WHERE problem IS NULL""")
    rows_in = con.execute("SELECT count(*) FROM codepoint_checked").fetchone()[0]
    return Read("codepoint", rows_in, rejects, primary=(located.label,))
