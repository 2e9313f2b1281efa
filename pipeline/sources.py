"""``make sources``: every source as a checklist — the exact file to download, from where, the
names accepted, whether ``data/raw/`` or the mirror already holds it, and its licence line.

    ✓ found (and where)   ✗ missing and required   ○ missing, optional
"""

from __future__ import annotations

import sys

from pipeline.fetch import candidate_files
from pipeline.paths import Paths
from pipeline.preflight import required_sources
from pipeline.registry import SOURCES, Source
from pipeline.settings import load_settings


def _size(n: int | None) -> str:
    if not n:
        return "size not published"
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def _entries(source: Source) -> list[Source]:
    return [source.part(name) for name, _ in source.parts] if source.parts else [source]


def checklist(paths: Paths, settings) -> tuple[list[str], int]:
    """The checklist lines, and how many required files are missing."""
    used = required_sources(settings)
    lines = [
        f"Sources for {settings.study_area.name} ({settings.geography.small_area} base). Put each file in "
        f"{paths.raw} under the name shown{' or use the mirror ' + str(paths.mirror) if paths.mirror else ''}.",
        "",
    ]
    missing_required, missing_bytes, unknown_sizes = 0, 0, 0
    for key in used:
        source = SOURCES[key]
        for entry in _entries(source):
            found = candidate_files(entry, paths, settings)
            stand_in = (
                not found
                and source.fallback is not None
                and bool(candidate_files(SOURCES[source.fallback], paths, settings))
            )
            mark = "✓" if found else ("○" if stand_in or not source.required else "✗")
            if not found and source.required and not stand_in:
                missing_required += 1
                if entry.size_bytes:
                    missing_bytes += entry.size_bytes
                else:
                    unknown_sizes += 1
            lines.append(
                f"{mark} {entry.title} — {source.publisher}, {source.release}"
                + ("" if source.required else " (optional)")
            )
            lines.append(
                f"    file:    {entry.publisher_file} ({_size(entry.size_bytes)})"
                + ("; a suffix the portal adds to the name may stay" if entry.suffix_accepted else "")
            )
            if entry.url:
                lines.append(f"    address: {entry.url}")
            else:
                lines.append(f"    page:    {entry.page}")
                if entry.page_title:
                    lines.append(f"    title:   {entry.page_title}")
            if not source.official:
                lines.append(f"    note:    {source.notes}")
            lines.append(
                f"    also accepted: {', '.join(entry.files[1:])}" if len(entry.files) > 1 else "    also accepted: -"
            )
            if found:
                lines.append(
                    f"    found:   {', '.join(label for label, _ in found[:3])}"
                    + (f" and {len(found) - 3} more" if len(found) > 3 else "")
                )
            elif stand_in:
                lines.append(
                    f"    missing: the run reads the older {SOURCES[source.fallback].title} "
                    f"({SOURCES[source.fallback].release}) in its place"
                )
            lines.append(f"    licence: {' '.join(source.licence)}")
    lines.append("")
    if missing_required:
        size = f"{missing_bytes / 1e9:.2f} GB" + (f" plus {unknown_sizes} of unpublished size" if unknown_sizes else "")
        lines.append(f"{missing_required} required file(s) missing; download size {size}.")
    else:
        lines.append("Every required file is present: `make run` can start.")
    return lines, missing_required


def main() -> int:
    paths = Paths.from_env()
    lines, missing = checklist(paths, load_settings())
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
