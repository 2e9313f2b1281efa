"""Repeated keys in a checked table: the first copy is kept, later copies are rejected.

For readers whose ``<name>_checked`` temp table has a ``problem`` column (NULL when the row
can be kept) and line numbers. Duplicates are rare, so they are found with one grouped pass
(``find_duplicated``) before any row is looked at again; later copies are then marked in place
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


def reject_later_copies(con: duckdb.DuckDBPyConnection, rejects: Rejects, checked: str, *, key: str,
                        line: tuple[str, ...], source_file: str, field: str, reason: str, where: str = "true",
                        params: dict | None = None) -> None:
    """Reject and mark every copy after the first (in ``line`` order) of a key ``find_duplicated`` found.

    ``line`` names the columns that locate a row (e.g. file member and row number);
    ``source_file`` is the SQL for the file name recorded with each reject.
    """
    order = ", ".join(line)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE "{checked}_later_copies" AS
        SELECT {order}, {key} FROM "{checked}"
        WHERE problem IS NULL AND {where} AND {key} IN (SELECT {key} FROM "{checked}_duplicated")
        QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY {order}) > 1""")
    rejects.extend_from(con, f"""
        SELECT {source_file}, row_number, $field, {key}, $reason, 'duplicate'
        FROM "{checked}_later_copies" ORDER BY {order}""", (params or {}) | {"field": field, "reason": reason})
    same_row = " AND ".join(f"d.{c} = c.{c}" for c in line)
    con.execute(f"""UPDATE "{checked}" c SET problem = $reason FROM "{checked}_later_copies" d WHERE {same_row}""",
                {"reason": reason})
