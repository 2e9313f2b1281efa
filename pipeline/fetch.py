"""Find a source file: ``data/raw/`` first, then the mirror, then the official address.

Downloads are streamed with a size limit and a progress line, and their sha256 is recorded
in ``data/raw/downloads.json``. Zip archives are extracted only after every member name has
been checked, so nothing can be written outside the extraction folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import stat
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from isal import isal_zlib

from pipeline.errors import SourceFormatError, SourceMissingError, UnsafeArchiveError
from pipeline.paths import Paths
from pipeline.registry import Source

log = logging.getLogger(__name__)

CHUNK = 1 << 20
DOWNLOAD_TIMEOUT_S = 60
# A host that could not be reached is not tried again for a while: later downloads from it fail
# at once with the same reason instead of each waiting for its own timeout.
UNREACHABLE_RETRY_S = 300
_unreachable: dict[str, tuple[float, str]] = {}


@dataclass(frozen=True)
class Located:
    """A source file found on disk, with where it came from and its checksum."""

    source: str
    path: Path
    origin: str  # "data/raw", "mirror" or "download"
    label: str  # how the file is named in errors and rejects (relative, human readable)

    @property
    def sha256(self) -> str:
        return sha256_of(self.path)


# The one cache of file hashes: (resolved path) -> (size, mtime, sha256), for this process, kept
# between runs in data/raw/.sha256-cache.json by ``FileHashes``.
_KNOWN: dict[str, list] = {}
HASH_CACHE = ".sha256-cache.json"


def sha256_of(path: Path) -> str:
    """sha256 of a file, remembered by (size, mtime): a file is read again only when either changed."""
    st = path.stat()
    key = str(path.resolve())
    entry = _KNOWN.get(key)
    if entry and entry[0] == st.st_size and entry[1] == st.st_mtime_ns:
        return entry[2]
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    _KNOWN[key] = [st.st_size, st.st_mtime_ns, digest.hexdigest()]
    return digest.hexdigest()


class FileHashes:
    """``sha256_of`` with the cache kept between runs in ``data/raw/.sha256-cache.json``, so an unchanged
    source file is not read again to decide whether a step is stale."""

    def __init__(self, paths: Paths):
        self.path = paths.raw / HASH_CACHE
        try:
            for key, entry in json.loads(self.path.read_text()).items():
                _KNOWN.setdefault(key, entry)
        except (OSError, ValueError):
            pass
        self.before = json.dumps(_KNOWN, sort_keys=True)

    def __call__(self, file: Path) -> str:
        return sha256_of(file)

    def save(self) -> None:
        now = json.dumps(_KNOWN, sort_keys=True)
        if now == self.before:
            return
        from pipeline.store import write_text

        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text(self.path, now)
        self.before = now


def _expand(pattern: str, lad11: str | None) -> str:
    return pattern.replace("{lad11}", lad11) if lad11 else pattern


def _candidates(paths: Paths, pattern: str) -> list[tuple[Path, str, str]]:
    """(path, origin, label) for one candidate name, data/raw before the mirror."""
    found: list[tuple[Path, str, str]] = []
    rel = PurePosixPath(pattern)
    roots: list[tuple[Path, str]] = [(paths.raw, "data/raw")]
    if paths.mirror is not None:
        roots.append((paths.mirror, "mirror"))
    for root, origin in roots:
        if not root.is_dir():
            continue
        # In data/raw a named file may sit at the top level; a pattern only matches in its own folder.
        tries = [root / rel] if origin == "mirror" or "*" in rel.name else [root / rel, root / rel.name]
        for target in tries:
            if any("*" in part for part in rel.parent.parts):  # a wildcard folder: clusters/*/x.csv
                hits = sorted(h for h in root.glob(str(rel)) if h.is_file())
            elif "*" in target.name:
                hits = (
                    sorted(h for h in target.parent.glob(target.name) if h.is_file()) if target.parent.is_dir() else []
                )
            else:
                hits = [target] if target.is_file() else []
            for hit in hits:
                found.append((hit, origin, _label(hit, root, origin)))
    return found


def _label(path: Path, root: Path, origin: str) -> str:
    """How a file is named in errors and rejects: its path in the mirror, or under data/raw."""
    relative = path.relative_to(root).as_posix()
    return relative if origin == "mirror" else f"data/raw/{relative}"


def locate(source: Source, paths: Paths, *, lad11: str | None = None, download: bool = True) -> Located:
    """The first candidate file of a source that exists, downloading it if allowed."""
    for pattern in source.files:
        hits = _candidates(paths, _expand(pattern, lad11))
        if hits:
            path, origin, label = hits[0]
            return Located(source.key, path, origin, label)
    if download and source.url:
        url = _expand(source.url, lad11)
        name = _expand(source.download_name or PurePosixPath(source.files[0]).name, lad11)
        path = download_file(url, paths.raw / name, max_bytes=source.max_bytes, source_key=source.key)
        return Located(source.key, path, "download", name)
    raise SourceMissingError(missing_message(source, paths, lad11))


def locate_each(source: Source, paths: Paths) -> list[Located]:
    """Every file matching any candidate pattern (for sources delivered as many files).

    A file found in both data/raw and the mirror is taken once, from data/raw: the same file is the
    same name, or, under a wildcard folder (``clusters/*/x.csv``), the same folder and name.
    """
    seen: dict[str, Located] = {}
    for pattern in source.files:
        depth = 1 + sum(1 for part in PurePosixPath(pattern).parent.parts if "*" in part)
        for path, origin, label in _candidates(paths, pattern):
            seen.setdefault("/".join(path.parts[-depth:]), Located(source.key, path, origin, label))
    return [seen[key] for key in sorted(seen)]


def candidate_files(source: Source, paths: Paths, settings) -> list[tuple[str, Path]]:
    """(label, path) of every file a run could read for this source, without downloading: each
    part's first file, each study district's per-district file, every file a pattern matches, or
    the first file found. For fingerprints: a change in any of them makes the step stale."""
    from pipeline.registry import lad11

    if source.parts:
        return [hit for name, _ in source.parts for hit in candidate_files(source.part(name), paths, settings)[:1]]
    found: dict[str, Path] = {}
    for pattern in source.files:
        names = [_expand(pattern, lad11(lad)) for lad in settings.lad_codes] if "{lad11}" in pattern else [pattern]
        for name in names:
            hits = _candidates(paths, name)
            for path, _, label in hits if "*" in name or "{lad11}" in pattern else hits[:1]:
                found.setdefault(label, path)
        if found and "*" not in pattern and "{lad11}" not in pattern:
            break
    return sorted(found.items())


def require_each(source: Source, paths: Paths) -> list[Located]:
    """``locate_each`` for a required source: no file at all is the usual 'not found' error."""
    found = locate_each(source, paths)
    if not found:
        raise SourceMissingError(missing_message(source, paths, None))
    return found


def missing_message(source: Source, paths: Paths, lad11: str | None) -> str:
    """One line: which file, from where, and where to put it."""
    name = _expand(source.publisher_file, lad11)
    if source.url:
        where = f"download {_expand(source.url, lad11)}"
    elif source.page_title:
        where = f"download '{source.page_title}' from {source.page}"
    else:
        where = f"download it from {source.page}"
    mirror_name = _expand(source.files[-1], lad11)
    mirror = (
        f"set DIZ_SOURCE_MIRROR to a folder holding {mirror_name}"
        if paths.mirror is None
        else f"the mirror ({paths.mirror}) has no {mirror_name}"
    )
    return (
        f"{source.title} ({source.release}) not found: {where} and save it as "
        f"{(paths.raw / PurePosixPath(name).name)} ({mirror})."
    )


def download_file(url: str, dest: Path, *, max_bytes: int, source_key: str) -> Path:
    """Stream ``url`` to ``dest`` (via a .part file), refusing anything over ``max_bytes``."""
    host = urllib.parse.urlsplit(url).netloc
    since, reason = _unreachable.get(host, (0.0, ""))
    if reason and time.monotonic() - since < UNREACHABLE_RETRY_S:
        raise SourceMissingError(
            f"could not download {url} ({host} unreachable: {reason}). Put the file at {dest} "
            "or set DIZ_SOURCE_MIRROR to a mirror folder."
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    digest = hashlib.sha256()
    done = 0
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "diz-pipeline/0.1 (open data pipeline)"})
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_S) as response, part.open("wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            if total and total > max_bytes:
                raise SourceMissingError(
                    f"{url}: {total:,} bytes is over the {max_bytes:,}-byte limit for {source_key}"
                )
            last_pct = -10
            for chunk in iter(lambda: response.read(CHUNK), b""):
                done += len(chunk)
                if done > max_bytes:
                    raise SourceMissingError(
                        f"{url}: stopped at {done:,} bytes, over the {max_bytes:,}-byte limit for {source_key}"
                    )
                digest.update(chunk)
                out.write(chunk)
                pct = int(100 * done / total) if total else -1
                if pct >= last_pct + 10 or (not total and done % (20 * CHUNK) < CHUNK):
                    last_pct = pct
                    shown = f"{pct}%" if total else f"{done / 1e6:.0f} MB"
                    print(f"downloading {dest.name}: {shown}", file=sys.stderr, flush=True)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        part.unlink(missing_ok=True)
        if not isinstance(exc, urllib.error.HTTPError):  # host unreachable, rather than a missing file
            _unreachable[host] = (time.monotonic(), str(exc))
        raise SourceMissingError(
            f"could not download {url} ({exc}). Put the file at {dest} or set DIZ_SOURCE_MIRROR to a mirror folder."
        ) from exc
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, dest)
    _record_download(dest, url, digest.hexdigest(), done, source_key)
    return dest


def _record_download(dest: Path, url: str, sha: str, size: int, source_key: str) -> None:
    manifest = dest.parent / "downloads.json"
    entries = json.loads(manifest.read_text()) if manifest.exists() else {}
    entries[dest.name] = {"source": source_key, "url": url, "sha256": sha, "bytes": size}
    tmp = manifest.with_name(f".{manifest.name}.{os.getpid()}")
    tmp.write_text(json.dumps(entries, indent=2, sort_keys=True))
    os.replace(tmp, manifest)


# --- zip archives -------------------------------------------------------------------


def safe_members(archive: Path, label: str | None = None) -> list[zipfile.ZipInfo]:
    """The archive's members, after refusing any that could escape the extraction folder."""
    label = label or archive.name
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise SourceFormatError(label, f"not a readable zip archive (truncated or corrupt: {exc})") from exc
    except OSError as exc:
        raise SourceFormatError(label, f"cannot open archive: {exc}") from exc
    if not any(not i.is_dir() for i in infos):
        raise SourceFormatError(label, "empty zip archive (no files in it); download it again")
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        mode = info.external_attr >> 16
        if (
            name.startswith(("/", "\\"))
            or "\\" in name
            or ".." in parts
            or (len(name) > 1 and name[1] == ":")
            or stat.S_ISLNK(mode)
        ):
            raise UnsafeArchiveError(
                label, f"member {name!r} would be written outside the extraction folder; archive refused"
            )
    return infos


def inflate_member(archive: Path, info: zipfile.ZipInfo, out: Path) -> None:
    """Unpack one deflated member with ISA-L (``isal``), about twice as fast as the standard library's zlib
    on this machine: the national archives expand to 700 MB on a cold England run. The member's CRC-32 and
    size are checked as ``zipfile`` checks them."""
    with archive.open("rb") as src, out.open("wb") as dst:
        src.seek(info.header_offset)
        local = src.read(30)
        if len(local) < 30 or local[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local file header for {info.filename}")
        src.seek(int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little"), os.SEEK_CUR)
        inflate, left, crc, size = isal_zlib.decompressobj(-15), info.compress_size, 0, 0
        try:
            while left:
                chunk = src.read(min(CHUNK, left))
                if not chunk:
                    raise EOFError(f"{info.filename} ends early")
                left -= len(chunk)
                data = inflate.decompress(chunk)
                crc, size = isal_zlib.crc32(data, crc), size + len(data)
                dst.write(data)
            data = inflate.flush()
        except isal_zlib.error as exc:
            raise zlib.error(str(exc)) from exc
        crc, size = isal_zlib.crc32(data, crc), size + len(data)
        dst.write(data)
    if crc != info.CRC or size != info.file_size or not inflate.eof:
        raise zipfile.BadZipFile(f"Bad CRC-32 or size for file {info.filename!r}")


def extract_zip(archive: Path, dest_root: Path, *, label: str | None = None, max_bytes: int = 2_000_000_000) -> Path:
    """Extract a zip once into ``dest_root/<name>-<sha>``; later calls reuse the folder.

    The extraction goes to a temporary folder that is renamed when complete, so an
    interrupted extraction is never mistaken for a finished one.
    """
    label = label or archive.name
    infos = safe_members(archive, label)
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        raise SourceFormatError(label, f"archive expands to {total:,} bytes, over the {max_bytes:,}-byte limit")
    target = dest_root / f"{archive.stem}-{sha256_of(archive)[:12]}"
    if target.is_dir():
        return target
    dest_root.mkdir(parents=True, exist_ok=True)
    tmp = dest_root / f".{target.name}.tmp-{os.getpid()}-{threading.get_ident()}"
    shutil.rmtree(tmp, ignore_errors=True)
    member = None
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in infos:
                member = info.filename
                out = tmp / info.filename
                if info.is_dir():
                    out.mkdir(parents=True, exist_ok=True)
                    continue
                out.parent.mkdir(parents=True, exist_ok=True)
                if info.compress_type == zipfile.ZIP_DEFLATED and not info.flag_bits & 0x1:
                    inflate_member(archive, info, out)
                else:  # stored, encrypted or another method: the standard library's way
                    with zf.open(info) as src, out.open("wb") as dst:
                        shutil.copyfileobj(src, dst, CHUNK)
        try:
            os.replace(tmp, target)
        except OSError:
            if not target.is_dir():  # another process finished first: theirs is as good as ours
                raise
    except (zipfile.BadZipFile, zlib.error) as exc:
        raise SourceFormatError(
            f"{label}!{member}",
            "this member of the zip is corrupt (it failed its integrity "
            f"check: {' '.join(str(exc).split())}); download the archive again",
        ) from exc
    except EOFError as exc:
        raise SourceFormatError(
            f"{label}!{member}", "the zip archive ends early, inside this member (truncated); download it again"
        ) from exc
    except OSError as exc:
        if exc.filename is None and member is not None:  # a failed write names no file: say where it was going
            raise OSError(exc.errno, exc.strerror, str(tmp / member)) from exc
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
