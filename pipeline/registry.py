"""Every source the pipeline reads: who publishes it, which release, where it comes from,
which files to expect and the licence line each output must carry.

``files`` are paths relative to a mirror of the official sources (``DIZ_SOURCE_MIRROR``)
and, by base name or the same relative path, to ``data/raw/``. The first candidate found
wins; a ``*`` pattern collects every match. ``{lad11}`` is replaced by a district's 2011
LAD code where a publisher names files by district.
"""

from __future__ import annotations

from dataclasses import dataclass

# Licence lines, word for word as the publishers ask for them.
OS_LICENCE = "Contains OS data © Crown copyright and database right 2025."
ROYAL_MAIL_LICENCE = "Contains Royal Mail data © Royal Mail copyright and database right 2025."
NATIONAL_STATISTICS_LICENCE = "Contains National Statistics data © Crown copyright and database right."
ONS_LICENCE = "Source: Office for National Statistics, licensed under the Open Government Licence v3.0."
OFCOM_LICENCE = "Ofcom Connected Nations data, Open Government Licence v3.0."
NHS_LICENCE = "NHS England / NHS Digital data, Open Government Licence v3.0."
IMD_LICENCE = "English Indices of Deprivation 2019, MHCLG, Open Government Licence v3.0."
GEOJSON_LICENCE = "Boundary GeoJSON conversion: Martin Chorley, UK-GeoJSON, CC BY 4.0."
OHID_LICENCE = "Office for Health Improvement and Disparities, Fingertips, Open Government Licence v3.0."

MB = 1_000_000


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    publisher: str
    release: str
    licence: tuple[str, ...]
    files: tuple[str, ...]
    page: str
    url: str | None = None  # direct download address; None where only a landing page exists
    download_name: str | None = None  # name to save a download under in data/raw/
    resolution: str | None = None
    required: bool = True
    max_bytes: int = 300 * MB
    notes: str = ""
    # Rows a complete national file has (min, max), for asset checks; None for extracts.
    expected_rows: tuple[int, int] | None = None

    def as_record(self) -> dict[str, str]:
        """Flat description for sidecar files, the XLSX Sources sheet and asset metadata."""
        return {
            "source": self.key,
            "title": self.title,
            "publisher": self.publisher,
            "release": self.release,
            "resolution": self.resolution or "",
            "official_address": self.url or self.page,
            "licence": " ".join(self.licence),
            "notes": self.notes,
        }


SOURCES: dict[str, Source] = {}


def _register(source: Source) -> Source:
    if source.key in SOURCES:
        raise ValueError(f"source {source.key!r} registered twice")
    SOURCES[source.key] = source
    return source


CODEPOINT_OPEN = _register(Source(
    key="codepoint_open",
    title="OS Code-Point Open",
    publisher="Ordnance Survey",
    release="Dataset version 2025.2.0 (copyright date 2025-04-22)",
    licence=(OS_LICENCE, ROYAL_MAIL_LICENCE, NATIONAL_STATISTICS_LICENCE),
    files=("os-codepoint-open/codepo_gb.zip",),
    page="https://osdatahub.os.uk/downloads/open/CodePointOpen",
    url="https://api.os.uk/downloads/v1/products/CodePointOpen/downloads?area=GB&format=CSV&redirect",
    download_name="codepo_gb.zip",
    resolution="postcode (unit postcode centroid)",
    notes="811 postcodes carry no position (0,0) and are rejected.",
    expected_rows=(1_600_000, 1_900_000),  # about 1.74 million GB postcodes
))

ONS_POSTCODE_LOOKUP = _register(Source(
    key="ons_postcode_lookup",
    title="Postcode to OA (2011) to LSOA to MSOA to LAD (May 2022) Best Fit Lookup in the UK",
    publisher="Office for National Statistics",
    release="May 2022",
    licence=(ONS_LICENCE, NATIONAL_STATISTICS_LICENCE),
    files=("ons-postcode-lookup/PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.zip",),
    page="https://geoportal.statistics.gov.uk/",
    url="https://www.arcgis.com/sharing/rest/content/items/e7824b1475604212a2325cd373946235/data",
    download_name="PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.zip",
    resolution="postcode",
    notes="Postcodes introduced after May 2022 are absent; they get an LSOA by point in polygon.",
    expected_rows=(2_500_000, 2_900_000),  # live and terminated UK postcodes, about 2.68 million
))

OFCOM_POSTCODE_DISTRICT = _register(Source(
    key="ofcom_postcode_district",
    title="Ofcom Connected Nations fixed coverage, postcode-district means",
    publisher="Ofcom (aggregated by sahilsayed-ielts/broadbandpicker)",
    release="Connected Nations July 2024 (file 202407-fixed-coverage-postcodes-r01)",
    licence=(OFCOM_LICENCE,),
    files=("ofcom-postcode-district-2024/postcode_district_coverage_202407.csv", "postcode-district-coverage.json"),
    page="https://www.ofcom.org.uk/phones-and-broadband/coverage-and-speeds/connected-nations-2024/data-downloads-2024",
    url=("https://raw.githubusercontent.com/sahilsayed-ielts/broadbandpicker/"
         "735db18bc0d351d7a8e887b27675a1bb4bacef79/data/postcode-district-coverage.json"),
    download_name="postcode-district-coverage.json",
    resolution="postcode_district",
    max_bytes=20 * MB,
    notes=("Unweighted mean over each postcode district's postcodes of Ofcom's per-postcode % of premises; "
           "one value per district. CB21 and E4 are not covered."),
))

OFCOM_POSTCODE_COVERAGE = _register(Source(
    key="ofcom_postcode_coverage",
    title="Ofcom Connected Nations fixed broadband coverage by postcode",
    publisher="Ofcom",
    release="as named in each file (e.g. 202407 = July 2024)",
    licence=(OFCOM_LICENCE,),
    files=("ofcom-postcode/*fixed*postcode*.zip", "ofcom-postcode/*fixed_pc_coverage*.zip",
           "*fixed*postcode*.zip", "*fixed_pc_coverage*.zip"),
    page="https://www.ofcom.org.uk/phones-and-broadband/coverage-and-speeds/connected-nations-2024/data-downloads-2024",
    url=("https://www.ofcom.org.uk/siteassets/resources/documents/research-and-data/multi-sector/"
         "infrastructure-research/connected-nations-2024/data-downloads/202407-fixed-coverage-postcodes-r01.zip"),
    download_name="202407-fixed-coverage-postcodes-r01.zip",
    resolution="postcode",
    required=False,
    max_bytes=200 * MB,
    notes="Optional: when present it replaces the postcode-district means for the postcodes it covers.",
))

OFCOM_LA_COVERAGE = _register(Source(
    key="ofcom_la_coverage",
    title="Ofcom Connected Nations fixed broadband coverage by local authority",
    publisher="Ofcom",
    release="as named in each file (e.g. 202407 = July 2024)",
    licence=(OFCOM_LICENCE,),
    files=("ofcom-la/*fixed*laua*.csv", "ofcom-la/*fixed*laua*.zip", "*fixed*laua*.csv", "*fixed*laua*.zip"),
    page="https://www.ofcom.org.uk/phones-and-broadband/coverage-and-speeds/connected-nations-2024/data-downloads-2024",
    url=("https://www.ofcom.org.uk/siteassets/resources/documents/research-and-data/multi-sector/"
         "infrastructure-research/connected-nations-2024/data-downloads/202407-fixed-coverage-uk-nations-laua-pcon-r01.zip"),
    download_name="202407-fixed-coverage-uk-nations-laua-pcon-r01.zip",
    resolution="local_authority",
    required=False,
    max_bytes=50 * MB,
    notes="Optional: used only for postcodes no finer source covers.",
))

EPRACCUR = _register(Source(
    key="epraccur",
    title="GP practices (epraccur)",
    publisher="NHS England Organisation Data Service",
    release="September 2025 extract",
    licence=(NHS_LICENCE,),
    files=("epraccur.csv", "epraccur.zip", "nhs-ods/epraccur_2025-09_QM7_06K_06N_07H.csv",
           "nhs-ods/epraccur_2025-09_5districts.csv"),
    page="https://digital.nhs.uk/services/organisation-data-service/export-data-files/csv-downloads/gp-and-gp-practice-related-data",
    url="https://files.digital.nhs.uk/assets/ods/current/epraccur.zip",
    download_name="epraccur.zip",
    resolution="site postcode",
    max_bytes=50 * MB,
    notes="Mirror holds the Hertfordshire & West Essex ICB rows (QM7) of the national file.",
))

EBRANCHS = _register(Source(
    key="ebranchs",
    title="GP branch surgeries (ebranchs)",
    publisher="NHS England Organisation Data Service",
    release="~August 2017 extract",
    licence=(NHS_LICENCE,),
    files=("ebranchs.csv", "ebranchs.zip", "nhs-ods/ebranchs_2017-08_5districts.csv"),
    page="https://digital.nhs.uk/services/organisation-data-service/export-data-files/csv-downloads/gp-and-gp-practice-related-data",
    url="https://files.digital.nhs.uk/assets/ods/current/ebranchs.zip",
    download_name="ebranchs.zip",
    resolution="site postcode",
    max_bytes=50 * MB,
    notes="Old extract: branches whose parent practice has since closed are excluded and listed in rejects.",
))

GP_LIST_SIZES = _register(Source(
    key="gp_list_sizes",
    title="Patients Registered at a GP Practice (totals per practice)",
    publisher="NHS Digital",
    release="January 2021",
    licence=(NHS_LICENCE,),
    files=("nhs-gp-registrations/gp-reg-pat-prac-all_2021-01_5districts.csv", "gp-reg-pat-prac-all.csv"),
    page="https://digital.nhs.uk/data-and-information/publications/statistical/patients-registered-at-a-gp-practice/january-2021",
    resolution="practice",
    max_bytes=50 * MB,
))

GP_PCN_MAPPING = _register(Source(
    key="gp_pcn_mapping",
    title="GP practice to PCN, CCG and STP mapping",
    publisher="NHS Digital",
    release="January 2022",
    licence=(NHS_LICENCE,),
    files=("nhs-gp-registrations/gp-reg-pat-prac-map_2022-01_5districts.csv", "gp-reg-pat-prac-map.csv"),
    page="https://digital.nhs.uk/data-and-information/publications/statistical/patients-registered-at-a-gp-practice/january-2022",
    resolution="practice",
    max_bytes=50 * MB,
))

GP_IMD_SCORE = _register(Source(
    key="gp_imd_score",
    title="Deprivation score (IMD 2019) by GP practice, indicator 93553",
    publisher="Office for Health Improvement and Disparities (Fingertips)",
    release="2019 (IMD 2019 attributed to registered populations)",
    licence=(OHID_LICENCE,),
    files=("ohid-fingertips/fingertips_93553_IMD2019_score_by_GP_5districts.csv",),
    page="https://fingertips.phe.org.uk/",
    url="https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids=93553",
    download_name="fingertips_93553.csv",
    resolution="practice",
    max_bytes=50 * MB,
))

IMD2019 = _register(Source(
    key="imd2019",
    title="English Indices of Deprivation 2019: Files 1, 2 and 6",
    publisher="Ministry of Housing, Communities and Local Government",
    release="26 September 2019",
    licence=(IMD_LICENCE,),
    files=("imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv",
           "imd2019/File_2_-_IoD2019_Domains_of_Deprivation.csv",
           "imd2019/File_6_-_IoD2019_Population_Denominators.csv"),
    page="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
    resolution="LSOA (2011)",
    max_bytes=50 * MB,
    notes=("Ranks only: the published scores (Files 5 and 7) are not among the obtainable files. "
           "The official Files 1, 2 and 6 are .xlsx at assets.publishing.service.gov.uk "
           "(attachment_data/file/833970, 833973, 833980); the mirror holds CSV conversions."),
    expected_rows=(32_844, 32_844),  # every LSOA (2011) in England
))

RUC2011 = _register(Source(
    key="ruc2011",
    title="Rural Urban Classification (2011) of LSOAs in England and Wales",
    publisher="Office for National Statistics",
    release="2011 classification",
    licence=(ONS_LICENCE,),
    files=("ruc2011/RUC11_LSOA11_EW.csv",),
    page="https://www.ons.gov.uk/methodology/geography/geographicalproducts/ruralurbanclassifications/2011ruralurbanclassification",
    resolution="LSOA (2011)",
    max_bytes=50 * MB,
    expected_rows=(34_753, 34_753),  # every LSOA (2011) in England and Wales
))

POPULATION_DENSITY = _register(Source(
    key="population_density",
    title="Lower layer Super Output Area population density (SAPE21DT11)",
    publisher="Office for National Statistics",
    release="Mid-2018",
    licence=(ONS_LICENCE,),
    files=("ons-population-density/SAPE21DT11_mid-2018_lsoa_population_density_5districts.csv",),
    page="https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates/datasets/lowersuperoutputareapopulationdensity",
    resolution="LSOA (2011)",
    max_bytes=50 * MB,
))

CENSUS2021_AGE = _register(Source(
    key="census2021_age",
    title="Census 2021 usual residents by age (6 bands)",
    publisher="Office for National Statistics",
    release="Census 2021",
    licence=(ONS_LICENCE,),
    files=("census2021/census2021_usual_residents_age6_lsoa21_5districts.csv",),
    page="https://www.ons.gov.uk/census",
    resolution="LSOA (2021), mapped to LSOA (2011)",
    max_bytes=50 * MB,
))

LSOA11_LSOA21_LOOKUP = _register(Source(
    key="lsoa11_lsoa21_lookup",
    title="LSOA (2011) to LSOA (2021) to LAD (2022) lookup",
    publisher="Office for National Statistics",
    release="2022",
    licence=(ONS_LICENCE,),
    files=("lookups/LSOA11_LSOA21_LAD22_lookup_5districts.csv",),
    page="https://geoportal.statistics.gov.uk/",
    resolution="LSOA",
    max_bytes=50 * MB,
))

LSOA_BOUNDARIES = _register(Source(
    key="lsoa_boundaries",
    title="LSOA (December 2011) generalised clipped boundaries",
    publisher="Office for National Statistics (GeoJSON by martinjc/UK-GeoJSON)",
    release="December 2011",
    licence=(ONS_LICENCE, OS_LICENCE, GEOJSON_LICENCE),
    files=("boundaries/lsoa2011_{lad11}.geojson", "{lad11}.json"),
    page="https://github.com/martinjc/UK-GeoJSON",
    url=("https://raw.githubusercontent.com/martinjc/UK-GeoJSON/3ac3baa027550f390518eb9fb0427ffeea7f4279/"
         "json/statistical/eng/lsoa_by_lad/{lad11}.json"),
    download_name="{lad11}.json",
    resolution="LSOA (2011)",
    max_bytes=50 * MB,
))

LAD_BOUNDARIES = _register(Source(
    key="lad_boundaries",
    title="Local authority district (December 2013) generalised boundaries",
    publisher="Office for National Statistics (GeoJSON by martinjc/UK-GeoJSON)",
    release="December 2013",
    licence=(ONS_LICENCE, OS_LICENCE, GEOJSON_LICENCE),
    files=("boundaries/lad2013_5districts.geojson",),
    page="https://github.com/martinjc/UK-GeoJSON",
    resolution="local authority district",
    max_bytes=50 * MB,
    notes="Decoded from the repository's TopoJSON; coarser than the LSOA boundaries, used for display only.",
))

ONS_LOCAL_INDICATORS = _register(Source(
    key="ons_local_indicators",
    title="Ofcom Connected Nations figures by local authority, as republished in ONS Explore Local Statistics",
    publisher="Ofcom; republished by the Office for National Statistics",
    release="September 2022 to the 2026 file; snapshots dated by periods.csv",
    licence=(OFCOM_LICENCE, ONS_LICENCE),
    files=("ons-local-indicators/*.csv",),
    page="https://github.com/ONSdigital/explore-local-statistics-data",
    resolution="local_authority",
    max_bytes=50 * MB,
    notes=("ONS period labels are unreliable; values are dated by the snapshot in the published metadata "
           "(periods.csv) and repeated snapshots are collapsed."),
))

# Districts whose codes changed after 2011: files published per 2011 district use the old code.
LAD_CODE_2011 = {
    "E07000240": "E07000100",  # St Albans
    "E07000241": "E07000104",  # Welwyn Hatfield
    "E07000242": "E07000097",  # East Hertfordshire
    "E07000243": "E07000101",  # Stevenage
}


def lad11(lad_code: str) -> str:
    return LAD_CODE_2011.get(lad_code, lad_code)


def licence_lines(keys: list[str] | tuple[str, ...]) -> list[str]:
    """De-duplicated licence lines for a set of sources, in a stable order."""
    lines: list[str] = []
    for key in keys:
        for line in SOURCES[key].licence:
            if line not in lines:
                lines.append(line)
    return lines
