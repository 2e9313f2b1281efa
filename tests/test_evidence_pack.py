"""What bid writers open: the XLSX, the CSV tables with sources, headlines, charts, the notebook."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow


def test_every_xlsx_sheet_opens_with_its_sources_and_licence(real_run):
    from openpyxl import load_workbook

    from pipeline.outputs.tables import TABLES

    wb = load_workbook(real_run.paths.processed / "diz_evidence_pack.xlsx")
    assert wb.sheetnames == [t.sheet for t in TABLES] + ["Sources"]
    for t in TABLES:
        ws = wb[t.sheet]
        assert ws["A3"].value.startswith("Sources: ") and len(ws["A3"].value) > 20, t.sheet
        assert ws["A4"].value.startswith("Licence: ") and "Licence v3.0" in ws["A4"].value, t.sheet
        csv_rows = sum(1 for _ in (real_run.paths.tables / f"{t.name}.csv").open()) - 1
        header_row = next(r for r in range(5, 12) if ws.cell(row=r, column=1).font.bold)
        assert ws.max_row - header_row == csv_rows, t.sheet
    sources = wb["Sources"]
    titles = {sources.cell(row=r, column=2).value for r in range(4, sources.max_row + 1)}
    assert {"OS Code-Point Open", "English Indices of Deprivation 2019: Files 1, 2 and 6"} <= titles
    assert len(wb["Change over time"]._images) == 3


def test_district_summary_sheet_has_the_required_figures(real_run):
    import csv

    rows = list(csv.DictReader((real_run.paths.tables / "district_summary.csv").open()))
    assert [r["lad_code"] for r in rows][-1] == "ALL" and len(rows) == 6
    for column in ("residents_2021", "postcodes", "pct_no_superfast", "pct_no_gigabit", "lsoas_in_top_index_decile",
                   "hotspot_lsoas", "gp_sites_area_average_only"):
        assert all(r[column] != "" for r in rows), column
    # The sources here give broadband per postcode district only: whether a GP site itself lacks
    # gigabit is unknown, so that count is empty and every site is counted as area-average only.
    for r in rows:
        assert r["gp_sites_without_gigabit"] == "", r["lad_code"]
        assert int(r["gp_sites_area_average_only"]) + int(r["gp_sites_without_data"]) == int(r["gp_sites"]), r["lad_code"]
    total = next(r for r in rows if r["lad_code"] == "ALL")
    assert int(total["postcodes"]) == 15_499 and int(total["residents_2021"]) == 568_843


def test_every_csv_has_a_sidecar_naming_its_sources_and_licence(real_run):
    folder = real_run.paths.tables
    for csv_file in sorted(folder.glob("*.csv")):
        sidecar = json.loads((folder / f"{csv_file.stem}.sources.json").read_text())
        assert sidecar["licence"], csv_file.name
        if csv_file.stem != "sources":
            assert sidecar["sources"] and all(s["release"] for s in sidecar["sources"]), csv_file.name


def test_every_headline_figure_is_the_value_of_the_row_it_cites(real_run):
    from assets.outputs.tables import REFERENCE, check_references

    text = (real_run.paths.processed / "headlines.md").read_text()
    assert len(REFERENCE.findall(text)) > 100
    assert check_references(real_run.paths.tables, text) == []
    assert "7.5% [change_over_time.csv | area_code=E07000073 | indicator=gigabit_capable_pct | first_value]" in text
    assert "90.9% [change_over_time.csv | area_code=E07000073 | indicator=gigabit_capable_pct | latest_value]" in text


def test_a_changed_cell_is_caught_by_the_headline_check(real_run, tmp_path):
    import shutil

    from assets.outputs.tables import check_references

    tables = tmp_path / "tables"
    shutil.copytree(real_run.paths.tables, tables)
    text = (real_run.paths.processed / "headlines.md").read_text()
    csv_path = tables / "district_summary.csv"
    csv_path.write_text(csv_path.read_text().replace(",93345,", ",93346,"))
    problems = check_references(tables, text)
    assert problems and all("lad_code=E07000073 | residents_2021" in p for p in problems)


def test_charts_are_written_as_png_and_svg_with_source_and_no_timestamp(real_run):
    folder = real_run.paths.processed / "charts"
    for name in ("gigabit_over_time", "premises_below_30_over_time", "mobile_coverage_over_time"):
        assert (folder / f"{name}.png").stat().st_size > 50_000
        svg = (folder / f"{name}.svg").read_text()
        assert "Ofcom Connected Nations" in svg and "Open Government Licence v3.0" in svg
        assert "<dc:date>" not in svg
    svg = (folder / "gigabit_over_time.svg").read_text()
    for district in ("Broxbourne", "East Hertfordshire", "Epping Forest", "Harlow", "Uttlesford", "England"):
        assert district in svg
    assert "2021" in svg and "2026" in svg


def test_notebook_runs_on_the_outputs_and_reproduces_the_headlines(real_run, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    from tests.conftest import PROJECT_ROOT

    monkeypatch.setenv("DIZ_OUTPUT_ROOT", str(real_run.root))
    notebook = nbformat.read(PROJECT_ROOT / "notebooks" / "explore.ipynb", as_version=4)
    NotebookClient(notebook, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(PROJECT_ROOT / "notebooks")}}).execute()
    printed = "".join(o.get("text", "") for o in notebook.cells[-1].outputs)
    assert "318 LSOAs, CRS 27700" in printed
    assert any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {})
               for o in notebook.cells[-1].outputs)
