"""Which GP rows become sites, and the reason for every row that does not."""

from __future__ import annotations

from pipeline.ingest.boundaries import build_lsoa_boundaries
from pipeline.ingest.gp_sites import build_gp_sites
from pipeline.ingest.postcodes import build_codepoint_open, build_ons_postcode_lookup, build_postcodes
from tests.builders import codepoint_line, codepoint_zip, csv_text, geojson, lookup_zip, ods_row, square


def _sources(paths):
    codepoint_zip(paths.raw / "codepo_gb.zip", {"cm": [
        codepoint_line("CM20 1AA", 544100, 210100), codepoint_line("CM20 1AB", 544200, 210200),
        codepoint_line("CM7 1AA", 575000, 223000, lad="E07000067")]})
    lookup_zip(paths.raw / "PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.zip", [{"pcds": "CM20 1AA"}, {"pcds": "CM20 1AB"}])
    geojson(paths.raw / "lsoa2011_E07000073.geojson", [({"LSOA11CD": "E01021819", "LSOA11NM": "Harlow 006A"},
                                                        {"type": "Polygon", "coordinates": square(544000, 210000, 1000)})],
            crs="urn:ogc:def:crs:EPSG::27700")
    (paths.raw / "epraccur.csv").write_text("\n".join([
        ods_row("F81001", "ACTIVE <b>SURGERY</b>", "CM20 1AA"),
        ods_row("F81002", "CLOSED SURGERY", "CM20 1AA", status="C"),
        ods_row("F81003", "PCN HUB", "CM20 1AB", setting="27"),
        ods_row("F81004", "NOWHERE SURGERY", "ZZ99 9ZZ"),
        ods_row("F81005", "BRAINTREE SURGERY", "CM7 1AA"),
    ]) + "\n")
    (paths.raw / "ebranchs.csv").write_text("\n".join([
        ods_row("F81001001", "OPEN BRANCH", "CM20 1AB", status="", setting="", parent="F81001"),
        ods_row("F81002001", "ORPHAN BRANCH", "CM20 1AB", status="", setting="", parent="F81002"),
        ods_row("F81001002", "CLOSED BRANCH", "CM20 1AB", status="", setting="", parent="F81001", close="20200101"),
    ]) + "\n")
    (paths.raw / "gp-reg-pat-prac-all.csv").write_text(csv_text(
        ["PUBLICATION", "EXTRACT_DATE", "TYPE", "CODE", "POSTCODE", "SEX", "AGE", "NUMBER_OF_PATIENTS"],
        [["GP_PRAC_PAT_LIST", "01JAN2021", "GP", "F81001", "CM20 1AA", "ALL", "ALL", "9000"]]))
    (paths.raw / "gp-reg-pat-prac-map.csv").write_text(csv_text(
        ["PRACTICE_CODE", "PCN_CODE", "PCN_NAME", "EXTRACT_DATE"], [["F81001", "U00001", "HARLOW NORTH PCN", "01Jan2022"]]))
    (paths.raw / "fingertips_93553_IMD2019_score_by_GP_5districts.csv").write_text(csv_text(
        ["Indicator ID", "Area Code", "Area Type", "Time period", "Value"],
        [["93553", "E92000001", "England", "2019", "21.7"], ["93553", "F81001", "GP", "2019", "30.5"]]))


def harlow_postcodes(con, paths) -> None:
    """The fixture sources, with Harlow's postcodes built from them (what gp_sites geocodes against)."""
    _sources(paths)
    for step in (build_codepoint_open, build_ons_postcode_lookup):
        step(con, paths)
    build_lsoa_boundaries(con, paths, ["E07000073"])
    build_postcodes(con, paths, ["E07000073"])


def test_active_practices_and_their_open_branches_are_kept_every_other_row_has_a_reason(con, paths):
    harlow_postcodes(con, paths)
    result = build_gp_sites(con, paths)
    sites = con.execute(f"""SELECT site_code, site_type, name, list_size, list_size_applies_to, pcn_name,
        practice_imd2019_score, lsoa11cd FROM read_parquet('{paths.table_path("gp_sites")}') ORDER BY site_code""").fetchall()
    assert sites == [
        ("F81001", "practice", "ACTIVE <b>SURGERY</b>", 9000, "practice", "HARLOW NORTH PCN", 30.5, "E01021819"),
        ("F81001001", "branch", "OPEN BRANCH", 9000, "parent practice (branches have no list of their own)",
         "HARLOW NORTH PCN", 30.5, "E01021819"),
    ]
    reasons = {r[3] if r[2] == "Organisation Code" else r[4]: r[5] for r in result.rejects.rows}
    assert reasons == {
        "not active (status C: closed)": "out_of_scope",
        "not a GP practice (prescribing setting 27: primary care network hub)": "out_of_scope",
        "postcode not found in Code-Point Open: the site cannot be placed": "invalid",
        "outside the study area (district E07000067)": "out_of_scope",
        "parent practice F81002 is not an active GP practice in the current epraccur extract": "out_of_scope",
        "branch closed on 20200101": "out_of_scope",
    }
    assert (result.rows_in, result.rows_kept, result.rows_rejected) == (8, 2, 6)
    assert result.counts["active_practices_not_geocoded"] == 1
