"""Every source the pipeline reads: who publishes it, which release, the exact file to download
and from where, which file names are accepted, and the licence line each output must carry.

``files`` are accepted names, in order of preference: the publisher's own file name first (put
it in ``data/raw/`` as downloaded), then the extracts a mirror (``DIZ_SOURCE_MIRROR``) may hold.
Each is looked for under ``data/raw/`` (by its name, or the same relative path) and in the
mirror. ``{lad11}`` is replaced by a district's 2011 code where a file is published per
district. ``url`` is a direct download address where the publisher has one; otherwise
``page`` is the landing page and ``page_title`` the file's exact title on it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Licence lines, word for word as the publishers ask for them.
OS_LICENCE = "Contains OS data © Crown copyright and database right 2025."
ROYAL_MAIL_LICENCE = "Contains Royal Mail data © Royal Mail copyright and database right 2025."
NATIONAL_STATISTICS_LICENCE = "Contains National Statistics data © Crown copyright and database right."
ONS_LICENCE = "Source: Office for National Statistics, licensed under the Open Government Licence v3.0."
OS_BOUNDARY_LICENCE = "Contains OS data © Crown copyright and database right 2024."
# ONS boundaries whose OS copyright year PROVENANCE does not state (the 2011 and 2013 GeoJSON conversions): the
# OS line without a year, rather than a year (Code-Point Open's 2025) the files do not support.
OS_UNDATED_LICENCE = "Contains OS data © Crown copyright and database right."
OFCOM_LICENCE = "Ofcom Connected Nations data, Open Government Licence v3.0."
NHS_LICENCE = "NHS England / NHS Digital data, Open Government Licence v3.0."
IMD_LICENCE = "English Indices of Deprivation 2019, MHCLG, Open Government Licence v3.0."
IOD2025_LICENCE = ("English Indices of Deprivation 2025, Ministry of Housing, Communities and Local Government, "
                   "Open Government Licence v3.0.")
MYSOCIETY_LICENCE = "IMD 2019 scores as compiled by mySociety (composite_uk_imd), CC BY 4.0."
IUC_LICENCE = ("Internet User Classification 2018, Consumer Data Research Centre (CDRC); Singleton, Alexiou and "
               "Savani (2020).")
GEOJSON_LICENCE = "Boundary GeoJSON conversion: Martin Chorley, UK-GeoJSON, CC BY 4.0."
OHID_LICENCE = "Office for Health Improvement and Disparities, Fingertips, Open Government Licence v3.0."
# OS Open Names as republished in May 2019: the OS data are of 2017 and carry that year's lines.
OS_OPEN_NAMES_LICENCE = "Contains OS data © Crown copyright and database right 2017."
ROYAL_MAIL_2017_LICENCE = "Contains Royal Mail data © Royal Mail copyright and database right 2017."

MB = 1_000_000
GEOPORTAL = "https://geoportal.statistics.gov.uk/"
IOD2025_PAGE = "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2025"
IOD2019_PAGE = "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019"
OFCOM_2024_PAGE = ("https://www.ofcom.org.uk/phones-and-broadband/coverage-and-speeds/connected-nations-2024/"
                   "data-downloads-2024")
NOMIS_BULK = "https://www.nomisweb.co.uk/sources/census_2021_bulk"


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
    page_title: str | None = None  # the file's exact title on the landing page
    download_name: str | None = None  # name to save a download under in data/raw/
    size_bytes: int | None = None  # the publisher's file, where known
    resolution: str | None = None
    required: bool = True
    max_bytes: int = 300 * MB
    notes: str = ""
    official: bool = True  # False: no official file exists; ``notes`` says what this is instead
    # Rows the table read from a complete national file holds (min, max), for checks; None for extracts.
    expected_rows: tuple[int, int] | None = None
    # Sources published as several files: (part name, accepted names of that file), each found
    # on its own; ``files`` then lists every accepted name, for the checklist.
    parts: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # The small-area bases whose runs read it (a 2011 boundary file is no use to a 2021 run).
    small_areas: tuple[str, ...] = ("lsoa2021", "lsoa2011")
    # Key of an older registered source a run reads in this one's place when no file of this one is
    # found; outputs then cite the older one, by its own release.
    fallback: str | None = None
    # Which premises its shares count, where the publisher or its provenance says (a residential-only file is
    # not the same measure as Ofcom's district figures for all premises); "" where not stated.
    premises: str = ""

    def part(self, name: str) -> Source:
        """The source narrowed to one of its files, for locating it."""
        from dataclasses import replace

        first = self.parts[0][0] == name  # the direct address, if any, is the first part's
        return replace(self, files=dict(self.parts)[name], parts=(), url=self.url if first else None,
                       download_name=self.download_name if first else None, title=f"{self.title} ({name})")

    @property
    def publisher_file(self) -> str:
        """The exact file name to download (the first accepted name, without the ``*`` standing
        for the suffix a portal may add to it)."""
        return self.download_name or self.files[0].rsplit("/", 1)[-1].replace("*", "")

    @property
    def suffix_accepted(self) -> bool:
        """The publisher's name is accepted with whatever suffix the download carries."""
        return self.download_name is None and "*" in self.files[0]

    @property
    def citation(self) -> str:
        """The source in a few words for a footnote or a pasted citation: publisher, dataset, release."""
        return CITE_AS.get(self.key) or f"{self.publisher}, {self.title} ({self.release})"

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
    files=("codepo_gb.zip", "os-codepoint-open/codepo_gb.zip"),
    page="https://osdatahub.os.uk/downloads/open/CodePointOpen",
    url="https://api.os.uk/downloads/v1/products/CodePointOpen/downloads?area=GB&format=CSV&redirect",
    page_title="Code-Point Open, CSV, GB",
    size_bytes=14_397_856,
    resolution="postcode (unit postcode centroid)",
    notes="811 postcodes carry no position (0,0) and are rejected. Doc/Codelist.xlsx names districts and wards.",
    expected_rows=(1_600_000, 1_900_000),
))

ONS_POSTCODE_LOOKUP = _register(Source(
    key="ons_postcode_lookup",
    title="Postcode to OA (2011) to LSOA to MSOA to LAD (May 2022) Best Fit Lookup in the UK",
    publisher="Office for National Statistics",
    release="May 2022",
    licence=(ONS_LICENCE, NATIONAL_STATISTICS_LICENCE),
    files=("PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.zip", "ons-postcode-lookup/PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.zip"),
    page=GEOPORTAL,
    url="https://www.arcgis.com/sharing/rest/content/items/e7824b1475604212a2325cd373946235/data",
    page_title="Postcode to OA (2011) to LSOA to MSOA to LAD (May 2022) Best Fit Lookup in the UK",
    size_bytes=24_089_327,
    resolution="postcode",
    notes="Postcodes introduced after May 2022 are absent; they are placed by point in polygon.",
    expected_rows=(2_500_000, 2_900_000),
))

OFCOM_POSTCODE_DISTRICT = _register(Source(
    key="ofcom_postcode_district",
    title="Ofcom Connected Nations fixed coverage (residential), postcode-district means computed by a third party",
    publisher="derived from Ofcom data by the broadbandpicker project (github.com/sahilsayed-ielts/broadbandpicker)",
    release="Connected Nations July 2024 (file 202407-fixed-coverage-postcodes-r01)",
    licence=(OFCOM_LICENCE,),
    files=("postcode_district_coverage_202407.csv",
    "ofcom-postcode-district-2024/postcode_district_coverage_202407.csv",
           "postcode-district-coverage.json"),
    # where a reader finds this file: the repository that computed it (Ofcom's own page has no such file)
    page="https://github.com/sahilsayed-ielts/broadbandpicker",
    page_title="broadbandpicker: data/postcode-district-coverage.json (commit 735db18)",
    resolution="postcode_district",
    required=False,
    max_bytes=20 * MB,
    official=False,
    premises="residential premises",  # derived from Ofcom's residential postcode file (PROVENANCE.md)
    notes=("No official file: Ofcom publishes coverage per postcode, not per postcode district. These are the "
           "unweighted means over each district's postcodes of Ofcom's July 2024 per-postcode figures, computed by "
           "a third party. With Ofcom's postcode zip in data/raw/ the pipeline uses the postcode figures themselves "
           "and does not need this file. CB21 and E4 are not covered."),
))

OFCOM_POSTCODE_COVERAGE = _register(Source(
    key="ofcom_postcode_coverage",
    title="Connected Nations 2024: fixed broadband coverage by postcode (residential and business)",
    publisher="Ofcom",
    release="as named in each file (e.g. 202407 = July 2024)",
    licence=(OFCOM_LICENCE,),
    files=("*fixed-coverage-postcodes*.zip", "*fixed*postcode*.zip", "*fixed_pc_coverage*.zip",
           "ofcom-postcode/*fixed*postcode*.zip"),
    page=OFCOM_2024_PAGE,
    url=("https://www.ofcom.org.uk/siteassets/resources/documents/research-and-data/multi-sector/"
         "infrastructure-research/connected-nations-2024/data-downloads/202407-fixed-coverage-postcodes-r01.zip"),
    page_title="Fixed postcode coverage data (ZIP)",
    download_name="202407-fixed-coverage-postcodes-r01.zip",
    resolution="postcode",
    required=False,
    max_bytes=200 * MB,
    notes="Optional: when present it replaces the postcode-district means for the postcodes it covers.",
))

OFCOM_LA_COVERAGE = _register(Source(
    key="ofcom_la_coverage",
    title="Connected Nations 2024: fixed broadband coverage by local authority",
    publisher="Ofcom",
    release="as named in each file (e.g. 202407 = July 2024)",
    licence=(OFCOM_LICENCE,),
    files=("*fixed-coverage-uk-nations-laua*.zip", "*fixed*laua*.zip", "*fixed*laua*.csv", "ofcom-la/*fixed*laua*.csv",
           "ofcom-la/*fixed*laua*.zip"),
    page=OFCOM_2024_PAGE,
    url=("https://www.ofcom.org.uk/siteassets/resources/documents/research-and-data/multi-sector/"
         "infrastructure-research/connected-nations-2024/data-downloads/202407-fixed-coverage-uk-nations-laua-pcon-r01.zip"),
    page_title="Fixed local and unitary authority coverage data (ZIP)",
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
    files=("epraccur.zip", "epraccur.csv", "nhs-ods/epraccur_2025-09_QM7_06K_06N_07H.csv",
           "nhs-ods/epraccur_2025-09_5districts.csv"),
    page="https://digital.nhs.uk/services/organisation-data-service/export-data-files/csv-downloads/gp-and-gp-practice-related-data",
    url="https://files.digital.nhs.uk/assets/ods/current/epraccur.zip",
    page_title="GP Practices (epraccur)",
    resolution="site postcode",
    max_bytes=50 * MB,
    notes="The copy used here holds the Hertfordshire & West Essex ICB rows (QM7) of the national file.",
))

EBRANCHS = _register(Source(
    key="ebranchs",
    title="GP branch surgeries (ebranchs)",
    publisher="NHS England Organisation Data Service",
    release="the current extract, as downloaded",
    licence=(NHS_LICENCE,),
    files=("ebranchs.zip", "ebranchs.csv"),
    page="https://digital.nhs.uk/services/organisation-data-service/export-data-files/csv-downloads/gp-and-gp-practice-related-data",
    url="https://files.digital.nhs.uk/assets/ods/current/ebranchs.zip",
    page_title="Branch Surgeries (ebranchs)",
    resolution="site postcode",
    max_bytes=50 * MB,
    fallback="ebranchs_2017",
    notes="Branches whose parent practice is not an active practice in epraccur are excluded and listed in rejects.",
))

EBRANCHS_2017 = _register(Source(
    key="ebranchs_2017",
    title="GP branch surgeries (ebranchs), five-district extract",
    publisher="NHS England Organisation Data Service (a copy archived in the GitHub repository nozzo1/week2)",
    release="~August 2017 extract",
    licence=(NHS_LICENCE,),
    files=("nhs-ods/ebranchs_2017-08_5districts.csv",),
    page="https://digital.nhs.uk/services/organisation-data-service/export-data-files/csv-downloads/gp-and-gp-practice-related-data",
    resolution="site postcode",
    required=False,
    max_bytes=50 * MB,
    notes=("Read only when no current ebranchs file is found. Old: several branches may have closed since, so its "
           "branch sites are shown as 2017 listings and never ranked for readiness."),
))

GP_LIST_SIZES = _register(Source(
    key="gp_list_sizes",
    title="Patients Registered at a GP Practice (totals per practice)",
    publisher="NHS England",
    release="April 2026 (extracted 1 April 2026); the copy used here has rows copied from a third party's stored "
    "text, not byte-checked against NHS England's file (a newer download states its own extract date)",
    licence=(NHS_LICENCE,),
    files=("gp-reg-pat-prac-all.csv", "nhs-gp-registrations/SUBSET_gp-reg-pat-prac-all_2026-04_06K_06N_07H.csv"),
    page="https://digital.nhs.uk/data-and-information/publications/statistical/patients-registered-at-a-gp-practice/april-2026",
    page_title="Patients Registered at a GP Practice – April 2026: Totals (GP practice-all persons)",
    resolution="practice",
    max_bytes=50 * MB,
    fallback="gp_list_sizes_2021",
    notes=("The copy used here holds the 125 practices of Sub-ICBs 06K, 06N and 07H, copied from a third party's "
           "stored "
           "text for practice-code blocks E82, F81 and Y (not byte-verified against NHS England's file): an active "
           "practice of those Sub-ICBs with a code outside these blocks has no list size, and the run counts them."),
))

GP_LIST_SIZES_2021 = _register(Source(
    key="gp_list_sizes_2021",
    title="Patients Registered at a GP Practice (totals per practice), five-district extract",
    publisher="NHS Digital",
    release="January 2021",
    licence=(NHS_LICENCE,),
    files=("nhs-gp-registrations/gp-reg-pat-prac-all_2021-01_5districts.csv",),
    page="https://digital.nhs.uk/data-and-information/publications/statistical/patients-registered-at-a-gp-practice/january-2021",
    page_title="Patients Registered at a GP Practice – January 2021: Totals (GP practice-all persons)",
    resolution="practice",
    required=False,
    max_bytes=50 * MB,
    notes="Older extract, read by the same reader only when no current list-size file is found.",
))

GP_PCN_MAPPING = _register(Source(
    key="gp_pcn_mapping",
    title="GP practice to PCN, CCG and STP mapping",
    publisher="NHS Digital",
    release="January 2022",
    licence=(NHS_LICENCE,),
    files=("gp-reg-pat-prac-map.csv", "nhs-gp-registrations/gp-reg-pat-prac-map_2022-01_5districts.csv"),
    page="https://digital.nhs.uk/data-and-information/publications/statistical/patients-registered-at-a-gp-practice/january-2022",
    page_title="Patients Registered at a GP Practice – January 2022: Mapping (GP practices to PCN, CCG, STP)",
    resolution="practice",
    max_bytes=50 * MB,
))

GP_IMD_SCORE = _register(Source(
    key="gp_imd_score",
    title="Deprivation score (IMD 2019) by GP practice, indicator 93553",
    publisher="Office for Health Improvement and Disparities (Fingertips)",
    release="2019 (IMD 2019 attributed to registered populations)",
    licence=(OHID_LICENCE,),
    files=("fingertips_93553.csv", "ohid-fingertips/fingertips_93553_IMD2019_score_by_GP_5districts.csv"),
    page="https://fingertips.phe.org.uk/",
    url="https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids=93553",
    download_name="fingertips_93553.csv",
    resolution="practice",
    max_bytes=50 * MB,
))

IOD2025 = _register(Source(
    key="iod2025",
    title="English Indices of Deprivation 2025: Files 1, 3 and 7",
    publisher="Ministry of Housing, Communities and Local Government",
    release="30 October 2025",
    licence=(IOD2025_LICENCE,),
    files=("File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv",
           "iod2025/File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators_5districts.csv",
           "iod2025/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
           "iod2025/File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx"),
    parts=(("file7", ("File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv",
                      "iod2025/File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators_5districts.csv")),
           ("file1", ("iod2025/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",)),
           ("file3", ("iod2025/File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx",))),
    page=IOD2025_PAGE,
    url=("https://assets.publishing.service.gov.uk/media/691ded56d140bbbaa59a2a7d/"
         "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv"),
    page_title=("File 7: all ranks, deciles and scores for the indices of deprivation, and population denominators "
                "(CSV); File 1: index of multiple deprivation; File 3: supplementary indices - income deprivation "
                "affecting children index and income deprivation affecting older people index"),
    resolution="LSOA (2021)",
    max_bytes=100 * MB,
    notes=("File 7 gives every score; the copy used here holds it for the study area only, so England-wide runs "
           "have the national ranks of File 1 (IMD) and File 3 (IDACI, IDAOPI; ranks and deciles, no scores) and "
           "scores where File 7 covers the LSOA."),
    expected_rows=(33_755, 33_755),
))

IMD2019 = _register(Source(
    key="imd2019",
    title="English Indices of Deprivation 2019: Files 1, 2 and 6",
    publisher="Ministry of Housing, Communities and Local Government",
    release="26 September 2019",
    licence=(IMD_LICENCE,),
    files=("imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx",
           "imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv",
           "imd2019/File_2_-_IoD2019_Domains_of_Deprivation.xlsx",
           "imd2019/File_2_-_IoD2019_Domains_of_Deprivation.csv",
           "imd2019/File_6_-_IoD2019_Population_Denominators.xlsx",
           "imd2019/File_6_-_IoD2019_Population_Denominators.csv"),
    parts=(("file1", ("imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx",
                      "imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")),
           ("file2", ("imd2019/File_2_-_IoD2019_Domains_of_Deprivation.xlsx",
                      "imd2019/File_2_-_IoD2019_Domains_of_Deprivation.csv")),
           ("file6", ("imd2019/File_6_-_IoD2019_Population_Denominators.xlsx",
                      "imd2019/File_6_-_IoD2019_Population_Denominators.csv"))),
    page=IOD2019_PAGE,
    page_title=("File 1: index of multiple deprivation; File 2: domains of deprivation; File 6: population "
                "denominators"),
    resolution="LSOA (2011)",
    max_bytes=50 * MB,
    notes=("Ranks and mid-2015 populations; used on the 2011 small areas only. The official Files 1, 2 and 6 are "
           ".xlsx (assets.publishing.service.gov.uk attachment_data/file/833970, 833973, 833980); the copy used "
           "here holds CSV conversions; both are read."),
    expected_rows=(32_844, 32_844),
))

IMD2019_SCORES = _register(Source(
    key="imd2019_scores",
    title="IMD 2019 scores for English LSOAs (composite_uk_imd, English rows)",
    publisher="MHCLG scores, compiled by mySociety",
    release="IMD 2019 (26 September 2019)",
    licence=(IMD_LICENCE, MYSOCIETY_LICENCE),
    files=("GB_IMD_E.csv", "imd2019-scores/GB_IMD_E.csv"),
    page=IOD2019_PAGE,
    url="https://raw.githubusercontent.com/mysociety/composite_uk_imd/master/gb_index/GB_IMD_E.csv",
    resolution="LSOA (2011)",
    max_bytes=50 * MB,
    official=False,
    notes=("The official scores are IoD 2019 File 7 (File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_"
           "Denominators_3.csv on the GOV.UK page); mySociety's copy carries the same official scores for nation E "
           "(overall_local_score, income_score and employment_score x 100). Used on the 2011 small areas only."),
    expected_rows=(32_844, 32_844),
))

CENSUS_TS007A = _register(Source(
    key="census_ts007a",
    title="Census 2021 TS007A: Age by five-year age bands",
    publisher="Office for National Statistics (nomis bulk download)",
    release="Census 2021",
    licence=(ONS_LICENCE,),
    files=("census2021-ts007a.zip", "census2021-ts007a-lsoa.csv", "census2021/census2021-ts007a-lsoa.csv"),
    page=NOMIS_BULK,
    url="https://www.nomisweb.co.uk/output/census/2021/census2021-ts007a.zip",
    resolution="LSOA (2021)",
    max_bytes=100 * MB,
    notes="Census tables are perturbed separately, so totals differ slightly between tables.",
    expected_rows=(35_672, 35_672),
))

CENSUS_TS038 = _register(Source(
    key="census_ts038",
    title="Census 2021 TS038: Disability",
    publisher="Office for National Statistics (nomis bulk download)",
    release="Census 2021",
    licence=(ONS_LICENCE,),
    files=("census2021-ts038.zip", "census2021-ts038-lsoa.csv", "census2021/census2021-ts038-lsoa.csv"),
    page=NOMIS_BULK,
    url="https://www.nomisweb.co.uk/output/census/2021/census2021-ts038.zip",
    resolution="LSOA (2021)",
    max_bytes=100 * MB,
    expected_rows=(35_672, 35_672),
))

IUC2018 = _register(Source(
    key="iuc2018",
    title="Internet User Classification 2018",
    publisher="Consumer Data Research Centre (CDRC), Alex Singleton",
    release="2018",
    licence=(IUC_LICENCE,),
    files=("iuc2018.csv", "cdrc-iuc2018/iuc2018.csv"),
    page="https://data.cdrc.ac.uk/dataset/internet-user-classification",
    page_title="Internet User Classification (IUC) 2018 — iuc2018.csv",
    resolution="LSOA (2011)",
    max_bytes=50 * MB,
    notes=("A classification of LSOAs into ten groups of internet engagement, not a measurement; the "
           "pipeline turns groups into a risk score with the mapping in config/iuc_engagement.toml."),
    expected_rows=(34_753, 34_753),  # England and Wales LSOAs kept; Scottish Data Zones set aside
))

RUC2011 = _register(Source(
    key="ruc2011",
    title="Rural Urban Classification (2011) of LSOAs in England and Wales",
    publisher="Office for National Statistics",
    release="2011 classification",
    licence=(ONS_LICENCE,),
    files=("RUC11_LSOA11_EW.csv", "ruc2011/RUC11_LSOA11_EW.csv"),
    page=GEOPORTAL,
    page_title="Rural Urban Classification (2011) of Lower Layer Super Output Areas in England and Wales",
    resolution="LSOA (2011)",
    max_bytes=50 * MB,
    expected_rows=(34_753, 34_753),
    small_areas=("lsoa2011",),
))

RUC2021 = _register(Source(
    key="ruc2021",
    title="Rural Urban Classification (2021) of LSOAs in England and Wales",
    publisher="Office for National Statistics",
    release="2021 classification",
    licence=(ONS_LICENCE,),
    files=("RUC21_LSOA21_EW.csv", "ruc2021/RUC21_LSOA21_EW.csv"),
    page=GEOPORTAL,
    page_title="Rural Urban Classification (2021) of LSOAs in EW",
    resolution="LSOA (2021)",
    max_bytes=50 * MB,
    expected_rows=(35_672, 35_672),
    small_areas=("lsoa2021",),
))

POPULATION_DENSITY = _register(Source(
    key="population_density",
    title="Lower layer Super Output Area population density (SAPE21DT11)",
    publisher="Office for National Statistics",
    release="Mid-2018",
    licence=(ONS_LICENCE,),
    files=("sape21dt11mid2018lsoapopulationdensity*.xlsx", "SAPE21DT11*.xlsx",
           "SAPE21DT11_mid-2018_lsoa_population_density_5districts.csv",
           "ons-population-density/SAPE21DT11_mid-2018_lsoa_population_density_5districts.csv"),
    page="https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates/datasets/lowersuperoutputareapopulationdensity",
    page_title="Lower layer Super Output Area population density (mid-2018 edition), the workbook",
    resolution="LSOA (2011)",
    required=False,
    max_bytes=50 * MB,
    notes="Context on the 2011 small areas only; not weighted in any score.",
))

LSOA11_LSOA21_LOOKUP = _register(Source(
    key="lsoa11_lsoa21_lookup",
    title="LSOA (2011) to LSOA (2021) to Local Authority District (2022) Best Fit Lookup for EW",
    publisher="Office for National Statistics",
    release="2022",
    licence=(ONS_LICENCE,),
    files=("LSOA11_LSOA21_LAD22_EW_LU.csv", "LSOA11_LSOA21_LAD22_lookup_EW.csv",
           "lookups/LSOA11_LSOA21_LAD22_lookup_EW.csv"),
    page=GEOPORTAL,
    page_title="LSOA (2011) to LSOA (2021) to Local Authority District (2022) Best Fit Lookup for EW (V2)",
    resolution="LSOA",
    max_bytes=50 * MB,
    notes="Change indicator U unchanged, S split, M merged, X irregular.",
    expected_rows=(35_700, 35_900),
))

LSOA21_WARD_LOOKUP = _register(Source(
    key="lsoa21_ward_lookup",
    title="LSOA (2021) to Electoral Ward (2024) to LAD (2024) Best Fit Lookup in EW",
    publisher="Office for National Statistics",
    release="May 2024 wards",
    licence=(ONS_LICENCE,),
    files=("LSOA21_WD24_LAD24_EW_LU.csv", "LSOA21_WD24_LAD24_lookup_EW.csv", "lookups/LSOA21_WD24_LAD24_lookup_EW.csv"),
    page=GEOPORTAL,
    page_title="LSOA (2021) to Electoral Ward (2024) to LAD (2024) Best Fit Lookup in EW",
    resolution="LSOA (2021)",
    max_bytes=50 * MB,
    expected_rows=(35_672, 35_672),
))

LSOA2021_BOUNDARIES = _register(Source(
    key="lsoa2021_boundaries",
    title="Lower layer Super Output Areas (December 2021) Boundaries EW BSC (V4)",
    publisher="Office for National Statistics",
    release="December 2021",
    licence=(ONS_LICENCE, OS_BOUNDARY_LICENCE),
    files=("Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BSC_V4*.geojson",
           "Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BSC_V4*.gpkg",
           "lsoa2021_bsc_EW.geojson", "boundaries/lsoa2021_bsc_EW.geojson"),
    page="https://geoportal.statistics.gov.uk/datasets/ons::lower-layer-super-output-areas-december-2021-boundaries-ew-bsc-v4/about",
    page_title="Lower layer Super Output Areas (December 2021) Boundaries EW BSC (V4) — GeoJSON",
    resolution="LSOA (2021) polygons, super generalised (200 m)",
    max_bytes=200 * MB,
    notes="Super generalised: neighbouring polygons overlap or leave slivers, so contiguity uses ST_Intersects.",
    small_areas=("lsoa2021",),
))

LSOA2011_BOUNDARIES = _register(Source(
    key="lsoa2011_boundaries",
    title="LSOA (December 2011) boundaries",
    publisher="Office for National Statistics (per-district GeoJSON by martinjc/UK-GeoJSON; national BSC from ONS)",
    release="December 2011",
    licence=(ONS_LICENCE, OS_UNDATED_LICENCE, GEOJSON_LICENCE),
    files=("boundaries/lsoa2011_{lad11}.geojson", "{lad11}.json",
           "Lower_Layer_Super_Output_Areas_December_2011_Boundaries_Super_Generalised_Clipped_BSC_EW_V3*.geojson",
           "lsoa2011_bsc_EW.geojson", "boundaries/lsoa2011_bsc_EW.geojson"),
    page="https://geoportal.statistics.gov.uk/",
    page_title="Lower Layer Super Output Areas (December 2011) Boundaries Super Generalised Clipped (BSC) EW V3",
    resolution="LSOA (2011) polygons",
    max_bytes=100 * MB,
    notes="Used on the 2011 small areas only: the generalised per-district files where present, else the national BSC.",
    small_areas=("lsoa2011",),
    download_name="Lower_Layer_Super_Output_Areas_December_2011_Boundaries_Super_Generalised_Clipped_BSC_EW_V3.geojson",
))

WARD_BOUNDARIES = _register(Source(
    key="ward_boundaries",
    title="Wards (May 2024) Boundaries UK BGC",
    publisher="Office for National Statistics",
    release="May 2024",
    licence=(ONS_LICENCE, OS_BOUNDARY_LICENCE),
    files=("Wards_May_2024_Boundaries_UK_BGC*.geojson", "Wards_May_2024_Boundaries_UK_BGC*.gpkg",
           "wards2024_bgc_5districts.geojson", "boundaries/wards2024_bgc_5districts.geojson"),
    page="https://geoportal.statistics.gov.uk/",
    page_title="Wards (May 2024) Boundaries UK BGC",
    resolution="ward polygons (generalised 20 m)",
    required=False,
    max_bytes=200 * MB,
    notes="For maps: ward outlines and labels. The copy used here holds the 87 wards of the five districts.",
))

SUBICB_BOUNDARIES = _register(Source(
    key="subicb_boundaries",
    title="Sub Integrated Care Board Locations (July 2022) Boundaries EN BSC",
    publisher="Office for National Statistics",
    release="July 2022",
    licence=(ONS_LICENCE, OS_BOUNDARY_LICENCE),
    files=("Sub_Integrated_Care_Board_Locations_July_2022_EN_BSC*.geojson", "sicbl2022_bsc_EW.geojson",
           "boundaries/sicbl2022_bsc_EW.geojson"),
    page="https://geoportal.statistics.gov.uk/",
    page_title="Sub Integrated Care Board Locations (July 2022) EN BSC",
    resolution="Sub-ICB polygons",
    required=False,
    max_bytes=50 * MB,
    notes=("Outlines of the Sub-ICB locations for the GP map, and the ICB's name (the part of each name before "
           "' - '). Neighbourhoods are not placed in them by point in polygon (see lsoa_ccg_lookup)."),
))

LSOA_CCG_LOOKUP = _register(Source(
    key="lsoa_ccg_lookup",
    title="LSOA (2011) to Clinical Commissioning Group to Local Authority District (April 2021) Lookup in England",
    publisher="Office for National Statistics",
    release="April 2021",
    licence=(ONS_LICENCE,),
    files=("LSOA11_CCG21_LAD21_EN_LU*.csv", "LSOA11_CCG21_LAD21_lookup_5districts.csv",
           "lookups/LSOA11_CCG21_LAD21_lookup_5districts.csv"),
    page=GEOPORTAL,
    page_title="LSOA (2011) to Clinical Commissioning Group to Local Authority District (April 2021) Lookup in EN",
    resolution="LSOA (2011)",
    required=False,
    max_bytes=50 * MB,
    notes=("Each neighbourhood's Sub-ICB location: the CCG of April 2021 under the same code (06K, 07H) and its "
           "name. Neighbourhoods it does not cover take the Sub-ICB of the largest share of their postcodes."),
))

LAD_BOUNDARIES = _register(Source(
    key="lad_boundaries",
    title="Local Authority Districts (May 2024) Boundaries UK BGC",
    publisher="Office for National Statistics",
    release="May 2024",
    licence=(ONS_LICENCE, OS_BOUNDARY_LICENCE),
    files=("Local_Authority_Districts_May_2024_Boundaries_UK_BGC*.geojson",
           "Local_Authority_Districts_May_2024_Boundaries_UK_BGC*.gpkg"),
    page=GEOPORTAL,
    page_title="Local Authority Districts (May 2024) Boundaries UK BGC",
    resolution="local authority district polygons (generalised 20 m)",
    required=False,
    max_bytes=200 * MB,
    notes=("Display only: district outlines on maps and briefings. Where no district file has every study "
           "district, the outlines are the wards (May 2024) dissolved by district."),
))

LAD2013_BOUNDARIES = _register(Source(
    key="lad2013_boundaries",
    title="Local authority district (December 2013) generalised boundaries, five-district extract",
    publisher="Office for National Statistics (GeoJSON by martinjc/UK-GeoJSON)",
    release="December 2013",
    licence=(ONS_LICENCE, OS_UNDATED_LICENCE, GEOJSON_LICENCE),
    files=("lad2013_5districts.geojson", "boundaries/lad2013_5districts.geojson"),
    page="https://github.com/martinjc/UK-GeoJSON",
    resolution="local authority district polygons",
    required=False,
    max_bytes=50 * MB,
    official=False,
    notes=("The extract used here, read by the same reader as the ONS district file, which is preferred when both "
           "are present; not needed with the ONS file or the wards."),
))

OS_OPEN_NAMES = _register(Source(
    key="os_open_names",
    title="OS Open Names populated places (cities, towns, villages, hamlets, suburban areas, other settlements)",
    publisher="Ordnance Survey (OS Open Names); republished as one CSV by Alasdair Rae (alasdairrae/gb-places)",
    release="OS data of about 2017, republished 13 May 2019",
    licence=(OS_OPEN_NAMES_LICENCE, ROYAL_MAIL_2017_LICENCE),
    files=("gb_populated_places_all_BNG_csv.zip", "gb_populated_places_all_BNG.csv",
           "os-open-names/gb_populated_places_all_BNG_csv.zip",
           "os-open-names/SUBSET_gb_populated_places_all_BNG_5districts.csv"),
    page="https://github.com/alasdairrae/gb-places",
    url=("https://raw.githubusercontent.com/alasdairrae/gb-places/b7a702b4dea28862464d1c4346e4cbd93782a861/"
         "csv-zip/gb_populated_places_all_BNG_csv.zip"),
    page_title="csv-zip/gb_populated_places_all_BNG_csv.zip",
    resolution="settlement point (British National Grid)",
    required=False,
    max_bytes=50 * MB,
    official=False,
    notes=("Map labels only: no figure is computed from it. Optional, since every map draws without it (they then "
           "name districts and wards only). The OS publishes Open Names as a national product of every named "
           "feature; this republication holds its 42,214 populated places for Great Britain in one CSV with the OS "
           "columns. The OS data are about 2017: estates built since may be missing."),
))

ONS_LOCAL_INDICATORS = _register(Source(
    key="ons_local_indicators",
    title="Ofcom Connected Nations figures for every local authority, as republished in ONS Explore Local Statistics",
    publisher="Ofcom; republished by the Office for National Statistics",
    release="every release in the files, each dated in the table (release_name, dated_by)",
    licence=(OFCOM_LICENCE, ONS_LICENCE),
    files=("ons-explore-local-statistics/national/*.csv", "ons-explore-local-statistics/national/*.json",
           "ons-explore-local-statistics/history/*.csv", "ons-local-indicators/*.csv"),
    page="https://github.com/ONSdigital/explore-local-statistics-data",
    download_name=("ons-explore-local-statistics/national/<indicator>.csv and <indicator>.json (the current files), "
                   "history/<indicator>__<period>__<commit>.csv with MANIFEST.csv (earlier copies)"),
    resolution="local_authority",
    max_bytes=50 * MB,
    official=False,
    notes=("No single official file: ONS republishes Ofcom's local-authority figures (gigabit-capable-broadband and "
           "premises-below-30 as % of premises; network-coverage-4g/5g as % of land area) in its Explore Local "
           "Statistics data repository, one CSV per indicator, overwritten at each update, with a .json of metadata. "
           "The history is that CSV as it stood at successive commits. ONS period labels are unreliable: releases are "
           "dated by the .json's 'as of' where there is one, else said to rest on the ONS period label only; copies "
           "with the same values are one release. Five-district extracts (ons-local-indicators/) are read only when "
           "the national files are absent."),
))

ONS_SIMILAR_AREAS = _register(Source(
    key="ons_similar_areas",
    title="Clustering similar local authorities and statistical nearest neighbours in the UK",
    publisher="Office for National Statistics",
    release="every release in the files (a folder per year: 2024, 2025, 2026)",
    licence=("Source: Office for National Statistics, Clustering similar local authorities and statistical nearest "
             "neighbours in the UK, licensed under the Open Government Licence v3.0.",),
    files=("ons-explore-local-statistics/clusters/*/*.csv", "ons-explore-local-statistics/clusters/*/*.txt"),
    page=("https://www.ons.gov.uk/peoplepopulationandcommunity/wellbeing/adhocs/"
          "2632clusteringsimilarlocalauthoritiesandstatisticalnearestneighboursintheuk2025"),
    download_name=("ons-explore-local-statistics/clusters/<year>/ with <model>-neighbours.csv, cluster-allocation.csv "
                   "and Cluster-descriptions.txt (ONSdigital/explore-local-statistics-app)"),
    resolution="local_authority",
    max_bytes=20 * MB,
    notes=("k-means clusters and Euclidean statistical nearest neighbours (20 per authority) per model; the 2024 "
           "release has a Connectivity and sustainability model, later ones Global, Economic and Demographic. ONS's "
           "2025 global model uses 31 indicators, three of them gigabit, 4G and 5G coverage. The 2024 file still "
           "carries Barnsley's and Sheffield's pre-2023 codes: mapped by name."),
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


def licence_lines(keys) -> list[str]:
    """De-duplicated licence lines for a set of sources, in a stable order."""
    lines: list[str] = []
    for key in keys:
        for line in SOURCES[key].licence:
            if line not in lines:
                lines.append(line)
    return lines

LIBRARIES = _register(Source(
    key="libraries",
    title="Public libraries in England: basic dataset (1 April 2010 to 31 December 2023), enhanced",
    publisher="Arts Council England; cleaned and geocoded by Libraries Hacked",
    release="December 2023 (libraries open or closed as at 31 December 2023)",
    licence=("Source: Arts Council England (public libraries basic dataset 2023), Open Government Licence v3.0.",
             "Contains OS data © Crown copyright and database right 2024.",
             "Contains Royal Mail data © Royal Mail copyright and database right 2024.",
             ONS_LICENCE),
    files=("basic-dataset-for-libraries-2023-enhanced.csv", "libraries/basic-dataset-for-libraries-2023-enhanced.csv",
           "libraries/SUBSET_basic-dataset-for-libraries-2023-enhanced_essex_herts.csv"),
    page="https://www.artscouncil.org.uk/supporting-libraries/public-libraries-england-basic-dataset",
    url=("https://raw.githubusercontent.com/LibrariesHacked/librarieshacked.github.io/"
         "main/files/basic-dataset-for-libraries-2023-enhanced.csv"),
    page_title="Public libraries in England: basic dataset",
    resolution="library (easting/northing from OS Open UPRN, else the postcode's centre)",
    required=False,
    max_bytes=50 * MB,
    notes=("Every public library service point in England with its type, address, position, year closed and "
           "opening hours. Open static libraries are venues; mobile, prison and archive rows and libraries closed "
           "by December 2023 are set aside and counted. The Essex and Hertfordshire extract lacks the London and "
           "Cambridgeshire libraries near the study area's edge."),
))
LIBRARY_DATE = LIBRARIES.release.split(" (")[0]  # the date the outputs give every library detail

LSOA_PWC = _register(Source(
    key="lsoa_pwc",
    title="Lower layer Super Output Areas (December 2021) Population Weighted Centroids",
    publisher="Office for National Statistics",
    release="December 2021",
    licence=(ONS_LICENCE,),
    files=("LSOA_PopCentroids_EW_2021_V*.csv", "LSOA21_Dec2021_PWC*.csv", "lookups/LSOA21_Dec2021_PWC_5districts.csv"),
    page=GEOPORTAL,
    page_title="LSOA (Dec 2021) EW Population Weighted Centroids",
    resolution="LSOA (2021) point",
    required=False,
    small_areas=("lsoa2021",),
    max_bytes=50 * MB,
    notes=("Where each neighbourhood's people live, as one point: the distance to a venue is measured from it. "
           "An LSOA the file does not hold is measured from the mean of its postcodes, and says so."),
))

USER_VENUES = _register(Source(
    key="user_venues",
    title="Venues supplied by the user (data/raw/venues/*.csv)",
    publisher="as stated in each file's '# source:' line",
    release="as stated in each file",
    licence=("Venues supplied by the user: see each file's stated source and licence.",),
    files=("venues/*.csv",),
    page="docs/METHOD.md#reaching-people",
    download_name="venues/<your venues>.csv (a file of your own: '# source:' line, name, type, postcode or "
    "easting/northing)",
    resolution="venue (postcode centre or grid reference)",
    required=False,
    official=False,
    notes="Optional: community venues, existing or candidate, and corrections to the library list (closed, hours).",
))

USER_OUTCOMES = _register(Source(
    key="user_outcomes",
    title="Outcome tables supplied by the user (data/raw/outcomes/*.csv)",
    publisher="as stated in each file's '# source:' line",
    release="as stated in each file",
    licence=("Outcome data supplied by the user: see each file's stated source and licence.",),
    files=("outcomes/*.csv",),
    page="docs/METHOD.md#validation",
    download_name="outcomes/<your outcome>.csv (a file of your own: '# source:' line, LSOA code, one value)",
    resolution="LSOA (2011 or 2021)",
    required=False,
    official=False,
    notes="Optional: LSOA-level outcomes to test the scores against (index_validation).",
))

# How a footnote or a pasted citation names each source in a few words (publisher, dataset,
# release); the full title, publisher, release and address are in the sources list of every output.
CITE_AS: dict[str, str] = {
    "codepoint_open": "Ordnance Survey, Code-Point Open 2025.2",
    "ons_postcode_lookup": "ONS, postcode to LSOA lookup (May 2022)",
    "ofcom_postcode_district": "Ofcom July 2024 postcode data as postcode-district means computed by a third "
                               "party (github.com/sahilsayed-ielts/broadbandpicker)",
    "ofcom_postcode_coverage": "Ofcom, Connected Nations fixed coverage by postcode",
    "ofcom_la_coverage": "Ofcom, Connected Nations fixed coverage by local authority",
    "epraccur": "NHS England ODS, GP practices (epraccur, September 2025)",
    "ebranchs": "NHS England ODS, GP branch surgeries (ebranchs, about August 2017)",
    "gp_list_sizes": "NHS England, Patients Registered at a GP Practice (the extract's date is in the table's "
                     "list_size_extract; April 2026 rows as copied from a third party's text, not byte-checked "
                     "against NHS England's file)",
    "gp_list_sizes_2021": "NHS Digital, Patients Registered at a GP Practice (January 2021)",
    "gp_pcn_mapping": "NHS Digital, GP practice to PCN mapping (January 2022)",
    "gp_imd_score": "OHID Fingertips, IMD 2019 score by GP practice",
    "iod2025": "MHCLG, English Indices of Deprivation 2025",
    "imd2019": "MHCLG, English Indices of Deprivation 2019",
    "imd2019_scores": "MHCLG, IMD 2019 scores (compiled by mySociety)",
    "census_ts007a": "ONS, Census 2021 table TS007A",
    "census_ts038": "ONS, Census 2021 table TS038",
    "iuc2018": "CDRC, Internet User Classification 2018",
    "ruc2011": "ONS, Rural Urban Classification 2011",
    "ruc2021": "ONS, Rural Urban Classification 2021",
    "population_density": "ONS, LSOA population density (mid-2018)",
    "lsoa11_lsoa21_lookup": "ONS, LSOA 2011 to LSOA 2021 lookup (2022)",
    "lsoa21_ward_lookup": "ONS, LSOA 2021 to ward lookup (May 2024 wards)",
    "lsoa2021_boundaries": "ONS, LSOA boundaries (December 2021)",
    "lsoa2011_boundaries": "ONS, LSOA boundaries (December 2011)",
    "ward_boundaries": "ONS, ward boundaries (May 2024)",
    "subicb_boundaries": "ONS, Sub-ICB boundaries (July 2022)",
    "lad_boundaries": "ONS, district boundaries (May 2024)",
    "lad2013_boundaries": "ONS, district boundaries (December 2013)",
    "ons_local_indicators": "Ofcom Connected Nations local authority and nation figures via ONS",
    "user_outcomes": "outcome tables supplied by the user",
    "ons_similar_areas": "ONS, similar local authorities (clusters and nearest neighbours)",
    "libraries": "Arts Council England, public libraries basic dataset (December 2023)",
    "lsoa_pwc": "ONS, LSOA population-weighted centroids (December 2021)",
    "user_venues": "venues supplied by the user",
}
