"""Which districts each study-area extract holds, so a run for other districts says so before it starts.

Some files a mirror holds are extracts: rows kept for the five DIZ districts only, or for the
Hertfordshire and West Essex ICB's practices (their names say so: ``_5districts``, ``SUBSET_``,
``_06K_06N_07H``; PROVENANCE.md lists them). Read for any other district, a required extract
would leave that district's rows empty and the run would fail minutes later, or publish a district
with a missing part. Preflight compares the districts asked for with what the file found holds: a
required source that does not cover them stops the run (one line per source: how many districts
are missing, examples, and the publisher's national file to fetch instead); an optional one is
named before the first step, with what the run does without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.fetch import candidate_files
from pipeline.paths import Paths
from pipeline.registry import SOURCES, Source
from pipeline.settings import Settings

FIVE_DISTRICTS = ("E07000095", "E07000242", "E07000072", "E07000073", "E07000077")
# Hertfordshire's ten districts and West Essex (Sub-ICB locations 06K, 06N and 07H of the Hertfordshire
# and West Essex ICB, QM7).
HERTS_WEST_ESSEX = (
    "E07000095",
    "E07000096",
    "E07000242",
    "E07000098",
    "E07000099",
    "E07000240",
    "E07000243",
    "E07000102",
    "E07000103",
    "E07000241",
    "E07000072",
    "E07000073",
    "E07000077",
)


@dataclass(frozen=True)
class Extract:
    holds: str  # in words, for the message
    lad_codes: tuple[str, ...]


# The mirror's extracts, by file name (PROVENANCE.md: what each holds).
EXTRACTS: dict[str, Extract] = {
    name: Extract("the five DIZ districts", FIVE_DISTRICTS)
    for name in (
        "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators_5districts.csv",
        "epraccur_2025-09_5districts.csv",
        "ebranchs_2017-08_5districts.csv",
        "gp-reg-pat-prac-all_2021-01_5districts.csv",
        "gp-reg-pat-prac-map_2022-01_5districts.csv",
        "fingertips_93553_IMD2019_score_by_GP_5districts.csv",
        "SAPE21DT11_mid-2018_lsoa_population_density_5districts.csv",
        "wards2024_bgc_5districts.geojson",
        "LSOA11_CCG21_LAD21_lookup_5districts.csv",
        "lad2013_5districts.geojson",
        "SUBSET_gb_populated_places_all_BNG_5districts.csv",
        "LSOA21_Dec2021_PWC_5districts.csv",
    )
} | {
    name: Extract("the Hertfordshire and West Essex ICB's Sub-ICB locations (06K, 06N, 07H)", HERTS_WEST_ESSEX)
    for name in ("epraccur_2025-09_QM7_06K_06N_07H.csv", "SUBSET_gp-reg-pat-prac-all_2026-04_06K_06N_07H.csv")
}

# What a run does without an optional source, where a step stands in for it.
WITHOUT = {
    "lsoa_pwc": "their neighbourhoods are placed at the mean of their postcodes (lsoa_origins says which, per row)"
}


def _short(codes: list[str], names: dict[str, str]) -> str:
    shown = ", ".join(f"{c} {names[c]}" if c in names else c for c in codes[:3])
    return f"{len(codes)} district{'s' if len(codes) > 1 else ''} ({shown}{', ...' if len(codes) > 3 else ''})"


def gaps(source: Source, paths: Paths, settings: Settings) -> tuple[str, Extract, list[str]] | None:
    """(file, what it holds, the districts asked for that it lacks) when the file this run would read is an
    extract that does not hold every district asked for; None when it does (or is not an extract)."""
    for _, path in candidate_files(source, paths, settings):  # each part's file, for a source of several
        extract = EXTRACTS.get(path.name)
        lacking = [c for c in settings.lad_codes if c not in extract.lad_codes] if extract else []
        if lacking:
            return path.name, extract, lacking
    return None


def coverage(paths: Paths, settings: Settings, keys: list[str], names: dict[str, str]) -> tuple[list[str], list[str]]:
    """(problems that stop the run, notes to print before it starts), one line per source."""
    problems, notes = [], []
    for key in keys:
        source = SOURCES[key]
        gap = gaps(source, paths, settings)
        if gap is None:
            continue
        name, extract, lacking = gap
        fallback = SOURCES[source.fallback] if source.fallback else None
        if (
            fallback is not None
            and candidate_files(fallback, paths, settings)
            and gaps(fallback, paths, settings) is None
        ):
            continue  # the older release covers them and stands in
        what = (
            f"{source.title} ({source.release}): the file found, {name}, holds {extract.holds} only; "
            f"{_short(lacking, names)} asked for {'are' if len(lacking) > 1 else 'is'} not in it"
        )
        if source.required:
            problems.append(
                f"{what} - put the publisher's national file {source.publisher_file} (from {source.page}) in data/raw/."
            )
        else:
            notes.append(f"{what}: {WITHOUT.get(key, 'for them the run goes on without it')}.")
    return problems, notes
