"""Do the scores track what they claim to? ``index_validation`` compares each outcome a user drops
into ``data/raw/outcomes/`` with inclusion need, the connectivity gap, the mixed index and the
DERI-compatible index: Spearman's rank correlation with a bootstrap interval (seeded), and the
overlap of the two top deciles. Outcomes on 2011 LSOAs are carried to the configured vintage as
every 2011 value is (``carried_values.sql``). With no outcome file the table is empty and says so.
"""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pyarrow as pa
from scipy.stats import spearmanr

from pipeline.duck import exact
from pipeline.fetch import locate_each
from pipeline.geography import vintage_of
from pipeline.ingest.result import AssetResult
from pipeline.inputs import use_crosswalk
from pipeline.paths import Paths
from pipeline.readers.outcomes import read_outcome_file
from pipeline.registry import USER_OUTCOMES
from pipeline.rejects import Rejects
from pipeline.settings import Settings
from pipeline.sqlfiles import sql
from pipeline.store import inherited, write_parquet

SCORES = {
    "need_score": "inclusion need",
    "supply_gap_score": "connectivity gap",
    "mixed_score": "mixed index",
    "deri_score": "DERI-compatible index",
}
SCHEMA = pa.schema(
    [
        ("outcome_file", pa.string()),
        ("outcome", pa.string()),
        ("stated_source", pa.string()),
        ("stated_licence", pa.string()),
        ("score", pa.string()),
        ("score_label", pa.string()),
        ("lsoas", pa.int64()),
        ("spearman_rho", pa.float64()),
        ("rho_ci_low", pa.float64()),
        ("rho_ci_high", pa.float64()),
        ("top_decile_overlap", pa.float64()),
        ("top_decile_lsoas", pa.int64()),
        ("bootstrap", pa.int64()),
    ]
)
OUTCOME_ROWS = pa.schema(
    [("src_code", pa.string()), ("src_year", pa.int64()), ("key", pa.string()), ("value", pa.float64())]
)
POINTS = pa.schema(
    [
        ("outcome_file", pa.string()),
        ("outcome", pa.string()),
        ("lsoa_code", pa.string()),
        ("outcome_value", pa.float64()),
        ("need_score", pa.float64()),
        ("supply_gap_score", pa.float64()),
        ("mixed_score", pa.float64()),
        ("deri_score", pa.float64()),
    ]
)


def top_decile(values: np.ndarray) -> set[int]:
    """Indices in the highest tenth (ties at the edge all in)."""
    cut = np.sort(values)[::-1][max(0, math.ceil(len(values) / 10) - 1)]
    return set(np.nonzero(values >= cut)[0])


def compare(outcome: np.ndarray, score: np.ndarray, bootstrap: int, rng: np.random.Generator) -> dict:
    rho = float(spearmanr(score, outcome).statistic)
    n = len(outcome)
    draws = []
    for _ in range(bootstrap):
        idx = rng.integers(0, n, n)
        r = spearmanr(score[idx], outcome[idx]).statistic
        if not math.isnan(r):
            draws.append(r)
    top_s, top_o = top_decile(score), top_decile(outcome)
    return {
        "lsoas": n,
        "spearman_rho": rho,
        "rho_ci_low": float(np.percentile(draws, 2.5)) if draws else None,
        "rho_ci_high": float(np.percentile(draws, 97.5)) if draws else None,
        "top_decile_overlap": len(top_s & top_o) / len(top_s),
        "top_decile_lsoas": len(top_s),
        "bootstrap": bootstrap,
    }


def build_index_validation(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> list[AssetResult]:
    exact(con)
    vintage = vintage_of(settings)
    use_crosswalk(con, paths, vintage)
    files = locate_each(USER_OUTCOMES, paths)
    rejects, rows, points, stated = Rejects(), [], [], {}
    rows_in = kept = 0
    rng = np.random.default_rng(settings.validation.seed)
    for located in files:
        outcome = read_outcome_file(con, located)
        column = "lsoa21cd" if outcome.code_year == 2021 else "lsoa11cd"
        relevant = {
            r[0]
            for r in con.execute(f"""SELECT DISTINCT {column} FROM lsoa_crosswalk
            WHERE lsoa_code IN (SELECT lsoa_code FROM lsoa_areas)""").fetchall()
        }
        for code in sorted(set(outcome.values) - relevant, key=outcome.rows.get):
            outcome.rejects.add(
                outcome.label,
                outcome.rows[code],
                outcome.key_field,
                code,
                "LSOA outside the study area",
                "out_of_scope",
                code,
            )
        rejects = rejects + outcome.rejects
        rows_in += outcome.rows_in
        kept += len(set(outcome.values) & relevant)
        stated[located.label] = {"source": outcome.stated_source, "licence": outcome.stated_licence}
        con.register(
            "_outcome",
            pa.Table.from_pylist(
                [
                    {"src_code": c, "src_year": outcome.code_year, "key": outcome.outcome, "value": v}
                    for c, v in sorted(outcome.values.items())
                ],
                schema=OUTCOME_ROWS,
            ),
        )
        carried = con.execute(
            f"""
            SELECT c.lsoa_code, c.value, i.need_score, i.supply_gap_score, i.mixed_score, i.deri_score
            FROM ({sql("carried_values", values="_outcome")}) c JOIN lsoa_index i USING (lsoa_code)
            ORDER BY c.lsoa_code""",
            {"year": vintage.year},
        ).fetchall()
        con.unregister("_outcome")
        values = np.array([r[1] for r in carried])
        for col, label in SCORES.items():
            score = np.array([r[2 + list(SCORES).index(col)] for r in carried], dtype=float)
            ok = ~np.isnan(score) & ~np.isnan(values)
            if ok.sum() < 10:
                continue
            rows.append(
                {
                    "outcome_file": located.label,
                    "outcome": outcome.outcome,
                    "stated_source": outcome.stated_source,
                    "stated_licence": outcome.stated_licence,
                    "score": col,
                    "score_label": label,
                    **compare(values[ok], score[ok], settings.validation.bootstrap, rng),
                }
            )
        points += [
            {
                "outcome_file": located.label,
                "outcome": outcome.outcome,
                "lsoa_code": r[0],
                "outcome_value": r[1],
                "need_score": r[2],
                "supply_gap_score": r[3],
                "mixed_score": r[4],
                "deri_score": r[5],
            }
            for r in carried
        ]
    con.register("_validation", pa.Table.from_pylist(rows, schema=SCHEMA))
    con.register("_points", pa.Table.from_pylist(points, schema=POINTS))
    sources = inherited(paths.table_path("lsoa_index")) | ({USER_OUTCOMES.key: "count(*)"} if files else {})
    note = (
        (
            "No outcome file in data/raw/outcomes/: nothing to validate against (docs/METHOD.md, Validation, says how "
            "to add one)."
        )
        if not files
        else "; ".join(
            f"{k}: source {v['source']}" + (f", licence {v['licence']}" if v["licence"] else "")
            for k, v in stated.items()
        )
    )
    written = write_parquet(
        con,
        "SELECT * FROM _validation ORDER BY outcome_file, outcome, score",
        paths.table_path("index_validation"),
        sources=sources,
        notes=note,
    )
    pts = write_parquet(
        con,
        "SELECT * FROM _points ORDER BY outcome_file, outcome, lsoa_code",
        paths.table_path("validation_points"),
        sources=sources,
        vintage=vintage,
        notes=note,
    )
    con.unregister("_validation")
    con.unregister("_points")
    rejects.write(con, paths.rejects / "index_validation.parquet", [USER_OUTCOMES.key])
    summary = {f"{r['outcome']} vs {r['score_label']}": round(r["spearman_rho"], 3) for r in rows}
    counts = {"outcome_files": len(files), "spearman_rho": summary, "note": note} if files else {"note": note}
    result = AssetResult("index_validation", [written], rows_in, kept, rejects, files, counts)
    return [result, AssetResult("validation_points", [pts], pts.rows, pts.rows, Rejects(), [], {})]
