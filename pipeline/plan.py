"""What a run must re-compute: every step's fingerprint, and whether the live generation already
holds its outputs for that fingerprint.

A step's fingerprint hashes its code (its module and the ``pipeline`` modules and SQL files it
uses), the settings sections and config files that shape it, the registry records of the sources it
reads and those files (sha256, confirmed only when a file's size or modification time changed), and
its upstream steps' fingerprints. The modules that hold facts rather than method (the registry of
sources, the settings model, the table writer) are hashed by the facts a step uses, not as code, so
editing one source's note makes only its readers stale. It depends on inputs only, never on output
bytes, so a whole run's fingerprints are
known before it starts: ``make run`` re-computes exactly the stale steps, and a step that finds
its fingerprint already recorded keeps its outputs and reports "unchanged".
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pipeline.fetch import FileHashes, candidate_files
from pipeline.generations import damaged
from pipeline.geography import vintage_of
from pipeline.paths import PROJECT_ROOT, Paths
from pipeline.registry import SOURCES
from pipeline.settings import Settings
from pipeline.sqlfiles import SQL_DIR, SQL_NAME
from pipeline.steps import STEPS, Step, applicable, upstream

PIPELINE = PROJECT_ROOT / "pipeline"
# Hashed by the records and sections a step uses (components below), not as code.
FACT_MODULES = ("pipeline.registry", "pipeline.settings", "pipeline.store")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _source_file(module: str) -> Path | None:
    """The file of a ``pipeline`` module, found on disk (importing it would load the whole stack)."""
    base = PROJECT_ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


FROM_IMPORT = re.compile(r"^\s*from\s+(pipeline[\w.]*)\s+import\s+(\([^)]*\)|[^\n]+)", re.M)
PLAIN_IMPORT = re.compile(r"^\s*import\s+(pipeline[\w.]*)", re.M)


@cache
def _direct(path: Path) -> tuple[tuple[str, ...], tuple[Path, ...]]:
    """The ``pipeline`` modules a file imports (anywhere in it, lazy imports included) and the SQL
    files it names."""
    text = path.read_text(encoding="utf-8")
    modules = [m for m in PLAIN_IMPORT.findall(text)]
    for module, names in FROM_IMPORT.findall(text):
        modules.append(module)
        modules += [
            f"{module}.{n.split(' as ')[0].strip()}"
            for n in names.strip("()").replace("\n", " ").split(",")
            if n.strip() and not n.strip().startswith("#")
        ]
    sql_files = tuple(SQL_DIR / f"{n}.sql" for n in SQL_NAME.findall(text) if (SQL_DIR / f"{n}.sql").exists())
    return tuple(modules), sql_files


@cache
def _module_closure(module: str) -> tuple[str, ...]:
    """Source files of a ``pipeline`` module and of every ``pipeline`` module it imports, and the
    SQL files they name."""
    seen: set[str] = set()
    files: set[Path] = {SQL_DIR / "macros.sql"}
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _source_file(name)
        if path is None:  # "from pipeline.store import write_parquet": a name, not a module
            continue
        if name not in FACT_MODULES:
            files.add(path)
        modules, sql_files = _direct(path)
        todo += modules
        files.update(sql_files)
    return tuple(sorted(str(f) for f in files))


def code_version(step: Step) -> str:
    """A hash of the code that shapes a step (stable across machines: relative paths and contents)."""
    return _code_version(step.module)


@cache
def _code_version(module: str) -> str:
    digest = hashlib.sha256()
    for file in _module_closure(module):
        path = Path(file)
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(file_bytes(path))
    return digest.hexdigest()[:16]


def file_bytes(path: Path) -> bytes:
    """A code file's bytes (one place, so a test can show what an edit would make stale)."""
    return path.read_bytes()


def clear_code_cache() -> None:
    for cached in (_direct, _module_closure, _code_version):
        cached.cache_clear()


def source_fingerprint(key: str, paths: Paths, settings: Settings, hashes: FileHashes) -> str:
    """A hash of every file the source would be read from (``missing`` when it has none)."""
    files = candidate_files(SOURCES[key], paths, settings)
    if not files:
        return "missing"
    # by file name and content, not by folder: the same file moved from the mirror to data/raw is unchanged
    return _digest(json.dumps(sorted([Path(label).name, hashes(path)] for label, path in files)).encode())[:16]


def _doc_hash(name: str) -> str:
    path = PROJECT_ROOT / "docs" / name
    return _digest(path.read_bytes())[:16] if path.exists() else "missing"


def _config_hash(settings: Settings, name: str) -> str:
    path = settings.config_dir / name
    return _digest(path.read_bytes())[:16] if path.exists() else "missing"


@dataclass
class StepPlan:
    step: Step
    fingerprint: str
    parts: dict  # what the fingerprint is made of, to say why a step is stale
    stale: bool = True
    reason: str = "not built yet"
    recorded: dict = field(default_factory=dict)  # the live generation's manifest entry


def static_parts(step: Step, settings: Settings) -> dict:
    """What shapes a step apart from its data: code, settings sections, config files, study area, and the
    registry records of the sources it reads."""
    return {
        "code": code_version(step),
        "settings": settings.fingerprint(*step.settings) if step.settings else "",
        "study_area": _digest(",".join(settings.lad_codes).encode())[:16] if step.uses_study_area else "",
        "config": {name: _config_hash(settings, name) for name in step.config},
        "source_records": {key: source_record_hash(key) for key in step.sources},
        **({"docs": {name: _doc_hash(name) for name in step.docs}} if step.docs else {}),
    }


def source_record_hash(key: str) -> str:
    """The registry's record of a source (title, release, licence, accepted files, citation) as a hash."""
    record = dataclasses.asdict(SOURCES[key]) | {"citation": SOURCES[key].citation}
    return _digest(json.dumps(record, sort_keys=True, default=str).encode())[:16]


def static_version(step: Step, settings: Settings) -> str:
    """``static_parts`` as one short hash: the step's Dagster ``code_version``."""
    return _digest(json.dumps(static_parts(step, settings), sort_keys=True).encode())[:16]


def components(step: Step, settings: Settings, paths: Paths, hashes: FileHashes, fingerprints: dict[str, str]) -> dict:
    return static_parts(step, settings) | {
        "sources": {key: source_fingerprint(key, paths, settings, hashes) for key in step.sources},
        "upstream": {name: fingerprints.get(name, "not applicable") for name in upstream(step)},
    }


def why(parts: dict, recorded: dict | None) -> str:
    """The first thing that differs from the recorded build, in words."""
    if not recorded:
        return "not built yet"
    before = recorded.get("parts", {})
    if parts["code"] != before.get("code"):
        return "code changed"
    if parts["study_area"] != before.get("study_area"):
        return "study area changed"
    if parts["settings"] != before.get("settings"):
        return "settings changed"
    for name, value in parts["config"].items():
        if value != before.get("config", {}).get(name):
            return f"config/{name} changed"
    for name, value in parts.get("docs", {}).items():
        if value != before.get("docs", {}).get(name):
            return f"docs/{name} changed"
    for key, value in parts["sources"].items():
        old = before.get("sources", {}).get(key)
        if value != old:
            return (
                f"source {key} added"
                if old in (None, "missing")
                else f"source {key} removed"
                if value == "missing"
                else f"source {key} changed"
            )
    for key, value in parts.get("source_records", {}).items():
        if value != before.get("source_records", {}).get(key):
            return f"registry entry of {key} changed"
    for name, value in parts["upstream"].items():
        if value != before.get("upstream", {}).get(name):
            return f"{name} re-computed"
    return "outputs missing"


def make_plan(paths: Paths, settings: Settings, live: dict[str, dict], *, full: bool = False) -> list[StepPlan]:
    """Every step that applies to this run's small-area base, in order, each stale or not."""
    vintage = vintage_of(settings).key
    hashes = FileHashes(paths)
    fingerprints: dict[str, str] = {}
    plans = []
    for step in STEPS:
        if not applicable(step, vintage):
            continue
        parts = components(step, settings, paths, hashes, fingerprints)
        fingerprint = _digest(json.dumps(parts, sort_keys=True).encode())[:20]
        fingerprints[step.name] = fingerprint
        recorded = live.get(step.name, {})
        plan = StepPlan(step, fingerprint, parts, recorded=recorded)
        if full:
            plan.reason = "full run requested"
        elif recorded.get("fingerprint") == fingerprint:
            broken = damaged(paths.current, recorded)
            if broken:
                plan.reason = f"published file damaged: {broken[0]}" + (
                    f" and {len(broken) - 1} more" if len(broken) > 1 else ""
                )
            else:
                plan.stale, plan.reason = False, "unchanged"
        else:
            plan.reason = why(parts, recorded)
        plans.append(plan)
    hashes.save()
    return plans
