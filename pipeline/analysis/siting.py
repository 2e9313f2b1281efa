"""Where new venues would reach most people in need: a maximal covering location model (Church and
ReVelle, 1974), solved exactly as a mixed-integer programme with PuLP's CBC solver.

Demand is each neighbourhood's need-weighted residents (residents x need score / 10) at where its
people live; a neighbourhood is covered when a venue lies within ``access.reach_km`` in a straight
line. Existing venues are predefined facilities (always open); k new venues are chosen among the
candidate sites to maximise the need-weighted residents covered, for k = 1 .. ``siting_max_k``. Each
k is solved on its own, so the best three sites need not include the best two: the curve says where
a solution is not nested in the one before.

The model is PySAL spopt's MCLP written sparsely: spopt builds a dense demand x site distance matrix
(for England, 33,755 neighbourhoods x thousands of sites: gigabytes), where only the pairs within reach
enter the model. The pairs come from a k-d tree; demand an existing venue already covers is a constant,
and demand no candidate reaches cannot change the answer, so neither enters it. The tests check that it
reaches the optimum spopt's MCLP reaches.

``siting_by_district`` answers the briefing's question for one district: of its high-need residents
beyond reach, how many would the best single new site reach (every candidate tried; exact).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import duckdb
import numpy as np
import pulp
import pyarrow as pa
from scipy import sparse
from scipy.spatial import cKDTree

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

    def reached(self, xy: np.ndarray) -> sparse.csc_matrix:
        """(n, len(xy)) sparse booleans: which demand points each site covers (within reach, k-d tree)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if not len(xy) or not len(self.demand_xy):
            return sparse.csc_matrix((len(self.demand_xy), len(xy)), dtype=bool)
        pairs = cKDTree(xy).query_ball_point(self.demand_xy, self.reach_m)
        rows = np.repeat(np.arange(len(pairs)), [len(p) for p in pairs])
        cols = np.fromiter((j for p in pairs for j in p), dtype=np.int64, count=len(rows))
        return sparse.csc_matrix(
            (np.ones(len(rows), dtype=bool), (rows, cols)), shape=(len(self.demand_xy), len(xy)), dtype=bool
        )

    @cached_property
    def candidate_reach(self) -> sparse.csc_matrix:
        return self.reached(self.candidate_xy)

    @cached_property
    def existing_covered(self) -> np.ndarray:
        return np.asarray(self.reached(self.existing_xy).sum(axis=1)).ravel() > 0


def solve(instance: Instance, k: int) -> tuple[list[int], float]:
    """The candidate sites (indices) of an optimal solution with k new venues, and the need-weighted demand
    covered (existing venues included)."""
    return solve_each(instance, [k])[k]


def solve_each(instance: Instance, ks: list[int]) -> dict[int, tuple[list[int], float]]:
    """``solve`` for each k in ``ks``: the model is built once and solved for each k with only the
    right-hand side of its facility count changed (y_1 + ... + y_c = k)."""
    reach = instance.candidate_reach.tocsr()
    open_demand = ~instance.existing_covered & (np.diff(reach.indptr) > 0) & (instance.weights > 0)
    model = pulp.LpProblem("mclp", pulp.LpMaximize)
    y = [pulp.LpVariable(f"y{j}", cat="Binary") for j in range(len(instance.candidate_xy))]
    z = {i: pulp.LpVariable(f"z{i}", cat="Binary") for i in np.nonzero(open_demand)[0]}
    model += pulp.lpSum(float(instance.weights[i]) * zi for i, zi in z.items())
    for i, zi in z.items():  # a demand point counts as covered only if a chosen site reaches it
        model += zi <= pulp.lpSum(y[j] for j in reach.indices[reach.indptr[i] : reach.indptr[i + 1]])
    count = pulp.lpSum(y) == 0
    model += count, "facility_count"
    out = {}
    for k in ks:
        model.constraints["facility_count"].changeRHS(min(k, len(y)))
        model.solve(pulp.PULP_CBC_CMD(msg=False))
        chosen = sorted(j for j, var in enumerate(y) if var.value() and var.value() > 0.5)
        out[k] = (chosen, float(instance.weights[covered_by(instance, chosen)].sum()))
    return out


def covered_by(instance: Instance, chosen: list[int]) -> np.ndarray:
    """Demand points within reach of an existing venue or a chosen candidate."""
    picked = instance.candidate_reach[:, list(chosen)]
    return instance.existing_covered | (np.asarray(picked.sum(axis=1)).ravel() > 0)


# lsoa_access columns a plain count of residents within or beyond reach rests on (no need score).
PLACED = ("easting", "northing", "residents_2021", "beyond_reach", "residents_beyond_reach")
# Per table, the columns that are counts over existing venues only (or all residents) in every row, and the
# lsoa_access columns each sums. Counts with new venues rest on the sites the need-weighted model (or the
# high-need count) chose, so on every source.
HIGH_NEED = (*PLACED, "high_need_residents_beyond_reach")
NEED_WEIGHTED = (*PLACED, "need_weighted_residents")
RESIDENT_COUNTS = {
    "siting_curve": {
        "residents_total": PLACED,
        "high_need_residents_total": HIGH_NEED,
        "need_weighted_total": NEED_WEIGHTED,
    },
    "siting_by_district": {"residents_beyond_reach": PLACED, "high_need_residents_beyond_reach": HIGH_NEED},
}
# The curve's row for k = 0 counts existing venues only: none of its figures rests on what chose new sites
# (the candidate GP sites, their postcodes and, for a plain count of residents, the need score).
EXISTING_ONLY = {
    "siting_curve": {
        **dict.fromkeys(("residents_covered", "residents_beyond_reach"), PLACED),
        **dict.fromkeys(("high_need_residents_covered", "high_need_residents_beyond_reach"), HIGH_NEED),
        **dict.fromkeys(("need_weighted_covered", "pct_covered"), NEED_WEIGHTED),
    }
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
        "Maximal covering location model (PySAL spopt's MCLP, solved sparsely with CBC): k new venues among the "
        f"candidate sites, existing venues kept, maximising need-weighted residents within {cfg.reach_km:g} km "
        "in a straight line. "
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
            rows={
                c: [({"k": ["0"]}, list(drawn_from((access, read))))] for c, read in EXISTING_ONLY.get(name, {}).items()
            },
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
    of those high-need residents (then most residents beyond reach; then by name). Every candidate is tried
    for every district at once: the sparse reach matrix times a district indicator."""
    beyond = ~covered_by(inst, [])
    lads = sorted({(d[1], d[2]) for d in demand}, key=lambda x: x[1])
    at = {code: i for i, (code, _) in enumerate(lads)}
    lad_of = np.array([at[d[1]] for d in demand], dtype=np.int64)
    n, shape = len(demand), (len(demand), len(lads))

    reach_t = inst.candidate_reach.T.tocsr().astype(float)

    def gains(values: np.ndarray) -> np.ndarray:
        """(candidates, districts): of each district's ``values`` beyond reach, what each candidate reaches."""
        if not len(candidates):
            return np.zeros((0, len(lads)))
        return (reach_t @ sparse.csr_matrix((values * beyond, (np.arange(n), lad_of)), shape=shape)).toarray()

    gain_high, gain_res = gains(high), gains(residents)
    name_order = np.argsort(np.argsort(np.array([c[1] or "" for c in candidates], dtype=object), kind="stable"))
    index = np.arange(len(candidates))
    rows = []
    for d, (code, name) in enumerate(lads):
        mine = beyond & (lad_of == d)
        row = {
            "lad_code": code,
            "lad_name": name,
            "residents_beyond_reach": int(residents[mine].sum()),
            "high_need_residents_beyond_reach": int(high[mine].sum()),
        }
        if len(candidates) and mine.any():
            best = np.lexsort((index, name_order, -gain_res[:, d], -gain_high[:, d]))[0]
            if gain_res[best, d] > 0:
                c = candidates[best]
                row |= {
                    "best_site": c[1],
                    "best_site_id": c[0],
                    "best_site_type": c[2],
                    "best_site_postcode": c[3],
                    "best_site_lad_code": c[4],
                    "high_need_residents_it_reaches": int(round(gain_high[best, d])),
                    "residents_it_reaches": int(round(gain_res[best, d])),
                }
        rows.append(row)
    return rows
