"""Shared loader for Ofcom's fixed-coverage CSVs (postcode-level zips and local-authority files).

Files with the same header are read in one DuckDB scan; each header (read in Python, which
is quicker than asking DuckDB to sniff a hundred area files) is mapped through
``ofcom_columns.map_header`` to the canonical schema. Every percentage is typed once and checked (numeric,
0-100) in the same pass; a row with any bad value is rejected whole, so that postcode falls back to a
coarser source rather than to a half-trusted row. Duplicate keys with identical values keep the
first copy; duplicates that disagree are all rejected, since there is no way to know which is right.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located, extract_zip
from pipeline.paths import Paths
from pipeline.readers import Read
from pipeline.readers.duckcsv import header_row, with_encoding_fallback
from pipeline.readers.ofcom_columns import METRICS, PERCENT_FIELDS, map_header, release_from_name
from pipeline.rejects import Rejects
from pipeline.sqlfiles import first_rows, ident, quote, read_in_order

FIELDS = tuple(METRICS)


def _members(located: Located, paths: Paths, prefer: tuple[str, ...]) -> list[tuple[Path, str]]:
    """CSV files to read: the file itself, or an archive's CSVs (those matching ``prefer`` if any do)."""
    if located.path.suffix.lower() != ".zip":
        return [(located.path, located.label)]
    folder = extract_zip(located.path, paths.raw / "_extracted", label=located.label)
    csvs = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".csv")
    if prefer:
        preferred = [p for p in csvs if all(word in p.name.lower() for word in prefer)]
        csvs = preferred or csvs
    if not csvs:
        raise SourceFormatError(located.label, "archive holds no CSV files")
    return [(p, f"{located.label}!{p.relative_to(folder)}") for p in csvs]


def _unique(header: tuple[str, ...]) -> list[str]:
    """Column names for DuckDB: as published, with any repeat numbered so each is addressable."""
    names: list[str] = []
    for name in header:
        candidate, n = name, 1
        while candidate in names:
            n += 1
            candidate = f"{name}_{n}"
        names.append(candidate)
    return names


def _typed_sql() -> str:
    """Each field typed once, beside the text as published (``t_<field>``)."""
    return ", ".join(
        [f"pct_value({f}) AS t_{f}" for f in PERCENT_FIELDS]
        + ["TRY_CAST(nullif(trim(all_premises), '') AS BIGINT) AS t_all_premises"]
    )


def _all_valid_sql() -> str:
    """True when every value of the row is usable (blank, or typed): the test almost every row passes."""
    tests = [f"(t_{f} IS NOT NULL OR nullif(trim({f}), '') IS NULL)" for f in PERCENT_FIELDS]
    tests.append("(nullif(trim(all_premises), '') IS NULL OR t_all_premises >= 0)")
    return " AND ".join(tests)


def _problems_sql() -> str:
    """A list of {field, value, problem} for every field of the row that cannot be used."""
    checks = [f"{{'field': '{f}', 'value': {f}, 'problem': pct_problem({f})}}" for f in PERCENT_FIELDS]
    checks.append(
        "{'field': 'all_premises', 'value': all_premises, 'problem': CASE WHEN nullif(trim(all_premises), '') "
        "IS NOT NULL AND coalesce(TRY_CAST(trim(all_premises) AS BIGINT) < 0, true) "
        "THEN 'not a whole, non-negative count' END}"
    )
    return f"list_filter([{', '.join(checks)}], p -> p.problem IS NOT NULL)"


def read_ofcom(
    con: duckdb.DuckDBPyConnection,
    files: list[Located],
    paths: Paths,
    *,
    key: str,
    table: str,
    prefer: tuple[str, ...] = (),
) -> Read:
    """Check Ofcom coverage files into temp view ``table`` (key, release, metrics, source); return (rows in,
    rejects)."""
    key_sql = "norm_postcode(key_raw)" if key == "postcode" else "upper(trim(key_raw))"
    key_ok = "key IS NOT NULL" if key == "postcode" else "is_gss_code(key)"
    key_reason = "malformed postcode" if key == "postcode" else "malformed local authority code"
    # Every row as published, with its line, its key normalised and a list of its unusable values.
    con.execute(
        f'CREATE OR REPLACE TEMP TABLE "{table}_checked" (key_raw VARCHAR, release VARCHAR, group_id INTEGER, '
        f"source_file VARCHAR, source_row BIGINT, "
        + ", ".join(f"{f} {'BIGINT' if f == 'all_premises' else 'DOUBLE'}" for f in FIELDS)
        + ", key VARCHAR, problems STRUCT(field VARCHAR, value VARCHAR, problem VARCHAR)[], duplicate BOOLEAN)"
    )
    typed_fields = ", ".join(f"t_{f} AS {f}" for f in FIELDS)
    column_names: list[dict] = []  # publisher's spelling of each field, per header group
    group_ids = itertools.count()
    primary: list[str] = []
    for located in files:
        release = release_from_name(located.path, located.label)
        groups: dict[tuple[str, ...], list[tuple[Path, str]]] = defaultdict(list)
        for path, label in _members(located, paths, prefer):
            primary.append(label)
            groups[tuple(header_row(path, label))].append((path, label))
        # Files with the same header are read in one scan, under the names as published.
        for header, members in groups.items():
            group_id = next(group_ids)
            key_col, mapping = map_header(list(header), members[0][1], key=key)
            column_names += [
                {"group_id": group_id, "field": f, "column": c} for f, c in [("key", key_col), *mapping.items()]
            ]
            names = _unique(header)
            position = {name: i for i, name in reversed(list(enumerate(header)))}  # first column of a repeated name
            select_as = ", ".join(
                (ident(names[position[mapping[f]]]) if f in mapping else "NULL::VARCHAR") + f" AS {f}" for f in FIELDS
            )
            columns = "{" + ", ".join(f"{quote(n)}: 'VARCHAR'" for n in names) + "}"
            # each row's file and line from its place in the scan: a projection, so the rows stay in file order
            insert = f"""
                INSERT INTO "{table}_checked"
                WITH published AS (
                    SELECT {ident(names[position[key_col]])} AS key_raw, $release AS release, $group_id AS group_id,
                           $labels[file_index + 1] AS source_file, rowid - $first[file_index + 1] + 2 AS source_row,
                           {select_as}
                    FROM "{table}_raw"
                ),
                typed AS (SELECT *, {_typed_sql()} FROM published)
                SELECT key_raw, release, group_id, source_file, source_row, {typed_fields}, {key_sql} AS key,
                       CASE WHEN {_all_valid_sql()} THEN [] ELSE {_problems_sql()} END AS problems,
                       false AS duplicate
                FROM typed"""
            # only the key and the fields read are kept (Ofcom's files carry as many counts again)
            used = dict.fromkeys(
                [names[position[key_col]], *(names[position[mapping[f]]] for f in FIELDS if f in mapping)]
            )
            scan = f"""SELECT file_index::BIGINT AS file_index, {", ".join(ident(n) for n in used)}
                       FROM read_csv($files, header = true, columns = {columns}, auto_detect = false,
                                     delim = ',', quote = '"', escape = '"', encoding = $encoding)"""
            files = [str(p) for p, _ in members]
            with_encoding_fallback(
                lambda enc, scan=scan, files=files: read_in_order(
                    con, f'"{table}_raw"', scan, {"files": files, "encoding": enc}
                ),
                members[0][1],
            )
            con.execute(
                insert,
                {
                    "release": release,
                    "group_id": group_id,
                    "labels": [label for _, label in members],
                    "first": first_rows(con, f'"{table}_raw"', len(members)),
                },
            )
            con.execute(f'DROP TABLE "{table}_raw"')
    con.register(
        f"{table}_column_names",
        pa.Table.from_pylist(
            column_names, schema=pa.schema([("group_id", pa.int32()), ("field", pa.string()), ("column", pa.string())])
        ),
    )

    rejects = Rejects()
    rejects.extend_from(
        con,
        f"""
        SELECT c.source_file, c.source_row, n.column, c.key_raw, '{key_reason}', 'invalid'
        FROM "{table}_checked" c JOIN "{table}_column_names" n ON n.group_id = c.group_id AND n.field = 'key'
        WHERE NOT ({key_ok})""",
    )
    rejects.extend_from(
        con,
        f"""
        SELECT c.source_file, c.source_row, n.column, c.p.value, c.p.problem, 'invalid'
        FROM (SELECT source_file, source_row, group_id, unnest(problems) AS p FROM "{table}_checked"
              WHERE {key_ok} AND len(problems) > 0) c
        JOIN "{table}_column_names" n ON n.group_id = c.group_id AND n.field = c.p.field""",
    )

    values = ", ".join(FIELDS)
    con.execute(f"""CREATE OR REPLACE TEMP VIEW "{table}_good" AS
        SELECT key, release, source_file, source_row, {values}, duplicate
        FROM "{table}_checked" WHERE {key_ok} AND len(problems) = 0""")
    # Duplicates are rare: find their keys with one grouped pass, then look only at those rows.
    con.execute(f"""CREATE OR REPLACE TEMP TABLE "{table}_dups" AS
        WITH keys AS (SELECT key, release FROM "{table}_good" GROUP BY ALL HAVING count(*) > 1)
        SELECT g.*, count(*) OVER w AS copies, count(DISTINCT ({values})) OVER (PARTITION BY key, release) AS versions,
               row_number() OVER (w ORDER BY source_file, source_row) AS copy_number
        FROM "{table}_good" g SEMI JOIN keys USING (key, release)
        WINDOW w AS (PARTITION BY key, release)""")
    rejects.extend_from(
        con,
        f"""
        SELECT source_file, source_row, 'key', key,
               'duplicate with conflicting values (' || copies || ' rows for this key in release ' || release || ')',
               'duplicate'
        FROM "{table}_dups" WHERE versions > 1""",
    )
    rejects.extend_from(
        con,
        f"""
        SELECT source_file, source_row, 'key', key, 'duplicate (identical values; first row kept)', 'duplicate'
        FROM "{table}_dups" WHERE versions = 1 AND copy_number > 1""",
    )
    con.execute(f"""UPDATE "{table}_checked" c SET duplicate = true FROM "{table}_dups" d
        WHERE d.source_file = c.source_file AND d.source_row = c.source_row AND (d.versions > 1 OR
        d.copy_number > 1)""")
    con.execute(f"""CREATE OR REPLACE TEMP VIEW "{table}" AS
        SELECT key, release, source_file, source_row, {values}
        FROM "{table}_good" WHERE NOT duplicate""")
    rows_in = con.execute(f'SELECT count(*) FROM "{table}_checked"').fetchone()[0]
    con.unregister(f"{table}_column_names")
    return Read(table, rows_in, rejects, primary=tuple(primary))
