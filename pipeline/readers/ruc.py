"""ONS Rural Urban Classifications of LSOAs: 2011 (LSOA 2011, classes A1-E2) and 2021 (LSOA 2021,
classes UN1-RSF1), each as published by ONS or as republished with renamed columns.

Both become an ordinal ``rural_class`` (urban 0, the larger rural class 0.5, the smaller 1): the
2011 "rural town and fringe" and the 2021 "larger rural" settlements score 0.5, "rural village
and dispersed" and "smaller rural" 1 (docs/METHOD.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.duckcsv import reject_problems
from pipeline.readers.later_copies import settle_copies
from pipeline.readers.sheets import load_table_file
from pipeline.rejects import Rejects
from pipeline.sqlfiles import sql


@dataclass(frozen=True)
class Classification:
    year: int
    code_field: tuple[str, ...]
    class_field: tuple[str, ...]
    classes: dict[str, tuple[str, float]]  # class code -> (label, rural_class)


RUC2011 = Classification(
    2011,
    ("LSOA11CD",),
    ("RUC11CD",),
    {
        "A1": ("Urban major conurbation", 0.0),
        "B1": ("Urban minor conurbation", 0.0),
        "C1": ("Urban city and town", 0.0),
        "C2": ("Urban city and town in a sparse setting", 0.0),
        "D1": ("Rural town and fringe", 0.5),
        "D2": ("Rural town and fringe in a sparse setting", 0.5),
        "E1": ("Rural village and dispersed", 1.0),
        "E2": ("Rural village and dispersed in a sparse setting", 1.0),
    },
)
RUC2021 = Classification(
    2021,
    ("LSOA21CD", "lsoa21_code"),
    ("RUC21CD", "ruc21_code"),
    {
        "UN1": ("Urban: Nearer to a major town or city", 0.0),
        "UF1": ("Urban: Further from a major town or city", 0.0),
        "RLN1": ("Larger rural: Nearer to a major town or city", 0.5),
        "RLF1": ("Larger rural: Further from a major town or city", 0.5),
        "RSN1": ("Smaller rural: Nearer to a major town or city", 1.0),
        "RSF1": ("Smaller rural: Further from a major town or city", 1.0),
    },
)


def read_ruc(con: duckdb.DuckDBPyConnection, located: Located, spec: Classification) -> Read:
    """Every LSOA of England and Wales into temp view ``ruc`` (``lsoa_code`` of the classification's vintage)."""
    fields = {"code": spec.code_field, "class": spec.class_field}
    table = load_table_file(con, located.path, located.label, "ruc_text", fields, required=fields)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ruc_checked AS " + sql("ruc_checked"),
        {
            "codes": list(spec.classes),
            "labels": [c[0] for c in spec.classes.values()],
            "scores": [c[1] for c in spec.classes.values()],
            "columns": table.names(fields),
        },
    )
    rejects = Rejects()
    reject_problems(con, rejects, "ruc_checked", table.label)
    settle_copies(
        con,
        rejects,
        "ruc_checked",
        key="lsoa_code",
        values=("ruc_code",),
        field=table.names(fields)["code"],
        label=table.label,
    )
    con.execute("""CREATE OR REPLACE TEMP VIEW ruc AS
        SELECT lsoa_code, ruc_code, ruc_label, is_rural, rural_class, row_number AS source_row
        FROM ruc_checked WHERE problem IS NULL""")
    return Read("ruc", table.rows_in(con), rejects, primary=(table.label,))
