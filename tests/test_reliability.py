"""Faults a user meets around a run rather than in a source's rows (issue 24): exit statuses through
the commands the README gives, text typed at ``make`` never reaching a shell, damaged live outputs,
a killed run, an output folder that cannot be written, outcome files of another area, messages
that name what broke, byte-identical maps, and the README's relative mirror path.

Synthetic files here are built by the tests and named as such; nothing is invented for an output.
"""

from __future__ import annotations

import errno
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, clone_run, make_run, published_files

DIZ = PROJECT_ROOT / "diz"


def env_with(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("POSTCODE", "ARGS", "TABLE", "FULL")}
    return env | {"PYTHONPATH": str(PROJECT_ROOT)} | {k: str(v) for k, v in extra.items()}


@pytest.fixture()
def good(real_run, tmp_path):
    root = clone_run(real_run, tmp_path / "root")
    return root, published_files(root)


def run(root: Path, *args, **env) -> tuple[int, str]:
    return make_run(root, root / "dagster_home", *args, env={k: str(v) for k, v in env.items()})


# -- exit status and the shell ------------------------------------------------------------------------


@pytest.mark.parametrize("postcode, code", [("CM20 1AB", 0), ("ZZ99 9ZZ", 1), ("CB2 1TN", 1), ("not a postcode", 2)])
def test_diz_lookup_exits_0_answered_1_no_answer_2_malformed(real_run, postcode, code):
    done = subprocess.run(
        [str(DIZ), "lookup", postcode],
        capture_output=True,
        text=True,
        timeout=120,
        env=env_with(DIZ_PYTHON=sys.executable, DIZ_OUTPUT_ROOT=real_run.root),
    )
    assert done.returncode == code, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_diz_run_passes_could_not_start_through_as_2(tmp_path):
    done = subprocess.run(
        [str(DIZ), "run", "--upto", "no_such_step"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env_with(DIZ_PYTHON=sys.executable, DIZ_OUTPUT_ROOT=tmp_path, DIZ_SOURCE_MIRROR=tmp_path / "no-mirror"),
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout.startswith("Cannot start"), done.stdout


@pytest.mark.parametrize(
    "variable, text",
    [
        ("POSTCODE", 'CM20" ; touch {marker} ; "'),
        ("POSTCODE", "$(shell touch {marker})"),
        ("POSTCODE", "`touch {marker}` $$(touch {marker}) it's"),
        ("ARGS", "--json; touch {marker}"),
        ("ARGS", "$(shell touch {marker})"),
    ],
)
def test_make_lookup_runs_nothing_typed_in_its_variables(tmp_path, variable, text):
    marker = tmp_path / "marker"
    values = {"POSTCODE": "CM20 1AB", variable: text.format(marker=marker)}
    done = subprocess.run(
        [
            "make",
            "-s",
            "-C",
            str(PROJECT_ROOT),
            "lookup",
            "STAMP=",
            f"PY={sys.executable}",
            *(f"{k}={v}" for k, v in values.items()),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env_with(DIZ_OUTPUT_ROOT=tmp_path),
    )
    assert not marker.exists(), done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stdout.strip().splitlines()) <= 1, done.stdout


def test_a_10000_character_postcode_is_echoed_in_20_characters(capsys):
    from pipeline import lookup

    assert lookup.main(["A" * 10_000]) == 2
    out = capsys.readouterr().out
    assert out.startswith("A" * 20 + "… is not a well-formed UK postcode") and len(out) < 120
    assert lookup.main(["B" * 10_000, "--json"]) == 2
    assert "B" * 21 not in capsys.readouterr().out


# -- the live generation -------------------------------------------------------------------------------


def test_a_truncated_live_table_is_recomputed_and_republished_not_called_unchanged(good):
    import duckdb

    root, before = good
    table = root / "data" / "processed" / "current" / "lsoa_index.parquet"
    data = table.read_bytes()
    table.unlink()  # a new file, not the clone's hard link (the session's run stays whole)
    table.write_bytes(data[: len(data) // 2])
    code, out = run(root)
    assert code == 0, out
    assert "Nothing changed" not in out
    assert "published file damaged: lsoa_index.parquet" in out
    assert "Published generation" in out
    live = root / "data" / "processed" / "current" / "lsoa_index.parquet"
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{live}')").fetchone()[0] > 0
    catalog = "data/processed/diz.duckdb"  # its views name the new generation's folder
    after = published_files(root)
    assert {k: v for k, v in after.items() if k != catalog} == {k: v for k, v in before.items() if k != catalog}


def test_an_edited_live_file_of_the_same_size_is_found_by_its_hash(paths):
    from pipeline import generations

    staged = generations.stage(paths, "run-a")
    (staged.gen / "t.csv").write_text("a,b\n1,2\n")
    generations.record_step(staged, "t", {"fingerprint": "f", "files": ["t.csv"]})
    entry = generations.manifest(staged.gen)["t"]
    assert generations.damaged(staged.gen, entry) == []
    (staged.gen / "t.csv").write_text("a,b\n1,3\n")
    assert generations.damaged(staged.gen, entry) == ["t.csv (its contents changed since it was written)"]
    generations.discard(paths, "run-a")


def test_only_staging_folders_no_live_run_holds_are_removed(paths):
    from pipeline import generations

    generations.stage(paths, "alive")
    orphan = paths.generations / ".staging-killed"
    (orphan / "maps").mkdir(parents=True)
    (orphan / "maps" / "need.html").write_bytes(b"x" * 1000)
    removed = generations.remove_orphans(paths)
    assert removed == [("killed", 1000)]
    assert generations.staging_folder(paths, "alive").is_dir() and not orphan.exists()
    assert generations.remove_orphans(paths, keep=lambda run_id: True) == []
    generations.discard(paths, "alive")


def test_a_killed_run_leaves_no_staging_folder_and_its_dagster_run_is_marked_failed(good, monkeypatch):
    import dagster as dg

    root, before = good
    home = root / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # the event log's folder is relative to it
    proc = subprocess.Popen(
        [sys.executable, "-m", "assets.run", "--full"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=env_with(DIZ_OUTPUT_ROOT=root, DAGSTER_HOME=home),
    )
    generations_dir = root / "data" / "processed" / "generations"
    deadline = time.monotonic() + 240

    def dagster_run_started() -> bool:  # the staging folder is made first, and early steps start while Dagster loads
        with dg.DagsterInstance.from_config(str(home)) as instance:
            return bool(instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])))

    while not dagster_run_started() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    [staging] = list(generations_dir.glob(".staging-*"))
    run_id = staging.name.removeprefix(".staging-")

    code, out = run(root)
    assert code == 0, out
    assert f"Removed the staging folder of interrupted run {run_id[:8]}" in out
    assert f"Marked Dagster run {run_id[:8]} failed" in out
    assert not list(generations_dir.glob(".staging-*"))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
    assert published_files(root) == before


# -- an output folder that cannot be written ----------------------------------------------------------


def one_problem(out: str) -> str:
    lines = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    assert out.startswith("Cannot start: 1 problem") and len(lines) == 1, out
    assert "Traceback" not in out
    return lines[0]


def test_a_full_output_disk_is_a_cannot_start_line(tmp_path):
    processed = tmp_path / "data" / "processed"
    processed.mkdir(parents=True)
    # the kernel's own ENOSPC: the start-up write probe lands on /dev/full
    (processed / f".write-test-{os.getpid()}").symlink_to("/dev/full")
    code, out = run(tmp_path)
    assert code == 2
    line = one_problem(out)
    assert line.startswith(f"{processed} is full") and "[Errno 28]" in line and "DIZ_OUTPUT_ROOT" in line


def test_a_read_only_output_folder_is_a_cannot_start_line(tmp_path, monkeypatch):
    from pipeline.paths import Paths

    (tmp_path / "data" / "processed").mkdir(parents=True)

    def read_only(self):  # as mkdir says it on a read-only mount: the folder it could not make
        raise OSError(errno.EROFS, "Read-only file system", str(self.processed / "generations"))

    monkeypatch.setattr(Paths, "ensure", read_only)
    code, out = run(tmp_path)
    assert code == 2
    assert one_problem(out).startswith(f"{tmp_path / 'data' / 'processed'} is read-only ([Errno 30])")


def test_a_full_disk_while_preflight_extracts_a_zip_is_a_cannot_start_line(tmp_path, monkeypatch, mirror):
    import pipeline.preflight

    target = tmp_path / "data" / "raw" / "_extracted"

    def full(archive, dest_root, **kw):
        raise OSError(errno.ENOSPC, "No space left on device", str(target / "codepo_gb-abc" / "Doc"))

    monkeypatch.setattr(pipeline.preflight, "extract_zip", full)
    code, out = run(tmp_path)
    assert code == 2
    assert one_problem(out).startswith(f"{target / 'codepo_gb-abc'} is full (no space left on its device)")


# -- outcome files -----------------------------------------------------------------------------------


def test_outcome_rows_outside_the_study_area_are_counted_one_by_one_and_warned(outcome_run):
    assert outcome_run.code == 0, outcome_run.output
    assert "12 out of scope" in outcome_run.output
    warn = [line for line in outcome_run.output.splitlines() if "outcome_files_match_the_study_area" in line]
    assert warn and warn[0].strip().startswith("WARN") and "synthetic_elsewhere.csv" in warn[0], outcome_run.output


def test_a_header_only_outcome_file_is_one_line_naming_it(con, paths):
    from pipeline.errors import SourceFormatError
    from pipeline.fetch import Located
    from pipeline.readers.outcomes import read_outcome_file

    path = paths.raw / "outcomes" / "synthetic_empty.csv"
    path.parent.mkdir(parents=True)
    path.write_text("# source: synthetic test outcome with no rows\nlsoa21cd,rate\n")
    with pytest.raises(SourceFormatError) as err:
        read_outcome_file(con, Located("user_outcomes", path, "data/raw", "outcomes/synthetic_empty.csv"))
    assert str(err.value).startswith("outcomes/synthetic_empty.csv, row 2: the file has a header but no rows")


def test_outcome_rows_keep_their_line_numbers(con, paths):
    from pipeline.fetch import Located
    from pipeline.readers.outcomes import read_outcome_file

    path = paths.raw / "synthetic.csv"
    path.write_text("# source: synthetic test outcome\nlsoa21cd,rate\nE01021819,0.5\nE01000001,0.7\n")
    outcome = read_outcome_file(con, Located("user_outcomes", path, "data/raw", "outcomes/synthetic.csv"))
    assert outcome.rows == {"E01000001": 4, "E01021819": 3}


# -- messages ----------------------------------------------------------------------------------------


def test_a_corrupt_zip_member_is_named_with_its_archive(tmp_path):
    from pipeline.errors import SourceFormatError
    from pipeline.fetch import extract_zip

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Doc/readme.txt", "synthetic " * 500)
        zf.writestr("Data/CSV/cm.csv", "synthetic,row,values\n" * 5000)
    data = bytearray(buffer.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("Data/CSV/cm.csv")
    start = info.header_offset + 30 + len(info.filename) + 10
    data[start : start + 20] = bytes(b ^ 0xFF for b in data[start : start + 20])
    archive = tmp_path / "synthetic.zip"
    archive.write_bytes(bytes(data))
    with pytest.raises(SourceFormatError) as err:
        extract_zip(archive, tmp_path / "out", label="os-codepoint-open/synthetic.zip")
    assert str(err.value).startswith(
        "os-codepoint-open/synthetic.zip!Data/CSV/cm.csv: this member of the zip is corrupt"
    )


def test_unpacking_with_isal_gives_the_standard_librarys_bytes_and_checks_each_members_crc(tmp_path):
    """Deflated members are unpacked with ISA-L (faster on the national archives), stored ones the standard
    way: the same bytes as ``zipfile`` gives, and a member whose CRC-32 does not match is refused as corrupt."""
    from pipeline.errors import SourceFormatError
    from pipeline.fetch import extract_zip

    rows = "".join(f"synthetic,{i},{i * 7 % 1000}\n" for i in range(200_000)).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Data/big.csv", rows)
        zf.writestr(zipfile.ZipInfo("Doc/stored.txt"), b"synthetic stored member")
        zf.writestr("Data/empty.csv", b"")
    archive = tmp_path / "synthetic.zip"
    archive.write_bytes(buffer.getvalue())
    out = extract_zip(archive, tmp_path / "out")
    with zipfile.ZipFile(archive) as zf:
        for name in zf.namelist():
            assert (out / name).read_bytes() == zf.read(name), name

    data = bytearray(buffer.getvalue())
    central = data.index(b"PK\x01\x02")  # the first member's central record; its CRC-32 at byte 16
    data[central + 16] ^= 0xFF
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bytes(data))
    with pytest.raises(SourceFormatError) as err:
        extract_zip(broken, tmp_path / "out2", label="synthetic/broken.zip")
    assert str(err.value).startswith("synthetic/broken.zip!Data/big.csv: this member of the zip is corrupt")


# -- byte-identical maps -----------------------------------------------------------------------------


def test_a_folium_map_saved_twice_is_byte_identical(tmp_path):
    import folium

    from pipeline.outputs.mapkit import save

    def page(dest: Path) -> bytes:
        m = folium.Map(location=[51.77, 0.1], zoom_start=10, tiles=None)
        group = folium.FeatureGroup(name="synthetic points").add_to(m)
        folium.CircleMarker([51.77, 0.1], radius=4, tooltip="a", popup=folium.Popup("<b>synthetic</b>")).add_to(group)
        folium.GeoJson({"type": "FeatureCollection", "features": []}, name="empty").add_to(m)
        folium.LayerControl().add_to(m)
        save(m, dest)
        return dest.read_bytes()

    first, second = page(tmp_path / "a.html"), page(tmp_path / "b.html")
    assert first == second
    assert b"map_" in first


def test_stable_ids_replace_each_element_id_everywhere_and_leave_other_hex_alone():
    from pipeline.outputs.mapkit import stable_ids

    a, b = "a" * 31 + "1", "0123456789abcdef" * 2
    other = "f" * 32  # a hex run that is no element's id (e.g. a digest in the data)
    page = f"var map_{a} = L.map('map_{a}'); geo_json_{b}.addTo(map_{a}); // {other} {'e' * 64}"
    out = stable_ids(page, [a, b, "c" * 32])
    assert a not in out and b not in out
    assert other in out and "e" * 64 in out
    new_a = out.split("var map_")[1][:32]
    assert out.count(new_a) == 3 and new_a != a
    assert stable_ids(page, [a, b]) == out  # derived from the content, not drawn at random
    assert stable_ids(page.replace("addTo", "addto"), [a, b]) != out  # other content, other ids


@pytest.mark.parametrize(
    "text",
    [
        "<script>var a = {b: 1};</script>\n",
        "plain",
        "two\n\n",
        "",
        "{{ this.get_name() }}",
        "{% if x %}y{% endif %}\n",
        "{# note #}z",
        "a\r\nb\n",
    ],
)
def test_an_elements_text_renders_as_jinja_would_render_it_without_being_compiled(text):
    import jinja2

    from pipeline.outputs.mapkit import RenderedText, element_template

    class This:
        def get_name(self):
            return "map_1"

    template = element_template(text)
    assert template.render(this=This(), x=True) == jinja2.Template(text).render(this=This(), x=True)
    assert isinstance(template, RenderedText) == ("{" not in text.replace("{b", "") and "\r" not in text)


def test_the_maps_step_rebuilt_from_the_same_tables_writes_the_same_bytes(real_run, tmp_path):
    import hashlib

    from pipeline import generations
    from pipeline.paths import Paths
    from pipeline.plan import make_plan
    from pipeline.runner import build_step
    from pipeline.settings import load_settings
    from pipeline.steps import BY_NAME

    root = clone_run(real_run, tmp_path / "root")
    paths = Paths(root=root, mirror=real_run.paths.mirror)
    settings = load_settings()
    plan = next(
        p
        for p in make_plan(paths, settings, generations.manifest(generations.live_folder(paths)))
        if p.step.name == "maps"
    )
    built = []
    for run_id in ("synthetic-a", "synthetic-b"):
        staged = generations.stage(paths, run_id, set(BY_NAME))
        build_step(plan, staged, settings, force=True)
        built.append({f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in (staged.gen / "maps").glob("*.html")})
        generations.discard(paths, run_id)
    assert len(built[0]) >= 6 and built[0] == built[1]


# -- the README's relative mirror -------------------------------------------------------------------


def test_the_readmes_relative_mirror_is_read_against_the_project_root(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", "import os, conftest; print(conftest.MIRROR); print(os.environ['DIZ_SOURCE_MIRROR'])"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=env_with(
            DIZ_SOURCE_MIRROR="../shared/sources", PYTHONPATH=f"{PROJECT_ROOT / 'tests'}{os.pathsep}{PROJECT_ROOT}"
        ),
    )
    expected = str((PROJECT_ROOT / ".." / "shared" / "sources").resolve())
    assert done.stdout.split() == [expected, expected], done.stderr
