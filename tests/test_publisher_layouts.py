"""A user with only the publishers' own downloads: the checklist names each file and its address,
and the readers take the national files in their published layout (small files built here, in
that layout: synthetic test input) as well as the mirror's extracts."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile

from conftest import MIRROR

TS007A_COLUMNS = ["date", "geography", "geography code", "Age: Total", "Age: Aged 4 years and under",
                  "Age: Aged 5 to 9 years", "Age: Aged 10 to 14 years", "Age: Aged 15 to 19 years",
                  "Age: Aged 65 to 69 years", "Age: Aged 70 to 74 years", "Age: Aged 75 to 79 years",
                  "Age: Aged 80 to 84 years", "Age: Aged 85 years and over"]


def _csv(header, rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue()


def test_the_checklist_names_an_exact_file_and_an_address_for_every_source(tmp_path):
    from pipeline.paths import Paths
    from pipeline.settings import load_settings
    from pipeline.sources import checklist

    lines, missing = checklist(Paths(root=tmp_path, mirror=None), load_settings())
    entries = [i for i, line in enumerate(lines) if line and line[0] in "✓✗○"]
    assert missing > 10 and entries
    for i in entries:
        block = lines[i:i + 8]
        assert lines[i].startswith(("✗", "○")), lines[i]
        assert any(b.startswith("    file:") and b.split("file:")[1].strip() not in ("*.csv", "")
                   for b in block), block
        assert any(b.startswith(("    address: https://", "    page:    https://", "    page:    docs/"))
                   for b in block), block
    assert lines[-1].startswith(f"{missing} required file(s) missing")


def test_the_checklist_ticks_what_the_mirror_holds(tmp_path):
    from pipeline.paths import Paths
    from pipeline.settings import load_settings
    from pipeline.sources import checklist

    lines, missing = checklist(Paths(root=tmp_path, mirror=MIRROR), load_settings())
    assert missing == 0 and lines[-1].startswith("Every required file is present")


def test_census_bulk_zip_as_nomis_publishes_it_is_read(tmp_path, con):
    """nomis's census2021-ts007a.zip holds one CSV per geography; the LSOA one is read."""
    from pipeline.ingest.people import build_census_age
    from pipeline.paths import Paths
    from pipeline.settings import load_settings

    paths = Paths(root=tmp_path).ensure()
    rows = [["2021", "Harlow 007F", "E01034366", 1000, 50, 50, 50, 50, 40, 30, 20, 10, 5],
            ["2021", "Harlow 006A", "E01021819", 1500, 80, 80, 80, 80, 60, 50, 40, 30, 20]]
    with zipfile.ZipFile(paths.raw / "census2021-ts007a.zip", "w") as zf:
        zf.writestr("census2021-ts007a-ctry.csv", _csv(TS007A_COLUMNS, [["2021", "England", "E92000001"] + [0] * 10]))
        zf.writestr("census2021-ts007a-lsoa.csv", _csv(TS007A_COLUMNS, rows))
        zf.writestr("metadata/census2021-ts007a.txt", "nomis bulk download")
    result = build_census_age(con, paths, load_settings())
    got = con.execute(f"SELECT lsoa21cd, residents, age_65_74, age_75_plus FROM read_parquet('{paths.table_path('census_age')}') "
                      "ORDER BY 1").fetchall()
    assert got == [("E01021819", 1500, 110, 90), ("E01034366", 1000, 70, 35)]
    assert result.rows_rejected == 0


def test_exact_duplicate_census_rows_are_collapsed_and_counted(tmp_path, con):
    from pipeline.ingest.people import build_census_age
    from pipeline.paths import Paths
    from pipeline.settings import load_settings

    paths = Paths(root=tmp_path).ensure()
    row = ["2021", "Harlow 007F", "E01034366", 1000, 50, 50, 50, 50, 40, 30, 20, 10, 5]
    (paths.raw / "census2021-ts007a-lsoa.csv").write_text(_csv(TS007A_COLUMNS, [row, row, row]))
    result = build_census_age(con, paths, load_settings())
    assert result.rows_kept == 1 and result.rows_rejected == 2
    kinds = {r[5] for r in result.rejects.rows}
    assert kinds == {"duplicate"}


def test_iod2025_file7_under_its_published_name_is_read_with_files_1_and_3(tmp_path, con):
    """File 7 as MHCLG names it, national layout (here two rows), in data/raw beside Files 1 and 3."""
    from pipeline.ingest.deprivation import build_iod2025
    from pipeline.paths import Paths
    from pipeline.settings import load_settings

    extract = next((MIRROR / "iod2025").glob("File_7*"))
    lines = extract.read_text(encoding="utf-8").splitlines()
    paths = Paths(root=tmp_path).ensure()
    (paths.raw / "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv").write_text(
        "\r\n".join(lines[:3]) + "\r\n", encoding="utf-8")
    for name in ("File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
                 "File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx"):
        shutil.copy(MIRROR / "iod2025" / name, paths.raw / name)
    build_iod2025(con, paths, load_settings())
    table = f"read_parquet('{paths.table_path('iod2025')}')"
    total, scored = con.execute(f"SELECT count(*), count(income_score) FROM {table}").fetchone()
    assert total == 33_755 and scored == 2


def test_ofcom_postcode_zip_gives_postcode_figures_and_the_district_means_too(tmp_path, con):
    """With Ofcom's own postcode file the pipeline computes the postcode-district means itself."""
    from builders import ofcom_postcode_zip

    from pipeline.ingest.broadband import build_ofcom_postcode_coverage, build_ofcom_postcode_district
    from pipeline.paths import Paths
    from pipeline.settings import load_settings

    paths = Paths(root=tmp_path).ensure()
    values = {"all_premises": 10, "sfbb_pct": 90.0, "gigabit_pct": 80.0, "below_uso_pct": 1.0, "nga_pct": 99.0}
    ofcom_postcode_zip(paths.raw / "202407-fixed-coverage-postcodes-r01.zip", "2024",
                       {"CM20 1AA": values, "CM20 1AB": values | {"gigabit_pct": 60.0}, "CM17 9AA": values})
    settings = load_settings()
    build_ofcom_postcode_coverage(con, paths, settings)
    result = build_ofcom_postcode_district(con, paths, settings)
    rows = con.execute(f"SELECT key, postcode_area, sample_postcodes, gigabit_pct FROM "
                       f"read_parquet('{paths.table_path('ofcom_postcode_district')}') ORDER BY key").fetchall()
    assert rows == [("CM17", "CM", 1, 80.0), ("CM20", "CM", 2, 70.0)]
    assert result.sources == {"ofcom_postcode_coverage": 3}
