"""The evidence tables: CSV files for bid writers, each with a ``.sources.json`` sidecar.

One list (``TABLES``) says which tables make the pack, what each holds and where it comes from;
the CSVs, the XLSX sheets and the headlines all read from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.analysis.indicators import register_inputs
from pipeline.paths import Paths
from pipeline.registry import SOURCES, licence_lines
from pipeline.store import read_provenance, replace_atomically, temp_path, write_text


@dataclass(frozen=True)
class EvidenceTable:
    name: str  # CSV file stem
    sheet: str  # XLSX sheet title (31 characters at most)
    table: str  # processed table it is read from
    description: str
    order: str  # ORDER BY, so files are stable
    notes: str = ""


TABLES = [
    EvidenceTable("district_summary", "District summary", "district_summary",
                  "Key figures per district and for the study area (lad_code ALL).", "lad_code = 'ALL', area_name",
                  "Broadband shares are postcode-district averages (unweighted). gp_sites_without_gigabit counts sites "
                  "whose own postcode is below 100% gigabit in Ofcom's postcode-level data, and is empty where no site "
                  "has such data; gp_sites_area_average_only counts sites known only by an area average, which "
                  "cannot say whether the site itself has gigabit."),
    EvidenceTable("lsoa_scores", "LSOA scores", "lsoa_index",
                  "Digital-exclusion index per LSOA: components, index, rank, decile and indicator values.",
                  "index_rank, lsoa11cd"),
    EvidenceTable("hotspots", "Hotspots", "hotspots",
                  "Getis-Ord Gi* z-score, p-value and hot/cold-spot class of each LSOA's index.", "lsoa11cd"),
    EvidenceTable("gp_readiness", "GP readiness", "gp_readiness",
                  "Each GP practice and branch: broadband at its postcode and in its catchment, telehealth readiness "
                  "(rank 1 = least ready).", "readiness_rank, site_code"),
    EvidenceTable("fibre_gap_cells", "Fibre gap cells", "fibre_gap_cells",
                  "1 km British National Grid cells with postcodes lacking gigabit, ranked for build planning.",
                  "build_rank, cell_id"),
    EvidenceTable("fibre_gap_lsoas", "Fibre gap LSOAs", "fibre_gap_lsoas",
                  "Gigabit gap per LSOA, ranked for build planning.", "build_rank, lsoa11cd"),
    EvidenceTable("inclusion_priorities", "Inclusion priorities", "inclusion_priorities",
                  "Priority LSOAs for digital skills, device and data-donation outreach.", "priority_order"),
    EvidenceTable("change_over_time", "Change over time", "connectivity_change",
                  "First and latest snapshot per district and indicator, change in percentage points, rank among the "
                  "study districts (1 = most improved).", "indicator, area_type DESC, improvement_rank, area_code"),
    EvidenceTable("connectivity_series", "Connectivity series", "district_connectivity_series",
                  "Every distinct snapshot of Ofcom's district figures as republished by ONS, with how it was dated.",
                  "indicator, area_type DESC, area_code, snapshot"),
    EvidenceTable("reconciliation", "Reconciliation July 2024", "connectivity_reconciliation",
                  "District gigabit-capable % (Ofcom, July 2024) against the figure our postcode-district input gives.",
                  "lad_code",
                  "The postcode-district input is an unweighted mean over postcodes; Ofcom's district figure counts "
                  "premises, so a gap is expected."),
    EvidenceTable("index_sensitivity", "Index sensitivity", "index_sensitivity",
                  "Share of the top-20 LSOAs that stay in the top 20 when each weight moves by 20%.",
                  "level, component, indicator NULLS FIRST, change"),
]


def _select(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """All columns but geometry, doubles rounded to 3 decimals for reading."""
    cols = con.execute(f'DESCRIBE "{table}"').fetchall()
    parts = []
    for name, kind, *_ in cols:
        if name == "geom" or kind.startswith("GEOMETRY"):
            continue
        parts.append(f'round("{name}", 3) AS "{name}"' if kind == "DOUBLE" else f'"{name}"')
    return ", ".join(parts)


def table_sources(paths: Paths, table: str) -> dict:
    """Provenance stored in the table's Parquet file."""
    single = paths.table_path(table)
    first = single if single.exists() else sorted((paths.processed / table).glob("*.parquet"))[0]
    return read_provenance(first)


def sources_rows() -> list[dict[str, str]]:
    return [SOURCES[k].as_record() for k in SOURCES]


def write_evidence_tables(con: duckdb.DuckDBPyConnection, paths: Paths) -> dict[str, dict]:
    """CSV + sidecar per evidence table, and ``sources.csv``; returns rows and sources per table."""
    register_inputs(con, paths, tuple(sorted({t.table for t in TABLES})))
    folder = paths.tables
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, dict] = {}
    for t in TABLES:
        dest = folder / f"{t.name}.csv"
        tmp = temp_path(dest)
        con.execute(f'COPY (SELECT {_select(con, t.table)} FROM "{t.table}" ORDER BY {t.order}) '
                    f"TO '{tmp}' (HEADER, DELIMITER ',')")
        replace_atomically(tmp, dest)
        rows = con.execute(f'SELECT count(*) FROM "{t.table}"').fetchone()[0]
        prov = table_sources(paths, t.table)
        sidecar = {"table": t.name, "file": dest.name, "description": t.description, "rows": rows,
                   "columns": [c[0] for c in con.execute(f"DESCRIBE SELECT {_select(con, t.table)} FROM \"{t.table}\"").fetchall()],
                   "sources": prov.get("sources", []), "licence": prov.get("licence", []),
                   "notes": [n for n in (t.notes, prov.get("notes")) if n]}
        write_text(folder / f"{t.name}.sources.json", json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n")
        written[t.name] = sidecar
    _write_sources_csv(con, folder)
    return written


def _write_sources_csv(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    import pyarrow as pa

    con.register("sources_out", pa.Table.from_pylist(sources_rows()))
    dest = folder / "sources.csv"
    tmp = temp_path(dest)
    con.execute(f"COPY (SELECT * FROM sources_out ORDER BY source) TO '{tmp}' (HEADER)")
    replace_atomically(tmp, dest)
    keys = list(SOURCES)
    write_text(folder / "sources.sources.json", json.dumps({
        "table": "sources", "file": "sources.csv", "description": "Every source: publisher, release, resolution, "
        "official address and licence line.", "rows": len(keys), "licence": licence_lines(keys)}, indent=2,
        ensure_ascii=False) + "\n")
