"""OS Code-Point Open: 120 headerless Latin-1 CSVs, one per postcode area, in a zip."""

from __future__ import annotations

import duckdb

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located, extract_zip
from pipeline.paths import Paths
from pipeline.readers import Read
from pipeline.readers.duckcsv import duckdb_csv_error
from pipeline.readers.textcsv import read_csv
from pipeline.rejects import Rejects
from pipeline.sqlfiles import sql

COLUMNS = ("PC", "PQ", "EA", "NO", "CY", "RH", "LH", "CC", "DC", "WC")


def read_codepoint(con: duckdb.DuckDBPyConnection, located: Located, paths: Paths) -> Read:
    """Load Code-Point Open into temp table ``codepoint`` (valid rows); return (table, rows in, rejects)."""
    folder = extract_zip(located.path, paths.raw / "_extracted", label=located.label)
    headers = folder / "Doc" / "Code-Point_Open_Column_Headers.csv"
    if headers.exists():
        doc = read_csv(headers, f"{located.label}!Doc/{headers.name}")
        if tuple(h.strip().upper() for h in doc.header) != COLUMNS:
            raise SourceFormatError(f"{located.label}!Doc/{headers.name}",
                                    f"column layout changed: expected {','.join(COLUMNS)}, found {','.join(doc.header)}", row=1)
    files = sorted((folder / "Data" / "CSV").glob("*.csv"))
    if not files:
        raise SourceFormatError(located.label, "no Data/CSV/*.csv members: not a Code-Point Open archive")
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE codepoint_checked AS " + sql("codepoint_checked"),
                    {"files": [str(f) for f in files], "prefix": str(folder)})
    except duckdb.Error as exc:
        raise duckdb_csv_error(exc, located.label) from exc

    rejects = Rejects()
    label = located.label
    rejects.extend_from(con, f"""
        SELECT '{label}!' || member, row_number, problem_field, problem_value, problem, 'invalid'
        FROM codepoint_checked WHERE problem IS NOT NULL""")
    rejects.extend_from(con, f"""
        SELECT '{label}!' || member, row_number, 'Postcode', postcode, 'duplicate postcode (first copy kept)', 'duplicate'
        FROM codepoint_checked WHERE problem IS NULL AND copy_number > 1""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE codepoint AS
        SELECT postcode, postcode_district(postcode) AS postcode_district, postcode_area(postcode) AS postcode_area,
               easting, northing, positional_quality, country_code, county_code, lad_code, ward_code,
               member AS source_member, row_number AS source_row
        FROM codepoint_checked WHERE problem IS NULL AND copy_number = 1""")
    rows_in = con.execute("SELECT count(*) FROM codepoint_checked").fetchone()[0]
    con.execute("DROP TABLE codepoint_checked")
    return Read("codepoint", rows_in, rejects, primary=(located.label,))
