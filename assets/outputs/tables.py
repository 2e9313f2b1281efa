"""Summary tables, CSV evidence tables, the XLSX evidence pack, headlines and charts."""

import re

import dagster as dg

from assets.metadata import table_metadata
from assets.resources import DuckDBResource, SettingsResource, StorageResource
from pipeline.analysis.indicators import register_inputs
from pipeline.outputs.charts import build_charts
from pipeline.outputs.headlines import build_headlines, read_table
from pipeline.outputs.summaries import build_district_summary, build_inclusion_priorities
from pipeline.outputs.tables import TABLES, write_evidence_tables
from pipeline.outputs.workbook import build_workbook


@dg.asset(group_name="outputs", kinds={"duckdb", "parquet"},
          deps=["broadband_coverage", "lsoa_index", "hotspots", "gp_readiness"])
def district_summary(settings: SettingsResource, storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Key figures per district and for the study area: residents, broadband gaps, high-risk LSOAs, GP sites."""
    with duckdb.connect() as con:
        result = build_district_summary(con, storage.paths(), settings.get())
        meta = table_metadata(result, con)
    storage.refresh_catalog()
    return dg.MaterializeResult(metadata=meta)


@dg.asset(group_name="outputs", kinds={"duckdb", "parquet"}, deps=["lsoa_index", "census_age"])
def inclusion_priorities(settings: SettingsResource, storage: StorageResource,
                         duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Priority LSOAs for digital skills, device and data-donation outreach, with resident counts."""
    with duckdb.connect() as con:
        result = build_inclusion_priorities(con, storage.paths(), settings.get())
        meta = table_metadata(result, con)
    storage.refresh_catalog()
    return dg.MaterializeResult(metadata=meta)


@dg.asset(group_name="outputs", kinds={"matplotlib", "png", "svg"}, deps=["district_connectivity_series"])
def connectivity_charts(storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Gigabit, below-30 Mbit/s and 4G/5G coverage over time per district, with England (PNG and SVG)."""
    paths = storage.paths()
    with duckdb.connect() as con:
        register_inputs(con, paths, ("district_connectivity_series",))
        written = build_charts(con, paths.processed / "charts")
    return dg.MaterializeResult(metadata={"charts": dg.MetadataValue.json(written),
                                          "path": dg.MetadataValue.path(str(paths.processed / "charts"))})


@dg.asset(group_name="outputs", kinds={"csv"},
          deps=[district_summary, inclusion_priorities, "lsoa_index", "hotspots", "gp_readiness", "fibre_gap_cells",
                "fibre_gap_lsoas", "connectivity_change", "district_connectivity_series",
                "connectivity_reconciliation", "index_sensitivity"])
def evidence_tables(storage: StorageResource, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """CSV tables for bid writers in data/processed/tables, each with a .sources.json sidecar."""
    paths = storage.paths()
    with duckdb.connect() as con:
        written = write_evidence_tables(con, paths)
    return dg.MaterializeResult(metadata={
        "tables": dg.MetadataValue.json({k: v["rows"] for k, v in written.items()}),
        "path": dg.MetadataValue.path(str(paths.tables))})


@dg.asset(group_name="outputs", kinds={"xlsx"}, deps=[evidence_tables, connectivity_charts])
def evidence_pack(storage: StorageResource) -> dg.MaterializeResult:
    """diz_evidence_pack.xlsx: one sheet per table headed by its sources, a Sources sheet, and the charts."""
    import json

    paths = storage.paths()
    sidecars = {t.name: json.loads((paths.tables / f"{t.name}.sources.json").read_text()) for t in TABLES}
    result = build_workbook(paths.tables, paths.processed / "charts", paths.processed / "diz_evidence_pack.xlsx",
                            sidecars)
    return dg.MaterializeResult(metadata={"sheets": dg.MetadataValue.json(result["sheets"]),
                                          "path": dg.MetadataValue.path(result["path"])})


@dg.asset(group_name="outputs", kinds={"markdown"}, deps=[evidence_tables])
def headlines(settings: SettingsResource, storage: StorageResource) -> dg.MaterializeResult:
    """headlines.md: key figures per district, each followed by the table row it comes from."""
    paths = storage.paths()
    result = build_headlines(paths.tables, paths.processed / "headlines.md", settings.get().study_area_name)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(result["path"]),
                                          "preview": dg.MetadataValue.md(
                                              (paths.processed / "headlines.md").read_text()[:3000])})


REFERENCE = re.compile(r"(?P<value>-?[\d,]+(?:\.\d+)?%?) \[(?P<table>[\w]+)\.csv \| (?P<keys>[^\]]+?) \| (?P<column>\w+)\]")


def check_references(tables_folder, text: str) -> list[str]:
    """Every 'value [table.csv | key=value | column]' in the text, checked against the CSV; problems returned."""
    problems, cache = [], {}
    for match in REFERENCE.finditer(text):
        table = match["table"]
        rows = cache.setdefault(table, read_table(tables_folder, table))
        keys = dict(k.split("=", 1) for k in match["keys"].split(" | "))
        found = [r for r in rows if all(r[k] == v for k, v in keys.items())]
        if len(found) != 1:
            problems.append(f"{match.group(0)}: {len(found)} rows match")
            continue
        cell = found[0][match["column"]]
        shown = float(match["value"].rstrip("%").replace(",", ""))
        digits = len(match["value"].rstrip("%").split(".")[1]) if "." in match["value"] else 0
        if round(float(cell), digits) != shown:
            problems.append(f"{match.group(0)}: table holds {cell}")
    return problems


@dg.asset_check(asset=headlines, blocking=True)
def every_headline_figure_matches_its_table_row(storage: StorageResource) -> dg.AssetCheckResult:
    """Each figure in headlines.md is the value of the table cell it cites."""
    paths = storage.paths()
    text = (paths.processed / "headlines.md").read_text()
    problems = check_references(paths.tables, text)
    cited = len(REFERENCE.findall(text))
    return dg.AssetCheckResult(passed=cited > 0 and not problems,
                               metadata={"figures_cited": cited, "problems": problems[:20]})


@dg.asset_check(asset=evidence_tables, blocking=True)
def every_table_has_its_sources(storage: StorageResource) -> dg.AssetCheckResult:
    """Each CSV has a sidecar naming at least one source and its licence lines."""
    import json

    folder = storage.paths().tables
    missing = []
    for csv_file in sorted(folder.glob("*.csv")):
        sidecar = folder / f"{csv_file.stem}.sources.json"
        if not sidecar.exists() or not json.loads(sidecar.read_text()).get("licence"):
            missing.append(csv_file.name)
    return dg.AssetCheckResult(passed=not missing, metadata={"tables_without_sources": missing})
