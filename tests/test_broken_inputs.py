"""One thing broken at a time, on a copy of a good run, as a user would meet it: the exit status,
the one line that names what to fix, and what happens to the published outputs.

A run that fails a step or an ERROR check publishes nothing (the outputs stay byte-identical),
including one that is complete but flagged (the gap policy): it says which LSOA and source row.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import HARLOW_LSOA, PROJECT_ROOT, broken_mirror, clone_run, make_run, published_files


@pytest.fixture()
def good(real_run, tmp_path):
    """A copy of the good run, and the published files' hashes before anything is broken."""
    root = clone_run(real_run, tmp_path / "root")
    return root, published_files(root)


def run(root: Path, *args, **env) -> tuple[int, str]:
    return make_run(root, root / "dagster_home", *args, env={k: str(v) for k, v in env.items()})


def config_copy(tmp_path: Path, edit) -> Path:
    """config/ copied, with ``edit(folder)`` applied; returns the diz.toml to point DIZ_CONFIG at."""
    folder = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", folder)
    edit(folder)
    return folder / "diz.toml"


def one_problem_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.startswith("  ")]
    assert output.startswith("Cannot start: 1 problem"), output
    assert len(lines) == 1, output
    return lines[0]


def test_unknown_district_from_the_environment_is_named_and_nothing_changes(good):
    root, before = good
    code, out = run(root, DIZ_LAD_CODES="E07000073,E07999999")
    line = one_problem_line(out)
    assert code == 2
    assert line.startswith("DIZ_LAD_CODES (environment variable): E07999999 is not a code Code-Point Open knows")
    assert "Traceback" not in out
    assert published_files(root) == before


def problem_lines(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.startswith("  ")]


def test_a_district_the_mirror_extracts_do_not_hold_stops_before_any_step_one_line_per_source(good):
    """Maldon: Code-Point knows it, but the mirror's IoD File 7 and GP files are extracts for the five
    districts (or their ICB); the run must say so before it starts, not fail minutes in."""
    root, before = good
    code, out = run(root, DIZ_LAD_CODES="E07000074")
    assert code == 2 and out.startswith("Cannot start: 5 problems"), out
    lines = problem_lines(out)
    assert len(lines) == 5
    assert all("1 district (E07000074 Maldon) asked for is not in it" in line for line in lines)
    file7 = next(line for line in lines if line.startswith("English Indices of Deprivation 2025"))
    assert "_5districts.csv, holds the five DIZ districts only" in file7
    assert "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv" in file7
    assert "steps to re-compute" not in out and "Traceback" not in out
    assert published_files(root) == before


def test_a_welsh_district_is_refused_by_name_before_any_step(good):
    root, before = good
    code, out = run(root, DIZ_LAD_CODES="W06000015")
    assert code == 2
    line = one_problem_line(out)
    assert "W06000015" in line and "Cardiff" in line and "is in Wales" in line and "English districts only" in line
    assert published_files(root) == before


def test_england_with_the_five_district_mirror_counts_the_missing_districts_before_any_step(good):
    root, before = good
    code, out = run(root, DIZ_CONFIG=PROJECT_ROOT / "config" / "england.toml")
    assert code == 2 and "steps to re-compute" not in out, out
    file7 = next(line for line in problem_lines(out) if line.startswith("English Indices of Deprivation 2025"))
    assert "291 districts (E06000001 Hartlepool, E06000002 Middlesbrough, E06000003 Redcar and Cleveland, ...)" in file7
    assert published_files(root) == before


def test_an_optional_extract_that_lacks_a_district_is_a_note_not_a_stop(mirror):
    """The ward boundaries and population-weighted centroids in the mirror hold the five districts only; for
    Dacorum the run can go on without them, and says so (and what it does instead) before it starts."""
    from pipeline.coverage import coverage
    from pipeline.paths import Paths
    from pipeline.settings import load_settings

    settings = load_settings(lad_codes=["E07000096"])
    problems, notes = coverage(Paths.from_env(), settings, ["ward_boundaries", "lsoa_pwc"], {"E07000096": "Dacorum"})
    assert problems == []
    assert len(notes) == 2 and all("1 district (E07000096 Dacorum) asked for is not in it" in n for n in notes)
    assert "placed at the mean of their postcodes" in notes[1]


def test_the_five_districts_pass_the_coverage_check_with_nothing_to_say(mirror):
    from pipeline.coverage import coverage
    from pipeline.paths import Paths
    from pipeline.preflight import required_sources
    from pipeline.settings import load_settings

    settings = load_settings()
    assert coverage(Paths.from_env(), settings, required_sources(settings), {}) == ([], [])


def test_malformed_district_code_names_the_variable_and_the_allowed_form(good):
    root, before = good
    code, out = run(root, DIZ_LAD_CODES="harlow")
    assert code == 2
    line = one_problem_line(out)
    assert line.startswith("DIZ_LAD_CODES (environment variable)") and "HARLOW" in line and "8 digits" in line
    assert published_files(root) == before


def test_zero_raster_size_is_refused_before_any_step(good, tmp_path):
    root, before = good

    def edit(folder: Path):
        (folder / "coarse.toml").write_text('extends = "diz.toml"\n[fibre_gaps]\nraster_m = 0\n')

    code, out = run(root, DIZ_CONFIG=config_copy(tmp_path, edit).with_name("coarse.toml"))
    assert code == 2
    line = one_problem_line(out)
    assert "coarse.toml [fibre_gaps] raster_m" in line and "greater than 0" in line
    assert published_files(root) == before


def test_a_config_folder_given_for_the_settings_file_is_one_line_and_nothing_changes(good, tmp_path):
    """DIZ_CONFIG pointed at config/ rather than config/diz.toml (an analyst's slip) used to print a traceback."""
    root, before = good
    code, out = run(root, DIZ_CONFIG=config_copy(tmp_path, lambda folder: None).parent)
    assert code == 2
    assert one_problem_line(out).endswith("is a folder: name the .toml file in it")
    assert "Traceback" not in out
    assert published_files(root) == before


def test_nan_weight_is_refused_with_file_table_and_key(good, tmp_path):
    root, before = good

    def edit(folder: Path):
        path = folder / "weights" / "need.toml"
        path.write_text(path.read_text().replace("pct_75_plus = 0.6", "pct_75_plus = nan"))

    code, out = run(root, DIZ_CONFIG=config_copy(tmp_path, edit))
    assert code == 2
    line = one_problem_line(out)
    assert "weights/need.toml [age] pct_75_plus" in line and "finite number" in line
    assert published_files(root) == before


def test_missing_source_is_one_line_with_the_file_to_download(good, tmp_path, mirror):
    root, before = good
    empty = tmp_path / "mirror"
    empty.mkdir()
    for item in mirror.iterdir():
        if item.name != "census2021":
            (empty / item.name).symlink_to(item)
    code, out = run(root, DIZ_SOURCE_MIRROR=empty)
    assert code == 2
    lines = [line for line in out.splitlines() if line.startswith("  ")]
    assert len(lines) == 2  # TS007A and TS038, one line each
    assert any(
        "census2021-ts007a.zip" in line and "https://www.nomisweb.co.uk/" in line and "data/raw" in line
        for line in lines
    )
    assert published_files(root) == before


def test_empty_archive_names_the_file_and_nothing_changes(good, tmp_path, mirror):
    root, before = good
    empty_zip = io.BytesIO()
    zipfile.ZipFile(empty_zip, "w").close()
    broken = broken_mirror(
        mirror, tmp_path / "mirror", "os-codepoint-open/codepo_gb.zip", lambda _: empty_zip.getvalue()
    )
    code, out = run(root, DIZ_SOURCE_MIRROR=broken)
    assert code == 2
    line = one_problem_line(out)
    assert line.startswith("os-codepoint-open/codepo_gb.zip") and "empty" in line
    assert published_files(root) == before


def test_district_missing_from_code_point_stops_at_a_blocking_check_and_publishes_nothing(good, tmp_path, mirror):
    """Harlow's postcodes are all in cm.csv: without it Harlow would have no postcodes."""
    root, before = good

    def without_cm(data: bytes) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                if not item.filename.endswith("/cm.csv"):
                    dst.writestr(item, src.read(item))
        return out.getvalue()

    broken = broken_mirror(mirror, tmp_path / "mirror", "os-codepoint-open/codepo_gb.zip", without_cm)
    code, out = run(root, DIZ_SOURCE_MIRROR=broken)
    assert code == 1
    assert "NOT published" in out and "postcodes_every_district_present" in out
    assert "The live outputs are unchanged" in out
    assert published_files(root) == before


def test_bad_header_names_file_and_column_and_nothing_changes(good, tmp_path, mirror):
    root, before = good

    def rename_total(data: bytes) -> bytes:
        header, rest = data.split(b"\n", 1)
        return header.replace(b"Total", b"Totl", 1) + b"\n" + rest

    broken = broken_mirror(mirror, tmp_path / "mirror", "census2021/census2021-ts007a-lsoa.csv", rename_total)
    code, out = run(root, DIZ_SOURCE_MIRROR=broken)
    assert code == 1
    failed = [line for line in out.splitlines() if line.startswith("FAILED census_age")]
    assert len(failed) == 1 and "census2021/census2021-ts007a-lsoa.csv" in failed[0] and "Total" in failed[0]
    assert "Traceback" not in out
    assert published_files(root) == before


def test_rejected_row_flags_its_lsoa_names_the_row_and_publishes_nothing(good, tmp_path, mirror, real_run):
    """The gap policy: a rejected national row never makes a study-area LSOA disappear; the
    flagged result is reported whole but does not replace the good one."""
    root, before = good

    def bad_income(data: bytes) -> bytes:
        lines = data.decode("utf-8").split("\n")
        for i, line in enumerate(lines):
            if line.startswith(HARLOW_LSOA + ","):
                cells = line.split(",")
                cells[7] = "abc"
                lines[i] = ",".join(cells)
        return "\n".join(lines).encode("utf-8")

    name = next(p.name for p in (mirror / "iod2025").glob("File_7*"))
    broken = broken_mirror(mirror, tmp_path / "mirror", f"iod2025/{name}", bad_income)
    code, out = run(root, DIZ_SOURCE_MIRROR=broken)
    assert code == 1, out
    assert "Published generation" not in out and "NOT published: ERROR check no_lsoa_flagged failed" in out
    check_lines = [line for line in out.splitlines() if "no_lsoa_flagged:" in line]
    assert len(check_lines) == 1
    assert HARLOW_LSOA in check_lines[0] and name in check_lines[0] and "Income Score" in check_lines[0]
    assert "1 LSOAs are missing an indicator" in check_lines[0]  # kept and flagged, not dropped
    assert published_files(root) == before


def test_a_mistyped_lsoa_code_stops_publishing_and_the_line_names_the_file_row_field_and_value(good, tmp_path, mirror):
    """E01 typed X01: the row names no LSOA, so its LSOA is flagged with nothing rejected under its own code;
    the stop line names the rejected row whose code is no LSOA's (file, row, field, value)."""
    root, before = good
    mistyped = "X" + HARLOW_LSOA[1:]

    def typo(data: bytes) -> bytes:
        return data.replace(HARLOW_LSOA.encode() + b",", mistyped.encode() + b",", 1)

    name = next(p.name for p in (mirror / "iod2025").glob("File_7*"))
    code, out = run(root, DIZ_SOURCE_MIRROR=broken_mirror(mirror, tmp_path / "mirror", f"iod2025/{name}", typo))
    assert code == 1, out
    [line] = [line for line in out.splitlines() if line.startswith("NOT published")]
    assert HARLOW_LSOA in line and name in line and "field 'LSOA code (2021)'" in line and repr(mistyped) in line
    assert published_files(root) == before


def test_an_unreadable_gp_list_size_publishes_nothing_and_names_the_row(good, tmp_path, mirror):
    """9288 typed 92o8 for an Uttlesford practice: left unread, the practice would drop out of the GP ranking
    with only a warning that a list size is missing; the run stops and the line names file, row and field."""
    root, before = good
    name = next(p.name for p in (mirror / "nhs-gp-registrations").glob("SUBSET_gp-reg-pat-prac-all_2026-04*"))

    def typo(data: bytes) -> bytes:
        assert b"F81004,CM22 7EH,ALL,ALL,9288" in data
        return data.replace(b"F81004,CM22 7EH,ALL,ALL,9288", b"F81004,CM22 7EH,ALL,ALL,92o8", 1)

    broken = broken_mirror(mirror, tmp_path / "mirror", f"nhs-gp-registrations/{name}", typo)
    code, out = run(root, DIZ_SOURCE_MIRROR=broken)
    assert code == 1, out
    assert "NOT published" in out and "The live outputs are unchanged" in out
    failing = [line for line in out.splitlines() if "gp_sites_no_invalid_source_rows" in line]
    assert failing and name in out and "'92o8'" in out and "NUMBER_OF_PATIENTS" in out, out
    assert published_files(root) == before


def test_decimal_comma_in_an_iod_rate_publishes_nothing_and_names_the_row(good, tmp_path, mirror):
    """``0,249`` for an income rate must never be published as 249 (it would re-rank every LSOA)."""
    root, before = good

    def decimal_comma(data: bytes) -> bytes:
        lines = data.decode("utf-8").split("\n")
        for i, line in enumerate(lines):
            if line.startswith(HARLOW_LSOA + ","):
                cells = line.split(",")
                cells[7] = '"' + cells[7].replace(".", ",") + '"'
                lines[i] = ",".join(cells)
        return "\n".join(lines).encode("utf-8")

    name = next(p.name for p in (mirror / "iod2025").glob("File_7*"))
    code, out = run(
        root, DIZ_SOURCE_MIRROR=broken_mirror(mirror, tmp_path / "mirror", f"iod2025/{name}", decimal_comma)
    )
    assert code == 1, out
    assert "NOT published" in out and "The live outputs are unchanged" in out
    failing = [line for line in out.splitlines() if line.startswith("  ERROR") and HARLOW_LSOA in line]
    assert len(failing) == 1, out
    assert published_files(root) == before


def test_a_decimal_comma_in_an_ofcom_district_figure_publishes_nothing_and_names_the_row(good, tmp_path, mirror):
    """Harlow's January 2026 gigabit figure saved as "90,9" (a spreadsheet in a comma-decimal locale): the row is
    rejected, and a run without it would publish Harlow's latest figure and every peer rank changed; it stops
    instead, naming file, row, field and value (found by ../shared/tools/try-broken-input)."""
    root, before = good

    def decimal_comma(data: bytes) -> bytes:
        text = data.decode("utf-8")  # its byte-order mark kept
        old = "E07000073,Harlow,Local Authority District,Gigabit capable broadband,2026-01-01,90.9,"
        assert old in text
        return text.replace(old, old.replace(",90.9,", ',"90,9",')).encode("utf-8")

    path = "ons-explore-local-statistics/national/gigabit-capable-broadband.csv"
    code, out = run(root, DIZ_SOURCE_MIRROR=broken_mirror(mirror, tmp_path / "mirror", path, decimal_comma))
    assert code == 1, out
    assert "NOT published" in out and "The live outputs are unchanged" in out
    failing = [line for line in out.splitlines() if line.startswith("  ERROR") and "no_invalid_source_rows" in line]
    assert len(failing) == 1, out
    assert "gigabit-capable-broadband.csv, row 180, field 'observation': '90,9'" in failing[0], failing[0]
    assert published_files(root) == before


def test_an_infinite_outcome_value_is_rejected_with_its_row_and_never_correlated(outcome_run):
    """``1e999`` in an outcome file reads as infinity: the row goes to rejects, named by file, row
    and value, and the validation is computed over the other neighbourhoods and says how many."""
    import duckdb

    assert outcome_run.code == 0, outcome_run.output
    assert any(
        line.split()[:1] == ["index_validation"] and "not a finite number" in line
        for line in outcome_run.output.splitlines()
    ), outcome_run.output
    rejected = duckdb.sql(f"""SELECT * FROM '{outcome_run.live}/rejects/index_validation.parquet'
                              WHERE source_file LIKE '%synthetic_infinite.csv'""").fetchall()
    row = 3 + [c for c, _ in outcome_run.rows].index(HARLOW_LSOA)
    assert len(rejected) == 1 and rejected[0][1] == row, rejected
    assert "1e999" in str(rejected[0][3]) and "not a finite number" in rejected[0][4], rejected
    validation = duckdb.sql(f"""SELECT * FROM '{outcome_run.live}/index_validation.parquet'
                                WHERE outcome_file LIKE '%synthetic_infinite.csv'""").df()
    numbers = validation.select_dtypes("number")
    assert len(validation) and numbers.abs().max().max() < float("inf"), validation


def test_one_district_run_publishes_that_district_only(good):
    root, _ = good
    code, out = run(root, DIZ_LAD_CODES="E07000073")
    assert code == 0, out
    import duckdb

    live = (root / "data" / "processed" / "current").resolve()
    assert [
        r[0] for r in duckdb.sql(f"SELECT lad_code FROM '{live}/district_summary.parquet' ORDER BY 1").fetchall()
    ] == ["ALL", "E07000073"]
    assert duckdb.sql(f"SELECT count(DISTINCT lad_code) FROM '{live}/postcodes.parquet'").fetchone()[0] == 1
    assert (
        duckdb.sql(f"SELECT count(*) FROM '{live}/gp_sites.parquet' WHERE lad_code <> 'E07000073'").fetchone()[0] == 0
    )
    briefings = sorted(p.name for p in (root / "data" / "processed" / "briefings").glob("*.pdf"))
    assert briefings == ["essex-herts-digital-innovation-zone.pdf", "harlow.pdf"]
    tables = (root / "data" / "processed" / "tables" / "district_summary.csv").read_text()
    assert "Uttlesford" not in tables and "Broxbourne" not in tables


def test_a_study_area_library_whose_position_cannot_be_read_publishes_nothing_and_names_the_row(good, tmp_path, mirror):
    """Harlow Library's easting typed with a letter: rejected, it would drop out of every distance to help (the
    nearest library of Harlow's postcodes would change) with only a count in the rejects; the run stops, the line
    names file, row and field, and nothing published changes. An unreadable row elsewhere in the national list is
    counted but not this run's to stop for."""
    root, before = good
    name = "libraries/basic-dataset-for-libraries-2023-enhanced.csv"

    def typo(data: bytes) -> bytes:
        broken, n = re.subn(rb',"CM20 1HA",,\d+,', b',"CM20 1HA",,54x815,', data, count=1)
        assert n == 1
        return broken

    code, out = run(root, DIZ_SOURCE_MIRROR=broken_mirror(mirror, tmp_path / "mirror", name, typo))
    assert code == 1, out
    [line] = [line for line in out.splitlines() if "venues_no_invalid_source_rows:" in line]
    assert "in the study area" in line and name in line and "'Easting'" in line and "'54x815'" in line, line
    assert published_files(root) == before
