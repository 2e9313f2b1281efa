"""ONS "Clustering similar local authorities and statistical nearest neighbours in the UK": for each
release (a folder named by its year), the 20 statistical nearest neighbours of every local authority
per model (``<model>-neighbours.csv`` or ``<Model>_neighbours.csv``: ``AREACD,1,...,20``, nearest
first), each authority's cluster per model (``Cluster_allocation.csv`` with ``<Model> model`` columns
holding codes such as ``Con_C``, or ``cluster-allocation.csv`` with bare letters), and what each
cluster means (``Cluster-descriptions.txt``: "<Model> model:" sections of "<code>: <text>" lines).

Every field is read as text and checked in ``sql/similar_areas_neighbours_checked.sql`` and
``sql/similar_areas_clusters_checked.sql``; rows that fail go to rejects with file, row, field,
value and reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from pipeline.errors import SourceFormatError
from pipeline.fetch import Located
from pipeline.readers import Read
from pipeline.readers.duckcsv import duckdb_csv_error
from pipeline.rejects import Rejects
from pipeline.sqlfiles import sql

MODELS = {
    "global": "Global",
    "economic": "Economic",
    "demographic": "Demographic",
    "health and well-being": "Health and well-being",
    "connectivity and sustainability": "Connectivity and sustainability",
}
NEIGHBOURS = re.compile(r"^(?P<model>[a-z]+)[-_]neighbours\.csv$", re.I)
ALLOCATION = re.compile(r"^cluster[-_]allocation\.csv$", re.I)
DESCRIPTIONS = re.compile(r"^cluster-descriptions\.txt$", re.I)
YEAR = re.compile(r"^(19|20)\d{2}$")
SECTION = re.compile(r"^(?P<model>[A-Za-z &-]+?) model:\s*$")
LINE = re.compile(r"^(?P<code>[A-Za-z]+_[A-Z]):\s*(?P<text>.+)$")


@dataclass(frozen=True)
class ReleaseFile:
    located: Located
    release: str  # the folder's year
    kind: str  # neighbours, allocation or descriptions
    model: str | None = None


def classify(files: list[Located], rejects: Rejects) -> list[ReleaseFile]:
    out = []
    for located in files:
        name, folder = located.path.name, located.path.parent.name
        if not YEAR.match(folder):
            if name.lower().endswith((".csv", ".txt")):
                rejects.add(
                    located.label, None, "file name", name, "not in a folder named by its release year", "out_of_scope"
                )
            continue
        if match := NEIGHBOURS.match(name):
            model = match["model"].lower()
            if model not in MODELS:
                rejects.add(located.label, None, "file name", name, f"unknown model {match['model']!r}", "out_of_scope")
                continue
            out.append(ReleaseFile(located, folder, "neighbours", model))
        elif ALLOCATION.match(name):
            out.append(ReleaseFile(located, folder, "allocation"))
        elif DESCRIPTIONS.match(name):
            out.append(ReleaseFile(located, folder, "descriptions"))
        elif name.lower().endswith((".csv", ".txt")):
            rejects.add(
                located.label,
                None,
                "file name",
                name,
                "not a neighbours, allocation or descriptions file",
                "out_of_scope",
            )
    return out


def _columns(con: duckdb.DuckDBPyConnection, located: Located) -> list[str]:
    try:
        rel = con.execute(
            "SELECT * FROM read_csv($p, all_varchar = true, header = true) LIMIT 0", {"p": str(located.path)}
        )
    except duckdb.Error as exc:
        raise duckdb_csv_error(exc, located.label) from exc
    return [d[0] for d in rel.description]


def _descriptions(item: ReleaseFile) -> list[dict]:
    """(release, model, cluster code, description) from a descriptions text file."""
    rows, model = [], None
    text = item.located.path.read_text(encoding="utf-8-sig", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if match := SECTION.match(line):
            model = match["model"].strip().lower()
        elif (match := LINE.match(line)) and model in MODELS:
            rows.append(
                {
                    "release": item.release,
                    "model": model,
                    "cluster_code": match["code"],
                    "description": match["text"].strip(),
                    "source_file": item.located.label,
                    "source_row": number,
                }
            )
    return rows


def read_similar_areas(con: duckdb.DuckDBPyConnection, files: list[Located]) -> Read:
    """Temp tables ``neighbours_checked`` and ``clusters_checked`` (every row, with ``problem``) and
    ``cluster_descriptions``."""
    rejects = Rejects()
    items = classify(files, rejects)
    if not any(i.kind == "neighbours" for i in items):
        raise SourceFormatError("ons-explore-local-statistics/clusters/", "no <model>-neighbours.csv file found")
    con.execute("""CREATE OR REPLACE TEMP TABLE neighbours_text (release VARCHAR, model VARCHAR, label VARCHAR,
                   row_number BIGINT, area_code VARCHAR, neighbour_rank INTEGER, neighbour_code VARCHAR)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE clusters_text (release VARCHAR, model VARCHAR, label VARCHAR,
                   row_number BIGINT, area_code VARCHAR, area_name VARCHAR, cluster VARCHAR)""")
    primary = []
    for item in items:
        if item.kind == "descriptions":
            continue
        primary.append(item.located.label)
        columns = _columns(con, item.located)
        lower = {c.replace("\ufeff", "").strip().lower(): c for c in columns}
        code = lower.get("areacd") or lower.get("local authority code")
        if code is None:
            raise SourceFormatError(
                item.located.label, f"no AREACD column (header has: {', '.join(columns)})", row=1, field="AREACD"
            )
        params = {"p": str(item.located.path), "release": item.release, "label": item.located.label}
        if item.kind == "neighbours":
            ranks = [c for c in columns if c.strip().isdigit()]
            if not ranks:
                raise SourceFormatError(item.located.label, "no neighbour columns 1, 2, ... in the header", row=1)
            unpivot = ", ".join(f'"{c}"' for c in ranks)
            con.execute(
                f"""INSERT INTO neighbours_text
                SELECT $release, $model, $label, row_number, area_code, trim(rank_col)::INTEGER, neighbour
                FROM (SELECT row_number() OVER () + 1 AS row_number, "{code}" AS area_code, * EXCLUDE ("{code}")
                      FROM read_csv($p, all_varchar = true, header = true))
                UNPIVOT (neighbour FOR rank_col IN ({unpivot}))""",
                params | {"model": item.model},
            )
        else:
            name = lower.get("areanm") or lower.get("local authority name")
            models = {m: c for m in MODELS for key, c in lower.items() if key in (m, f"{m} model")}
            if not models:
                raise SourceFormatError(
                    item.located.label, "no model columns (Global, Economic, ...) in the header", row=1
                )
            for model, column in models.items():
                con.execute(
                    f"""INSERT INTO clusters_text
                    SELECT $release, $model, $label, row_number() OVER () + 1, "{code}",
                           {f'"{name}"' if name else "NULL"}, "{column}"
                    FROM read_csv($p, all_varchar = true, header = true)""",
                    params | {"model": model},
                )
    descriptions = [row for item in items if item.kind == "descriptions" for row in _descriptions(item)]
    con.register(
        "_descriptions",
        pa.Table.from_pylist(
            descriptions,
            schema=pa.schema(
                [
                    ("release", pa.string()),
                    ("model", pa.string()),
                    ("cluster_code", pa.string()),
                    ("description", pa.string()),
                    ("source_file", pa.string()),
                    ("source_row", pa.int64()),
                ]
            ),
        ),
    )
    con.execute("CREATE OR REPLACE TEMP TABLE cluster_descriptions AS SELECT * FROM _descriptions")
    con.unregister("_descriptions")
    con.execute("CREATE OR REPLACE TEMP TABLE neighbours_checked AS " + sql("similar_areas_neighbours_checked"))
    con.execute("CREATE OR REPLACE TEMP TABLE clusters_checked AS " + sql("similar_areas_clusters_checked"))
    for table in ("neighbours_checked", "clusters_checked"):
        rejects.extend_from(
            con,
            f"""SELECT label, row_number, problem_field, problem_value, problem,
                                            CASE WHEN problem LIKE 'repeat%' THEN 'duplicate' ELSE 'invalid' END,
                                            area_code
                                     FROM {table} WHERE problem IS NOT NULL ORDER BY label, row_number""",
        )
    rows_in = con.execute("""SELECT (SELECT count(DISTINCT (label, row_number)) FROM neighbours_text)
                                    + (SELECT count(DISTINCT (label, row_number)) FROM clusters_text)""").fetchone()[0]
    kept = con.execute("""SELECT (SELECT count(DISTINCT (label, row_number)) FROM neighbours_text
                                  WHERE (label, row_number) NOT IN (SELECT (label, row_number) FROM neighbours_checked
                                                                    WHERE problem IS NOT NULL))
                                 + (SELECT count(DISTINCT (label, row_number)) FROM clusters_text
                                    WHERE (label, row_number) NOT IN (SELECT (label, row_number) FROM clusters_checked
                                                                      WHERE problem IS NOT NULL))""").fetchone()[0]
    return Read(
        "similar_areas",
        rows_in,
        rejects,
        primary=tuple(primary),
        rows_kept=kept,
        notes={"releases": sorted({i.release for i in items}), "files": {i.located.label: i.kind for i in items}},
    )
