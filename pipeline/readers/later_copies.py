"""Repeated keys in a checked table, under the rule every reader follows: an exact repeat of an
earlier row is collapsed (the first kept, the repeat counted as a duplicate); copies of a key that
disagree are all rejected, since there is no way to tell which is right.

For readers whose ``<name>_checked`` temp table has a ``problem`` column (NULL when the row can
be kept) and line numbers. Duplicates are rare, so they are found with one grouped pass
(``find_duplicated``) before any row is looked at again; copies are then marked in place
(``problem`` set) rather than filtered into a new table, so the kept rows stay in file order
and a re-run writes the same bytes.
"""

from __future__ import annotations

import duckdb

from pipeline.rejects import Rejects


def find_duplicated(con: duckdb.DuckDBPyConnection, checked: str, *, key: str, where: str = "true") -> int:
    """Temp table ``<checked>_duplicated``: keys held by more than one keepable row; returns how many."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE "{checked}_duplicated" AS
        SELECT {key} FROM "{checked}" WHERE problem IS NULL AND {where} GROUP BY 1 HAVING count(*) > 1""")
    return con.execute(f'SELECT count(*) FROM "{checked}_duplicated"').fetchone()[0]


def reject_copies(
    con: duckdb.DuckDBPyConnection,
    rejects: Rejects,
    checked: str,
    *,
    key: str,
    values: tuple[str, ...],
    line: tuple[str, ...],
    source_file: str,
    field: str,
    where: str = "true",
    params: dict | None = None,
) -> None:
    """Reject and mark the copies of each key ``find_duplicated`` found.

    ``values`` are the columns compared for an exact repeat; ``line`` names the columns that
    locate a row (e.g. file member and row number); ``source_file`` is the SQL for the file name
    recorded with each reject.
    """
    order = ", ".join(line)
    compared = ", ".join(values)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE "{checked}_copies" AS
        SELECT {order}, {key},
               count(DISTINCT ({compared})) OVER (PARTITION BY {key}) AS versions,
               count(*) OVER (PARTITION BY {key}) AS copies,
               row_number() OVER (PARTITION BY {key} ORDER BY {order}) AS copy_number
        FROM "{checked}"
        WHERE problem IS NULL AND {where} AND {key} IN (SELECT {key} FROM "{checked}_duplicated")""")
    con.execute(f"""DELETE FROM "{checked}_copies" WHERE versions = 1 AND copy_number = 1""")
    rejects.extend_from(
        con,
        f"""
        SELECT {source_file}, row_number, $field, {key},
               CASE WHEN versions = 1 THEN 'exact repeat of an earlier row (collapsed)'
                    ELSE copies || ' rows for this ' || $field || ' with different values; none used' END,
               'duplicate', {key}
        FROM "{checked}_copies" ORDER BY {order}""",
        (params or {}) | {"field": field},
    )
    same_row = " AND ".join(f"d.{c} = c.{c}" for c in line)
    con.execute(f"""UPDATE "{checked}" c SET problem = 'duplicate' FROM "{checked}_copies" d WHERE {same_row}""")


def settle_copies(
    con: duckdb.DuckDBPyConnection,
    rejects: Rejects,
    checked: str,
    *,
    key: str,
    values: tuple[str, ...],
    field: str,
    label: str,
) -> None:
    """The rule above for one file's checked table (with ``row_number``): rows of a key that agree
    on every value kept are exact repeats."""
    if find_duplicated(con, checked, key=key):
        reject_copies(
            con,
            rejects,
            checked,
            key=key,
            values=values,
            line=("row_number",),
            source_file="$label",
            field=field,
            params={"label": label},
        )


def keep_first_copy(
    con: duckdb.DuckDBPyConnection, rejects: Rejects, checked: str, *, key: str, field: str, label: str, reason: str
) -> None:
    """Listings where a code's first valid row stands (an NHS practice listed twice): later valid
    rows of the same code are rejected with ``reason`` and marked in place."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE "{checked}_copies" AS
        SELECT row_number, {key} FROM (
            SELECT row_number, {key}, row_number() OVER (PARTITION BY {key} ORDER BY row_number) AS copy_number
            FROM "{checked}" WHERE problem IS NULL)
        WHERE copy_number > 1""")
    rejects.extend_from(
        con,
        f"""SELECT $label, row_number, $field, {key}, $reason, 'duplicate'
                                 FROM "{checked}_copies" ORDER BY row_number""",
        {"label": label, "field": field, "reason": reason},
    )
    con.execute(f"""UPDATE "{checked}" c SET problem = 'duplicate' FROM "{checked}_copies" d
                    WHERE d.row_number = c.row_number""")
