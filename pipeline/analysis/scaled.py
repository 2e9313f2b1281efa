"""``lsoa_scaled_scores``: every indicator's 0-10 score for every study-area LSOA under each scaling base,
as published (``lsoa_indicators`` as it is) and under each IUC group-to-score mapping.

The rank uncertainty draws from these, and the what-if page recomputes need from them. No weight reaches
them, so a weight change re-uses them instead of scaling every indicator again in both steps (and reading
England's values from the national files for each). Both steps build their matrices from this one table
(``matrices``), so they rank from the same numbers as before, to the last bit.
"""

from __future__ import annotations

import typing

import duckdb
import numpy as np

from pipeline.analysis.indicators import engagement_variants
from pipeline.analysis.scores import prepare, scale
from pipeline.duck import exact
from pipeline.ingest.result import AssetResult, derived
from pipeline.paths import Paths
from pipeline.settings import Index, Settings
from pipeline.sqlfiles import quote
from pipeline.store import inherited, write_parquet

BASES = typing.get_args(Index.model_fields["scaling_base"].annotation)  # every base a setting may name
PUBLISHED = ""  # the variant of the rows scaled from lsoa_indicators as it is (its configured IUC mapping)


def drawn_variants(settings: Settings) -> list[str]:
    """The IUC mappings the rank uncertainty draws among: settings [uncertainty] iuc_variants, else every one in
    the config file, in name order."""
    _, mapping = engagement_variants(settings.engagement_path)
    return list(settings.uncertainty.iuc_variants or sorted(mapping))


def variants(settings: Settings) -> list[str]:
    """The same mappings, the configured one first."""
    default, _ = engagement_variants(settings.engagement_path)
    return [default] + [v for v in drawn_variants(settings) if v != default]


def build_scaled_scores(con: duckdb.DuckDBPyConnection, paths: Paths, settings: Settings) -> AssetResult:
    exact(con)
    prepare(con, paths, settings)
    con.execute("""CREATE OR REPLACE TEMP TABLE _scaled (base VARCHAR, variant VARCHAR, lsoa_code VARCHAR,
                   indicator VARCHAR, score DOUBLE)""")
    for base in BASES:  # as build_scores scales the published indicators
        scale(con, base, "_published")
        con.execute(
            f"INSERT INTO _scaled SELECT {quote(base)}, {quote(PUBLISHED)}, lsoa_code, indicator, score FROM _published"
        )
    for variant in variants(settings):
        # the IUC risk values under this variant, for the study area and the national range
        con.execute(f"""CREATE OR REPLACE TEMP VIEW indicators_variant AS
            SELECT i.* REPLACE (CASE WHEN i.indicator = 'iuc_risk' THEN m.iuc_risk ELSE i.value END AS value)
            FROM lsoa_indicators i
            LEFT JOIN (SELECT lsoa_code, value::INTEGER AS g FROM lsoa_indicators WHERE indicator = 'iuc_group') grp
                USING (lsoa_code)
            LEFT JOIN iuc_mapping m ON m.variant = {quote(variant)} AND m.iuc_group = grp.g""")
        con.execute(f"""CREATE OR REPLACE TEMP VIEW national_variant AS
            SELECT indicator, value FROM national_values WHERE indicator <> 'iuc_risk'
            UNION ALL SELECT 'iuc_risk', m.iuc_risk FROM iuc2018 i JOIN iuc_mapping m
                ON m.iuc_group = i.iuc_group AND m.variant = {quote(variant)} WHERE i.lsoa11cd LIKE 'E%'""")
        for base in BASES:
            scale(con, base, "_drawn", indicators="indicators_variant", national="national_variant")
            con.execute(
                f"INSERT INTO _scaled SELECT {quote(base)}, {quote(variant)}, lsoa_code, indicator, score FROM _drawn"
            )
    written = write_parquet(
        con,
        """SELECT s.*, s.indicator IN (SELECT indicator FROM national_values WHERE value IS NOT NULL) AS national
           FROM _scaled s ORDER BY base, variant, lsoa_code, indicator""",
        paths.table_path("lsoa_scaled_scores"),
        sources=inherited(paths.table_path("lsoa_indicators")),
        notes=f"variant '{PUBLISHED}': lsoa_indicators as published; else the IUC mapping named",
    )
    return derived("lsoa_scaled_scores", written, {"bases": list(BASES), "variants": variants(settings)})


def matrices(
    con: duckdb.DuckDBPyConnection, lsoas: list[str], indicators: list[str], pairs: list[tuple[str, str]]
) -> dict[tuple[str, str], np.ndarray]:
    """(base, variant) -> LSOA x indicator matrix of 0-10 scores (NaN where missing), for each pair in order,
    from ``lsoa_scaled_scores``."""
    at_l = {c: i for i, c in enumerate(lsoas)}
    at_i = {c: i for i, c in enumerate(indicators)}
    out = {}
    for base, variant in pairs:
        matrix = np.full((len(lsoas), len(indicators)), np.nan)
        rows = con.execute(
            "SELECT lsoa_code, indicator, score FROM lsoa_scaled_scores WHERE base = $b AND variant = $v",
            {"b": base, "v": variant},
        ).fetchall()
        if not rows:
            raise ValueError(f"lsoa_scaled_scores has no rows for base {base!r} and IUC mapping {variant!r}")
        for lsoa, indicator, score in rows:
            if indicator in at_i and lsoa in at_l:
                matrix[at_l[lsoa], at_i[indicator]] = score
        out[(base, variant)] = matrix
    return out


def national_indicators(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The indicators with values for England (the 'england' base scales them on England's range)."""
    return {r[0] for r in con.execute("SELECT DISTINCT indicator FROM lsoa_scaled_scores WHERE national").fetchall()}
