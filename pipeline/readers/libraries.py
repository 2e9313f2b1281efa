"""Arts Council England's public libraries basic dataset (December 2023), as cleaned and geocoded by
Libraries Hacked: one row per library service point with its type, address, position (easting and
northing), year of closure and opening hours per day.

Open static libraries are kept; mobile, prison, archive and local-history rows and closed libraries
are out of scope and counted; rows without a name or a position in Great Britain are rejected. A
library reported twice (by an old and a new council after a reorganisation) is one library: exact
repeats of name, postcode, type, position and closure are collapsed, disagreeing copies rejected.
The file has a few records that span lines: row numbers count records (the header is row 1).
"""

from __future__ import annotations

import duckdb

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.duckcsv import load_csv, reject_problems
from pipeline.readers.later_copies import settle_copies
from pipeline.rejects import Rejects
from pipeline.sqlfiles import sql

FIELDS = {
    "reporting_service": ("Reporting service",),
    "name": ("Name",),
    "type": ("Type", "Library type"),
    "address_1": ("Address 1",),
    "address_2": ("Address 2",),
    "address_3": ("Address 3",),
    "postcode": ("Postcode",),
    "easting": ("Easting",),
    "northing": ("Northing",),
    "year_closed": ("Year closed",),
    "monday": ("Monday opening times",),
    "tuesday": ("Tuesday opening times",),
    "wednesday": ("Wednesday opening times",),
    "thursday": ("Thursday opening times",),
    "friday": ("Friday opening times",),
    "saturday": ("Saturday opening times",),
    "sunday": ("Sunday opening times",),
    "hours_per_week": ("Hours open per week",),
    "contact": ("Email or website",),
}
REQUIRED = {k: FIELDS[k] for k in ("name", "type", "easting", "northing", "year_closed")}


def read_libraries(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Check the file into temp view ``libraries`` (open static libraries, file order)."""
    table = load_csv(con, located.path, located.label, "libraries_text", FIELDS, required=REQUIRED)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE libraries_checked AS " + sql("libraries_checked"),
        {"columns": table.names(FIELDS)},
    )
    rejects = Rejects()
    reject_problems(con, rejects, "libraries_checked", located.label)
    settle_copies(
        con,
        rejects,
        "libraries_checked",
        key="reject_key",
        values=("library_type", "easting", "northing", "year_closed"),
        field=table.names(FIELDS)["name"],
        label=located.label,
    )
    con.execute("""CREATE OR REPLACE TEMP VIEW libraries AS
                   SELECT name, address, postcode, easting, northing, opening_hours, hours_per_week, reporting_service,
                          contact, row_number AS source_row
                   FROM libraries_checked WHERE problem IS NULL ORDER BY row_number""")
    out_of_scope = dict(
        con.execute("""SELECT CASE WHEN problem LIKE 'closed%' THEN 'closed' ELSE lower(library_type) END,
                                              count(*)
                                       FROM libraries_checked WHERE
                                       problem_kind = 'out_of_scope' GROUP BY 1 ORDER BY 1""").fetchall()
    )
    return Read("libraries", table.rows_in(con), rejects, primary=(located.label,), counts={"set_aside": out_of_scope})
