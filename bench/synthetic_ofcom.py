"""A SYNTHETIC Ofcom-format postcode coverage file, for timing the England case only.

No real postcode-level Ofcom file is in the mirror, so the England benchmark makes one with the
layout of Ofcom's 2024 release (one CSV per postcode area, 2024 header) for every English
Code-Point Open postcode. Its values are pseudo-random, derived from each postcode so that
re-runs match. It is written into the benchmark's temporary working folder only, under a name
that says SYNTHETIC, and is never written to data/ or used for any output.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from pipeline import duck
from pipeline.readers.ofcom_columns import RELEASE_HEADERS

FILE_NAME = "209901-fixed-coverage-postcodes-SYNTHETIC-for-timing-only.zip"
ENGLAND = "E92000001"


def _value_sql(column: str) -> str:
    """A deterministic pseudo-random value per postcode, in the column's range."""
    seed = f"hash(pc || '{column}')"
    if column in ("All Premises", "All Matched Premises"):
        return f"({seed} % 60)::INTEGER"
    if column.startswith("% of premises unable") or "USO" in column:
        return f"round(({seed} % 101) / 20.0, 1)"  # 0-5 %
    return f"round(({seed} % 1001) / 10.0, 1)"  # 0-100 %


def write_synthetic_ofcom(codepoint_csv_folder: Path, dest_folder: Path) -> Path:
    """Write ``dest_folder/FILE_NAME`` covering every English postcode in the Code-Point CSVs."""
    header = RELEASE_HEADERS["2024"]["postcode"]
    metrics = header[3:]
    staging = dest_folder / "_synthetic_ofcom_csv"
    staging.mkdir(parents=True, exist_ok=True)
    con = duck.connect()
    try:
        con.execute(
            f"""
            CREATE TEMP TABLE england AS
            SELECT norm_postcode(pc) AS pc FROM read_csv($files, header = false, all_varchar = true,
                columns = {{'pc': 'VARCHAR', 'pq': 'VARCHAR', 'ea': 'VARCHAR', 'no': 'VARCHAR', 'cy': 'VARCHAR',
                           'rh': 'VARCHAR', 'lh': 'VARCHAR', 'cc': 'VARCHAR', 'dc': 'VARCHAR', 'wc': 'VARCHAR'}})
            WHERE cy = '{ENGLAND}' AND norm_postcode(pc) IS NOT NULL""",
            {"files": sorted(str(p) for p in codepoint_csv_folder.glob("*.csv"))},
        )
        columns = ", ".join(
            [f"replace(pc, ' ', '') AS \"{header[0]}\"", f'pc AS "{header[1]}"', f'postcode_area(pc) AS "{header[2]}"']
            + [f'{_value_sql(m)} AS "{m}"' for m in metrics]
        )
        con.execute(f"""COPY (SELECT {columns} FROM england ORDER BY pc) TO '{staging}'
                        (FORMAT csv, HEADER, PARTITION_BY ("{header[2]}"), WRITE_PARTITION_COLUMNS true,
                         OVERWRITE_OR_IGNORE)""")
    finally:
        con.close()
    dest = dest_folder / FILE_NAME
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for part in sorted(staging.rglob("*.csv")):
            area = part.parent.name.split("=", 1)[1]
            zf.write(part, f"{area}_SYNTHETIC.csv")
    shutil.rmtree(staging)
    return dest
