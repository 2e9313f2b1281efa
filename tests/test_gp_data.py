"""GP data: current list sizes, who readiness ranks, whose Sub-ICB and ICB, and a site's own gigabit.

The first tests run the readers and the method's SQL on small hand-made inputs (synthetic test
data, built here); the last ones read the real run's outputs."""

from __future__ import annotations

import csv
import re

import pytest
from builders import csv_text

from pipeline.analysis.gp_readiness import SCORE_DECIMALS
from pipeline.errors import SourceFormatError
from pipeline.fetch import Located
from pipeline.readers.gp_registrations import read_list_sizes
from pipeline.sqlfiles import sql

NEW = [
    "PUBLICATION",
    "EXTRACT_DATE",
    "TYPE",
    "SUB_ICB_LOCATION_CODE",
    "ONS_SUB_ICB_LOCATION_CODE",
    "CODE",
    "POSTCODE",
    "SEX",
    "AGE",
    "NUMBER_OF_PATIENTS",
]
OLD = [
    "PUBLICATION",
    "EXTRACT_DATE",
    "TYPE",
    "CCG_CODE",
    "ONS_CCG_CODE",
    "CODE",
    "POSTCODE",
    "SEX",
    "AGE",
    "NUMBER_OF_PATIENTS",
]


def _lists(con, paths, header, rows):
    path = paths.raw / "gp-reg-pat-prac-all.csv"
    path.write_text(csv_text(header, rows))
    read = read_list_sizes(con, Located("gp_list_sizes", path, "data/raw", "gp-reg-pat-prac-all.csv"))
    got = con.execute(
        "SELECT practice_code, extract_date, list_size, subicb_code, subicb_ons_code, source_row "
        "FROM gp_list_sizes ORDER BY practice_code"
    ).fetchall()
    return read, got


# --- the list-size reader, both layouts ------------------------------------------------------


def test_list_size_reader_takes_the_april_2026_layout_with_its_iso_extract_date(con, paths):
    read, got = _lists(
        con,
        paths,
        NEW,
        [
            ["GP_PRAC_PAT_LIST", "2026-04-01", "GP", "06K", "E38000049", "E82021", "SG10 6DE", "ALL", "ALL", "6626"],
            ["GP_PRAC_PAT_LIST", "2026-04-01", "GP", "07H", "E38000197", "Y01924", "CM21 9HH", "ALL", "ALL", "70"],
        ],
    )
    assert got == [
        ("E82021", "2026-04-01", 6626, "06K", "E38000049", 2),
        ("Y01924", "2026-04-01", 70, "07H", "E38000197", 3),
    ]
    assert read.counts["extract_date"] == "2026-04-01" and not read.rejects.rows


def test_list_size_reader_takes_the_january_2021_layout_in_the_same_reader(con, paths):
    read, got = _lists(
        con,
        paths,
        OLD,
        [["GP_PRAC_PAT_LIST", "01JAN2021", "GP", "06K", "E38000049", "E82006", "EN11 8EP", "ALL", "ALL", "8,152"]],
    )
    assert got == [("E82006", "2021-01-01", 8152, "06K", "E38000049", 2)]
    assert read.counts["extract_date"] == "2021-01-01"


def test_list_rows_of_another_month_or_not_totals_are_rejected_with_row_and_field(con, paths):
    read, got = _lists(
        con,
        paths,
        NEW,
        [
            ["GP_PRAC_PAT_LIST", "2026-04-01", "GP", "06K", "E38000049", "E82021", "SG10 6DE", "ALL", "ALL", "6626"],
            ["GP_PRAC_PAT_LIST", "2026-03-01", "GP", "06K", "E38000049", "E82038", "SG9 9AA", "ALL", "ALL", "20000"],
            ["GP_PRAC_PAT_LIST", "2026-04-01", "GP", "06K", "E38000049", "E82007", "SG14 1JA", "MALE", "ALL", "5000"],
            ["GP_PRAC_PAT_LIST", "2026-04-01", "PCN", "06K", "E38000049", "U15138", "SG14 1JA", "ALL", "ALL", "90000"],
            ["GP_PRAC_PAT_LIST", "April", "GP", "06K", "E38000049", "E82024", "SG14 1HZ", "ALL", "ALL", "100"],
        ],
    )
    assert [r[0] for r in got] == ["E82021"]
    assert [(r[1], r[2], r[4]) for r in read.rejects.rows] == [
        (3, "EXTRACT_DATE", "extract date differs from the file's first row (2026-04-01)"),
        (4, "SEX", "not a total (sex and age must be ALL)"),
        (5, "TYPE", "not a practice row (TYPE must be GP)"),
        (6, "EXTRACT_DATE", "not a date (e.g. 2026-04-01, 01JAN2021)"),
    ]


def test_a_list_file_without_an_extract_date_column_is_refused_naming_the_file_and_column(con, paths):
    with pytest.raises(SourceFormatError) as err:
        _lists(
            con,
            paths,
            [c for c in NEW if c != "EXTRACT_DATE"],
            [["GP_PRAC_PAT_LIST", "GP", "06K", "E38000049", "E82021", "SG10 6DE", "ALL", "ALL", "6626"]],
        )
    assert err.value.field == "EXTRACT_DATE" and "gp-reg-pat-prac-all.csv" in str(err.value)


# --- who is ranked: the minimum list size and old branch listings -----------------------------


def _sites(con, rows):
    con.execute(
        """CREATE OR REPLACE TEMP TABLE gp_sites AS SELECT * FROM (VALUES
        """
        + ", ".join("(?, ?, ?, ?, ?)" for _ in rows)
        + """) t(site_code, site_type, listing_current, list_size,
        list_size_extract)""",
        [v for r in rows for v in r],
    )
    con.execute(
        "ALTER TABLE gp_sites ADD COLUMN listed_in VARCHAR DEFAULT 'NHS branch-surgery list (ebranchs), "
        "~August 2017 extract'"
    )


def _ranked(con, minimum):
    return dict(
        con.execute(
            "SELECT site_code, not_ranked_reason FROM (" + sql("gp_ranked_sites") + ") ORDER BY 1",
            {"min_list_size": minimum},
        ).fetchall()
    )


def test_practices_below_the_minimum_list_size_and_old_branch_listings_are_shown_but_not_ranked(con):
    _sites(
        con,
        [
            ("P1", "practice", True, 6626, "2026-04-01"),
            ("P2", "practice", True, 70, "2026-04-01"),
            ("P3", "practice", True, None, None),
            ("P1001", "branch", False, 6626, "2026-04-01"),
            ("P1002", "branch", True, 6626, "2026-04-01"),
        ],
    )
    got = _ranked(con, 1000)
    assert got["P1"] is None and got["P1002"] is None  # a branch from a current file ranks like its practice
    assert (
        got["P2"] == "its practice has 70 registered patients at 1 April 2026, fewer than the 1,000 the ranking needs"
    )
    assert got["P3"] == "no registered list size for its practice in the list-size extract"
    assert got["P1001"].startswith("branch surgery listed only in the NHS branch-surgery list (ebranchs), ~August 2017")
    assert _ranked(con, 50)["P2"] is None  # the setting, not a fixed number, draws the line


# --- readiness: the site's own part is known only at postcode level ---------------------------


def _readiness(con, w_site=0.4, weights=(0.2, 0.2, 0.2), need_b=4.0):
    """Three sites with identical catchments but for B's need (``need_b``): A measured at its postcode, B known
    only by its postcode district's average, C shown but not ranked."""
    con.execute("""CREATE OR REPLACE TEMP TABLE gp_ranked_sites AS SELECT * FROM (VALUES
        ('A', 'practice', 'A', 'A SURGERY', 'AA1 1AA', 100, 100, NULL),
        ('B', 'practice', 'B', 'B SURGERY', 'BB1 1BB', 200, 200, NULL),
        ('C', 'branch', 'A', 'C HALL', 'CC1 1CC', 300, 300, 'branch surgery listed only in an old file'))
        t(site_code, site_type, practice_code, name, postcode, easting, northing, not_ranked_reason)""")
    for col in (
        "lad_code",
        "lsoa_code",
        "ward_code",
        "subicb_code",
        "subicb_name",
        "icb_code",
        "icb_name",
        "pcn_name",
        "listed_in",
        "open_date",
        "list_size_extract",
        "list_size_applies_to",
    ):
        con.execute(f"ALTER TABLE gp_ranked_sites ADD COLUMN {col} VARCHAR")
    con.execute("ALTER TABLE gp_ranked_sites ADD COLUMN list_size BIGINT DEFAULT 5000")
    con.execute("ALTER TABLE gp_ranked_sites ADD COLUMN lat DOUBLE DEFAULT 51.8")
    con.execute("ALTER TABLE gp_ranked_sites ADD COLUMN lon DOUBLE DEFAULT 0.1")
    con.execute("ALTER TABLE gp_ranked_sites ADD COLUMN geom GEOMETRY")
    con.execute("""CREATE OR REPLACE TEMP TABLE gp_locations AS
                   SELECT * FROM (VALUES (1, 100, 100, 1), (2, 200, 200, 1))
                   t(location_id, easting, northing, sites_at_location)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE catchment_postcodes AS SELECT * FROM (VALUES
        ('AA1 1AA', 'L1', 1, 0.0), ('BB1 1BB', 'L2', 2, 0.0)) t(postcode, lsoa_code, location_id, distance_m)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE postcode_residents AS SELECT * FROM (VALUES
        ('AA1 1AA', 10.0), ('BB1 1BB', 10.0)) t(postcode, residents)""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE lsoa_need AS SELECT * FROM (VALUES ('L1', 4.0), ('L2', {need_b}))
                    t(lsoa_code, need_score)""")
    # Every postcode 60% superfast and 50% gigabit; only A's figure is its own postcode's.
    con.execute("""CREATE OR REPLACE TEMP TABLE broadband_coverage AS SELECT * FROM (VALUES
        ('AA1 1AA', 'AA1', 'L', 'postcode', '2024-07', 10, 60.0, 50.0),
        ('BB1 1BB', 'BB1', 'L', 'postcode_district', '2024-07', NULL, 60.0, 50.0),
        ('CC1 1CC', 'CC1', 'L', 'postcode_district', '2024-07', NULL, 60.0, 50.0))
        t(postcode, postcode_district, lad_code, resolution, release, all_premises, sfbb_pct, gigabit_pct)""")
    w_sfbb, w_gig, w_need = weights
    rows = con.execute(
        sql("gp_readiness"),
        {"w_site": w_site, "w_sfbb": w_sfbb, "w_gig": w_gig, "w_need": w_need, "decimals": SCORE_DECIMALS},
    )
    names = [d[0] for d in rows.description]
    return {r[0]: dict(zip(names, r, strict=False)) for r in rows.fetchall()}


def test_an_area_average_never_stands_in_for_the_sites_own_gigabit_and_the_other_parts_are_reweighted(con):
    got = _readiness(con)
    assert got["A"]["readiness_score"] == pytest.approx(0.4 * 5.0 + 0.2 * 6.0 + 0.2 * 5.0 + 0.2 * 6.0)
    assert got["B"]["readiness_score"] == pytest.approx(6.0)  # need 10-4 alone: B's broadband is all area averages
    assert got["A"]["site_own_gigabit_known"] and not got["B"]["site_own_gigabit_known"]
    assert got["B"]["site_broadband_area"] == "BB1" and got["B"]["site_area_gigabit_pct"] == 50.0
    assert got["B"]["site_gigabit_pct"] is None  # a pasted row never shows the area's figure as the site's
    assert got["A"]["site_gigabit_pct"] == 50.0 and got["A"]["site_area_gigabit_pct"] is None
    assert (
        got["A"]["readiness_parts"] == "site gigabit 0.4, catchment superfast 0.2, catchment gigabit 0.2, "
        "catchment need 0.2"
    )
    assert got["B"]["readiness_parts"].startswith("catchment need 1.0 (")
    assert "own gigabit status is not known" in got["B"]["readiness_parts"]
    assert "known only as area averages" in got["B"]["readiness_parts"]


def test_a_catchment_known_only_by_area_averages_is_ranked_without_its_broadband_parts(con):
    """Two sites in one postcode district share its average: the broadband parts would rank them by a
    value known only for the district, so only what is known per site (here the catchment's need) ranks."""
    got = _readiness(con)
    assert got["B"]["catchment_broadband_area_average"] and not got["A"]["catchment_broadband_area_average"]
    assert got["B"]["catchment_pct_no_gigabit"] == pytest.approx(50.0)  # still shown, not scored
    assert "catchment gigabit" not in got["B"]["readiness_parts"].split(" (")[0]
    assert "catchment gigabit 0.2" in got["A"]["readiness_parts"]


def test_unranked_sites_keep_their_row_without_catchment_score_or_rank_and_ranks_count_only_ranked_sites(con):
    got = _readiness(con)
    assert [got[s]["readiness_rank"] for s in "AB"] == [1, 2]  # A (5.4, its own 50%) is less ready than B (5.67)
    assert got["C"]["readiness_rank"] is None and got["C"]["readiness_score"] is None
    assert got["C"]["catchment_postcodes"] is None and got["C"]["not_ranked_reason"]
    assert got["C"]["site_broadband_area"] == "CC1"  # still shown, with its area marked


def test_sites_whose_scores_agree_at_the_precision_shown_share_a_rank(con):
    """Need alone: 10 - 4.000 and 10 - 4.002 both show as 6.00, so neither comes first and the table says 6.00 for
    both; 4.02 apart they do not."""
    near = _readiness(con, w_site=0.0, weights=(0.0, 0.0, 1.0), need_b=4.002)
    assert near["A"]["readiness_score"] == near["B"]["readiness_score"] == 6.0  # published as shown
    assert near["A"]["readiness_rank"] == near["B"]["readiness_rank"] == 1
    apart = _readiness(con, w_site=0.0, weights=(0.0, 0.0, 1.0), need_b=4.02)
    assert (apart["B"]["readiness_rank"], apart["A"]["readiness_rank"]) == (1, 2)


# --- neighbourhoods' Sub-ICB: the lookup, then the district, then most postcodes --------------


def test_a_neighbourhood_takes_its_sub_icb_from_the_lookup_then_its_district_then_most_of_its_postcodes(con):
    con.execute("""CREATE OR REPLACE TEMP TABLE lsoa_areas AS SELECT * FROM (VALUES
        ('N1', 'D1'), ('N2', 'D1'), ('N3', 'D2')) t(lsoa_code, lad_code)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE lsoa_crosswalk AS SELECT * FROM (VALUES
        ('O1', 'N1'), ('O2', 'N2'), ('O3', 'N3')) t(lsoa11cd, lsoa_code)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE lsoa_ccg AS SELECT * FROM (VALUES
        ('O1', 'E38000001', '01A', 'NHS Somewhere CCG', 'D1')) t(lsoa11cd, ccg_code, ccg_ods_code,
        ccg_name, lad_code)""")
    # Two outlines side by side: X (x < 1000) and Y (x >= 1000).
    con.execute("""CREATE OR REPLACE TEMP TABLE sicb_b AS SELECT * FROM (VALUES
        ('E38000001', 'NHS North ICB - 01A', ST_GeomFromText('POLYGON((0 0, 1000 0, 1000 1000, 0 1000, 0 0))')),
        ('E38000002', 'NHS South ICB - 02B',
        ST_GeomFromText('POLYGON((1000 0, 2000 0, 2000 1000, 1000 1000, 1000 0))')))
        t(code, name, geom)""")
    # N3 is in no lookup and its district in none either: two of its three postcodes lie in Y.
    con.execute("""CREATE OR REPLACE TEMP TABLE postcodes AS SELECT * FROM (VALUES
        ('P1', 'N3', ST_Point(900, 500)), ('P2', 'N3', ST_Point(1100, 500)), ('P3', 'N3', ST_Point(1200, 500)),
        ('P4', 'N2', ST_Point(1500, 500))) t(postcode, lsoa_code, geom)""")
    con.execute("CREATE OR REPLACE TEMP TABLE subicb_names AS " + sql("subicb_names"))
    got = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT lsoa_code, subicb_code, subicb_name, icb_name, assigned_by FROM (" + sql("lsoa_subicb") + ")"
        ).fetchall()
    }
    assert got["N1"] == ("E38000001", "Somewhere", "NHS North ICB", "ONS LSOA (2011) to CCG (April 2021) lookup")
    # N2's own postcode lies in Y, but its district's looked-up neighbourhoods are all in X.
    assert got["N2"][0] == "E38000001" and got["N2"][3].startswith("its district")
    assert got["N3"][0] == "E38000002" and got["N3"][2] == "NHS South ICB"
    assert got["N3"][3] == "largest share of its postcodes (2 of 3) inside the Sub-ICB outline"


# --- the real run ------------------------------------------------------------------------------


def _mirror_rows(mirror, rel, header=True):
    with (mirror / rel).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh) if header else csv.reader(fh))


def test_the_51_active_practices_show_their_april_2026_list_sizes(real_run, mirror):
    published = {
        r[0]: r[1:]
        for r in real_run.sql(f"""SELECT site_code, list_size, list_size_extract
        FROM {real_run.table("gp_readiness")} WHERE site_type = 'practice'""")
    }
    april = {
        r["CODE"]: int(r["NUMBER_OF_PATIENTS"])
        for r in _mirror_rows(mirror, "nhs-gp-registrations/SUBSET_gp-reg-pat-prac-all_2026-04_06K_06N_07H.csv")
    }
    active = {
        r[0]
        for r in _mirror_rows(mirror, "nhs-ods/epraccur_2025-09_5districts.csv", header=False)
        if r[12] == "A" and r[25] == "4"
    }
    assert len(published) == 51 and set(published) == active
    assert {code: v for code, v in published.items()} == {code: (april[code], "2026-04-01") for code in published}
    assert real_run.metadata("gp_sites")["practices_without_list_size"] == []


def test_no_2017_branch_site_is_ranked_and_the_70_patient_centre_is_shown_unranked(real_run):
    rows = real_run.sql(f"""SELECT site_code, site_type, readiness_rank, not_ranked_reason, listed_in
        FROM {real_run.table("gp_readiness")}""")
    branches = [r for r in rows if r[1] == "branch"]
    assert branches and all(r[2] is None and "2017" in r[3] and "2017" in r[4] for r in branches)
    small = {r[0]: r for r in rows}["Y01924"]
    assert small[2] is None and "70 registered patients" in small[3]
    ranked = sorted(r[2] for r in rows if r[2] is not None)
    assert ranked[0] == 1 and len(ranked) == 50
    headlines = (real_run.paths.processed / "headlines.md").read_text()
    section = headlines.split("## GP sites whose catchments have the most inclusion need")[1].split("##")[0]
    assert "VILLAGE HALL" not in section and "1 April 2026" in section
    # with need alone in the score, each site's score says it is 10 minus its catchment's need, and ties say so
    assert "whose nearest ranked site it is, within 8 km in a straight line" in section
    first = next(line for line in section.splitlines() if line.startswith("- "))
    score, need = re.search(
        r"telehealth-readiness score (\d+\.\d+)\[\d+\] of 10 \(here 10 minus its catchment's need score, "
        r"(\d+\.\d+)\[\d+\]: no broadband part is known\)",
        first,
    ).groups()
    assert abs(float(score) + float(need) - 10) < 0.011
    assert "rank by catchment need =3[" in section  # two practices at one address share rank 3


def test_sites_take_sub_icb_and_icb_from_their_practices_own_codes_with_published_names(real_run, mirror):
    commissioner = {
        r[0]: (r[14], r[3]) for r in _mirror_rows(mirror, "nhs-ods/epraccur_2025-09_QM7_06K_06N_07H.csv", header=False)
    }
    rows = real_run.sql(f"""SELECT site_code, practice_code, subicb_code, subicb_name, icb_code, icb_name,
        health_names_from FROM {real_run.table("gp_sites")}""")
    for site, practice, subicb, subicb_name, icb, icb_name, names_from in rows:
        assert (subicb, icb) == commissioner[practice], site
        assert (
            " - " not in subicb_name and "CCG" not in subicb_name and icb_name == "NHS Hertfordshire and West Essex ICB"
        )
        assert "Sub-ICB:" in names_from and "ICB:" in names_from
    assert {r[3] for r in rows} == {"East and North Hertfordshire", "West Essex"}


def test_every_neighbourhood_takes_its_sub_icb_from_the_ons_lookup_not_a_generalised_outline(real_run):
    rows = real_run.sql(f"""SELECT subicb_ods_code, icb_name, assigned_by, count(*) FROM
        {real_run.table("lsoa_subicb")} GROUP BY ALL ORDER BY 1""")
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("06K", "NHS Hertfordshire and West Essex ICB", 148),
        ("07H", "NHS Hertfordshire and West Essex ICB", 185),
    ]
    assert {r[2] for r in rows} == {"ONS LSOA (2011) to CCG (April 2021) lookup"}
    drawn = real_run.sql(f"SELECT subicb_ods_code, study_lsoas FROM {real_run.table('subicb_boundaries')} ORDER BY 1")
    assert drawn == [("06K", 148), ("07H", 185)]


def test_outputs_say_a_sites_own_gigabit_is_not_known_instead_of_showing_a_district_average_as_its_own(real_run):
    rows = real_run.sql(f"""SELECT site_own_gigabit_known, site_broadband_resolution, readiness_parts
        FROM {real_run.table("gp_readiness")} WHERE readiness_rank IS NOT NULL""")
    assert all(not known and res != "postcode" and "site gigabit" not in parts for known, res, parts in rows)
    fibre = (real_run.root / "maps" / "fibre_planning.html").read_text(encoding="utf-8")
    gp_map = (real_run.root / "maps" / "gp_readiness.html").read_text(encoding="utf-8")
    assert "gigabit at its postcode" not in fibre and "own gigabit status not known" in fibre
    assert "own gigabit status is known" in gp_map and "Gigabit at the site itself" in gp_map
    assert "North East London" not in gp_map and "ICB - 06K" not in gp_map


def test_briefing_gp_table_states_the_list_month_and_no_site_gigabit_figure_of_its_own(real_run):
    from pypdf import PdfReader

    text = "\n".join(
        p.extract_text() for p in PdfReader(real_run.paths.processed / "briefings" / "east-hertfordshire.pdf").pages
    )
    section = " ".join(
        text.split("GP sites whose catchments have the most inclusion need", 1)[1]
        .split("What the broadband data")[0]
        .split()
    )
    assert "1 April 2026" in section and "Catchment need (0-10)" in section
    # the catchments' broadband is area averages, not in the score: the table shows what the ranking rests on
    assert "Catchment without gigabit" not in section and "on their catchment's inclusion need alone" in section
    assert "Rank is among all 50 ranked sites of the study area; = marks a tie" in section
    # shown as not ranked, with why; the key figures name it
    assert "Village Hall" not in section and "1 site whose practice list is below the minimum list size" in section
    assert "Gardens and Jacobs" in " ".join(text.split("GP sites whose catchments")[0].split())


# --- what the key figures say of practices too small to rank ----------------------------------


class _Cited:
    """Stands in for headlines.Notes: cites a cell as its value, and holds gp_readiness's rows."""

    def __init__(self, rows):
        self._rows = rows

    def cite(self, table, column, zero=None, **keys):
        return "12" if column == "gp_practices" else next(r[column] for r in self._rows if r.items() >= keys.items())

    def rows(self, table):
        return self._rows


def _small(i: int) -> dict:
    return {
        "site_code": f"P{i}",
        "site_type": "practice",
        "name": f"PRACTICE {i}",
        "lad_code": "E07000073",
        "list_size": str(10 + i),
        "not_ranked_reason": "its practice has 9 registered patients at 1 April 2026, fewer than the 1,000 the "
        "ranking needs",
    }


def test_the_key_figures_name_at_most_ten_practices_too_small_to_rank_and_count_the_rest():
    from pipeline.outputs.gp_text import NAMED
    from pipeline.outputs.headlines import gp_sentence

    many = gp_sentence(_Cited([_small(i) for i in range(1, 103)]), "ALL", {}, "England")
    assert many.count("registered patients at 1 April 2026") == NAMED == 10
    assert "102 of them are not ranked (Practice 1, with 11 registered patients" in many
    assert many.endswith("; and 92 more, each in the GP readiness table).")
    one = gp_sentence(_Cited([_small(7)]), "E07000073", {}, "Harlow")
    assert one == (
        "12 active GP practices are in Harlow; one of them is not ranked (Practice 7, with 17 registered patients "
        "at 1 April 2026, fewer than the 1,000 the ranking needs)."
    )


def test_every_catchment_broadband_figure_on_the_gp_map_names_its_ofcom_release(real_run):
    """A catchment's broadband figure is a mean over its postcodes of the broadband input's figures: its popup and
    tooltip say of which Ofcom release, as the site's own figure does, from the table's own column."""
    from pipeline.wording import release_names

    releases = real_run.sql(f"""SELECT DISTINCT catchment_broadband_release FROM {real_run.table("gp_readiness")}
        WHERE catchment_pct_no_gigabit IS NOT NULL""")
    assert [r[0] for r in releases] == ["2024-07"]  # the mirror's one broadband release
    gp_map = (real_run.root / "maps" / "gp_readiness.html").read_text(encoding="utf-8")
    gp_map = gp_map.replace("\\u0027", "'")  # the catchments' tooltips are in the page's JSON
    shown = re.findall(
        r"(\d+\.\d%), a mean over its postcodes of ([\w-]+) figures(, each postcode counted once)?"
        r"( \(Ofcom's data of ([^)]*)\))?",
        gp_map,
    )
    assert (
        len(shown)
        >= 2
        * real_run.sql(f"""SELECT count(*) FROM {real_run.table("gp_readiness")}
        WHERE catchment_pct_no_gigabit IS NOT NULL""")[0][0]
    )  # superfast and gigabit in every ranked site's popup
    # postcode-district figures have no premises counts: the mean says it counts each postcode once
    assert {(m[1], m[2], m[4]) for m in shown} == {
        (
            "postcode-district",
            ", each postcode counted once",
            f"{release_names('2024-07')} as the broadband input holds it",
        )
    }


def test_ranked_sites_that_share_a_rank_are_listed_by_name():
    """Sites tied on a score shown to two decimals share a rank; a list of them reads by name, not in the order a
    table happened to hold them (synthetic rows, built here)."""
    from pipeline.outputs.gp_text import ranked

    rows = [
        {"site_code": "A1", "name": "THE ROSS PRACTICE", "readiness_rank": "3"},
        {"site_code": "B2", "name": "Abbey Road Surgery", "readiness_rank": "5"},
        {"site_code": "C3", "name": "THE HAMILTON PRACTICE", "readiness_rank": "3"},
        {"site_code": "D4", "name": "Unranked", "readiness_rank": ""},
        {"site_code": "E5", "name": "Sydenham House Surgery", "readiness_rank": "1"},
    ]
    assert [r["site_code"] for r in ranked(rows)] == ["E5", "C3", "A1", "B2"]


def test_the_gp_map_cautions_a_catchments_broadband_where_its_districts_input_misses_ofcoms_figure(real_run):
    """East Hertfordshire's and Broxbourne's broadband input misses Ofcom's own district figure by more than the
    settings allow: the GP map says so beside the broadband of each catchment reaching into them, as the triage map
    does beside each gap, and says nothing of the kind for the other districts."""
    with (real_run.paths.processed / "tables" / "reconciliation.csv").open(encoding="utf-8") as fh:
        missed = sorted({r["lad_code"] for r in csv.DictReader(fh) if r["within_threshold"] == "false"})
    cautioned = real_run.sql(
        f"""SELECT count(*) FROM {real_run.table("gp_readiness")} WHERE readiness_rank IS NOT NULL
            AND len(list_intersect($missed, string_split(catchment_broadband_districts, ', '))) > 0""",
        {"missed": missed},
    )[0][0]
    assert cautioned > 0
    import html

    text = (real_run.root / "maps" / "gp_readiness.html").read_text(encoding="utf-8")
    gp_map = html.unescape(text.replace("\\u0027", "'").replace("\\u0026", "&"))  # tooltips are in the page's JSON
    shown = re.findall(r"For July 2024, Ofcom counts [^<]*?: read the catchment's broadband with care", gp_map)
    assert len(shown) >= cautioned  # each ranked site's popup, and its catchment's tooltip
    assert {m.split(" in ")[1].split(" ")[0] for m in shown} <= {"East", "Broxbourne"}


def test_a_gp_sites_caution_follows_its_catchment_into_another_district(real_run):
    """A site's catchment may reach into a district other than its own (Hailey View Surgery, in Broxbourne, into
    East Hertfordshire): the published table cautions its catchment broadband with every such district's miss, and
    a site whose catchment lies wholly in districts without a miss carries no caution."""
    with (real_run.paths.processed / "tables" / "gp_readiness.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["readiness_rank"]]
    with (real_run.paths.processed / "tables" / "reconciliation.csv").open(encoding="utf-8") as fh:
        missed = {r["lad_code"]: r["area_name"] for r in csv.DictReader(fh) if r["within_threshold"] == "false"}
    for r in rows:
        reached = set(r["catchment_broadband_districts"].split(", ")) & set(missed)
        named = {missed[code] for code in reached}
        assert bool(r["broadband_caution"]) == bool(reached), r["name"]
        assert all(f" in {name} " in r["broadband_caution"] for name in named), r["name"]
    spanning = [
        r
        for r in rows
        if r["lad_code"] not in missed and set(r["catchment_broadband_districts"].split(", ")) & set(missed)
    ]
    assert spanning  # with these sources: e.g. Nuffield House (Harlow) reaches into East Hertfordshire


def test_an_unranked_gp_sites_area_broadband_figure_carries_its_districts_caution(real_run):
    """An unranked site's popup still shows its postcode district's broadband average: in a district whose input
    misses Ofcom's own figure it carries that district's caution, as the published table does."""
    import html

    with (real_run.paths.processed / "tables" / "gp_readiness.csv").open(encoding="utf-8") as fh:
        rows = [
            r
            for r in csv.DictReader(fh)
            if not r["readiness_rank"] and r["broadband_caution"] and r["site_broadband_resolution"] not in ("", "none")
        ]
    assert rows  # with these sources: East Hertfordshire's and Broxbourne's unranked sites
    text = (real_run.live / "maps" / "gp_readiness.html").read_text(encoding="utf-8")
    page = html.unescape(text.replace("\\u0027", "'").replace("\\u0026", "&"))
    shown = re.findall(
        r"For July 2024, Ofcom counts [^<]*?: read the broadband figure shown for the site with care", page
    )
    assert len(shown) == len(rows)
