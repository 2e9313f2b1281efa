"""ONS mid-2018 LSOA population density (SAPE21DT11)."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.sheets import to_temp_table
from pipeline.readers.textcsv import column_lookup, parse_number, read_csv
from pipeline.rejects import Rejects

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
    table = read_csv(located.path, located.label, required=("Mid-2018 population", "Area Sq Km", "People per Sq Km"))
    cols = column_lookup(table, ALIASES)
    rejects, rows, seen = Rejects(), [], set()
    for line, values in table.rows:
        rec = {k: (values[i].strip() if i is not None and i < len(values) else "") for k, i in cols.items()}
        problem = None
        if not (len(rec["lsoa11cd"]) == 9 and rec["lsoa11cd"][0] in "EW"):
            problem = ("Code", rec["lsoa11cd"], "malformed LSOA code")
        else:
            for key in ("population_2018", "area_km2", "people_per_km2"):
                try:
                    value = parse_number(rec[key])
                except ValueError:
                    value = None
                if value is None or value < 0 or (key == "area_km2" and value == 0):
                    problem = (ALIASES[key][0], rec[key], "not a positive number")
                    break
                rec[key] = int(value) if key == "population_2018" else value
        if problem:
            rejects.add(table.label, line, *problem)
        elif rec["lsoa11cd"] in seen:
            rejects.add(table.label, line, "Code", rec["lsoa11cd"], "duplicate LSOA (first row kept)", "duplicate")
        else:
            seen.add(rec["lsoa11cd"])
            rows.append(rec | {"source_row": line})
    to_temp_table(con, "population_density", sorted(rows, key=lambda r: r["lsoa11cd"]), SCHEMA)
    return Read("population_density", len(table.rows), rejects, primary=(table.label,))
