"""Outcome tables a user drops into ``data/raw/outcomes/`` to test the scores against.

Layout (docs/METHOD.md, "Validation"): optional comment lines first, ``# source: <who published
it, what, which release>`` (required) and ``# licence: <licence line>``; then a header row with
an LSOA code column (``lsoa21cd``/``LSOA21CD``/``LSOA code (2021)`` or the 2011 equivalents) and
exactly one numeric outcome column (its name names the outcome); then one row per LSOA. The
comment lines and header are read here; the rows are typed in ``sql/outcome_checked.sql``.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located
from pipeline.readers.duckcsv import load_csv, normalise_header, reject_problems
from pipeline.readers.later_copies import settle_copies
from pipeline.readers.stated import stated_head
from pipeline.rejects import Rejects
from pipeline.sqlfiles import sql

CODE_COLUMNS = {
    2021: ("lsoa21cd", "lsoa21_code", "lsoa code (2021)", "lsoa_code_2021"),
    2011: ("lsoa11cd", "lsoa11_code", "lsoa code (2011)", "lsoa_code_2011"),
}
NAME_COLUMNS = ("lsoa21nm", "lsoa11nm", "lsoa name (2021)", "lsoa name (2011)", "name")


@dataclass
class OutcomeFile:
    label: str
    outcome: str  # the outcome column's name
    stated_source: str
    stated_licence: str | None
    code_year: int
    values: dict[str, float]  # kept LSOA code -> outcome, in code order
    rows: dict[str, int]  # kept LSOA code -> its line in the file (so a row set aside later is named)
    rejects: Rejects
    rows_in: int
    key_field: str  # the code column as published


def read_outcome_file(con: duckdb.DuckDBPyConnection, located: Located) -> OutcomeFile:
    stated = stated_head(located, "the outcome")
    skip, header_line, head = stated.comment_lines, stated.header_line, stated.header
    header = [normalise_header(h) for h in head]
    year = next((y for y, names in CODE_COLUMNS.items() if any(n in header for n in names)), None)
    if year is None:
        raise SourceFormatError(
            located.label,
            "no LSOA code column (lsoa21cd or lsoa11cd, or 'LSOA code (2021)' / '(2011)')",
            row=header_line,
            field="lsoa21cd",
        )
    code_at = next(header.index(n) for n in CODE_COLUMNS[year] if n in header)
    others = [i for i, h in enumerate(header) if i != code_at and h not in NAME_COLUMNS]
    if len(others) != 1:
        raise SourceFormatError(
            located.label,
            f"expected one outcome column besides the code and name, found "
            f"{len(others)}: {', '.join(head[i] for i in others) or 'none'}",
            row=header_line,
        )
    fields = {"code": (head[code_at],), "value": (head[others[0]],)}
    table = load_csv(con, located.path, located.label, "outcome_text", fields, skip_lines=skip)
    if table.rows_in(con) == 0:
        raise SourceFormatError(
            located.label,
            "the file has a header but no rows: nothing to test the scores "
            "against (add one row per LSOA, or remove the file)",
            row=header_line,
        )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE outcome_checked AS " + sql("outcome_checked"), {"columns": table.names(fields)}
    )
    rejects = Rejects()
    reject_problems(con, rejects, "outcome_checked", located.label)
    settle_copies(
        con,
        rejects,
        "outcome_checked",
        key="lsoa_code",
        values=("published_value",),
        field=head[code_at],
        label=located.label,
    )
    kept = con.execute(
        "SELECT lsoa_code, value, row_number FROM outcome_checked WHERE problem IS NULL ORDER BY lsoa_code"
    ).fetchall()
    return OutcomeFile(
        located.label,
        head[others[0]],
        stated.source,
        stated.licence,
        year,
        {code: value for code, value, _ in kept},
        {code: row for code, _, row in kept},
        rejects,
        table.rows_in(con),
        head[code_at],
    )
