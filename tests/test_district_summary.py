"""The district summary's GP-site broadband counts say only what the resolution of the data allows."""

from __future__ import annotations

from pipeline.sqlfiles import sql


def _inputs(con, site_rows: list[tuple[str, str, str, float | None, str]]) -> None:
    """Two districts with one LSOA each; GP sites as (lad_code, site_type, resolution, gigabit %, name)."""
    con.execute("""CREATE OR REPLACE TEMP VIEW broadband_coverage AS SELECT * FROM (VALUES
        ('A', 'postcode', 10, 90.0, 80.0, '2024-07'), ('B', 'postcode_district', NULL, 95.0, 70.0, '2024-07'))
        t(lad_code, resolution, all_premises, sfbb_pct, gigabit_pct, release)""")
    con.execute("""CREATE OR REPLACE TEMP VIEW lsoa_index AS SELECT * FROM (VALUES
        ('L1', 'A', 'District A', 1000, 1, 5.0), ('L2', 'B', 'District B', 2000, 2, 4.0))
        t(lsoa11cd, lad_code, lad_name, residents_2021, index_decile, index_score)""")
    con.execute("""CREATE OR REPLACE TEMP VIEW hotspots AS SELECT * FROM (VALUES
        ('L1', 'hot spot (99%)'), ('L2', 'not significant')) t(lsoa11cd, hotspot_class)""")
    con.execute("CREATE OR REPLACE TEMP TABLE gp_readiness (lad_code VARCHAR, site_type VARCHAR, "
                "site_broadband_resolution VARCHAR, site_gigabit_pct DOUBLE, name VARCHAR)")
    con.executemany("INSERT INTO gp_readiness VALUES (?, ?, ?, ?, ?)", site_rows)


def _summary(con) -> dict[str, tuple]:
    rows = con.execute(f"""SELECT lad_code, gp_sites, gp_sites_without_gigabit, gp_sites_area_average_only,
        gp_sites_without_data FROM ({sql("district_summary")})""",
                       {"lacking": 100, "area_name": "Study area"}).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_gp_sites_without_gigabit_counts_only_sites_known_at_their_own_postcode(con):
    _inputs(con, [("A", "practice", "postcode", 100.0, "full"), ("A", "practice", "postcode", 60.0, "partial"),
                  ("A", "branch", "postcode_district", 70.0, "average"), ("B", "practice", "none", None, "no data")])
    summary = _summary(con)
    assert summary["A"] == (3, 1, 1, 0)
    assert summary["ALL"] == (4, 1, 1, 1)


def test_gp_sites_without_gigabit_is_empty_when_only_area_averages_exist(con):
    _inputs(con, [("A", "practice", "postcode_district", 85.0, "one"), ("B", "practice", "postcode_district", 99.0, "two")])
    summary = _summary(con)
    assert summary["A"] == (1, None, 1, 0) and summary["B"] == (1, None, 1, 0)
    assert summary["ALL"] == (2, None, 2, 0)
