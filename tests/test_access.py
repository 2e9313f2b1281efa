"""Reaching people: venues read and corrected, distances from where people live, and the siting model.

The siting test compares spopt's exact answer with brute force on a small synthetic instance (made
here, for this test only); the lookup's library distance is checked against a hand calculation from
the raw Code-Point and library files.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import zipfile

import numpy as np
import pytest

from tests.conftest import MIRROR


def brute_force(instance, k: int) -> float:
    """The most need-weighted demand any k candidates cover together with the existing venues."""
    from pipeline.analysis.siting import covered_by

    return max(
        float(instance.weights[covered_by(instance, list(chosen))].sum())
        for chosen in itertools.combinations(range(len(instance.candidate_xy)), k)
    )


def synthetic_instance(seed: int, demand: int, existing: int, candidates: int, side_m: float, reach_m: float):
    """SYNTHETIC: demand points with random weights, existing venues and candidates in a square."""
    from pipeline.analysis.siting import Instance

    rng = np.random.default_rng(seed)
    return Instance(
        rng.uniform(0, side_m, (demand, 2)),
        rng.integers(1, 500, demand).astype(float),
        rng.uniform(0, side_m, (existing, 2)),
        rng.uniform(0, side_m, (candidates, 2)),
        reach_m=reach_m,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_covering_model_finds_the_brute_force_optimum_on_a_small_synthetic_instance(seed):
    from pipeline.analysis.siting import covered_by, solve

    inst = synthetic_instance(seed, 30, 3, 9, 10_000, 2_000)
    for k in (1, 2, 3, 4):
        chosen, covered = solve(inst, k)
        assert len(chosen) == k
        assert covered == pytest.approx(brute_force(inst, k))
        assert float(inst.weights[covered_by(inst, chosen)].sum()) == pytest.approx(covered)


@pytest.mark.parametrize("seed", [4, 5])
def test_the_covering_model_reaches_the_optimum_spopts_mclp_reaches(seed):
    """spopt's dense MCLP is the reference the sparse model was written from: same optimum for each k."""
    import pulp
    from spopt.locate import MCLP

    from pipeline.analysis.siting import solve

    inst = synthetic_instance(seed, 200, 4, 25, 20_000, 2_500)
    sites = np.vstack([inst.existing_xy, inst.candidate_xy])
    cost = np.sqrt(((inst.demand_xy[:, None, :] - sites[None, :, :]) ** 2).sum(axis=2))
    predefined = np.r_[np.ones(4, dtype=int), np.zeros(25, dtype=int)]
    for k in (1, 3, 6):
        model = MCLP.from_cost_matrix(
            cost, inst.weights, service_radius=2_500, p_facilities=4 + k, predefined_facilities_arr=predefined
        )
        model.solve(pulp.PULP_CBC_CMD(msg=False), results=False)
        theirs = pulp.value(model.problem.objective)
        assert solve(inst, k)[1] == pytest.approx(theirs)


def test_the_covering_model_keeps_existing_venues_and_counts_what_they_cover():
    from pipeline.analysis.siting import Instance, solve

    # synthetic: one existing venue covers the heavy point; the candidate next to it adds nothing
    inst = Instance(
        np.array([[0.0, 0.0], [5_000.0, 0.0]]),
        np.array([100.0, 1.0]),
        np.array([[0.0, 0.0]]),
        np.array([[100.0, 0.0], [5_000.0, 100.0]]),
        reach_m=1_000,
    )
    assert solve(inst, 1) == ([1], 101.0)


def _codepoint_position(postcode: str) -> tuple[int, int]:
    area = "".join(ch for ch in postcode.split()[0] if ch.isalpha()).lower()
    with zipfile.ZipFile(MIRROR / "os-codepoint-open" / "codepo_gb.zip") as zf:
        member = next(n for n in zf.namelist() if n.lower().endswith(f"/{area}.csv"))
        for row in csv.reader(io.TextIOWrapper(zf.open(member), encoding="latin-1")):
            if row[0].replace(" ", "") == postcode.replace(" ", ""):
                return int(row[2]), int(row[3])
    raise AssertionError(f"{postcode} not in Code-Point")


def _library(name: str) -> dict:
    with open(
        MIRROR / "libraries" / "basic-dataset-for-libraries-2023-enhanced.csv", encoding="utf-8-sig", newline=""
    ) as f:
        return next(r for r in csv.DictReader(f) if r["Name"] == name and r["Type"] == "Static Library")


def test_the_lookup_names_the_nearest_library_at_its_hand_calculated_distance(real_run, monkeypatch):
    from pipeline.lookup import as_text, lookup

    monkeypatch.setenv("DIZ_OUTPUT_ROOT", str(real_run.root))
    answer = lookup("CM20 1AB")
    assert answer.status == "found"
    f = answer.fields
    library = _library(f["nearest_library"])
    (x, y), lx, ly = _codepoint_position("CM20 1AB"), float(library["Easting"]), float(library["Northing"])
    assert f["nearest_library"] == "Harlow Library"
    assert f["nearest_library_distance_m"] == round(math.hypot(x - lx, y - ly))
    text = as_text(answer)
    assert (
        "Nearest library" in text
        and "Harlow Library" in text
        and "December 2023" in text
        and "check it is open" in text
    )


def test_every_study_neighbourhood_has_its_distances_and_says_where_they_are_measured_from(real_run):
    rows = real_run.sql(
        f"SELECT count(*), count(DISTINCT origin), min(origin), count(nearest_library_km), "
        f"count(nearest_gp_site_km) FROM {real_run.table('lsoa_access')}"
    )[0]
    assert rows == (333, 1, "population-weighted centroid", 333, 333)
    assert real_run.scalar(f"SELECT min(distance_kind) FROM {real_run.table('lsoa_access')}") == "straight line"


def test_venues_keep_open_static_libraries_near_the_study_area_and_count_what_they_set_aside(real_run):
    venues = dict(
        real_run.sql(f"SELECT venue_type || ' ' || role, count(*) FROM {real_run.table('venues')} GROUP BY 1")
    )
    assert venues["library existing"] > 28 and venues["gp_site candidate"] == 51
    # a library just over the border counts: Enfield's libraries serve Waltham Abbey
    assert (
        real_run.scalar(f"""SELECT count(*) FROM {real_run.table("venues")}
                               WHERE venue_type = 'library' AND NOT in_study_area AND postcode LIKE 'EN%'""")
        > 0
    )
    reasons = dict(
        real_run.sql(f"""SELECT CASE WHEN reason LIKE 'closed%' THEN 'closed' ELSE reason END, count(*)
                                   FROM read_parquet('{real_run.live / "rejects" / "venues.parquet"}') GROUP BY 1""")
    )
    with open(
        MIRROR / "libraries" / "basic-dataset-for-libraries-2023-enhanced.csv", encoding="utf-8-sig", newline=""
    ) as f:
        rows = list(csv.DictReader(f))
    for kind in ("Mobile Library", "Prison Library", "Archive", "Static Local History Library"):
        assert reasons[f"{kind.lower()}: not a library a resident can drop in to"] == sum(
            r["Type"] == kind for r in rows
        )
    assert reasons["closed"] == sum(r["Type"] == "Static Library" and bool(r["Year closed"]) for r in rows)


def test_the_siting_curve_never_falls_and_says_when_a_solution_is_not_nested(real_run):
    curve = real_run.sql(
        f"SELECT k, need_weighted_covered, contains_previous FROM {real_run.table('siting_curve')} ORDER BY k"
    )
    assert [r[0] for r in curve] == list(range(11))
    assert all(b[1] >= a[1] - 0.05 for a, b in zip(curve, curve[1:], strict=False))
    assert all(r[2] is not None for r in curve)


def test_a_user_venues_file_closes_a_library_gives_hours_adds_a_venue_and_rejects_bad_rows(real_run, tmp_path):
    from pipeline import duck
    from pipeline.ingest.venues import build_venues
    from pipeline.paths import Paths
    from pipeline.settings import load_settings

    paths = Paths(root=tmp_path, mirror=MIRROR).in_generation(tmp_path / "generation").ensure()
    folder = paths.raw / "venues"
    folder.mkdir(parents=True)
    (folder / "harlow_hubs.csv").write_text(
        "# source: test file written by this test (synthetic)\n# licence: none\n"
        "name,type,postcode,easting,northing,opening_hours,existing,closed\n"
        "Harlow Library,library,CM20 1HA,,,,,yes\n"
        "Old Harlow Library,library,CM17 0DW,,,Tue-Sat 9-5,,\n"
        "Latton Bush Centre,community hub,CM18 7BL,,,,yes,\n"
        "Nowhere Hub,community hub,ZZ9 9ZZ,,,,yes,\n"
        "Sea Hub,community hub,,900000,100000,,yes,\n"
        "Maybe Hub,community hub,CM20 1AB,,,,perhaps,\n",
        encoding="utf-8",
    )
    con = duck.connect()
    for table in ("gp_sites", "lad_boundaries", "codepoint_open"):
        paths.table_path(table).symlink_to(real_run.live / f"{table}.parquet")
        con.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet('{paths.table_path(table)}')")
    result = build_venues(con, paths, load_settings())
    venues = {
        r[0]: r[1:]
        for r in con.execute(
            f"SELECT name, role, opening_hours, source_key FROM read_parquet('{paths.table_path('venues')}')"
        ).fetchall()
    }
    assert "Harlow Library" not in venues
    assert venues["Old Harlow Library"] == ("existing", "Tue-Sat 9-5", "libraries")
    assert venues["Latton Bush Centre"] == ("existing", None, "user_venues")
    reasons = {(r[1], r[4]) for r in result.rejects.rows if r[0] == "data/raw/venues/harlow_hubs.csv"}
    assert reasons == {
        (7, "postcode not in Code-Point Open (unknown or without a position)"),  # lines of the file
        (8, "easting outside Great Britain (1-700000 m)"),
        (9, "not yes or no"),
    }
    closed = [r for r in result.rejects.rows if r[4].startswith("closed, says")]
    assert [(r[3], r[4]) for r in closed] == [("Harlow Library", "closed, says data/raw/venues/harlow_hubs.csv")]


def test_method_quotes_the_published_straight_line_check_with_its_interval(real_run):
    """docs/METHOD.md reports the Spearman correlation the run publishes, to two decimals, with its interval."""
    import re

    from pipeline.paths import PROJECT_ROOT

    rho, low, high, n = real_run.sql(
        f"SELECT spearman_rho, rho_ci_low, rho_ci_high, lsoas FROM {real_run.table('access_validation')}"
    )[0]
    method = (PROJECT_ROOT / "docs" / "METHOD.md").read_text(encoding="utf-8")
    quoted = re.search(r"rho = (0\.\d\d) \(95%\s+interval (0\.\d\d) to (0\.\d\d)\), (\d+) neighbourhoods", method)
    assert quoted, "METHOD.md does not quote the straight-line check"
    assert quoted.groups() == (f"{rho:.2f}", f"{low:.2f}", f"{high:.2f}", str(n))


def test_library_hours_say_each_run_of_days_once_in_the_lists_own_words():
    from pipeline.lookup import grouped_hours

    week = "; ".join(f"{d} All Day (continuous)" for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat")) + "; Sun PM Only"
    assert grouped_hours(week) == "Mon-Sat All Day (continuous); Sun PM Only"
    split = "Mon Closed; Tue Closed; Wed AM Only; Thu AM & PM (continuous); Fri AM & PM (continuous); Sat AM Only"
    assert grouped_hours(split) == "Mon-Tue Closed; Wed AM Only; Thu-Fri AM & PM (continuous); Sat AM Only"
    assert grouped_hours("9am to 5pm weekdays") == "9am to 5pm weekdays"  # a user file's own words, untouched
    assert grouped_hours(None) is None
