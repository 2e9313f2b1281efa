"""Generations: a run builds a whole new set of outputs beside the live one and publishes it in
one atomic step, or leaves the live one untouched.

Layout under ``data/processed``::

    generations/<id>/            one complete run's outputs (tables, maps, catalog, briefings, ...)
    generations/.staging-<run>/  a run in progress
    current -> generations/<id>  the pointer; replaced with one rename()
    diz.duckdb, tables/, ...     symbolic links through ``current`` (``PUBLIC_LINKS``)
    ../../maps/*.html            symbolic links to ``current/maps/*.html`` (``index.html``: a page sending
                                 the browser to ``current/maps/index.html``, whose links are relative)

A run starts by hard-linking the live generation into its staging folder, so steps it does not
re-compute keep their files (and their bytes) at no cost; a step that re-computes first removes
the files its previous build made, so nothing of an earlier run (another district's file, say)
survives beside it. Every file is written to a temporary name and renamed, never rewritten in
place, so the live generation's files are never touched through a shared link. Each step records
its fingerprint, files and metadata in ``_manifest/<step>.json``, each check its result in
``_checks/<check>.json``. ``publish`` refuses a generation in which any planned step is missing
or stale, or a blocking check failed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.catalog import build_catalog, locked
from pipeline.paths import PUBLIC_LINKS, Paths
from pipeline.store import write_text

MANIFEST = "_manifest"
CHECKS = "_checks"
FAILURES = "_failures"
STAGING = ".staging-"
KEEP = 3  # published generations kept (the live one and two before it)
LOCK = ".generations.lock"
OWNER = ".owner.lock"  # in a staging folder: locked by the process that runs it (see _hold)
_HELD: dict[str, object] = {}  # staging folder name -> the open, locked owner file


class NotPublished(Exception):
    """The staged generation is incomplete or failed a blocking check; the live one stays."""


@dataclass
class Published:
    generation: str
    path: Path
    previous: str | None


def live_folder(paths: Paths) -> Path | None:
    target = paths.current
    if target.is_symlink() and target.resolve().is_dir():
        return target.resolve()
    return None


def live_id(paths: Paths) -> str | None:
    folder = live_folder(paths)
    return folder.name if folder else None


def _read_json_folder(folder: Path) -> dict[str, dict]:
    out = {}
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            try:
                out[path.stem] = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                continue
    return out


def manifest(folder: Path | None) -> dict[str, dict]:
    """{step: {fingerprint, parts, files, metadata, ...}} recorded in a generation."""
    return _read_json_folder(folder / MANIFEST) if folder else {}


def check_results(folder: Path | None) -> dict[str, dict]:
    return _read_json_folder(folder / CHECKS) if folder else {}


def staging_folder(paths: Paths, run_id: str) -> Path:
    return paths.generations / f"{STAGING}{run_id}"


def stage(paths: Paths, run_id: str, steps: set[str] | None = None) -> Paths:
    """The run's staging generation, created on first use by linking the live one into it.

    Safe to call from every process of a run: the first caller builds it under a lock, the
    others find it ready. With ``steps`` (the engine's step names), steps the live generation
    recorded that are no longer among them (renamed or removed) leave nothing in the new one.
    """
    folder = staging_folder(paths, run_id)
    ready = folder / ".ready"
    if ready.exists():
        return paths.in_generation(folder)
    paths.generations.mkdir(parents=True, exist_ok=True)
    with locked(paths.processed / LOCK):
        if not ready.exists():
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            _hold(folder)
            live = live_folder(paths)
            if live is not None:
                _link_tree(live, folder)
                if steps is not None:
                    _forget_retired_steps(paths.in_generation(folder), steps)
            (folder / "rejects").mkdir(exist_ok=True)
            write_text(ready, json.dumps({"run_id": run_id, "from": live.name if live else None}))
    return paths.in_generation(folder)


def _hold(folder: Path) -> None:
    """Hold a shared lock on the staging folder's owner file for as long as this process lives (or
    until the run publishes or discards it): a run killed part-way leaves the lock free, which is how
    the next run tells its orphaned folder from one still being written."""
    fh = open(folder / OWNER, "a+")
    fcntl.flock(fh, fcntl.LOCK_SH)
    _HELD[folder.name] = fh


def _release(folder: Path) -> None:
    fh = _HELD.pop(folder.name, None)
    if fh is not None:
        fh.close()


def remove_orphans(paths: Paths, keep=lambda run_id: False) -> list[tuple[str, int]]:
    """Remove the staging folders of runs that died (killed, power cut): those whose owner lock no
    process holds, unless ``keep(run_id)`` (a run whose steps run in processes of their own, which
    hold no lock between steps). Returns (run id, bytes freed) for each folder removed."""
    removed = []
    if not paths.generations.is_dir():
        return removed
    with locked(paths.processed / LOCK):  # stage() creates and locks a folder under this lock
        for folder in sorted(paths.generations.glob(f"{STAGING}*")):
            run_id = folder.name[len(STAGING) :]
            if folder.name in _HELD or not folder.is_dir() or keep(run_id):
                continue
            try:
                with open(folder / OWNER, "a+") as fh:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a live run holds it
            size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
            shutil.rmtree(folder, ignore_errors=True)
            removed.append((run_id, size))
    return removed


def _link_tree(source: Path, dest: Path) -> None:
    """Hard-link every file of ``source`` into ``dest`` (copy where links are not possible)."""
    for root, _dirs, files in os.walk(source):
        rel = Path(root).relative_to(source)
        (dest / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            if rel == Path(".") and name in ("diz.duckdb", ".ready", "_generation.json"):
                continue  # the catalog and the generation's own record are made at publish
            src, target = Path(root) / name, dest / rel / name
            try:
                os.link(src, target)
            except OSError:
                shutil.copy2(src, target)


def _forget_retired_steps(staged: Paths, steps: set[str]) -> None:
    """Steps the engine no longer has (renamed or removed) leave nothing in the new generation."""
    for step in manifest(staged.gen):
        if step not in steps:
            forget_step(staged, step)


def forget_step(staged: Paths, step: str) -> dict:
    """Before a step re-computes: remove the files its previous build left in the staging folder, except those
    another step has since recorded as its own (a file that moved to a new step, already re-made there)."""
    entry_path = staged.gen / MANIFEST / f"{step}.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    others = {rel for name, e in manifest(staged.gen).items() if name != step for rel in e.get("files", [])}
    for rel in entry.get("files", []):
        if rel in others:
            continue
        target = staged.gen / rel
        if target.is_file() or target.is_symlink():
            target.unlink()
    entry_path.unlink(missing_ok=True)
    for name, result in check_results(staged.gen).items():
        if result.get("step") == step:
            (staged.gen / CHECKS / f"{name}.json").unlink(missing_ok=True)
    return entry


def file_records(folder: Path, files: list[str]) -> dict[str, dict]:
    """{file: {bytes, mtime_ns, sha256}} of a step's files as it wrote them, so a later run can tell a
    damaged live file (truncated, overwritten) from a good one before it says nothing changed."""
    out = {}
    for rel in files:
        path = folder / rel
        if path.is_file():
            stat = path.stat()
            out[rel] = {"bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": _sha256(path)}
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def damaged(folder: Path, entry: dict) -> list[str]:
    """The files of a manifest entry that are missing or not as the step wrote them, each with why.

    Sizes are always compared; the sha256 only where a file's modification time moved (cheap: an
    untouched file is not read, one edited in place or copied without its times is). Entries written
    before sizes were recorded are checked for presence only."""
    records = entry.get("integrity", {})
    out = []
    for rel in entry.get("files", []):
        path = folder / rel
        try:
            stat = path.stat()
        except OSError:
            out.append(f"{rel} (missing)")
            continue
        record = records.get(rel)
        if record is None:
            continue
        if stat.st_size != record["bytes"]:
            out.append(f"{rel} ({stat.st_size:,} bytes, {record['bytes']:,} when written)")
        elif stat.st_mtime_ns != record["mtime_ns"] and _sha256(path) != record["sha256"]:
            out.append(f"{rel} (its contents changed since it was written)")
    return out


def record_step(staged: Paths, step: str, entry: dict) -> None:
    entry = entry | {"integrity": file_records(staged.gen, entry.get("files", []))}
    write_text(staged.gen / MANIFEST / f"{step}.json", json.dumps(entry, sort_keys=True, indent=1, default=str))


def record_check(staged: Paths, result: dict) -> None:
    write_text(
        staged.gen / CHECKS / f"{result['name']}.json", json.dumps(result, sort_keys=True, indent=1, default=str)
    )


def record_failure(staged: Paths, step: str, message: str) -> None:
    write_text(staged.gen / FAILURES / f"{step}.json", json.dumps({"step": step, "message": message}))


def failures(folder: Path) -> dict[str, str]:
    """{step: one-line message} of the steps that failed in a staging generation."""
    return {k: v.get("message", "") for k, v in _read_json_folder(folder / FAILURES).items()}


def problems(staged: Paths, planned: dict[str, str]) -> list[str]:
    """Why the staged generation cannot be published (empty when it can)."""
    found = manifest(staged.gen)
    out = []
    for step, fingerprint in planned.items():
        entry = found.get(step)
        if entry is None:
            out.append(f"step {step} was not built")
        elif entry.get("fingerprint") != fingerprint:
            out.append(f"step {step} is stale (not re-computed after a change upstream)")
        else:
            missing = [f for f in entry.get("files", []) if not (staged.gen / f).exists()]
            if missing:
                out.append(f"step {step}: {len(missing)} files missing, e.g. {missing[0]}")
    # Any ERROR check keeps the run from publishing, blocking or not: a result someone must act
    # on first (e.g. an LSOA flagged for a rejected source row) does not replace a good one.
    for result in check_results(staged.gen).values():
        if (
            result.get("step") in planned
            and not result.get("passed")
            and (result.get("blocking") or result.get("severity") == "ERROR")
        ):
            kind = "blocking check" if result.get("blocking") else "ERROR check"
            out.append(f"{kind} {result['name']} failed: {result.get('description')}")
    return out


def publish(paths: Paths, run_id: str, planned: dict[str, str], settings_summary: dict | None = None) -> Published:
    """Make the staged generation live, whole, in one rename of the ``current`` pointer."""
    staged = paths.in_generation(staging_folder(paths, run_id))
    issues = [f"step {k} failed: {v}" for k, v in failures(staged.gen).items()] + problems(staged, planned)
    if issues:
        raise NotPublished("; ".join(issues[:5]) + (f"; and {len(issues) - 5} more" if len(issues) > 5 else ""))
    with locked(paths.processed / LOCK):
        _prune_unrecorded(staged)
        generation = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + f"-{run_id[:8]}"
        final = paths.generations / generation
        previous = live_id(paths)
        (staged.gen / ".ready").unlink(missing_ok=True)
        (staged.gen / OWNER).unlink(missing_ok=True)
        _release(staged.gen)
        os.rename(staged.gen, final)
        write_text(
            final / "_generation.json",
            json.dumps(
                {
                    "generation": generation,
                    "run_id": run_id,
                    "previous": previous,
                    "published_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "steps": sorted(planned),
                    "settings": settings_summary or {},
                },
                indent=1,
                sort_keys=True,
            ),
        )
        build_catalog(final)
        _point(paths.current, Path("generations") / generation)
        ensure_public_links(paths)
        _prune_old(paths, keep={generation, previous})
    return Published(generation, final, previous)


def discard(paths: Paths, run_id: str) -> None:
    """Remove a run's staging folder (the live generation is not touched)."""
    _release(staging_folder(paths, run_id))
    shutil.rmtree(staging_folder(paths, run_id), ignore_errors=True)


def _prune_unrecorded(staged: Paths) -> None:
    """Files no step recorded (leftovers of a step that no longer makes them) do not get published."""
    keep = {".ready", OWNER}
    for entry in manifest(staged.gen).values():
        keep.update(entry.get("files", []))
    for path in sorted(staged.gen.rglob("*"), reverse=True):
        rel = path.relative_to(staged.gen).as_posix()
        if rel.split("/")[0] in (MANIFEST, CHECKS):
            continue
        if path.is_file() and rel not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()) and rel not in ("rejects",):
            path.rmdir()


def _point(link: Path, target: Path) -> None:
    """Replace symbolic link ``link`` with one to ``target`` atomically (rename over it)."""
    tmp = link.with_name(f".{link.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)


def ensure_public_links(paths: Paths) -> None:
    """The fixed paths people open, as links through ``current`` (replacing an old flat layout's files)."""
    for inside, public in PUBLIC_LINKS:
        dest = paths.root / public
        target = Path(os.path.relpath(paths.current / inside, dest.parent))
        if dest.is_symlink() and Path(os.readlink(dest)) == target:
            continue
        if dest.is_dir() and not dest.is_symlink():
            shutil.rmtree(dest)
        _point(dest, target)
    maps = paths.public_maps
    maps.mkdir(parents=True, exist_ok=True)
    live_maps = paths.current / "maps"
    wanted = {p.name for p in live_maps.glob("*.html")} if live_maps.is_dir() else set()
    for old in maps.iterdir():
        if old.suffix == ".html" and old.name not in wanted:
            old.unlink()
    for name in sorted(wanted - {"index.html"}):
        _point(maps / name, Path(os.path.relpath(live_maps / name, maps)))
    if "index.html" in wanted:
        _redirect(maps / "index.html", Path(os.path.relpath(paths.current / "maps" / "index.html", maps)).as_posix())
    _remove_flat_layout(paths)


def _redirect(page: Path, target: str) -> None:
    """A page that sends the browser to ``target``. The generation's index links to the tables and
    briefings beside its maps/ folder (``../tables/``); a browser resolves those from the folder of
    the link it opened, not its target, so the project's maps/index.html cannot be a symbolic link."""
    if page.is_file() and not page.is_symlink() and target in page.read_text(encoding="utf-8", errors="replace"):
        return
    quoted = json.dumps(target)
    write_text(
        page,
        f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Maps, tables and briefings</title>
<meta http-equiv="refresh" content="0; url={target}">
<script>location.replace({quoted} + location.hash);</script></head>
<body><p>The maps, tables and briefings of the live run are at <a href="{target}">{target}</a>.</p></body></html>
""",
    )


def _remove_flat_layout(paths: Paths) -> None:
    """Files of the layout before generations (tables straight in data/processed) are regenerated
    in every generation; left in place they would be read as current."""
    public = {Path(p).name for _, p in PUBLIC_LINKS}
    for entry in paths.processed.iterdir():
        name = entry.name
        if name in public or name in ("README.md", "generations", "current", LOCK) or name.startswith(".current"):
            continue
        if entry.is_symlink() or entry.is_file():
            if entry.suffix in (
                ".parquet",
                ".tif",
                ".duckdb",
                ".xlsx",
                ".md",
                ".wal",
                ".json",
                ".lock",
            ) or name.startswith(".catalog"):
                entry.unlink()
        elif entry.is_dir() and (any(entry.glob("*.parquet")) or name in ("rejects", "charts", "tables", "briefings")):
            shutil.rmtree(entry)


def _prune_old(paths: Paths, keep: set) -> None:
    published = sorted(p for p in paths.generations.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in published[:-KEEP]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    # staging folders of runs that died (no process of that run can still be writing after a day)
    for stale in paths.generations.glob(f"{STAGING}*"):
        if time.time() - stale.stat().st_mtime > 86_400:
            shutil.rmtree(stale, ignore_errors=True)
