"""SYNTHETIC stand-ins for the national files the mirror holds only as five-district extracts, for
timing a full England run only.

A full England ``make run`` needs, besides the national files the mirror has, IoD 2025 File 7 for
every LSOA and the NHS practice files (epraccur, list sizes, PCN mapping, Fingertips' practice
deprivation score) for every practice. The mirror holds five-district extracts of those, and the
run's preflight stops an England run on them (rightly). The benchmark writes stand-ins with the
publishers' file names and layouts into its temporary working folder:

- File 7: every English LSOA from the real Files 1 and 3 (code, name, district, and the IMD, IDACI
  and IDAOPI ranks and deciles, so the reader's agreement check holds), its other cells copied
  from the five-district row nearest in IMD rank;
- practices: one at every ``EVERY``-th English Code-Point Open postcode with a grid position (about
  6,400, near the real count), codes ``Z00001``..., their other cells copied from the real rows in turn.

Every value other than the copied real ranks is made up. The folder also gets a note that says so;
nothing here is written under data/ or used for any output people open.
"""

from __future__ import annotations

import csv
import itertools
from bisect import bisect_left
from pathlib import Path

import openpyxl

EVERY = 230  # every 230th English postcode hosts a practice: ~6,400 in all (England has ~6,300)
NOTE = "SYNTHETIC-for-timing-only.txt"
FILE7 = "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv"
ENGLAND = "E92000001"


def _sheet_rows(path: Path, sheet: str) -> list[dict]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = wb[sheet].iter_rows(values_only=True)
        header = [str(h) for h in next(rows)]
        return [dict(zip(header, r, strict=False)) for r in rows if r and r[0]]
    finally:
        wb.close()


def _data_sheet(path: Path) -> str:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return next(ws.title for ws in wb.worksheets if ws.title.lower() != "notes")
    finally:
        wb.close()


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write_csv(path: Path, header: list[str] | None, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, quoting=csv.QUOTE_MINIMAL)
        if header:
            out.writerow(header)
        out.writerows(rows)


def synthetic_file7(mirror: Path, dest: Path) -> int:
    """File 7 for every English LSOA: real ranks from Files 1 and 3, the rest from the nearest template row."""
    iod = mirror / "iod2025"
    file1 = iod / "File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx"
    file3 = iod / "File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx"
    f1 = _sheet_rows(file1, _data_sheet(file1))
    f3 = {r["LSOA code (2021)"]: r for r in _sheet_rows(file3, _data_sheet(file3))}
    header, template = _read_csv(next(iod.glob("File_7_*_5districts.csv")))
    imd_rank = header.index("Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)")
    template.sort(key=lambda r: int(r[imd_rank]))
    ranks = [int(r[imd_rank]) for r in template]
    real = set(f3[next(iter(f3))]) | set(f1[0])  # columns Files 1 and 3 give: copied as they are
    rows = []
    for r1 in f1:
        code = r1["LSOA code (2021)"]
        rank = int(r1["Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"])
        i = min(bisect_left(ranks, rank), len(ranks) - 1)
        if i and abs(ranks[i - 1] - rank) <= abs(ranks[i] - rank):
            i -= 1
        row = list(template[i])
        given = {**f3.get(code, {}), **r1}
        for j, column in enumerate(header):
            if column in real and given.get(column) is not None:
                row[j] = str(given[column])
        rows.append(row)
    _write_csv(dest / FILE7, header, rows)
    return len(rows)


def _english_postcodes(codepoint_csv: Path) -> list[str]:
    """Every EVERY-th English postcode with a grid position, in file and row order (deterministic). A practice
    is at a place: Code-Point's postcodes without a position (quality 90, 0 0: PO boxes and the like) cannot
    place one, and the run rejects such a site (gp_sites_no_invalid_source_rows)."""
    chosen, n = [], 0
    for path in sorted(codepoint_csv.glob("*.csv")):
        with path.open(newline="") as fh:
            for row in csv.reader(fh):
                if len(row) > 4 and row[4] == ENGLAND and (row[2], row[3]) != ("0", "0"):
                    if n % EVERY == 0:
                        chosen.append(row[0])
                    n += 1
    return chosen


def synthetic_practices(mirror: Path, codepoint_csv: Path, dest: Path) -> int:
    """epraccur, list sizes, PCN mapping and Fingertips' score for one made-up practice per EVERY postcodes."""
    postcodes = _english_postcodes(codepoint_csv)
    codes = [f"Z{i:05d}" for i in range(1, len(postcodes) + 1)]
    names = [f"SYNTHETIC PRACTICE {i}" for i in range(1, len(postcodes) + 1)]

    _, ods = _read_csv(mirror / "nhs-ods" / "epraccur_2025-09_5districts.csv")
    ods = [r for r in ods if r[12] == "A" and r[25] == "4"]  # active GP practices as the template
    rows = []
    for code, name, pc, t in zip(codes, names, postcodes, itertools.cycle(ods), strict=False):
        row = list(t)
        row[0], row[1], row[4], row[9] = code, name, name, pc
        rows.append(row)
    _write_csv(dest / "epraccur.csv", None, rows)  # the publisher's file has no header

    header, lists = _read_csv(next((mirror / "nhs-gp-registrations").glob("SUBSET_gp-reg-pat-prac-all_*.csv")))
    at = {c: header.index(c) for c in ("CODE", "POSTCODE")}
    rows = []
    for code, pc, t in zip(codes, postcodes, itertools.cycle(lists), strict=False):
        row = list(t)
        row[at["CODE"]], row[at["POSTCODE"]] = code, pc
        rows.append(row)
    _write_csv(dest / "gp-reg-pat-prac-all.csv", header, rows)

    header, maps = _read_csv(mirror / "nhs-gp-registrations" / "gp-reg-pat-prac-map_2022-01_5districts.csv")
    at = {c: header.index(c) for c in ("PRACTICE_CODE", "PRACTICE_NAME", "PRACTICE_POSTCODE")}
    rows = []
    for code, name, pc, t in zip(codes, names, postcodes, itertools.cycle(maps), strict=False):
        row = list(t)
        row[at["PRACTICE_CODE"]], row[at["PRACTICE_NAME"]], row[at["PRACTICE_POSTCODE"]] = code, name, pc
        rows.append(row)
    _write_csv(dest / "gp-reg-pat-prac-map.csv", header, rows)

    header, scores = _read_csv(next((mirror / "ohid-fingertips").glob("fingertips_93553_*.csv")))
    area_type = header.index("Area Type")
    gp = [r for r in scores if r[area_type] == "GP"]
    rows = [r for r in scores if r[area_type] != "GP"]
    at = {c: header.index(c) for c in ("Area Code", "Area Name")}
    for code, name, t in zip(codes, names, itertools.cycle(gp), strict=False):
        row = list(t)
        row[at["Area Code"]], row[at["Area Name"]] = code, name.title()
        rows.append(row)
    _write_csv(dest / "fingertips_93553.csv", header, rows)
    return len(codes)


def write_synthetic_national(mirror: Path, codepoint_csv: Path, dest: Path) -> list[Path]:
    """Write the stand-ins and the note into ``dest``; returns the files written."""
    dest.mkdir(parents=True, exist_ok=True)
    lsoas = synthetic_file7(mirror, dest)
    practices = synthetic_practices(mirror, codepoint_csv, dest)
    (dest / NOTE).write_text(
        "SYNTHETIC files, made by bench/synthetic_national.py for timing a full England run only.\n"
        f"{FILE7}: {lsoas:,} LSOAs; the IMD, IDACI and IDAOPI ranks and deciles are the real ones from Files 1 "
        "and 3, every other cell is copied from the five-district row nearest in IMD rank.\n"
        f"epraccur.csv, gp-reg-pat-prac-all.csv, gp-reg-pat-prac-map.csv, fingertips_93553.csv: {practices:,} "
        "made-up practices (codes Z00001...), one at every "
        f"{EVERY}th English Code-Point Open postcode, their other cells copied from real rows in turn.\n"
        "No figure computed from them describes any real place.\n"
    )
    return sorted(p for p in dest.iterdir() if p.is_file())
