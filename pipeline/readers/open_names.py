"""OS Open Names populated places, as republished in one CSV (alasdairrae/gb-places): a zip
holding ``gb_populated_places_all_BNG.csv``, or that CSV (or an extract of its lines) alone.

One row per place with the OS columns (``ID``, ``NAME1``, ``TYPE``, ``LOCAL_TYPE``, British
National Grid ``X``/``Y``; the OS product's own ``GEOMETRY_X``/``GEOMETRY_Y`` are accepted too).
Rows with no identifier or name, of a type that is not a settlement, or placed outside Great
Britain go to rejects; an exact repeat of an OS identifier is collapsed, disagreeing copies are
all rejected.
"""

from __future__ import annotations

import duckdb

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located, extract_zip
from pipeline.paths import Paths
from pipeline.readers import Read
from pipeline.readers.duckcsv import with_encoding_fallback
from pipeline.readers.later_copies import find_duplicated, reject_copies
from pipeline.rejects import Rejects
from pipeline.sqlfiles import ident, sql

# The OS's populated-place types (LOCAL_TYPE), largest first.
LOCAL_TYPES = ("City", "Town", "Village", "Suburban Area", "Other Settlement", "Hamlet")
REQUIRED = ("ID", "NAME1", "TYPE", "LOCAL_TYPE")
COORDINATES = (("X", "Y"), ("GEOMETRY_X", "GEOMETRY_Y"))
OPTIONAL = {
    "name2": "NAME2",
    "most_detail": "MOST_DETAIL_VIEW_RES",
    "least_detail": "LEAST_DETAIL_VIEW_RES",
    "postcode_district": "POSTCODE_DISTRICT",
    "district": "DISTRICT_BOROUGH",
    "county": "COUNTY_UNITARY",
}


def _csv_of(located: Located, paths: Paths) -> tuple[str, str]:
    """(path, label) of the CSV to read: the archive's one CSV, or the file itself."""
    if located.path.suffix.lower() != ".zip":
        return str(located.path), located.label
    folder = extract_zip(located.path, paths.raw / "_extracted", label=located.label)
    csvs = sorted(folder.rglob("*.csv"))
    if len(csvs) != 1:
        raise SourceFormatError(located.label, f"expected one CSV in the archive, found {len(csvs)}")
    return str(csvs[0]), f"{located.label}!{csvs[0].relative_to(folder).as_posix()}"


def read_open_names(con: duckdb.DuckDBPyConnection, located: Located, paths: Paths) -> Read:
    """Check the places into temp view ``open_names`` (valid rows, file order); return (rows in, rejects)."""
    path, label = _csv_of(located, paths)
    header = with_encoding_fallback(
        lambda enc: [
            r[0]
            for r in con.execute(
                "DESCRIBE SELECT * FROM read_csv($file, header = true, all_varchar = true, delim = ',', "
                "encoding = $enc)",
                {"file": path, "enc": enc},
            ).fetchall()
        ],
        label,
    )
    for column in REQUIRED:
        if column not in header:
            raise SourceFormatError(
                label, f"required column is missing (header has: {', '.join(header)})", row=1, field=column
            )
    xy = next((pair for pair in COORDINATES if set(pair) <= set(header)), None)
    if xy is None:
        raise SourceFormatError(
            label,
            f"no grid coordinates: expected columns X and Y (or GEOMETRY_X and GEOMETRY_Y); "
            f"header has: {', '.join(header)}",
            row=1,
            field="X",
        )
    fragments = {"x": ident(xy[0]), "y": ident(xy[1])} | {
        key: ident(name) if name in header else "NULL::VARCHAR" for key, name in OPTIONAL.items()
    }
    with_encoding_fallback(
        lambda enc: con.execute(
            "CREATE OR REPLACE TEMP TABLE open_names_checked AS " + sql("open_names_checked", **fragments),
            {"file": path, "encoding": enc, "local_types": list(LOCAL_TYPES)},
        ),
        label,
    )

    rejects = Rejects()
    rejects.extend_from(
        con,
        """
        SELECT $label, row_number, problem_field, problem_value, problem, problem_kind, settlement_id
        FROM open_names_checked WHERE problem IS NOT NULL ORDER BY row_number""",
        {"label": label},
    )
    if find_duplicated(con, "open_names_checked", key="settlement_id"):
        reject_copies(
            con,
            rejects,
            "open_names_checked",
            key="settlement_id",
            line=("row_number",),
            values=("name", "local_type", "easting", "northing"),
            source_file="$label",
            field="ID",
            params={"label": label},
        )
    con.execute("""
        CREATE OR REPLACE TEMP VIEW open_names AS
        SELECT settlement_id, name, name2, local_type, easting, northing, most_detail_view_res, least_detail_view_res,
               postcode_district, district_borough, county_unitary, row_number AS source_row
        FROM open_names_checked WHERE problem IS NULL""")
    rows_in = con.execute("SELECT count(*) FROM open_names_checked").fetchone()[0]
    return Read("open_names", rows_in, rejects, primary=(label,))
