"""Ofcom Connected Nations figures for every UK local authority, as republished by ONS in its
"Explore local statistics" data repository (ONSdigital/explore-local-statistics-data).

ONS overwrites one CSV per indicator at each update, so a history is a set of copies of that CSV
taken at successive commits. Three layouts are read, by one reader:

- ``national``: the current file ``<indicator>.csv`` and the metadata ``<indicator>.json`` ONS
  publishes with it (its "as of <month> <year>" dates the Ofcom release);
- ``history``: earlier copies ``<indicator>__<ONS period label>__<commit>.csv``, with
  ``MANIFEST.csv`` giving each copy's commit date;
- ``extract``: five-district extracts ``<indicator>_<ONS period label>.csv`` (and
  ``subnational-indicators_<year>.csv``) with ``periods.csv`` giving each file's commit, commit date
  and the metadata ONS published at that commit ("as of <month> <year>", Ofcom's source date); that
  metadata also dates the history copies of the same commits.
  When national or history files are present they hold the same commits for every area, and the
  extracts are set aside (listed, not read).

Headers vary between ONS releases (``AREACD``/``areacd``, ``Value``/``Observation``, optional
``Mission``/``Category``); columns are matched case-insensitively. Every field is read as text and
typed in ``sql/local_indicators_checked.sql``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.duckcsv import duckdb_csv_error
from pipeline.rejects import Rejects
from pipeline.sqlfiles import sql
from pipeline.wording import MONTHS

# File-name prefix -> our indicator. ONS renamed the mobile folders in 2025.
INDICATOR_FILES = {
    "gigabit-capable-broadband": "gigabit_capable_pct",
    "premises-below-30": "premises_below_30_pct",
    "4g-coverage": "coverage_4g_area_pct",
    "network-coverage-4g": "coverage_4g_area_pct",
    "5g-coverage": "coverage_5g_area_pct",
    "network-coverage-5g": "coverage_5g_area_pct",
}
# Rows of the 2021 subnational-indicators file, by their Indicator text.
SUBNATIONAL = {
    "percentage of premises with gigabit-capable broadband": "gigabit_capable_pct",
    "percentage of 4g (and 5g) coverage by at least one mobile network operator": "coverage_4g_area_pct",
}
LABELS = {
    "gigabit_capable_pct": "Premises with gigabit-capable broadband (%)",
    "premises_below_30_pct": "Premises without a service above 30 Mbit/s (%)",
    "coverage_4g_area_pct": "Land area with outdoor 4G from at least one operator (%)",
    "coverage_5g_area_pct": "Land area with outdoor 5G from at least one operator (%)",
}
UNITS = {
    k: "% of premises" if k in ("gigabit_capable_pct", "premises_below_30_pct") else "% of land area" for k in LABELS
}
# Lower is better only for premises below 30 Mbit/s.
LOWER_IS_BETTER = frozenset({"premises_below_30_pct"})

LABEL = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
PREFIX = "|".join(sorted((re.escape(p) for p in INDICATOR_FILES), key=len, reverse=True))
NATIONAL = re.compile(rf"^(?P<prefix>{PREFIX})\.csv$")
HISTORY = re.compile(rf"^(?P<prefix>{PREFIX})__(?P<label>{LABEL})__(?P<commit>[0-9a-f]{{6,40}})\.csv$")
EXTRACT = re.compile(rf"^(?P<prefix>{PREFIX}|subnational-indicators)_(?P<label>{LABEL})\.csv$")
METADATA_FILES = ("MANIFEST.csv", "periods.csv")
ALIASES = {
    "area_code": ("areacd",),
    "area_name": ("areanm",),
    "geography": ("geography",),
    "indicator_text": ("indicator",),
    "value": ("observation", "value"),
    "note": ("notes",),  # ONS marks the rows it aggregated ("This data has been aggregated ...")
}

FILE_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("label", pa.string()),
        ("layout", pa.string()),
        ("prefix", pa.string()),
        ("ons_label", pa.string()),
        ("commit", pa.string()),
        ("committed", pa.string()),
        ("metadata_file", pa.string()),
        ("metadata_as_of", pa.string()),
        ("metadata_source_date", pa.string()),
    ]
)


@dataclass
class SeriesFile:
    located: Located
    layout: str  # national, history or extract
    prefix: str
    ons_label: str | None  # the ONS period label in the file name (national files have none)
    commit: str | None = None
    committed: str | None = None  # when ONS committed this copy (ISO date), where known
    metadata_file: str | None = None
    metadata_as_of: str | None = None  # 'YYYY-MM' from the .json's "as of <month> <year>"
    metadata_source_date: str | None = None
    notes: dict = field(default_factory=dict)


def as_of(text: str | None) -> str | None:
    """'... in the UK, as of January 2026.' -> '2026-01'."""
    match = re.search(rf"as of ({'|'.join(MONTHS)}) (\d{{4}})", text or "")
    return f"{match[2]}-{MONTHS.index(match[1]) + 1:02d}" if match else None


def _read_small_csv(con: duckdb.DuckDBPyConnection, located: Located) -> list[dict]:
    try:
        rel = con.execute("SELECT * FROM read_csv($p, all_varchar = true, header = true)", {"p": str(located.path)})
    except duckdb.Error as exc:
        raise duckdb_csv_error(exc, located.label) from exc
    names = [d[0].replace("\ufeff", "").strip().lower() for d in rel.description]
    return [dict(zip(names, row, strict=False)) for row in rel.fetchall()]


def _metadata(con: duckdb.DuckDBPyConnection, files: list[Located]) -> tuple[dict, dict, dict, dict]:
    """(.json metadata by indicator prefix, commit dates by history file, commit dates by extract file,
    ONS's metadata at each commit: commit -> (label of periods.csv, as of, Ofcom source date))."""
    json_by_prefix, manifest, periods, by_commit = {}, {}, {}, {}
    for located in files:
        name = located.path.name
        if name.endswith(".json"):
            try:
                meta = json.loads(located.path.read_text(encoding="utf-8-sig"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise SourceFormatError(located.label, f"not readable JSON metadata: {exc}") from exc
            body = meta.get("ess-beta-metadata", meta) if isinstance(meta, dict) else {}
            json_by_prefix[name.removesuffix(".json")] = (
                located.label,
                as_of(body.get("longDescription")),
                body.get("sourceDate"),
            )
        elif name == "MANIFEST.csv":
            for row in _read_small_csv(con, located):
                manifest[row.get("file")] = (row.get("commit"), row.get("commit_date"))
        elif name == "periods.csv":
            for row in _read_small_csv(con, located):
                periods[row.get("file")] = (row.get("source_commit"), (row.get("commit_date") or "")[:10] or None)
                if row.get("source_commit") and as_of(row.get("ons_description")):
                    by_commit[row["source_commit"]] = (
                        located.label,
                        as_of(row["ons_description"]),
                        row.get("ofcom_source_date"),
                    )
    return json_by_prefix, manifest, periods, by_commit


def classify(
    con: duckdb.DuckDBPyConnection, files: list[Located], rejects: Rejects
) -> tuple[list[SeriesFile], list[str]]:
    """The data files to read, and the extract files set aside because national files supersede them."""
    json_by_prefix, manifest, periods, by_commit = _metadata(con, files)
    data: list[SeriesFile] = []
    for located in files:
        name = located.path.name
        if name.endswith(".json") or name in METADATA_FILES:
            continue
        if match := NATIONAL.match(name):
            meta_label, meta_as_of, source_date = json_by_prefix.get(match["prefix"], (None, None, None))
            data.append(
                SeriesFile(
                    located,
                    "national",
                    match["prefix"],
                    None,
                    metadata_file=meta_label,
                    metadata_as_of=meta_as_of,
                    metadata_source_date=source_date,
                )
            )
        elif match := HISTORY.match(name):
            commit, committed = manifest.get(name, (match["commit"], None))
            meta_label, meta_as_of, source_date = by_commit.get(commit, (None, None, None))
            data.append(
                SeriesFile(
                    located,
                    "history",
                    match["prefix"],
                    match["label"],
                    commit,
                    committed,
                    meta_label,
                    meta_as_of,
                    source_date,
                )
            )
        elif match := EXTRACT.match(name):
            commit, committed = periods.get(name, (None, None))
            meta_label, meta_as_of, source_date = by_commit.get(commit, (None, None, None))
            data.append(
                SeriesFile(
                    located,
                    "extract",
                    match["prefix"],
                    match["label"],
                    commit,
                    committed,
                    meta_label,
                    meta_as_of,
                    source_date,
                )
            )
        else:
            rejects.add(
                located.label,
                None,
                "file name",
                name,
                "not a known indicator file "
                "(<indicator>.csv, <indicator>__<period>__<commit>.csv or <indicator>_<period>.csv)",
                "out_of_scope",
            )
    set_aside: list[str] = []
    if any(f.layout != "extract" for f in data):
        set_aside = [f.located.label for f in data if f.layout == "extract"]
        data = [f for f in data if f.layout != "extract"]
    return data, set_aside


def read_local_indicators(con: duckdb.DuckDBPyConnection, files: list[Located]) -> Read:
    """Every row of every indicator file into temp table ``series_checked`` (one row per file row,
    with ``problem`` NULL when it can be kept) and the files into ``series_files``."""
    rejects = Rejects()
    data, set_aside = classify(con, files, rejects)
    if not data:
        raise SourceFormatError("ons-explore-local-statistics/", "no indicator files found")
    con.execute("""CREATE OR REPLACE TEMP TABLE series_text (file VARCHAR, label VARCHAR, prefix VARCHAR,
        row_number BIGINT, area_code VARCHAR, area_name VARCHAR, geography VARCHAR, indicator_text VARCHAR,
        value_field VARCHAR, value_text VARCHAR, note VARCHAR)""")
    for item in data:
        _load_text(con, item)
    con.register(
        "_series_files",
        pa.Table.from_pylist(
            [
                {
                    "file": f.located.path.name,
                    "label": f.located.label,
                    "layout": f.layout,
                    "prefix": f.prefix,
                    "ons_label": f.ons_label,
                    "commit": f.commit,
                    "committed": f.committed,
                    "metadata_file": f.metadata_file,
                    "metadata_as_of": f.metadata_as_of,
                    "metadata_source_date": f.metadata_source_date,
                }
                for f in data
            ],
            schema=FILE_SCHEMA,
        ),
    )
    con.execute("CREATE OR REPLACE TEMP TABLE series_files AS SELECT * FROM _series_files")
    con.unregister("_series_files")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE series_checked AS " + sql("local_indicators_checked"),
        {
            "prefixes": list(INDICATOR_FILES),
            "indicators": list(INDICATOR_FILES.values()),
            "texts": list(SUBNATIONAL),
            "text_indicators": list(SUBNATIONAL.values()),
        },
    )
    rejects.extend_from(
        con,
        """SELECT label, row_number, problem_field, problem_value, problem,
                                       CASE WHEN problem LIKE
                                       'indicator not used%' THEN 'out_of_scope' ELSE 'invalid' END,
                                       area_code
                                FROM series_checked WHERE problem IS NOT NULL ORDER BY label, row_number""",
    )
    rows_in = con.execute("SELECT count(*) FROM series_checked").fetchone()[0]
    layouts = dict(con.execute("SELECT layout, count(*) FROM series_files GROUP BY 1 ORDER BY 1").fetchall())
    return Read(
        "series_checked",
        rows_in,
        rejects,
        primary=tuple(f.located.label for f in data),
        notes={"files_read": len(data), "files_by_layout": layouts, "files_set_aside": set_aside},
    )


def _load_text(con: duckdb.DuckDBPyConnection, item: SeriesFile) -> None:
    """One file's rows as text, with their line numbers, under our column names."""
    label = item.located.label
    try:
        rel = con.execute(
            "SELECT * FROM read_csv($p, all_varchar = true, header = true, auto_detect = true)",
            {"p": str(item.located.path)},
        )
        header = [d[0] for d in rel.description]
    except duckdb.Error as exc:
        raise duckdb_csv_error(exc, label) from exc
    lower = {h.replace("\ufeff", "").strip().lower(): h for h in header}
    cols = {ours: next((lower[a] for a in aliases if a in lower), None) for ours, aliases in ALIASES.items()}
    if cols["area_code"] is None:
        raise SourceFormatError(label, f"no AREACD column (header has: {', '.join(header)})", row=1, field="AREACD")
    if cols["value"] is None:
        raise SourceFormatError(
            label, f"no Value or Observation column (header has: {', '.join(header)})", row=1, field="Value"
        )

    def col(name: str) -> str:
        return f'"{cols[name]}"' if cols[name] else "NULL"

    con.execute(
        f"""INSERT INTO series_text
        SELECT $file, $label, $prefix, row_number() OVER () + 1, {col("area_code")}, {col("area_name")},
               {col("geography")}, {col("indicator_text")}, $value_field, {col("value")},
               {col("note")}
        FROM read_csv($p, all_varchar = true, header = true, auto_detect = true)""",
        {
            "file": item.located.path.name,
            "label": label,
            "prefix": item.prefix,
            "p": str(item.located.path),
            "value_field": cols["value"],
        },
    )
