"""Shared loader for Ofcom's fixed-coverage CSVs (postcode-level zips and local-authority files).

Files with the same header are read in one DuckDB scan; each file's header is mapped through
``ofcom_columns.map_header`` to the canonical schema. Every percentage is checked (numeric,
0-100); a row with any bad value is rejected whole, so that postcode falls back to a coarser
source rather than to a half-trusted row. Duplicate keys with identical values keep the first
copy; duplicates that disagree are all rejected, since there is no way to know which is right.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import duckdb

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located, extract_zip
from pipeline.paths import Paths
from pipeline.readers import Read
from pipeline.readers.duckcsv import with_encoding_fallback
from pipeline.readers.ofcom_columns import METRICS, PERCENT_FIELDS, map_header, release_from_name
from pipeline.rejects import Rejects

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


def read_ofcom(con: duckdb.DuckDBPyConnection, files: list[Located], paths: Paths, *, key: str, table: str,
               prefer: tuple[str, ...] = ()) -> Read:
    """Load Ofcom coverage files into temp table ``table`` (key, release, metrics, source)."""
    key_sql = "norm_postcode(key_raw)" if key == "postcode" else "upper(trim(key_raw))"
    key_ok = "key IS NOT NULL" if key == "postcode" else "is_gss_code(key)"
    key_reason = "malformed postcode" if key == "postcode" else "malformed local authority code"
    con.execute(f'CREATE OR REPLACE TEMP TABLE "{table}_raw" (key_raw VARCHAR, key_column VARCHAR, release VARCHAR, '
                f'source_file VARCHAR, source_row BIGINT, '
                + ", ".join(f"{f} VARCHAR, {f}_column VARCHAR" for f in FIELDS) + ")")
    primary: list[str] = []
    for located in files:
        release = release_from_name(located.path, located.label)
        groups: dict[tuple, list[tuple[Path, str]]] = defaultdict(list)
        headers: dict[tuple, tuple[str, dict[str, str]]] = {}
        for path, label in _members(located, paths, prefer):
            primary.append(label)
            header = with_encoding_fallback(lambda enc: [r[0] for r in con.execute(
                "DESCRIBE SELECT * FROM read_csv($f, header = true, all_varchar = true, delim = ',', encoding = $enc)",
                {"f": str(path), "enc": enc}).fetchall()], label)
            key_col, mapping = map_header(header, label, key=key)
            signature = (key_col, tuple(sorted(mapping.items())))
            groups[signature].append((path, label))
            headers[signature] = (key_col, mapping)
        for signature, members in groups.items():
            key_col, mapping = headers[signature]
            labels = {str(p): lab for p, lab in members}
            select = ", ".join(
                (f'"{mapping[f]}" AS {f}, $col_{f} AS {f}_column' if f in mapping else f"NULL AS {f}, NULL AS {f}_column")
                for f in FIELDS)
            params = {"files": [str(p) for p, _ in members], "release": release, "key_column": key_col,
                      "labels": list(labels.keys()), "names": list(labels.values())}
            params |= {f"col_{f}": mapping[f] for f in mapping}
            insert = f"""
                    INSERT INTO "{table}_raw"
                    WITH raw AS (
                        SELECT row_number() OVER () AS seq, filename, *
                        FROM read_csv($files, header = true, all_varchar = true, filename = true, union_by_name = true, delim = ',',
                                      encoding = $encoding)
                    )
                    SELECT "{key_col}", $key_column, $release,
                           map_from_entries(list_zip($labels, $names))[filename],
                           seq - min(seq) OVER (PARTITION BY filename) + 2,
                           {select}
                    FROM raw"""
            with_encoding_fallback(lambda enc: con.execute(insert, params | {"encoding": enc}), members[0][1])

    rejects = Rejects()
    con.execute(f"""CREATE OR REPLACE TEMP TABLE "{table}_checked" AS
        SELECT *, {key_sql} AS key FROM "{table}_raw" """)
    rejects.extend_from(con, f"""
        SELECT source_file, source_row, key_column, key_raw, '{key_reason}', 'invalid'
        FROM "{table}_checked" WHERE NOT ({key_ok})""")
    problems = []
    for f in PERCENT_FIELDS:
        problems.append(f"SELECT source_file, source_row, {f}_column AS field, {f} AS value, pct_problem({f}) AS problem "
                        f'FROM "{table}_checked" WHERE {key_ok} AND pct_problem({f}) IS NOT NULL')
    problems.append(
        f"SELECT source_file, source_row, all_premises_column, all_premises, 'not a whole, non-negative count' "
        f'FROM "{table}_checked" WHERE {key_ok} AND nullif(trim(all_premises), \'\') IS NOT NULL '
        f"AND coalesce(TRY_CAST(trim(all_premises) AS BIGINT) < 0, true)")
    con.execute(f'CREATE OR REPLACE TEMP TABLE "{table}_problems" AS ' + " UNION ALL ".join(problems))
    rejects.extend_from(con, f"""SELECT *, 'invalid' FROM "{table}_problems" """)

    typed = ", ".join([f"pct_value({f}) AS {f}" for f in PERCENT_FIELDS]
                      + ["TRY_CAST(nullif(trim(all_premises), '') AS BIGINT) AS all_premises"])
    con.execute(f"""CREATE OR REPLACE TEMP TABLE "{table}_good" AS
        SELECT key, release, source_file, source_row, {typed}
        FROM "{table}_checked" c
        WHERE {key_ok} AND NOT EXISTS (SELECT 1 FROM "{table}_problems" p
                                       WHERE p.source_file = c.source_file AND p.source_row = c.source_row)""")
    values = ", ".join(FIELDS)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE "{table}_dups" AS
        SELECT *, count(*) OVER w AS copies, count(DISTINCT ({values})) OVER (PARTITION BY key, release) AS versions,
               row_number() OVER (w ORDER BY source_file, source_row) AS copy_number
        FROM "{table}_good" WINDOW w AS (PARTITION BY key, release)""")
    rejects.extend_from(con, f"""
        SELECT source_file, source_row, 'key', key,
               'duplicate with conflicting values (' || copies || ' rows for this key in release ' || release || ')',
               'duplicate'
        FROM "{table}_dups" WHERE versions > 1""")
    rejects.extend_from(con, f"""
        SELECT source_file, source_row, 'key', key, 'duplicate (identical values; first row kept)', 'duplicate'
        FROM "{table}_dups" WHERE versions = 1 AND copy_number > 1""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE "{table}" AS
        SELECT key, release, source_file, source_row, {values}
        FROM "{table}_dups" WHERE versions = 1 AND copy_number = 1
        ORDER BY release, key""")
    rows_in = con.execute(f'SELECT count(*) FROM "{table}_raw"').fetchone()[0]
    for suffix in ("_raw", "_checked", "_problems", "_good", "_dups"):
        con.execute(f'DROP TABLE "{table}{suffix}"')
    return Read(table, rows_in, rejects, primary=tuple(primary))
