"""ONS Census 2021 usual residents by six age bands, per LSOA (2021)."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.sheets import to_temp_table
from pipeline.readers.textcsv import column_lookup, parse_number, read_csv
from pipeline.rejects import Rejects

BANDS = {
    "Aged 15 years and under": "age_0_15",
    "Aged 16 to 24 years": "age_16_24",
    "Aged 25 to 34 years": "age_25_34",
    "Aged 35 to 49 years": "age_35_49",
    "Aged 50 to 64 years": "age_50_64",
    "Aged 65 years and over": "age_65_plus",
}
ALIASES = {"lsoa21cd": ("lsoa21_code", "LSOA21CD", "geography code"), "age_group": ("age_group", "Age (6 categories)"),
           "usual_residents": ("usual_residents", "Observation", "Count")}
SCHEMA = pa.schema([("lsoa21cd", pa.string())] + [(c, pa.int64()) for c in BANDS.values()]
                   + [("source_row", pa.int64())])


def read_census_age(con: duckdb.DuckDBPyConnection, located: Located) -> Read:
    """Pivot to one row per LSOA (2021) in temp table ``census_age21``.

    Rows in = band rows. An LSOA needs all six bands exactly once; otherwise its rows are rejected.
    """
    table = read_csv(located.path, located.label, required=("age_group",))
    cols = column_lookup(table, ALIASES)
    rejects = Rejects()
    by_lsoa: dict[str, dict] = {}
    lines: dict[str, list[int]] = {}
    bad: set[str] = set()
    for line, values in table.rows:
        rec = {k: (values[i].strip() if i is not None and i < len(values) else "") for k, i in cols.items()}
        code, band = rec["lsoa21cd"], rec["age_group"]
        lines.setdefault(code, []).append(line)
        try:
            count = parse_number(rec["usual_residents"])
        except ValueError:
            count = None
        if not (len(code) == 9 and code[0] in "EW"):
            rejects.add(table.label, line, "lsoa21_code", code, "malformed LSOA code")
            bad.add(code)
        elif band not in BANDS:
            rejects.add(table.label, line, "age_group", band, "unknown age band")
            bad.add(code)
        elif count is None or count < 0 or count != int(count):
            rejects.add(table.label, line, "usual_residents", rec["usual_residents"], "not a whole, non-negative count")
            bad.add(code)
        elif BANDS[band] in by_lsoa.get(code, {}):
            rejects.add(table.label, line, "age_group", band, "age band repeated for this LSOA", "duplicate")
            bad.add(code)
        else:
            by_lsoa.setdefault(code, {"lsoa21cd": code, "source_row": line})[BANDS[band]] = int(count)
    rows = []
    for code, rec in sorted(by_lsoa.items()):
        missing = [b for b in BANDS.values() if b not in rec]
        if code in bad or missing:
            for line in lines[code]:
                if not any(r[0] == table.label and r[1] == line for r in rejects.rows):
                    reason = f"LSOA lacks age bands {', '.join(missing)}" if missing else "another row of this LSOA was rejected"
                    rejects.add(table.label, line, "lsoa21_code", code, reason)
            continue
        rows.append(rec)
    to_temp_table(con, "census_age21", rows, SCHEMA)
    return Read("census_age21", len(table.rows), rejects, primary=(table.label,),
                notes={"lsoa21_read": len(rows), "lines": lines}, rows_kept=len(rows) * len(BANDS))
