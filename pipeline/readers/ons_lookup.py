"""ONS postcode to OA/LSOA/MSOA/LAD best-fit lookup (May 2022): one UTF-8 CSV in a zip."""

from __future__ import annotations

import duckdb

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located, extract_zip
from pipeline.paths import Paths
from pipeline.readers import Read
from pipeline.readers.duckcsv import with_encoding_fallback
from pipeline.readers.later_copies import find_duplicated, reject_copies
from pipeline.rejects import Rejects
from pipeline.sqlfiles import WITH_LINES, WITHOUT_LINES, sql

REQUIRED = ("pcds", "doterm", "usertype", "oa11cd", "lsoa11cd", "ladcd")


def read_ons_lookup(con: duckdb.DuckDBPyConnection, located: Located, paths: Paths) -> Read:
    """Check the lookup into temp view ``ons_lookup`` (valid rows); return (rows in, rejects)."""
    if located.path.suffix.lower() == ".zip":
        folder = extract_zip(located.path, paths.raw / "_extracted", label=located.label)
        csvs = sorted(folder.rglob("*.csv"))
        if len(csvs) != 1:
            raise SourceFormatError(located.label, f"expected one CSV in the archive, found {len(csvs)}")
        csv_path, label = csvs[0], f"{located.label}!{csvs[0].relative_to(folder)}"
    else:
        csv_path, label = located.path, located.label
    header = with_encoding_fallback(
        lambda enc: [
            r[0]
            for r in con.execute(
                "DESCRIBE SELECT * FROM read_csv($file, header = true, all_varchar = true, delim = ',', "
                "encoding = $enc)",
                {"file": str(csv_path), "enc": enc},
            ).fetchall()
        ],
        label,
    )
    for column in REQUIRED:
        if column not in header:
            raise SourceFormatError(
                label, f"required column is missing (header has: {', '.join(header)})", row=1, field=column
            )

    def check(lines: str) -> None:
        with_encoding_fallback(
            lambda enc: con.execute(
                "CREATE OR REPLACE TEMP TABLE ons_lookup_checked AS " + sql("ons_lookup_checked", seq=lines),
                {"file": str(csv_path), "encoding": enc},
            ),
            label,
        )

    # A postcode may be live in one row only: later live copies (rare) are duplicates. Line
    # numbers cost a second, single-threaded scan, made only when some row will be rejected.
    check(WITHOUT_LINES)
    live = "doterm IS NULL"
    duplicated = find_duplicated(con, "ons_lookup_checked", key="postcode", where=live)
    if duplicated or con.execute("SELECT count(*) FROM ons_lookup_checked WHERE problem IS NOT NULL").fetchone()[0]:
        check(WITH_LINES)

    rejects = Rejects()
    rejects.extend_from(
        con,
        """
        SELECT $label, row_number, problem_field, problem_value, problem, 'invalid', postcode
        FROM ons_lookup_checked WHERE problem IS NOT NULL""",
        {"label": label},
    )
    if duplicated:
        reject_copies(
            con,
            rejects,
            "ons_lookup_checked",
            key="postcode",
            where=live,
            line=("row_number",),
            values=("usertype", "oa11cd", "lsoa11cd", "ladcd"),
            source_file="$label",
            field="pcds",
            params={"label": label},
        )
    con.execute("""
        CREATE OR REPLACE TEMP VIEW ons_lookup AS
        SELECT postcode, doterm IS NULL AS is_live, doterm, usertype, oa11cd, lsoa11cd, ladcd
        FROM ons_lookup_checked WHERE problem IS NULL""")
    rows_in = con.execute("SELECT count(*) FROM ons_lookup_checked").fetchone()[0]
    return Read("ons_lookup", rows_in, rejects, primary=(label,))
