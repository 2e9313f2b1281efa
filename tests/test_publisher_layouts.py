"""A user with only the publishers' own downloads: the checklist names each file and its address,
and the readers take the national files in their published layout (small files built here, in
that layout: synthetic test input) as well as the mirror's extracts."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile

from conftest import MIRROR

TS007A_COLUMNS = [
    "date",
    "geography",
    "geography code",
    "Age: Total",
    "Age: Aged 4 years and under",
    "Age: Aged 5 to 9 years",
    "Age: Aged 10 to 14 years",
    "Age: Aged 15 to 19 years",
    "Age: Aged 65 to 69 years",
    "Age: Aged 70 to 74 years",
    "Age: Aged 75 to 79 years",
    "Age: Aged 80 to 84 years",
    "Age: Aged 85 years and over",
]


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
    for i, end in zip(entries, entries[1:] + [len(lines)], strict=False):
        block = lines[i:end]
        assert lines[i].startswith(("✗", "○")), lines[i]
        files = [b.split("file:")[1].strip() for b in block if b.startswith("    file:")]
        assert len(files) == 1 and files[0] and not any(ch in files[0] for ch in "*{}"), block
        assert any(
            b.startswith(("    address: https://", "    page:    https://", "    page:    docs/")) for b in block
        ), block
    assert lines[-1].startswith(f"{missing} required file(s) missing")


def test_the_checklist_asks_only_for_the_files_of_the_runs_small_area_base(tmp_path):
    """A 2021 run reads no 2011 boundaries or 2011 rurality, and a 2011 run no 2021 ones."""
    from pipeline.paths import Paths
    from pipeline.settings import load_settings
    from pipeline.sources import checklist

    settings = load_settings()
    for base, absent, present in (
        ("lsoa2021", "(December 2011)", "(December 2021)"),
        ("lsoa2011", "(December 2021)", "(December 2011)"),
    ):
        run = settings.model_copy(update={"geography": settings.geography.model_copy(update={"small_area": base})})
        titles = [line for line in checklist(Paths(root=tmp_path, mirror=None), run)[0] if line[:1] in "✓✗○"]
        assert not [t for t in titles if absent in t or f"({absent[-5:-1]}) of LSOAs" in t], titles
        assert [t for t in titles if present in t], titles


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
    rows = [
        ["2021", "Harlow 007F", "E01034366", 1000, 50, 50, 50, 50, 40, 30, 20, 10, 5],
        ["2021", "Harlow 006A", "E01021819", 1500, 80, 80, 80, 80, 60, 50, 40, 30, 20],
    ]
    with zipfile.ZipFile(paths.raw / "census2021-ts007a.zip", "w") as zf:
        zf.writestr("census2021-ts007a-ctry.csv", _csv(TS007A_COLUMNS, [["2021", "England", "E92000001"] + [0] * 10]))
        zf.writestr("census2021-ts007a-lsoa.csv", _csv(TS007A_COLUMNS, rows))
        zf.writestr("metadata/census2021-ts007a.txt", "nomis bulk download")
    result = build_census_age(con, paths, load_settings())
    got = con.execute(
        f"SELECT lsoa21cd, residents, age_65_74, age_75_plus FROM read_parquet('{paths.table_path('census_age')}') "
        "ORDER BY 1"
    ).fetchall()
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
        "\r\n".join(lines[:3]) + "\r\n", encoding="utf-8"
    )
    for name in (
        "File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
        "File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx",
    ):
        shutil.copy(MIRROR / "iod2025" / name, paths.raw / name)
    build_iod2025(con, paths, load_settings())
    table = f"read_parquet('{paths.table_path('iod2025')}')"
    total, scored = con.execute(f"SELECT count(*), count(income_score) FROM {table}").fetchone()
    assert total == 33_755 and scored == 2


def test_ofcom_postcode_zip_gives_postcode_figures_and_the_district_means_too(tmp_path, con):
    """With Ofcom's own postcode file the pipeline computes the postcode-district means itself."""
    from builders import ofcom_postcode_zip

    from pipeline.ingest.broadband import build_ofcom_postcode_coverage
    from pipeline.paths import Paths
    from pipeline.runner import call_builder
    from pipeline.settings import load_settings
    from pipeline.steps import BY_NAME

    paths = Paths(root=tmp_path).ensure()
    values = {"all_premises": 10, "sfbb_pct": 90.0, "gigabit_pct": 80.0, "below_uso_pct": 1.0, "nga_pct": 99.0}
    ofcom_postcode_zip(
        paths.raw / "202407-fixed-coverage-postcodes-r01.zip",
        "2024",
        {"CM20 1AA": values, "CM20 1AB": values | {"gigabit_pct": 60.0}, "CM17 9AA": values},
    )
    settings = load_settings()
    build_ofcom_postcode_coverage(con, paths, settings)
    result = call_builder(BY_NAME["ofcom_postcode_district"], con, paths, settings)
    rows = con.execute(
        f"SELECT key, postcode_area, sample_postcodes, gigabit_pct FROM "
        f"read_parquet('{paths.table_path('ofcom_postcode_district')}') ORDER BY key"
    ).fetchall()
    assert rows == [("CM17", "CM", 1, 80.0), ("CM20", "CM", 2, 70.0)]
    assert result.sources == {"ofcom_postcode_coverage": 3}


# ---------------------------------------------------------------------------------------------
# A whole run on the publishers' layouts alone: no mirror, each file under its published name.

GEOPORTAL_COLUMNS = {  # the mirror's republished column names -> the ONS geoportal's
    "lsoa11_code": "LSOA11CD",
    "lsoa11_name": "LSOA11NM",
    "change_code": "CHGIND",
    "lsoa21_code": "LSOA21CD",
    "lsoa21_name": "LSOA21NM",
    "ltla22_code": "LAD22CD",
    "ltla22_name": "LAD22NM",
    "ward24_code": "WD24CD",
    "ward24_name": "WD24NM",
    "ltla24_code": "LAD24CD",
    "ltla24_name": "LAD24NM",
    "ruc21_code": "RUC21CD",
    "classification": "RUC21NM",
    "ruc": "Urban_rural_flag",
}


def _as_geoportal_csv(source, target):
    """The ONS geoportal's CSV layout: its column names, an ObjectId column, CRLF, BOM."""
    with open(source, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    header = [GEOPORTAL_COLUMNS.get(c, c) for c in rows[0]] + ["ObjectId"]
    body = [r + [str(i)] for i, r in enumerate(rows[1:], start=1)]
    target.write_text("\ufeff" + _csv(header, body), encoding="utf-8")


def _as_geoportal_geojson(source, target, rename, keep=None, recode=None):
    """An ONS geoportal GeoJSON export: its property names (plus GlobalID), features narrowed by
    ``keep`` (national files are read the same way; a smaller file keeps the test quick)."""

    collection = json.loads(source.read_text(encoding="utf-8"))
    features = []
    for i, feature in enumerate(collection["features"], start=1):
        props = {rename.get(k, k): v for k, v in feature["properties"].items() if k in rename}
        if recode:
            props = {k: recode.get(v, v) for k, v in props.items()}
        if keep is None or keep(props):
            features.append(
                {
                    "type": "Feature",
                    "id": i,
                    "geometry": feature["geometry"],
                    "properties": {"FID": i, **props, "GlobalID": f"test-{i}"},
                }
            )
    target.write_text(
        json.dumps({"type": "FeatureCollection", "name": target.stem, "features": features}), encoding="utf-8"
    )


def _census_bulk_zip(source, target):
    """nomis's bulk zip: one CSV per geography level, the LSOA one named ``<table>-lsoa.csv``."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(source, source.name)
        zf.writestr(source.name.replace("-lsoa", "-ctry"), source.read_text(encoding="utf-8").splitlines()[0] + "\r\n")


def _ofcom_zip_from_district_means(real_run, target):
    """Ofcom's postcode-level zip for the study area's postcodes, each given its postcode district's
    mean from the mirror (synthetic test input: real layout, copied values)."""
    from builders import ofcom_postcode_zip

    means = {}
    with open(MIRROR / "ofcom-postcode-district-2024" / "postcode_district_coverage_202407.csv", newline="") as f:
        for r in csv.DictReader(f):
            means[r["district"]] = {
                "all_premises": 10,
                "sfbb_pct": float(r["superfastPercent"]),
                "gigabit_pct": float(r["gigabitPercent"]),
                "below_uso_pct": float(r["belowUsoPercent"]),
                "nga_pct": float(r["ngaPercent"]),
            }
    postcodes = [r[0] for r in real_run.sql(f"SELECT postcode FROM {real_run.table('postcodes')} ORDER BY 1")]
    ofcom_postcode_zip(target, "2024", {pc: means[pc.split(" ")[0]] for pc in postcodes if pc.split(" ")[0] in means})


def test_a_run_on_the_publishers_files_alone_completes_and_says_where_each_came_from(real_run, tmp_path):
    """The issue's 'done when': an empty mirror, data/raw holding each source as its publisher
    names and lays it out (built here from the mirror's real files), and ``make run`` publishes."""
    from conftest import make_run

    root = tmp_path / "root"
    raw = root / "data" / "raw"
    raw.mkdir(parents=True)
    m = MIRROR
    study = {r[0] for r in real_run.sql(f"SELECT lsoa21cd FROM {real_run.table('lsoa_areas')}")}
    as_published = {  # files the publishers distribute in the mirror's layout already: same bytes, published name
        "codepo_gb.zip": "os-codepoint-open/codepo_gb.zip",
        "PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.zip": "ons-postcode-lookup/PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.zip",
        "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv": "iod2025/File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators_5districts.csv",
        "File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx": "iod2025/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
        "File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx": "iod2025/File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx",
        "iuc2018.csv": "cdrc-iuc2018/iuc2018.csv",
        "RUC11_LSOA11_EW.csv": "ruc2011/RUC11_LSOA11_EW.csv",
        "epraccur.csv": "nhs-ods/epraccur_2025-09_QM7_06K_06N_07H.csv",
        "ebranchs.csv": "nhs-ods/ebranchs_2017-08_5districts.csv",
        "gp-reg-pat-prac-all.csv": "nhs-gp-registrations/SUBSET_gp-reg-pat-prac-all_2026-04_06K_06N_07H.csv",
        "gp-reg-pat-prac-map.csv": "nhs-gp-registrations/gp-reg-pat-prac-map_2022-01_5districts.csv",
        "fingertips_93553.csv": "ohid-fingertips/fingertips_93553_IMD2019_score_by_GP_5districts.csv",
        "Wards_May_2024_Boundaries_UK_BGC.geojson": "boundaries/wards2024_bgc_5districts.geojson",
        "Sub_Integrated_Care_Board_Locations_July_2022_EN_BSC.geojson": "boundaries/sicbl2022_bsc_EW.geojson",
    }
    for name, rel in as_published.items():
        (raw / name).symlink_to(m / rel)
    (raw / "ons-explore-local-statistics").symlink_to(m / "ons-explore-local-statistics")
    _as_geoportal_csv(m / "lookups/LSOA11_LSOA21_LAD22_lookup_EW.csv", raw / "LSOA11_LSOA21_LAD22_EW_LU.csv")
    _as_geoportal_csv(m / "lookups/LSOA21_WD24_LAD24_lookup_EW.csv", raw / "LSOA21_WD24_LAD24_EW_LU.csv")
    _as_geoportal_csv(m / "ruc2021/RUC21_LSOA21_EW.csv", raw / "RUC21_LSOA21_EW.csv")
    for table in ("ts007a", "ts038"):
        _census_bulk_zip(m / "census2021" / f"census2021-{table}-lsoa.csv", raw / f"census2021-{table}.zip")
    _as_geoportal_geojson(
        m / "boundaries/lsoa2021_bsc_EW.geojson",
        raw / "Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BSC_V4_-5236167991066794441.geojson",
        {"lsoa21_code": "LSOA21CD", "lsoa21_name": "LSOA21NM"},
        keep=lambda p: p["LSOA21CD"] in study or p["LSOA21CD"].endswith("1A"),
    )
    # District outlines as the geoportal names its May 2024 file (the mirror's 2013 outlines, East
    # Hertfordshire under its 2019 code: same boundary).
    _as_geoportal_geojson(
        m / "boundaries/lad2013_5districts.geojson",
        raw / "Local_Authority_Districts_May_2024_Boundaries_UK_BGC_-1234.geojson",
        {"LAD13CD": "LAD24CD", "LAD13NM": "LAD24NM"},
        recode={"E07000097": "E07000242"},
    )
    _ofcom_zip_from_district_means(real_run, raw / "202407-fixed-coverage-postcodes-r01.zip")

    code, out = make_run(root, root / "dagster_home", env={"DIZ_SOURCE_MIRROR": ""})
    assert code == 0 and "Published generation" in out, out
    assert "Cannot start" not in out and "Traceback" not in out
    live = (root / "data" / "processed" / "current").resolve()
    import duckdb

    need = duckdb.sql(f"SELECT count(*), count(need_score) FROM '{live}/lsoa_need.parquet'").fetchone()
    assert need == (333, 333)
    drawn = duckdb.sql(f"SELECT DISTINCT drawn_from FROM '{live}/lad_boundaries.parquet'").fetchall()
    assert drawn == [("published district boundaries",)]
    index = (live / "maps" / "index.html").read_text(encoding="utf-8")
    assert "Ofcom Connected Nations data" in index
    assert "UK-GeoJSON" not in index, "cites the mirror's district extract, which this run did not read"
    resolution = duckdb.sql(
        f"SELECT DISTINCT broadband_resolution, area_average FROM '{live}/lsoa_supply_gap.parquet'"
    ).fetchall()
    assert resolution == [("postcode", False)], resolution


def test_population_density_workbook_as_ons_publishes_it_is_read_below_its_title_rows(paths, con):
    """SAPE21DT11 comes as a workbook with title rows above the header; row numbers are the sheet's."""
    from openpyxl import Workbook

    from pipeline.ingest.context import build_population_density

    book = Workbook()
    notes = book.active
    notes.title = "Contents"
    notes.append(["Lower layer Super Output Area population density (National Statistics)"])
    sheet = book.create_sheet("Mid-2018 Population Density")
    sheet.append(["Lower Layer Super Output Area population density"])
    sheet.append(["Mid-2018: SAPE21DT11"])
    sheet.append([])
    sheet.append(["Code", "Name", "Mid-2018 population", "Area Sq Km", "People per Sq Km"])
    sheet.append(["E01021819", "Harlow 006A", 1500, 0.5, 3000])
    sheet.append(["E01021820", "Harlow 006B", 1400, "n/a", 0])
    book.save(paths.raw / "sape21dt11mid2018lsoapopulationdensity.xlsx")
    result = build_population_density(con, paths, None)
    assert result.rows_kept == 1 and result.rows_rejected == 1
    (row,) = result.rejects.rows
    assert row[0].endswith("sape21dt11mid2018lsoapopulationdensity.xlsx!Mid-2018 Population Density")
    assert row[1] == 6 and row[2] == "Area Sq Km"
