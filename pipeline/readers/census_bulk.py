"""Census 2021 tables in nomis's bulk layout: a zip (``census2021-ts007a.zip``) holding one CSV
per geography, of which the LSOA one (``census2021-ts007a-lsoa.csv``) is read, or that CSV on its
own. Columns: ``date``, ``geography``, ``geography code`` and one column per category
("Age: Aged 65 to 69 years", ...). Each table names the categories it reads here and, in its
checked SQL file, the counts it derives: every category must be a whole count and no derived
count may exceed the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located, extract_zip
from pipeline.paths import Paths
from pipeline.readers import Read
from pipeline.readers.duckcsv import Fields, load_csv, reject_problems
from pipeline.readers.later_copies import settle_copies
from pipeline.rejects import Rejects
from pipeline.sqlfiles import sql

CODE = ("geography code", "GEOGRAPHY_CODE")
NAME = ("geography", "GEOGRAPHY_NAME")


@dataclass(frozen=True)
class NomisTable:
    name: str  # temp table to create
    checked: str  # the SQL file that types and checks it
    categories: Fields  # our name -> the category column read
    counts: tuple[str, ...]  # the counts it derives (columns of the table, after residents)


TS007A = NomisTable(
    "census_age",
    "census_age_checked",
    {
        "total": ("Age: Total",),
        "aged_0_4": ("Age: Aged 4 years and under",),
        "aged_5_9": ("Age: Aged 5 to 9 years",),
        "aged_10_14": ("Age: Aged 10 to 14 years",),
        "aged_65_69": ("Age: Aged 65 to 69 years",),
        "aged_70_74": ("Age: Aged 70 to 74 years",),
        "aged_75_79": ("Age: Aged 75 to 79 years",),
        "aged_80_84": ("Age: Aged 80 to 84 years",),
        "aged_85_plus": ("Age: Aged 85 years and over",),
    },
    ("age_65_74", "age_75_plus", "age_0_15"),
)
TS038 = NomisTable(
    "census_disability",
    "census_disability_checked",
    {
        "total": ("Disability: Total: All usual residents",),
        "disabled": ("Disability: Disabled under the Equality Act",),
        "disabled_a_lot": ("Disability: Disabled under the Equality Act: Day-to-day activities limited a lot",),
        "disabled_a_little": ("Disability: Disabled under the Equality Act: Day-to-day activities limited a little",),
    },
    ("disabled", "disabled_a_lot", "disabled_a_little"),
)


def lsoa_csv(located: Located, paths: Paths) -> tuple[Path, str]:
    """The LSOA table: the file itself, or the ``-lsoa.csv`` member of nomis's bulk zip."""
    if located.path.suffix.lower() != ".zip":
        return located.path, located.label
    folder = extract_zip(located.path, paths.raw / "_extracted", label=located.label)
    members = sorted(p for p in folder.rglob("*.csv") if p.stem.lower().endswith("-lsoa"))
    if len(members) != 1:
        raise SourceFormatError(
            located.label,
            f"expected one '-lsoa.csv' member (nomis bulk layout), found "
            f"{len(members)}: {', '.join(p.name for p in members) or 'none'}",
        )
    return members[0], f"{located.label}!{members[0].relative_to(folder)}"


def read_nomis_table(con: duckdb.DuckDBPyConnection, located: Located, paths: Paths, spec: NomisTable) -> Read:
    """One row per LSOA (2021) into temp view ``spec.name``: residents and the derived counts."""
    path, label = lsoa_csv(located, paths)
    fields = {"code": CODE, "name": NAME} | spec.categories
    required = {"code": CODE} | dict(sorted(spec.categories.items(), key=lambda item: item[1][0]))
    table = load_csv(con, path, label, "census_text", fields, required=required)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {spec.name}_checked AS " + sql(spec.checked), {"columns": table.names(fields)}
    )
    rejects = Rejects()
    reject_problems(con, rejects, f"{spec.name}_checked", label)
    settle_copies(
        con,
        rejects,
        f"{spec.name}_checked",
        key="lsoa21cd",
        values=("lsoa21nm", "residents") + spec.counts,
        field=table.names(fields)["code"],
        label=label,
    )
    con.execute(f"""CREATE OR REPLACE TEMP VIEW {spec.name} AS
        SELECT lsoa21cd, lsoa21nm, residents, {", ".join(spec.counts)}, row_number AS source_row
        FROM {spec.name}_checked WHERE problem IS NULL""")
    return Read(spec.name, table.rows_in(con), rejects, primary=(label,))
