"""Ofcom Connected Nations fixed-coverage columns: one explicit alias table for every release.

Ofcom renames columns between releases (FTTP -> Full Fibre, "unable meet USO" -> "below the
USO", gigabit appears in 2020, postcode columns gain and lose spaces). Each canonical field
lists every spelling we know, newest first; headers are matched case- and space-insensitively.
``RELEASE_HEADERS`` records the header of each release as published, so tests can build
official-format files and prove each one maps to the same schema.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.errors import SourceFormatError
from pipeline.readers.duckcsv import normalise_header

# Where a postcode is, in order of preference (the spaced form first).
POSTCODE_COLUMNS = ("postcode_space", "pcds", "postcode space", "postcode", "pcd")
# Local authority code columns.
LA_COLUMNS = (
    "laua",
    "lad",
    "ladcd",
    "lad_code",
    "la code",
    "local authority code",
    "lad24cd",
    "lad23cd",
    "lad22cd",
    "lad21cd",
    "lad20cd",
    "lad19cd",
)

# Canonical field -> published spellings.
METRICS: dict[str, tuple[str, ...]] = {
    "all_premises": ("All Premises", "All premises", "all_premises", "Number of premises"),
    "sfbb_pct": ("SFBB availability (% premises)", "Superfast availability (% premises)", "sfbb_availability_pct"),
    "ufbb100_pct": ("UFBB (100Mbit/s) availability (% premises)", "UFBB 100Mbit/s availability (% premises)"),
    "ufbb_pct": ("UFBB availability (% premises)", "UFBB (300Mbit/s) availability (% premises)"),
    "full_fibre_pct": ("Full Fibre availability (% premises)", "FTTP availability (% premises)"),
    "gigabit_pct": ("Gigabit availability (% premises)", "Gigabit capable availability (% premises)"),
    "below_10_pct": ("% of premises unable to receive 10Mbit/s", "% of premises unable to receive 10 Mbit/s"),
    "below_30_pct": ("% of premises unable to receive 30Mbit/s", "% of premises unable to receive 30 Mbit/s"),
    "below_uso_pct": (
        "% of premises below the USO",
        "% of premises unable meet USO",
        "% of premises unable to meet USO",
        "% of premises below USO",
    ),
    "nga_pct": ("% of premises with NGA", "% of premises able to receive NGA"),
}
PERCENT_FIELDS = tuple(k for k in METRICS if k.endswith("_pct"))
REQUIRED_METRICS = ("sfbb_pct",)

# Headers as Ofcom published them (metric and key columns; count columns omitted).
_COMMON_2019 = [
    "All Premises",
    "All Matched Premises",
    "SFBB availability (% premises)",
    "UFBB availability (% premises)",
    "FTTP availability (% premises)",
    "% of premises unable to receive 2Mbit/s",
    "% of premises unable to receive 5Mbit/s",
    "% of premises unable to receive 10Mbit/s",
    "% of premises unable to receive 30Mbit/s",
    "% of premises unable meet USO",
    "% of premises able to receive decent broadband from FWA",
    "% of premises able to receive SFBB from FWA",
    "% of premises able to receive NGA",
]
_COMMON_2020 = [
    "All Premises",
    "All Matched Premises",
    "SFBB availability (% premises)",
    "UFBB (100Mbit/s) availability (% premises)",
    "Full Fibre availability (% premises)",
    "UFBB availability (% premises)",
    "Gigabit availability (% premises)",
    "% of premises unable to receive 2Mbit/s",
    "% of premises unable to receive 5Mbit/s",
    "% of premises unable to receive 10Mbit/s",
    "% of premises unable to receive 30Mbit/s",
    "% of premises below the USO",
    "% of premises with NGA",
]
RELEASE_HEADERS: dict[str, dict[str, list[str]]] = {
    "2019": {
        "postcode": ["postcode", "postcode_space", "postcode area"] + _COMMON_2019,
        "local_authority": ["laua", "laua_name"] + _COMMON_2019,
    },
    "2020": {
        "postcode": ["postcode", "postcode_space", "postcode area"] + _COMMON_2020,
        "local_authority": ["laua", "laua_name"] + _COMMON_2020,
    },
    "2022": {
        "postcode": ["postcode", "postcode_space", "postcode area"] + _COMMON_2020,
        "local_authority": ["laua", "laua_name"] + _COMMON_2020,
    },
    "2023": {"postcode": ["pcds", "pca"] + _COMMON_2020, "local_authority": ["lad", "lad_name"] + _COMMON_2020},
    "2024": {
        "postcode": ["postcode", "postcode_space", "postcode area"] + _COMMON_2020,
        "local_authority": ["laua", "laua_name"] + _COMMON_2020,
    },
    "2026": {
        "postcode": ["postcode", "postcode space", "postcode area"]
        + [c.replace("Mbit/s", " Mbit/s") if c.startswith("% of premises unable") else c for c in _COMMON_2020],
        "local_authority": ["laua", "laua name"] + _COMMON_2020,
    },
}


def map_header(header: list[str], label: str, *, key: str) -> tuple[str, dict[str, str]]:
    """(key column, canonical field -> column) for one file's header.

    ``key`` is "postcode" or "local_authority". Raises when the key or a required metric is
    missing, naming the file and the header row.
    """
    by_norm = {normalise_header(h): h for h in header}
    keys = POSTCODE_COLUMNS if key == "postcode" else LA_COLUMNS
    key_col = next((by_norm[normalise_header(k)] for k in keys if normalise_header(k) in by_norm), None)
    if key_col is None:
        _delimiter_hint(header, label)
        raise SourceFormatError(
            label,
            f"no {key} column (looked for {', '.join(keys)}; header has: {', '.join(header)})",
            row=1,
            field=keys[0],
        )
    mapping: dict[str, str] = {}
    for field, spellings in METRICS.items():
        for spelling in spellings:
            if normalise_header(spelling) in by_norm:
                mapping[field] = by_norm[normalise_header(spelling)]
                break
    for field in REQUIRED_METRICS:
        if field not in mapping:
            _delimiter_hint(header, label)
            raise SourceFormatError(
                label, f"required column is missing (header has: {', '.join(header)})", row=1, field=METRICS[field][0]
            )
    return key_col, mapping


def _delimiter_hint(header: list[str], label: str) -> None:
    if len(header) == 1:
        for delim, name in ((";", ";"), ("\t", "tab"), ("|", "|")):
            if delim in header[0]:
                raise SourceFormatError(label, f"file appears to be {name!r}-delimited; expected commas", row=1)


RELEASE_IN_NAME = re.compile(r"(20\d{2})[-_]?(0[1-9]|1[0-2])(?!\d)")


def release_from_name(path: Path | str, label: str) -> str:
    """'202407-fixed-coverage-postcodes-r01.zip' -> '2024-07'."""
    match = RELEASE_IN_NAME.search(Path(path).name)
    if not match:
        raise SourceFormatError(
            label,
            "cannot tell the release from the file name; keep Ofcom's name, "
            "which starts with the year and month (e.g. 202407-fixed-coverage-postcodes-r01.zip)",
        )
    return f"{match.group(1)}-{match.group(2)}"
