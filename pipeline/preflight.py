"""What is checked before any step runs, so a run that cannot succeed stops at once with one
line per problem: the weights, the study area against Code-Point Open's own list of districts
(English ones: the Indices of Deprivation cover England), every required source file (its exact
name, its address, and where to put it) and whether the file found holds the districts asked for
(``coverage``)."""

from __future__ import annotations

import json
import os

from pipeline.coverage import coverage
from pipeline.errors import DizError, SettingsError, cannot_write
from pipeline.fetch import candidate_files, extract_zip, locate, missing_message
from pipeline.geography import vintage_of
from pipeline.paths import Paths
from pipeline.registry import CODEPOINT_OPEN, SOURCES
from pipeline.settings import Settings
from pipeline.steps import STEPS, applicable
from pipeline.store import write_text

DISTRICT_TYPES = ("DIS", "UTA", "LBO", "MTD")


def required_sources(settings: Settings, only: set[str] | None = None) -> list[str]:
    """Registry keys of the sources the steps of this run's small-area base read (those of ``only``, when a
    run is limited to some steps), in step order."""
    vintage = vintage_of(settings).key
    keys: list[str] = []
    for step in STEPS:
        if applicable(step, vintage) and (only is None or step.name in only):
            keys += [k for k in step.sources if k not in keys and vintage in SOURCES[k].small_areas]
    return keys


def missing_sources(
    paths: Paths, settings: Settings, *, download: bool = False, only: set[str] | None = None
) -> list[str]:
    """One line for each required source with no file in data/raw or the mirror."""
    lines = []
    for key in required_sources(settings, only):
        source = SOURCES[key]
        if not source.required or candidate_files(source, paths, settings):
            continue
        if source.fallback and candidate_files(SOURCES[source.fallback], paths, settings):
            continue  # an older release stands in; the outputs cite it by its own release
        if download and source.url:
            continue  # the step will fetch it from the official address
        if source.parts:
            for name, _ in source.parts:
                part = source.part(name)
                if not candidate_files(part, paths, settings):
                    lines.append(missing_message(part, paths, None))
        else:
            lines.append(missing_message(source, paths, None))
    return lines


def district_names(paths: Paths) -> dict[str, tuple[str, str]]:
    """Code-Point Open's own code list: code -> (name, kind); empty when Code-Point is missing (reported as such)."""
    from pipeline.readers.codelist import read_codelist

    try:
        located = locate(CODEPOINT_OPEN, paths, download=False)
    except DizError:
        return {}
    folder = extract_zip(located.path, paths.raw / "_extracted", label=located.label)
    book = folder / "Doc" / "Codelist.xlsx"
    # read once per extracted file: a run that finds nothing to do should not spend most of its time here
    stat = book.stat()
    cache = folder / f".codelist-{stat.st_size}-{stat.st_mtime_ns}.json"
    if cache.exists():
        return {code: tuple(pair) for code, pair in json.loads(cache.read_text(encoding="utf-8")).items()}
    known = read_codelist(book, f"{located.label}!Doc/Codelist.xlsx")
    write_text(cache, json.dumps(known, ensure_ascii=False))
    return known


def unknown_districts(settings: Settings, known: dict[str, tuple[str, str]]) -> list[str]:
    """Study-area codes that are not English districts in Code-Point Open's own code list."""
    if not known:
        return []
    districts = {c: n for c, (n, kind) in known.items() if kind in DISTRICT_TYPES}
    example = next(iter(sorted(districts.items())))
    lines = []
    for code in settings.lad_codes:
        if code not in districts:
            what = f"a ward ({known[code][0]})" if code in known else "not a code Code-Point Open knows"
            lines.append(
                f"{settings.lad_codes_from}: {code} is {what}; give district codes as Code-Point Open "
                f"{CODEPOINT_OPEN.release} lists them in Doc/Codelist.xlsx (e.g. {example[0]} {example[1]})"
            )
        elif not code.startswith("E"):
            country = {"W": "Wales", "S": "Scotland", "N": "Northern Ireland"}.get(code[0], "outside England")
            lines.append(
                f"{settings.lad_codes_from}: {code} {districts[code]} is in {country}; the pipeline scores "
                "English districts only (the Indices of Deprivation 2025 and IMD 2019 cover England)"
            )
    return lines


PROBE_BYTES = 1 << 20  # written and removed to show the output folder takes data (a full disk fails here)


def unwritable_output(paths: Paths) -> list[str]:
    """The output folder as a problem line when a run could not write its generation there (read-only, full,
    no permission), found before any step rather than as a traceback part-way."""
    probe = paths.processed / f".write-test-{os.getpid()}"
    try:
        with open(probe, "wb") as fh:
            fh.write(b"\0" * PROBE_BYTES)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        if exc.filename is None:  # a failed write or fsync names no file: this one was being written
            exc = OSError(exc.errno, exc.strerror, str(probe))
        line = cannot_write(exc)
        if line is None:
            raise
        return [line]
    finally:
        try:
            probe.unlink(missing_ok=True)
        except OSError:
            pass
    return []


def preflight(
    paths: Paths,
    settings: Settings,
    *,
    download: bool = False,
    notes: list[str] | None = None,
    only: set[str] | None = None,
) -> list[str]:
    """Every problem that would stop the run (of the steps ``only``, if given), one line each (empty: the run
    can start); what the run will do without for some districts goes to ``notes``, to be said before it starts."""
    from pipeline.analysis.scores import all_weights

    problems: list[str] = unwritable_output(paths)
    if problems:
        return problems  # nothing else can be checked without writing (zips are extracted under data/raw)
    try:
        all_weights(settings, vintage_of(settings))
    except SettingsError as exc:
        problems.append(str(exc))
    missing = missing_sources(paths, settings, download=download, only=only)
    problems += missing
    try:
        known = district_names(paths)
    except DizError as exc:
        return problems + [str(exc)]
    unknown = unknown_districts(settings, known)
    problems += unknown
    if not missing and not unknown:
        names = {code: name for code, (name, _) in known.items()}
        stop, said = coverage(paths, settings, required_sources(settings, only), names)
        problems += stop
        if notes is not None:
            notes += said
    return problems
