"""Ofcom's local-authority connectivity figures over time: ``la_connectivity_series`` (every area
ONS publishes, every distinct Ofcom release) and ``district_connectivity_series`` (the study
districts and the areas they are compared with: the UK, their nation and their counties).

ONS period labels are not reliable and several files repeat one Ofcom release, so releases are
found and dated like this, per indicator:

1. Files whose values agree for every area they share (and share nearly all areas) hold one
   release; the repeats are collapsed and counted (rejects, kind ``duplicate``).
2. A release is dated by the "as of <month> <year>" of the metadata ONS published with one of its
   copies (``dated_by`` = ``ONS metadata``): the current file's ``.json`` first, else the metadata
   recorded at the commit of its most recently committed copy (``periods.csv``). Otherwise by the ONS
   period label of that copy (ONS relabels a release by committing the same values again), said as
   "ONS period label only"; a label that is only a year is ``year only`` and is not used to measure
   change.
3. Two different sets of values dated to the same month cannot both be right: both are rejected.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
import pyarrow as pa

from pipeline.fetch import require_each
from pipeline.ingest.result import AssetResult, account
from pipeline.paths import Paths
from pipeline.readers.local_indicators import LABELS, UNITS, read_local_indicators
from pipeline.registry import ONS_LOCAL_INDICATORS
from pipeline.rejects import Rejects
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import write_parquet
from pipeline.wording import month_name

SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("area_name", pa.string()),
        ("geography", pa.string()),
        ("indicator", pa.string()),
        ("indicator_label", pa.string()),
        ("unit", pa.string()),
        ("release", pa.string()),
        ("release_name", pa.string()),
        ("dated_by", pa.string()),
        ("release_basis", pa.string()),
        ("value", pa.float64()),
        ("ons_note", pa.string()),
        ("ons_file", pa.string()),
        ("ons_files", pa.string()),
        ("ons_labels", pa.string()),
        ("commit", pa.string()),
        ("committed", pa.string()),
        ("source_file", pa.string()),
        ("source_row", pa.int64()),
    ]
)
SHARED_AREAS = 0.9  # two files hold one release only if they share this share of the smaller file's areas


def same_release(a: dict[str, float], b: dict[str, float]) -> bool:
    """Identical values for every area both files hold, and nearly all areas held by both."""
    shared = a.keys() & b.keys()
    return bool(shared) and len(shared) >= SHARED_AREAS * min(len(a), len(b)) and all(a[k] == b[k] for k in shared)


def group_files(values: dict[str, dict[str, float]]) -> list[list[str]]:
    """Files of one indicator grouped into releases (union of pairwise ``same_release``)."""
    parent = {f: f for f in values}

    def root(f: str) -> str:
        while parent[f] != f:
            parent[f] = parent[parent[f]]
            f = parent[f]
        return f

    files = sorted(values)
    for i, a in enumerate(files):
        for b in files[i + 1 :]:
            if same_release(values[a], values[b]):
                parent[root(b)] = root(a)
    groups: dict[str, list[str]] = defaultdict(list)
    for f in files:
        groups[root(f)].append(f)
    return list(groups.values())


def date_release(members: list[dict]) -> dict:
    """The release of one group of files: its month, how it was dated, and the file that dates it."""
    by_commit = sorted(members, key=lambda m: (m["committed"] or "", m["ons_label"] or "9999", m["file"]))
    current = [m for m in members if m["metadata_as_of"] and m["ons_label"] is None]  # the .json of the current file
    recorded = [m for m in by_commit if m["metadata_as_of"]]
    if current or recorded:
        m = current[0] if current else recorded[-1]
        source = f"; Ofcom source date {m['metadata_source_date']}" if m["metadata_source_date"] else ""
        where = (
            f"ONS's metadata {m['metadata_file']}"
            if current
            else f"the metadata ONS published with its copy of {m['committed'] or m['commit']} ({m['metadata_file']})"
        )
        return {
            "release": m["metadata_as_of"],
            "dated_by": "ONS metadata",
            "dating_file": m["file"],
            "release_basis": f"as of {month_name(m['metadata_as_of'])}, stated in {where}{source}",
        }
    m = by_commit[-1]
    label = m["ons_label"]
    others = sorted({x["ons_label"] for x in members if x["ons_label"] and x["ons_label"] != label})
    also = f"; the same values were also published labelled {', '.join(others)}" if others else ""
    if len(label) == 4:
        return {
            "release": label,
            "dated_by": "year only",
            "dating_file": m["file"],
            "release_basis": f"ONS period label only: the year {label}, month not stated{also}",
        }
    return {
        "release": label[:7],
        "dated_by": "ONS period label",
        "dating_file": m["file"],
        "release_basis": f"ONS period label only: {label}{also}",
    }


def releases(con: duckdb.DuckDBPyConnection, rejects: Rejects) -> list[dict]:
    """Kept rows of ``series_checked``, one per area, indicator and distinct release."""
    files = {
        r[0]: dict(
            zip(
                (
                    "file",
                    "label",
                    "ons_label",
                    "commit",
                    "committed",
                    "metadata_file",
                    "metadata_as_of",
                    "metadata_source_date",
                ),
                r,
                strict=False,
            )
        )
        for r in con.execute("""SELECT file, label, ons_label, commit, committed, metadata_file, metadata_as_of,
                                            metadata_source_date FROM series_files ORDER BY file""").fetchall()
    }
    rows = con.execute("""SELECT indicator, file, area_code, area_name, geography, value, ons_note, row_number
                          FROM series_checked WHERE problem IS NULL ORDER BY indicator, file, row_number""").fetchall()
    by_file: dict[tuple[str, str], dict[str, tuple]] = defaultdict(dict)
    for indicator, file, code, name, geography, value, note, line in rows:
        held = by_file[(indicator, file)]
        if code in held:  # one file giving an area twice: keep the first, count the repeat
            rejects.add(
                files[file]["label"],
                line,
                "AREACD",
                code,
                "area listed twice in one file (first row kept)",
                "duplicate",
                code,
            )
            continue
        held[code] = (name, geography, value, note, line)
    out: list[dict] = []
    for indicator in sorted({i for i, _ in by_file}):
        values = {f: {c: v[2] for c, v in held.items()} for (i, f), held in by_file.items() if i == indicator}
        dated = []
        for group in group_files(values):
            info = date_release([files[f] for f in group])
            order = [info["dating_file"]] + sorted(
                (f for f in group if f != info["dating_file"]),
                key=lambda f: (files[f]["committed"] or "", f),
                reverse=True,
            )
            dated.append((info, order))
        months = defaultdict(list)
        for info, order in dated:
            months[info["release"]].append(order)
        for info, order in dated:
            conflict = len(months[info["release"]]) > 1
            first = order[0]
            taken: set[str] = set()
            for f in order:
                for code, (name, geography, value, note, line) in sorted(by_file[(indicator, f)].items()):
                    if conflict:
                        rejects.add(
                            files[f]["label"],
                            line,
                            "file",
                            f,
                            f"values differ from another file dated "
                            f"{info['release']} for {indicator}; cannot tell which is right",
                            "duplicate",
                            code,
                        )
                        continue
                    if code in taken:
                        rejects.add(
                            files[f]["label"],
                            line,
                            "file",
                            f,
                            f"repeats Ofcom release {info['release']} of {indicator} (same values as {first})",
                            "duplicate",
                            code,
                        )
                        continue
                    taken.add(code)
                    out.append(
                        {
                            "area_code": code,
                            "area_name": name,
                            "geography": geography,
                            "indicator": indicator,
                            "indicator_label": LABELS[indicator],
                            "unit": UNITS[indicator],
                            "release": info["release"],
                            "release_name": month_name(info["release"]),
                            "dated_by": info["dated_by"],
                            "release_basis": info["release_basis"],
                            "value": value,
                            "ons_note": note,
                            "ons_file": f,
                            "ons_files": "; ".join(order),
                            "ons_labels": "; ".join(sorted({files[x]["ons_label"] or "(current file)" for x in order})),
                            "commit": files[f]["commit"],
                            "committed": files[f]["committed"],
                            "source_file": files[f]["label"],
                            "source_row": line,
                        }
                    )
    return out


def build_connectivity_series(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    files = require_each(ONS_LOCAL_INDICATORS, paths)
    read = read_local_indicators(con, files)
    rejects = read.rejects
    rows = releases(con, rejects)
    con.register("_series_out", pa.Table.from_pylist(rows, schema=SCHEMA))
    con.execute("CREATE OR REPLACE TEMP TABLE la_connectivity_series AS SELECT * FROM _series_out")
    con.unregister("_series_out")
    key = ONS_LOCAL_INDICATORS.key
    national = write_parquet(
        con,
        "SELECT * FROM la_connectivity_series ORDER BY indicator, area_code, release",
        paths.table_path("la_connectivity_series"),
        sources={key: "count(*)"},
        notes="releases dated by the rule in pipeline/ingest/connectivity_series.py",
    )
    rejects.write(con, paths.rejects / "la_connectivity_series.parquet", [key])
    read.rows_kept = len(rows)
    rows_in, kept = account(read)
    study = write_parquet(
        con,
        sql("district_connectivity_series"),
        paths.table_path("district_connectivity_series"),
        params={"lads": list(settings.lad_codes)},
        sources={key: "count(*)"},
        notes="the study districts and their comparators (UK, nation, counties) from la_connectivity_series",
    )
    per_indicator = dict(
        con.execute("""SELECT indicator, count(DISTINCT release) FROM la_connectivity_series
                                        GROUP BY 1 ORDER BY 1""").fetchall()
    )
    releases_by_indicator = {
        i: [
            r[0]
            for r in con.execute(
                """SELECT DISTINCT release || ' (' || dated_by || ')' FROM la_connectivity_series WHERE indicator = $i
           ORDER BY 1""",
                {"i": i},
            ).fetchall()
        ]
        for i in per_indicator
    }
    found = {r[0] for r in con.execute("SELECT DISTINCT area_code FROM la_connectivity_series").fetchall()}
    counts = {
        "files_read": read.notes["files_read"],
        "files_by_layout": read.notes["files_by_layout"],
        "files_set_aside": read.notes["files_set_aside"],
        "releases_per_indicator": per_indicator,
        "releases": releases_by_indicator,
        "areas": len(found),
        "study_districts_missing": [lad for lad in settings.lad_codes if lad not in found],
    }
    return [
        AssetResult("la_connectivity_series", [national], rows_in, kept, rejects, files, counts),
        AssetResult(
            "district_connectivity_series",
            [study],
            study.rows,
            study.rows,
            Rejects(),
            [],
            {"study_districts_missing": counts["study_districts_missing"]},
        ),
    ]
