"""Drawings a weight change does not reach, kept between runs: a briefing's chart of Ofcom's district
series, where its ward names go (adjustText's placement, the slowest part of drawing a briefing map), and the
map pages' backdrop (bounds, ward and district lines, place names: ``mapkit.backdrop``).

Each is kept under ``data/cache/<kind>/`` by the hash of everything that shapes it: the values drawn, the
sizes and settings, the source of the module that draws it and the versions of the libraries it uses. A
kept drawing is the same bytes as a fresh one because both take one path: made, stored, then used. The
folder is not part of any generation and nobody opens it; deleting it only makes the next run slower.
Entries unused for ``KEEP_DAYS`` are removed when a new one is stored.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path

from pipeline.store import write_text

KEEP_DAYS = 30
LIBRARIES = ("matplotlib", "adjustText", "numpy", "fonttools")


@cache
def _versions() -> dict[str, str]:  # read once per process: each look costs about 15 ms
    return {name: metadata.version(name) for name in LIBRARIES}


def key_of(kind: str, code: Path, parts: object) -> str:
    """The hash naming a drawing: its kind, the drawing module's source, the libraries' versions and ``parts``
    (JSON: floats are written exactly, so a moved point is a new drawing)."""
    text = json.dumps(
        {"kind": kind, "code": hashlib.sha256(code.read_bytes()).hexdigest(), "versions": _versions(), "parts": parts},
        sort_keys=True,
        default=repr,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def kept(folder: Path, kind: str, code: Path, parts: object, make: Callable[[], bytes]) -> bytes:
    """The drawing named by ``parts``: read from ``folder`` if kept there, else made by ``make`` and kept."""
    path = folder / kind / f"{key_of(kind, code, parts)}.bin"
    try:
        data = path.read_bytes()
        path.touch()  # in use: not to be pruned
        return data
    except FileNotFoundError:
        pass
    data = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    _prune(path.parent)
    write_text(path, data)
    return data


def _prune(folder: Path) -> None:
    """Remove entries not used for ``KEEP_DAYS``: a district's data changes now and then, and its old drawings
    would otherwise stay for ever."""
    oldest = time.time() - KEEP_DAYS * 86400
    for entry in folder.glob("*.bin"):
        try:
            if entry.stat().st_mtime < oldest:
                entry.unlink()
        except FileNotFoundError:  # another process pruned it first
            pass
