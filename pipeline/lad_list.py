"""Print a settings file whose study area is every district of a country, from Code-Point Open.

    python -m pipeline.lad_list E92000001 England > config/england.toml

The district codes are those Code-Point Open gives its postcodes (current codes), so a
district formed since IMD 2019 is listed under its new code.
"""

from __future__ import annotations

import argparse
import sys

from pipeline import duck
from pipeline.fetch import locate
from pipeline.paths import Paths
from pipeline.readers.codepoint import read_codepoint
from pipeline.registry import CODEPOINT_OPEN


def lad_codes(country_code: str, paths: Paths) -> tuple[list[str], str]:
    """The country's district codes, sorted, and the Code-Point release they came from."""
    located = locate(CODEPOINT_OPEN, paths)
    con = duck.connect()
    try:
        read_codepoint(con, located, paths)
        codes = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT lad_code FROM codepoint WHERE country_code = $c AND lad_code IS NOT NULL ORDER BY 1",
                {"c": country_code},
            ).fetchall()
        ]
    finally:
        con.close()
    return codes, f"{CODEPOINT_OPEN.title}, {CODEPOINT_OPEN.release}"


def settings_text(name: str, codes: list[str], country_code: str, label: str) -> str:
    rows = [", ".join(f'"{c}"' for c in codes[i : i + 8]) for i in range(0, len(codes), 8)]
    listed = ",\n    ".join(rows)
    return (
        f"# {name}: the {len(codes)} local authority districts with postcodes in country {country_code},\n"
        f"# as coded in {label}.\n# Method settings come from diz.toml.\n"
        f"# Regenerate: .venv/bin/python -m pipeline.lad_list {country_code} {name}\n"
        f'extends = "diz.toml"\n\n[study_area]\nname = "{name}"\nlad_codes = [\n    {listed},\n]\n'
        "\n# Held to 4 GiB: no worker processes (workers beside the run drawing the maps of all of England took the\n"
        "# run and its workers past it; see settings.Run). Readers of one source still start early, in one thread of\n"
        "# the run's own process, within its DuckDB memory limit (pipeline.early).\n[run]\nworker_processes = 0\n"
        "start_early = true\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("country_code", help="GSS country code, e.g. E92000001 for England")
    parser.add_argument("name", help="study area name for the settings file")
    args = parser.parse_args(argv)
    codes, label = lad_codes(args.country_code, Paths.from_env().ensure())
    if not codes:
        print(f"no districts with country code {args.country_code} in {label}", file=sys.stderr)
        return 1
    sys.stdout.write(settings_text(args.name, codes, args.country_code, label))
    return 0


if __name__ == "__main__":
    sys.exit(main())
