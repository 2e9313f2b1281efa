"""``district_connectivity_series``: Ofcom figures per district and comparator, one row per area,
indicator and distinct snapshot.

ONS period labels are unreliable and some files repeat a snapshot, so snapshots are found and
dated like this (per indicator):

1. Files whose values are identical for every area are one snapshot; the later copies are
   collapsed and counted (rejects, kind ``duplicate``).
2. Snapshots are taken in order of first publication (ONS commit date). Each takes the
   "as of <month> <year>" its published metadata states, unless an earlier-published snapshot
   with different values already holds that date (the metadata was not updated), in which
   case its next stated date; failing that, the ONS period label. ``snapshot_basis`` says which.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import duckdb
import pyarrow as pa

from pipeline.fetch import require_each
from pipeline.ingest.result import TableResult, account
from pipeline.paths import Paths
from pipeline.readers.local_indicators import LABELS, UNITS, label_snapshot, read_local_indicators, stated_snapshot
from pipeline.registry import ONS_LOCAL_INDICATORS
from pipeline.settings import Settings
from pipeline.store import write_parquet

SCHEMA = pa.schema([
    ("area_code", pa.string()), ("area_name", pa.string()), ("area_type", pa.string()), ("geography", pa.string()),
    ("indicator", pa.string()), ("indicator_label", pa.string()), ("unit", pa.string()), ("snapshot", pa.string()),
    ("snapshot_date", pa.date32()), ("snapshot_basis", pa.string()), ("value", pa.float64()),
    ("files", pa.string()), ("ons_labels", pa.string()), ("stated_snapshots", pa.string()),
    ("ofcom_source_date", pa.string()), ("source_commit", pa.string()), ("file", pa.string()), ("source_row", pa.int64()),
])


def snapshot_date(snapshot: str) -> dt.date:
    """'2025-07' -> 1 July 2025; a bare year is placed at mid-year (its month is not stated)."""
    return dt.date(int(snapshot[:4]), int(snapshot[5:7]), 1) if len(snapshot) == 7 else dt.date(int(snapshot), 7, 1)


def date_snapshots(files: dict[str, dict]) -> dict[str, tuple[str, str]]:
    """First file of each value-identical group -> (snapshot, basis), following the module rule."""
    claimed: set[str] = set()
    dated: dict[str, tuple[str, str]] = {}
    for first in sorted(files, key=lambda f: (files[f]["published"], f)):
        info = files[first]
        free = [s for s in info["stated"] if s not in claimed]
        if free:
            snapshot, basis = free[0], "metadata: as of " + free[0]
        elif info["stated"]:
            snapshot = label_snapshot(info["latest_label"])
            basis = f"ONS label {info['latest_label']} (metadata repeats the date of an earlier, different snapshot)"
        else:
            snapshot, basis = label_snapshot(info["first_label"]), f"ONS label {info['first_label']} (no metadata)"
        if snapshot in claimed:
            basis = "conflict: " + basis
        claimed.add(snapshot)
        dated[first] = (snapshot, basis)
    return dated


def build_district_connectivity_series(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> TableResult:
    lads = list(settings.lad_codes)
    files = require_each(ONS_LOCAL_INDICATORS, paths)
    read = read_local_indicators(con, files)
    label_of = {f.path.name: f.label for f in files}  # rejects name a file as the run found it (raw or mirror)
    rejects = read.rejects
    raw = con.execute("SELECT * FROM series_raw ORDER BY indicator, file, area_code").fetchall()
    cols = [d[0] for d in con.description]
    periods = {r[0]: r for r in con.execute(
        "SELECT file, commit_date, ofcom_source_date, ons_description, source_commit FROM series_periods").fetchall()}

    # Group files per indicator by their full set of values.
    by_file: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in raw:
        rec = dict(zip(cols, row))
        by_file[(rec["indicator"], rec["file"])].append(rec)
    groups: dict[tuple, list[str]] = defaultdict(list)
    for (indicator, file), recs in sorted(by_file.items()):
        fingerprint = (indicator, tuple(sorted((r["area_code"], r["value"]) for r in recs)))
        groups[fingerprint].append(file)

    kept_rows, conflicts = [], []
    for indicator in sorted({k[0] for k in groups}):
        info: dict[str, dict] = {}
        members_of: dict[str, list[str]] = {}
        for fingerprint, members in groups.items():
            if fingerprint[0] != indicator:
                continue
            ordered = sorted(members, key=lambda f: ((periods.get(f) or (None, None))[1] or f"~{by_file[(indicator, f)][0]['ons_label']}", f))
            first = ordered[0]
            stated = []
            for f in ordered:
                s = stated_snapshot((periods.get(f) or (None,) * 5)[3])
                if s and s not in stated:
                    stated.append(s)
            ons_labels = [by_file[(indicator, f)][0]["ons_label"] for f in ordered]
            info[first] = {"published": (periods.get(first) or (None, None))[1] or ons_labels[0],
                           "stated": stated, "first_label": min(ons_labels), "latest_label": max(ons_labels)}
            members_of[first] = ordered
        for first, (snapshot, basis) in date_snapshots(info).items():
            members = members_of[first]
            if basis.startswith("conflict"):
                conflicts.append(first)
            for f in members[1:]:
                for rec in by_file[(indicator, f)]:
                    rejects.add(label_of[f], rec["source_row"], "file", f,
                                f"repeats snapshot {snapshot} of {indicator} (same values as {first})", "duplicate")
            meta = periods.get(first) or (None,) * 5
            for rec in by_file[(indicator, first)]:
                if basis.startswith("conflict"):
                    rejects.add(label_of[first], rec["source_row"], "file", first,
                                f"values differ from another file dated {snapshot}; cannot tell which is right", "duplicate")
                    continue
                in_study = rec["area_code"] in lads
                if not in_study and "district" in rec["geography"].lower():
                    rejects.add(label_of[first], rec["source_row"], "AREACD", rec["area_code"],
                                "district outside the study area", "out_of_scope")
                    continue
                kept_rows.append({
                    "area_code": rec["area_code"], "area_name": rec["area_name"],
                    "area_type": "study district" if in_study else "comparator", "geography": rec["geography"],
                    "indicator": indicator, "indicator_label": LABELS[indicator], "unit": UNITS[indicator],
                    "snapshot": snapshot, "snapshot_date": snapshot_date(snapshot), "snapshot_basis": basis,
                    "value": rec["value"], "files": "; ".join(members),
                    "ons_labels": "; ".join(by_file[(indicator, f)][0]["ons_label"] for f in members),
                    "stated_snapshots": ", ".join(info[first]["stated"]) or None,
                    "ofcom_source_date": meta[2], "source_commit": meta[4], "file": first, "source_row": rec["source_row"],
                })
    con.register("series_out", pa.Table.from_pylist(kept_rows, schema=SCHEMA))
    keys = (ONS_LOCAL_INDICATORS.key,)
    written = write_parquet(con, "SELECT * FROM series_out ORDER BY indicator, area_type DESC, area_code, snapshot",
                            paths.table_path("district_connectivity_series"), sources={keys[0]: "count(*)"},
                            notes="snapshot dates follow the rule in pipeline/ingest/connectivity_series.py")
    rejects.write(con, paths.rejects / "district_connectivity_series.parquet", list(keys))
    read.rows_kept = written.rows
    rows_in, kept = account(read)
    per_indicator = dict(con.execute("""SELECT indicator, count(DISTINCT snapshot) FROM series_out GROUP BY 1 ORDER BY 1""").fetchall())
    files_per_indicator = defaultdict(int)
    for indicator, _ in by_file:
        files_per_indicator[indicator] += 1
    missing = [lad for lad in lads if lad not in {r["area_code"] for r in kept_rows}]
    return TableResult("district_connectivity_series", [written], rows_in, kept, rejects, files, {
        "files_read": read.notes["files_read"],
        "snapshots_per_indicator": per_indicator,
        "files_collapsed_as_repeats": {k: files_per_indicator[k] - per_indicator.get(k, 0) for k in sorted(files_per_indicator)},
        "snapshot_conflicts": conflicts,
        "study_districts_missing": missing,
        "snapshots": {ind: [r[0] for r in con.execute(
            "SELECT DISTINCT snapshot FROM series_out WHERE indicator = $i ORDER BY 1", {"i": ind}).fetchall()]
            for ind in per_indicator},
    })
