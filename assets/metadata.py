"""Asset metadata from engine results: row accounting, schema, a preview, sources and licences.

Text from sources (practice names, addresses) is escaped before it reaches the Dagster UI's
markdown, so a hostile name shows as text there too.
"""


import html
import json
from pathlib import Path

import dagster as dg
import duckdb

from pipeline.ingest.result import TableResult
from pipeline.registry import SOURCES, licence_lines

PREVIEW_ROWS = 5


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return html.escape(text[:60]).replace("|", "&#124;").replace("\n", " ")


def preview_markdown(con: duckdb.DuckDBPyConnection, path: Path, rows: int = PREVIEW_ROWS) -> str:
    pattern = str(path / "*.parquet") if path.is_dir() else str(path)
    rel = con.execute("SELECT * FROM read_parquet($p, union_by_name = true) LIMIT 0", {"p": pattern})
    columns = [d[0] for d in rel.description if d[0] != "geom"]
    if not columns:
        return ""
    selected = ", ".join('"' + c + '"' for c in columns)
    data = con.execute(f"SELECT {selected} FROM read_parquet($p, union_by_name = true) LIMIT {rows}",
                       {"p": pattern}).fetchall()
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in data]
    return "\n".join(lines)


def sources_markdown(keys) -> str:
    lines = [f"- **{html.escape(SOURCES[k].title)}** — {html.escape(SOURCES[k].publisher)}, "
             f"{html.escape(SOURCES[k].release)}" for k in keys]
    lines.append("")
    lines += [f"> {html.escape(line)}" for line in licence_lines(keys)]
    return "\n".join(lines)


def _plain(value):
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return dg.MetadataValue.json(json.loads(json.dumps(value, default=str)))


def table_metadata(result: TableResult, con: duckdb.DuckDBPyConnection) -> dict:
    first = result.outputs[0].path if result.outputs else None
    location = first.parent if first is not None and len(result.outputs) > 1 else first
    meta: dict = {
        "dagster/row_count": result.rows_written,
        "rows_in": result.rows_in,
        "rows_kept": result.rows_kept,
        "rows_rejected": result.rows_rejected,
        "accounting": f"{result.rows_in} in = {result.rows_kept} kept + {result.rows_rejected} rejected",
        "sources": dg.MetadataValue.md(sources_markdown(result.source_keys)),
    }
    if location is not None:
        meta["path"] = dg.MetadataValue.path(str(location))
        meta["dagster/column_schema"] = dg.TableSchema(
            columns=[dg.TableColumn(name, type_) for name, type_ in result.outputs[0].columns])
        meta["preview"] = dg.MetadataValue.md(preview_markdown(con, location))
    if result.inputs:
        meta["inputs"] = dg.MetadataValue.md("\n".join(
            f"- `{html.escape(i.label)}` ({i.origin}, sha256 `{i.sha256[:16]}`)" for i in result.inputs))
    for key, value in result.counts.items():
        meta[key] = _plain(value)
    return meta


def materialize_each(results: list[TableResult], con: duckdb.DuckDBPyConnection):
    """One MaterializeResult per table a multi-asset step wrote."""
    for result in results:
        yield dg.MaterializeResult(asset_key=result.name, metadata=table_metadata(result, con))


def specs(deps: list, kinds: set[str], **descriptions: str) -> list[dg.AssetSpec]:
    """AssetSpecs for a multi-asset step whose outputs share their upstream dependencies."""
    return [dg.AssetSpec(key, deps=deps, kinds=kinds, description=text) for key, text in descriptions.items()]
