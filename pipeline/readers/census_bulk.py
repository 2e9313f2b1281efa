"""Census 2021 tables in nomis's bulk layout: a zip (``census2021-ts007a.zip``) holding one CSV
per geography, of which the LSOA one (``census2021-ts007a-lsoa.csv``) is read, or that CSV on its
own. Columns: ``date``, ``geography``, ``geography code`` and one column per category
("Age: Aged 65 to 69 years", ...). Each table's reader names the categories it needs and the
counts it derives; every category must be a whole, non-negative number and the parts must not
exceed the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located, extract_zip
from pipeline.paths import Paths
from pipeline.readers import Read
from pipeline.readers.keyed import KeyedRows
from pipeline.readers.sheets import to_temp_table
from pipeline.readers.textcsv import column_lookup, is_lsoa_code, parse_number, read_csv, require_columns

CODE = ("geography code", "GEOGRAPHY_CODE")
NAME = ("geography", "GEOGRAPHY_NAME")


@dataclass(frozen=True)
class NomisTable:
    name: str  # temp table to create
    total: str  # the column holding all residents
    counts: dict[str, tuple[str, ...]]  # our count -> the columns summed to make it


TS007A = NomisTable("census_age", "Age: Total", {
    "age_65_74": ("Age: Aged 65 to 69 years", "Age: Aged 70 to 74 years"),
    "age_75_plus": ("Age: Aged 75 to 79 years", "Age: Aged 80 to 84 years", "Age: Aged 85 years and over"),
    "age_0_15": ("Age: Aged 4 years and under", "Age: Aged 5 to 9 years", "Age: Aged 10 to 14 years"),
})
TS038 = NomisTable("census_disability", "Disability: Total: All usual residents", {
    "disabled": ("Disability: Disabled under the Equality Act",),
    "disabled_a_lot": ("Disability: Disabled under the Equality Act: Day-to-day activities limited a lot",),
    "disabled_a_little": ("Disability: Disabled under the Equality Act: Day-to-day activities limited a little",),
})


def lsoa_csv(located: Located, paths: Paths) -> tuple[Path, str]:
    """The LSOA table: the file itself, or the ``-lsoa.csv`` member of nomis's bulk zip."""
    if located.path.suffix.lower() != ".zip":
        return located.path, located.label
    folder = extract_zip(located.path, paths.raw / "_extracted", label=located.label)
    members = sorted(p for p in folder.rglob("*.csv") if p.stem.lower().endswith("-lsoa"))
    if len(members) != 1:
        raise SourceFormatError(located.label, f"expected one '-lsoa.csv' member (nomis bulk layout), found "
                                f"{len(members)}: {', '.join(p.name for p in members) or 'none'}")
    return members[0], f"{located.label}!{members[0].relative_to(folder)}"


def read_nomis_table(con: duckdb.DuckDBPyConnection, located: Located, paths: Paths, spec: NomisTable) -> Read:
    """One row per LSOA (2021) into temp table ``spec.name``: residents and the derived counts."""
    path, label = lsoa_csv(located, paths)
    table = read_csv(path, label)
    columns = {spec.total} | {c for parts in spec.counts.values() for c in parts}
    require_columns(table, {"geography code": CODE} | {c: (c,) for c in sorted(columns)})
    cols = column_lookup(table, {"code": CODE, "name": NAME} | {c: (c,) for c in columns})
    rows = KeyedRows(table.label, table.header[cols["code"]])
    for line, values in table.rows:
        rows.seen()
        code = values[cols["code"]].strip() if cols["code"] < len(values) else ""
        if not is_lsoa_code(code):
            rows.reject(line, table.header[cols["code"]], code, "malformed LSOA code", key=code or None)
            continue
        numbers, problem = {}, None
        for column in sorted(columns):
            raw = values[cols[column]].strip() if cols[column] < len(values) else ""
            try:
                value = parse_number(raw)
            except ValueError:
                value = None
            if value is None or value < 0 or value != int(value):
                problem = (column, raw, "not a whole, non-negative count")
                break
            numbers[column] = int(value)
        if problem is None:
            derived = {k: sum(numbers[c] for c in parts) for k, parts in spec.counts.items()}
            over = [k for k, v in derived.items() if v > numbers[spec.total]]
            if over:
                problem = (spec.total, numbers[spec.total], f"{over[0]} ({derived[over[0]]}) exceeds the total")
        if problem:
            rows.reject(line, *problem, key=code)
            continue
        name = values[cols["name"]].strip() if cols["name"] is not None else ""
        rows.keep(line, code, tuple(v.strip() for v in values),
                  {"lsoa21cd": code, "lsoa21nm": name, "residents": numbers[spec.total], **derived})
    schema = pa.schema([("lsoa21cd", pa.string()), ("lsoa21nm", pa.string()), ("residents", pa.int64())]
                       + [(k, pa.int64()) for k in spec.counts] + [("source_row", pa.int64())])
    to_temp_table(con, spec.name, rows.kept(), schema)
    return Read(spec.name, rows.rows_in, rows.rejects, primary=(table.label,))
