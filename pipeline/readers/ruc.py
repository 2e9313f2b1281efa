"""ONS Rural Urban Classifications of LSOAs: 2011 (LSOA 2011, classes A1-E2) and 2021 (LSOA 2021,
classes UN1-RSF1), each as published by ONS or as republished with renamed columns.

Both become an ordinal ``rural_class`` (urban 0, the larger rural class 0.5, the smaller 1): the
2011 "rural town and fringe" and the 2021 "larger rural" settlements score 0.5, "rural village
and dispersed" and "smaller rural" 1 (docs/METHOD.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.keyed import KeyedRows
from pipeline.readers.sheets import read_table_file, to_temp_table
from pipeline.readers.textcsv import column_lookup, is_lsoa_code


@dataclass(frozen=True)
class Classification:
    year: int
    code_field: tuple[str, ...]
    class_field: tuple[str, ...]
    classes: dict[str, tuple[str, float]]  # class code -> (label, rural_class)


RUC2011 = Classification(2011, ("LSOA11CD",), ("RUC11CD",), {
    "A1": ("Urban major conurbation", 0.0), "B1": ("Urban minor conurbation", 0.0),
    "C1": ("Urban city and town", 0.0), "C2": ("Urban city and town in a sparse setting", 0.0),
    "D1": ("Rural town and fringe", 0.5), "D2": ("Rural town and fringe in a sparse setting", 0.5),
    "E1": ("Rural village and dispersed", 1.0), "E2": ("Rural village and dispersed in a sparse setting", 1.0),
})
RUC2021 = Classification(2021, ("LSOA21CD", "lsoa21_code"), ("RUC21CD", "ruc21_code"), {
    "UN1": ("Urban: Nearer to a major town or city", 0.0), "UF1": ("Urban: Further from a major town or city", 0.0),
    "RLN1": ("Larger rural: Nearer to a major town or city", 0.5),
    "RLF1": ("Larger rural: Further from a major town or city", 0.5),
    "RSN1": ("Smaller rural: Nearer to a major town or city", 1.0),
    "RSF1": ("Smaller rural: Further from a major town or city", 1.0),
})
SCHEMA = pa.schema([("lsoa_code", pa.string()), ("ruc_code", pa.string()), ("ruc_label", pa.string()),
                    ("is_rural", pa.bool_()), ("rural_class", pa.float64()), ("source_row", pa.int64())])


def read_ruc(con: duckdb.DuckDBPyConnection, located: Located, spec: Classification) -> Read:
    """Every LSOA of England and Wales into temp table ``ruc`` (``lsoa_code`` of the classification's vintage)."""
    table = read_table_file(located.path, located.label, any_of={spec.code_field[0]: spec.code_field,
                                                                spec.class_field[0]: spec.class_field})
    cols = column_lookup(table, {"code": spec.code_field, "class": spec.class_field})
    rows = KeyedRows(table.label, table.header[cols["code"]])
    for line, values in table.rows:
        rows.seen()
        code = values[cols["code"]].strip() if cols["code"] < len(values) else ""
        ruc = values[cols["class"]].strip() if cols["class"] < len(values) else ""
        if not is_lsoa_code(code):
            rows.reject(line, table.header[cols["code"]], code, "malformed LSOA code", key=code or None)
        elif ruc not in spec.classes:
            rows.reject(line, table.header[cols["class"]], ruc,
                        f"unknown class (expected one of {', '.join(spec.classes)})", key=code)
        else:
            label, score = spec.classes[ruc]
            rows.keep(line, code, tuple(values), {"lsoa_code": code, "ruc_code": ruc, "ruc_label": label,
                                                  "is_rural": score > 0, "rural_class": score})
    to_temp_table(con, "ruc", rows.kept(), SCHEMA)
    return Read("ruc", rows.rows_in, rows.rejects, primary=(table.label,))
