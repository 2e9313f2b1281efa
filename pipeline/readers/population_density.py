"""ONS mid-2018 LSOA (2011) population density (SAPE21DT11)."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.keyed import KeyedRows
from pipeline.readers.sheets import read_table_file, to_temp_table
from pipeline.readers.textcsv import column_lookup, is_lsoa_code, parse_number

ALIASES = {
    "lsoa11cd": ("Code", "LSOA Code", "LSOA11CD"),
    "lsoa11nm": ("Name", "LSOA Name", "LSOA11NM"),
    "population_2018": ("Mid-2018 population",),
    "area_km2": ("Area Sq Km",),
    "people_per_km2": ("People per Sq Km",),
}
SCHEMA = pa.schema([("lsoa11cd", pa.string()), ("lsoa11nm", pa.string()), ("population_2018", pa.int64()),
                    ("area_km2", pa.float64()), ("people_per_km2", pa.float64()), ("source_row", pa.int64())])


def read_population_density(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    table = read_table_file(located.path, located.label, any_of={k: v for k, v in ALIASES.items() if k != "lsoa11nm"})
    cols = column_lookup(table, ALIASES)
    rows = KeyedRows(table.label, table.header[cols["lsoa11cd"]])
    for line, values in table.rows:
        rows.seen()
        rec = {k: (values[i].strip() if i is not None and i < len(values) else "") for k, i in cols.items()}
        code, problem = rec["lsoa11cd"], None
        if not is_lsoa_code(code):
            problem = (table.header[cols["lsoa11cd"]], code, "malformed LSOA code")
        else:
            for key in ("population_2018", "area_km2", "people_per_km2"):
                try:
                    value = parse_number(rec[key])
                except ValueError:
                    value = None
                if value is None or value < 0 or (key == "area_km2" and value == 0):
                    problem = (table.header[cols[key]], rec[key], "not a positive number")
                    break
                rec[key] = int(value) if key == "population_2018" else value
        if problem:
            rows.reject(line, *problem, key=code or None)
        else:
            rows.keep(line, code, tuple(values), rec)
    to_temp_table(con, "population_density", rows.kept(), SCHEMA)
    return Read("population_density", rows.rows_in, rows.rejects, primary=(table.label,))
