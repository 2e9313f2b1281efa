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
