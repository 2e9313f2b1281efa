"""Venues a user drops into ``data/raw/venues/``: community venues that hand out devices or data,
existing or candidate, and corrections to the library list.

Layout (docs/METHOD.md, "Reaching people"): ``# source:`` (required) and ``# licence:`` comment lines,
then a header with ``name``, ``type`` and a position: ``postcode`` or ``easting`` and ``northing``
(metres, British National Grid); optional ``address``, ``opening_hours``, ``existing`` (yes/no; blank
is yes: an existing venue, else a candidate site for a new one) and ``closed`` (yes marks a venue of
that name and postcode closed). The rows are typed in ``sql/user_venues_checked.sql``.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipeline.fetch import Located
from pipeline.readers.duckcsv import load_csv, reject_problems
from pipeline.readers.later_copies import settle_copies
from pipeline.readers.stated import stated_head
from pipeline.rejects import Rejects
from pipeline.sqlfiles import sql

FIELDS = {
    "name": ("name", "venue", "venue name"),
    "type": ("type", "venue type"),
    "address": ("address",),
    "postcode": ("postcode",),
    "easting": ("easting", "x"),
    "northing": ("northing", "y"),
    "opening_hours": ("opening_hours", "opening hours", "hours"),
    "existing": ("existing",),
    "closed": ("closed",),
}
REQUIRED = {k: FIELDS[k] for k in ("name", "type")}


@dataclass
class VenueFile:
    label: str
    stated_source: str
    stated_licence: str | None
    rejects: Rejects
    rows_in: int


def read_venue_file(con: duckdb.DuckDBPyConnection, located: Located, table: str) -> VenueFile:
    """One file's kept rows into temp table ``table`` (needs view ``codepoint_open``)."""
    stated = stated_head(located, "the venues")
    text = load_csv(
        con, located.path, located.label, "user_venues_text", FIELDS, required=REQUIRED, skip_lines=stated.comment_lines
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE user_venues_checked AS " + sql("user_venues_checked"),
        {"columns": text.names(FIELDS)},
    )
    rejects = Rejects()
    reject_problems(con, rejects, "user_venues_checked", located.label)
    settle_copies(
        con,
        rejects,
        "user_venues_checked",
        key="reject_key",
        values=("venue_type", "easting", "northing", "existing", "closed", "opening_hours"),
        field=text.names(FIELDS)["name"],
        label=located.label,
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT $label AS source_file, row_number AS source_row, name, venue_type, address, postcode, easting, northing,
               located_by, opening_hours, existing, closed, $source AS stated_source, $licence AS stated_licence
        FROM user_venues_checked WHERE problem IS NULL ORDER BY row_number""",
        {"label": located.label, "source": stated.source, "licence": stated.licence},
    )
    return VenueFile(located.label, stated.source, stated.licence, rejects, text.rows_in(con))
