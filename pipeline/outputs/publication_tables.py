"""The bid writers' outputs, made together from the published tables: the CSVs with their
sidecars, the XLSX evidence pack, the headlines (Markdown and HTML) and the charts."""

from __future__ import annotations

import json

import duckdb

from pipeline.duck import exact
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult, made
from pipeline.outputs.charts import build_charts, build_peer_charts, build_validation_charts
from pipeline.outputs.headlines import build_headlines
from pipeline.outputs.peer_text import similar_means
from pipeline.outputs.tables import OMITTED, TABLES, write_evidence_tables
from pipeline.outputs.workbook import build_workbook
from pipeline.paths import Paths
from pipeline.settings import Settings

PACK = "diz_evidence_pack.xlsx"


def build_connectivity_charts(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    """The charts of Ofcom's district figures: over time, and each district among its similar places."""
    exact(con)
    own = settings.own_output_districts
    charts = build_charts(con, paths.charts, own, len(settings.lad_codes))
    peers = build_peer_charts(con, paths.charts, similar_means(settings), own)
    return [
        made("connectivity_charts", [p for files in charts.values() for p in files]),
        made("peer_charts", [p for files in peers.values() for p in files]),
    ]


def build_evidence_tables(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    """The files made for each asset: evidence_tables, headlines, and the validation charts (which the
    evidence pack embeds)."""
    exact(con)
    vintage = vintage_of(settings)
    validation = build_validation_charts(con, paths.charts)
    sidecars = write_evidence_tables(con, paths, vintage, settings)
    headlines = build_headlines(paths.tables, paths.gen / "headlines.md", settings, vintage.label)
    tables = sorted(p for p in paths.tables.iterdir() if p.is_file())
    return [
        made(
            "evidence_tables",
            tables,
            {"tables": {k: v["rows"] for k, v in sidecars.items()}, "headline_figures": headlines["figures"]},
        ),
        made("headlines", [paths.gen / "headlines.md", paths.gen / "headlines.html"]),
        made("validation_charts", [p for files in validation.values() for p in files]),
    ]


def build_evidence_pack(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    """The XLSX evidence pack, from the published CSV tables, their sidecars and the charts: a step of its own,
    so the briefings, which read the CSVs, need not wait for the workbook."""
    omitted = json.loads((paths.tables / OMITTED).read_text(encoding="utf-8"))
    sidecars = {
        t.name: json.loads(sidecar.read_text(encoding="utf-8"))
        for t in TABLES
        if t.name not in omitted and (sidecar := paths.tables / f"{t.name}.sources.json").is_file()
    }
    pack = build_workbook(paths.tables, paths.charts, paths.gen / PACK, sidecars, settings.outputs.pack_max_rows)
    return made("evidence_pack", [paths.gen / PACK], {"sheets": pack["sheets"]})
