"""Where new venues would reach most people in need: a maximal covering location model (Church and
ReVelle, 1974), solved exactly by PySAL spopt's ``MCLP`` with PuLP's CBC solver.

Demand is each neighbourhood's need-weighted residents (residents x need score / 10) at where its
people live; a neighbourhood is covered when a venue lies within ``access.reach_km`` in a straight
line. Existing venues are predefined facilities (always open); k new venues are chosen among the
candidate sites to maximise the need-weighted residents covered, for k = 1 .. ``siting_max_k``. Each
k is solved on its own, so the best three sites need not include the best two: the curve says where
a solution is not nested in the one before.

``siting_by_district`` answers the briefing's question for one district: of its high-need residents
beyond reach, how many would the best single new site reach (every candidate tried; exact).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pulp
import pyarrow as pa
from spopt.locate import MCLP

from pipeline.duck import exact
from pipeline.ingest.result import AssetResult, derived
from pipeline.paths import Paths
from pipeline.settings import Settings
from pipeline.store import drawn_from, write_parquet


@dataclass
class Instance:
    """A covering problem: demand points with weights, existing venues and candidate sites (metres)."""

    demand_xy: np.ndarray  # (n, 2)
    weights: np.ndarray  # (n,)
    existing_xy: np.ndarray  # (e, 2)
    candidate_xy: np.ndarray  # (c, 2)
    reach_m: float

    def covers(self, xy: np.ndarray) -> np.ndarray:
        """(n, len(xy)) booleans: which demand points each site covers."""
        if not len(xy):
            return np.zeros((len(self.demand_xy), 0), dtype=bool)
        d = np.sqrt(((self.demand_xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
        return d <= self.reach_m


def solve(instance: Instance, k: int) -> tuple[list[int], float]:
    """The candidate sites (indices) of an optimal solution with k new venues, and the need-weighted demand
    covered (existing venues included)."""
    return solve_each(instance, [k])[k]


def solve_each(instance: Instance, ks: list[int]) -> dict[int, tuple[list[int], float]]:
    """``solve`` for each k in ``ks``. The model is built once (spopt builds it in Python, the slow part) and
    solved for each k with only the right-hand side of its facility count changed: the same model, constraint
    by constraint, as one built for that k alone. Existing venues that cover no demand are left out of it."""
    existing = instance.covers(instance.existing_xy)
    useful = np.nonzero(existing.any(axis=0))[0]
    sites = np.vstack([instance.existing_xy[useful].reshape(-1, 2), instance.candidate_xy.reshape(-1, 2)])
    cost = np.sqrt(((instance.demand_xy[:, None, :] - sites[None, :, :]) ** 2).sum(axis=2))
    predefined = np.r_[np.ones(len(useful), dtype=int), np.zeros(len(instance.candidate_xy), dtype=int)]
    model = MCLP.from_cost_matrix(
        cost,
        instance.weights,
        service_radius=instance.reach_m,
        p_facilities=len(useful) + 1,
        predefined_facilities_arr=predefined if len(useful) else None,
    )
    count = list(model.problem.constraints.values())[-1]  # y0 + y1 + ... == p, the last constraint spopt adds
    if count.sense != pulp.LpConstraintEQ or {v.name for v in count} != {v.name for v in model.fac_vars}:
        raise RuntimeError("spopt's MCLP model no longer ends with its facility count (y0 + y1 + ... = p)")
    out = {}
    for k in ks:
        count.changeRHS(len(useful) + min(k, len(instance.candidate_xy)))
        model.solve(pulp.PULP_CBC_CMD(msg=False), results=False)
        opened = [j for j, var in enumerate(model.fac_vars) if var.value() and var.value() > 0.5]
        covered = instance.covers(sites[opened]).any(axis=1)
        out[k] = (sorted(j - len(useful) for j in opened if j >= len(useful)), float(instance.weights[covered].sum()))
    return out


def covered_by(instance: Instance, chosen: list[int]) -> np.ndarray:
    """Demand points within reach of an existing venue or a chosen candidate."""
    sites = np.vstack([instance.existing_xy.reshape(-1, 2), instance.candidate_xy[chosen].reshape(-1, 2)])
    return instance.covers(sites).any(axis=1)


# lsoa_access columns a plain count of residents within or beyond reach rests on (no need score).
PLACED = ("easting", "northing", "residents_2021", "beyond_reach", "residents_beyond_reach")
# Per table, the columns that are counts over existing venues only (or all residents) in every row, and the
# lsoa_access columns each sums. Counts with new venues rest on the sites the need-weighted model (or the
# high-need count) chose, so on every source.
RESIDENT_COUNTS = {
    "siting_curve": {"residents_total": PLACED},
    "siting_by_district": {
        "residents_beyond_reach": PLACED,
        "high_need_residents_beyond_reach": (*PLACED, "high_need_residents_beyond_reach"),
    },
}
CURVE = pa.schema(
    [
        ("area_name", pa.string()),
        ("k", pa.int64()),
        ("new_sites", pa.string()),
        ("need_weighted_covered", pa.float64()),
        ("need_weighted_total", pa.float64()),
        ("pct_covered", pa.float64()),
        ("residents_covered", pa.int64()),
        ("residents_total", pa.int64()),
        ("residents_beyond_reach", pa.int64()),
        ("high_need_residents_covered", pa.int64()),
        ("high_need_residents_total", pa.int64()),
        ("high_need_residents_beyond_reach", pa.int64()),
        ("gain_need_weighted", pa.float64()),
        ("gain_residents", pa.int64()),
        ("gain_high_need_residents", pa.int64()),
        ("nested_in_next", pa.bool_()),
        ("contains_previous", pa.bool_()),
    ]
)
SITES = pa.schema(
    [
        ("k", pa.int64()),
        ("venue_id", pa.string()),
        ("name", pa.string()),
        ("venue_type", pa.string()),
        ("postcode", pa.string()),
        ("lad_code", pa.string()),
        ("easting", pa.float64()),
        ("northing", pa.float64()),
        ("residents_reached_only_by_it", pa.int64()),
        ("high_need_residents_reached_only_by_it", pa.int64()),
    ]
)
DISTRICT = pa.schema(
    [
        ("lad_code", pa.string()),
        ("lad_name", pa.string()),
        ("residents_beyond_reach", pa.int64()),
        ("high_need_residents_beyond_reach", pa.int64()),
        ("best_site", pa.string()),
        ("best_site_id", pa.string()),
        ("best_site_type", pa.string()),
        ("best_site_postcode", pa.string()),
        ("best_site_lad_code", pa.string()),
        ("high_need_residents_it_reaches", pa.int64()),
        ("residents_it_reaches", pa.int64()),
    ]
)


def build_venue_siting(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    exact(con)
    cfg = settings.access
    demand = con.execute("""SELECT lsoa_code, lad_code, lad_name, easting, northing, need_weighted_residents,
                                   residents_2021, high_need FROM lsoa_access ORDER BY lsoa_code""").fetchall()
    existing = con.execute("SELECT easting, northing FROM venues WHERE role = 'existing' ORDER BY venue_id").fetchall()
    candidates = con.execute("""SELECT venue_id, name, venue_type, postcode, lad_code, easting, northing
                                FROM venues WHERE role = 'candidate' ORDER BY venue_id""").fetchall()
    inst = Instance(
        np.array([[d[3], d[4]] for d in demand], dtype=float).reshape(-1, 2),
        np.array([d[5] or 0 for d in demand], dtype=float),
        np.array(existing, dtype=float).reshape(-1, 2),
        np.array([[c[5], c[6]] for c in candidates], dtype=float).reshape(-1, 2),
        cfg.reach_km * 1000,
    )
    residents = np.array([d[6] or 0 for d in demand], dtype=float)
    high = residents * np.array([bool(d[7]) for d in demand])
    curve, sites, previous = [], [], []
    ks = list(range(1, min(cfg.siting_max_k, len(candidates)) + 1))
    solutions = {0: []} | {k: chosen for k, (chosen, _) in solve_each(inst, ks).items()}
    for k, chosen in solutions.items():
        cov = covered_by(inst, chosen)
        row = {
            "area_name": settings.study_area.name,
            "k": k,
            "new_sites": "; ".join(candidates[j][1] for j in chosen),
            "need_weighted_covered": round(float(inst.weights[cov].sum()), 1),
            "need_weighted_total": round(float(inst.weights.sum()), 1),
            "pct_covered": round(100 * float(inst.weights[cov].sum() / inst.weights.sum()), 1)
            if inst.weights.sum()
            else None,
            "residents_covered": int(residents[cov].sum()),
            "residents_total": int(residents.sum()),
            "high_need_residents_covered": int(high[cov].sum()),
            "high_need_residents_total": int(high.sum()),
            "residents_beyond_reach": int(residents[~cov].sum()),
            "high_need_residents_beyond_reach": int(high[~cov].sum()),
            "contains_previous": set(previous) <= set(chosen),
            "nested_in_next": None,
        }
        if curve:
            last = curve[-1]
            last["nested_in_next"] = row["contains_previous"]
            row |= {
                "gain_need_weighted": round(row["need_weighted_covered"] - last["need_weighted_covered"], 1),
                "gain_residents": row["residents_covered"] - last["residents_covered"],
                "gain_high_need_residents": row["high_need_residents_covered"] - last["high_need_residents_covered"],
            }
        curve.append(row)
        for j in chosen:
            alone = cov & ~covered_by(inst, [i for i in chosen if i != j])
            c = candidates[j]
            sites.append(
                {
                    "k": k,
                    "venue_id": c[0],
                    "name": c[1],
                    "venue_type": c[2],
                    "postcode": c[3],
                    "lad_code": c[4],
                    "easting": c[5],
                    "northing": c[6],
                    "residents_reached_only_by_it": int(residents[alone].sum()),
                    "high_need_residents_reached_only_by_it": int(high[alone].sum()),
                }
            )
        previous = chosen
    districts = _by_district(inst, demand, candidates, residents, high)
    read = (
        "lsoa_code",
        "lad_code",
        "lad_name",
        "easting",
        "northing",
        "need_weighted_residents",
        "residents_2021",
        "high_need",
        "beyond_reach",
    )
    sources = drawn_from((paths.table_path("lsoa_access"), read), paths.table_path("venues"))
    # A count of residents within or beyond reach rests on where people live, the venues and the Census; the
    # need score (and its sources) enters only the need-weighted and high-need figures and the model's choice.
    access = paths.table_path("lsoa_access")
    note = (
        f"Maximal covering location model (PySAL spopt MCLP, CBC): k new venues among the candidate sites, "
        f"existing venues kept, maximising need-weighted residents within {cfg.reach_km:g} km in a straight line. "
        "Each k is solved on its own: a solution need not contain the one before (contains_previous)."
    )
    out = []
    for name, rows, schema, order in (
        ("siting_curve", curve, CURVE, "k"),
        ("venue_siting", sites, SITES, "k, name, venue_id"),
        ("siting_by_district", districts, DISTRICT, "lad_name"),
    ):
        con.register("_rows", pa.Table.from_pylist(rows, schema=schema))
        written = write_parquet(
            con,
            f"SELECT * FROM _rows ORDER BY {order}",
            paths.table_path(name),
            sources=sources,
            notes=note,
            columns={c: list(drawn_from((access, read))) for c, read in RESIDENT_COUNTS.get(name, {}).items()},
        )
        con.unregister("_rows")
        out.append(derived(name, written))
    out[0].counts = {
        "candidates": len(candidates),
        "existing_venues": len(existing),
        "pct_covered": {r["k"]: r["pct_covered"] for r in curve},
        "not_nested": [r["k"] for r in curve if r["k"] and not r["contains_previous"]],
    }
    return out


def _by_district(inst: Instance, demand: list, candidates: list, residents: np.ndarray, high: np.ndarray) -> list[dict]:
    """Per district: residents and high-need residents beyond reach, and the one candidate site reaching most
    of those high-need residents (then most residents beyond reach; then by name)."""
    beyond = ~covered_by(inst, [])
    reach = inst.covers(inst.candidate_xy)
    rows = []
    for lad in sorted({(d[1], d[2]) for d in demand}, key=lambda x: x[1]):
        mine = beyond & np.array([d[1] == lad[0] for d in demand])
        row = {
            "lad_code": lad[0],
            "lad_name": lad[1],
            "residents_beyond_reach": int(residents[mine].sum()),
            "high_need_residents_beyond_reach": int(high[mine].sum()),
        }
        if len(candidates) and mine.any():
            gains = [
                (-(high[mine & reach[:, j]].sum()), -(residents[mine & reach[:, j]].sum()), candidates[j][1], j)
                for j in range(len(candidates))
            ]
            best = min(gains)
            if best[1] < 0:
                c = candidates[best[3]]
                row |= {
                    "best_site": c[1],
                    "best_site_id": c[0],
                    "best_site_type": c[2],
                    "best_site_postcode": c[3],
                    "best_site_lad_code": c[4],
                    "high_need_residents_it_reaches": int(-best[0]),
                    "residents_it_reaches": int(-best[1]),
                }
        rows.append(row)
    return rows
