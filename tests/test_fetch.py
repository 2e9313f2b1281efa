"""Finding source files: data/raw before the mirror, downloads, safe zip extraction, clear errors."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
import zipfile
from dataclasses import replace

import pytest

from pipeline import fetch
from pipeline.errors import SourceMissingError
from pipeline.fetch import extract_zip, locate, locate_each
from pipeline.paths import Paths
from pipeline.registry import CODEPOINT_OPEN, IMD2019, LSOA_BOUNDARIES, OFCOM_POSTCODE_COVERAGE, RUC2011


def test_data_raw_copy_wins_over_mirror(tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "ruc2011").mkdir(parents=True)
    (mirror / "ruc2011" / "RUC11_LSOA11_EW.csv").write_text("mirror")
    paths = Paths(root=tmp_path / "out", mirror=mirror).ensure()
    assert locate(RUC2011, paths, download=False).origin == "mirror"
    (paths.raw / "RUC11_LSOA11_EW.csv").write_text("raw")
    found = locate(RUC2011, paths, download=False)
    assert (found.origin, found.path.read_text()) == ("data/raw", "raw")


def test_missing_source_names_file_address_and_where_to_put_it(paths):
    with pytest.raises(SourceMissingError) as err:
        locate(IMD2019, paths, download=False)
    message = str(err.value)
    assert "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv" in message
    assert "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019" in message
    assert str(paths.raw) in message and "DIZ_SOURCE_MIRROR" in message


def test_offline_download_fails_with_the_official_address(paths):
    offline = replace(CODEPOINT_OPEN, url="http://127.0.0.1:9/codepo_gb.zip")
    with pytest.raises(SourceMissingError) as err:
        locate(offline, paths)
    assert "http://127.0.0.1:9/codepo_gb.zip" in str(err.value)
    assert str(paths.raw / "codepo_gb.zip") in str(err.value)
    assert not list(paths.raw.glob("*.part")), "a failed download leaves no partial file"


def test_unreachable_host_is_not_tried_again_for_each_source(paths, monkeypatch):
    calls = []

    def refuse(request, timeout):
        calls.append(request.full_url)
        raise fetch.urllib.error.URLError("connection refused")

    monkeypatch.setattr(fetch.urllib.request, "urlopen", refuse)
    monkeypatch.setattr(fetch, "_unreachable", {})
    for name in ("a.zip", "b.zip"):
        with pytest.raises(SourceMissingError, match="connection refused"):
            fetch.download_file(f"http://unreachable.invalid/{name}", paths.raw / name, max_bytes=10, source_key="x")
    assert calls == ["http://unreachable.invalid/a.zip"]


@pytest.fixture()
def http_server(tmp_path):
    """Serve tmp_path/www on localhost (the only network a test may use)."""
    www = tmp_path / "www"
    www.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(www), **kw)

        def log_message(self, *args):
            pass

        def copyfile(self, source, outputfile):
            try:
                super().copyfile(source, outputfile)
            except (BrokenPipeError, ConnectionResetError):  # the client stopped reading: the size-limit test
                pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_download_is_streamed_checksummed_and_recorded(paths, http_server, capsys):
    www, base = http_server
    payload = b"LSOA11CD,LSOA11NM,RUC11CD,RUC11\n" * 50_000
    (www / "ruc.csv").write_bytes(payload)
    source = replace(RUC2011, url=f"{base}/ruc.csv", download_name="RUC11_LSOA11_EW.csv")
    found = locate(source, paths)
    assert found.origin == "download" and found.path.read_bytes() == payload
    manifest = json.loads((paths.raw / "downloads.json").read_text())
    assert manifest["RUC11_LSOA11_EW.csv"]["sha256"] == hashlib.sha256(payload).hexdigest()
    assert "downloading RUC11_LSOA11_EW.csv" in capsys.readouterr().err


def test_download_over_the_size_limit_is_refused(paths, http_server):
    www, base = http_server
    (www / "big.csv").write_bytes(b"x" * 5_000_000)
    source = replace(RUC2011, url=f"{base}/big.csv", download_name="RUC11_LSOA11_EW.csv", max_bytes=1_000_000)
    with pytest.raises(SourceMissingError, match="over the 1,000,000-byte limit"):
        locate(source, paths)
    assert not (paths.raw / "RUC11_LSOA11_EW.csv").exists()


def test_per_district_files_use_the_2011_district_code(tmp_path):
    mirror = tmp_path / "m"
    (mirror / "boundaries").mkdir(parents=True)
    (mirror / "boundaries" / "lsoa2011_E07000097.geojson").write_text("{}")
    paths = Paths(root=tmp_path / "out", mirror=mirror).ensure()
    from pipeline.registry import lad11

    assert locate(LSOA_BOUNDARIES, paths, lad11=lad11("E07000242"), download=False).path.name == "lsoa2011_E07000097.geojson"


def test_pattern_sources_collect_every_release(tmp_path):
    mirror = tmp_path / "m"
    (mirror / "ofcom-postcode").mkdir(parents=True)
    for name in ("202307-fixed-coverage-postcodes-r01.zip", "202407-fixed-coverage-postcodes-r01.zip", "notes.txt"):
        (mirror / "ofcom-postcode" / name).write_text("x")
    paths = Paths(root=tmp_path / "out", mirror=mirror).ensure()
    assert [f.path.name for f in locate_each(OFCOM_POSTCODE_COVERAGE, paths)] == [
        "202307-fixed-coverage-postcodes-r01.zip", "202407-fixed-coverage-postcodes-r01.zip"]


def test_extraction_is_reused_and_never_half_done(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Data/x.csv", "1\n")
    first = extract_zip(archive, tmp_path / "out")
    (first / "Data" / "x.csv").write_text("kept")
    assert extract_zip(archive, tmp_path / "out") == first
    assert (first / "Data" / "x.csv").read_text() == "kept"
    assert not [p for p in (tmp_path / "out").iterdir() if ".tmp-" in p.name]
