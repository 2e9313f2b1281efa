"""A step's inputs, as its ``Step`` entry declares them and nothing else.

Before a builder runs, the runner exposes each table the step declares in ``Step.deps`` as a view
of the same name (``register_inputs``), as a Dagster IO manager's ``load_input`` would, and hands
the builder a ``StepPaths`` whose ``table_path`` knows only those tables and the step's own: a
builder that reads a table its entry does not declare fails at once, in the tests, rather than
letting the lineage drift.

Tables made on the configured small-area vintage (``lsoa_areas``, ``postcodes``, the scores...)
say so in their file and are shown with the neutral ``lsoa_code``/``lsoa_name`` names; national
source tables keep their own codes (``lsoa21cd`` in the Census and IoD 2025, ``lsoa11cd`` in IMD
2019 and the IUC) and reach a vintage through ``lsoa_crosswalk``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.errors import DizError
from pipeline.geography import Vintage
from pipeline.paths import Paths
from pipeline.sqlfiles import quote, register_parquet


class UndeclaredInput(DizError):
    """A builder asked for a table its Step entry does not list in ``deps``."""


@dataclass(frozen=True)
class StepPaths(Paths):
    """The generation's paths as one step may use them: its declared inputs and its own outputs."""

    step: str = ""
    inputs: frozenset[str] = field(default_factory=frozenset)
    outputs: frozenset[str] = field(default_factory=frozenset)

    def table_path(self, name: str) -> Path:
        if name not in self.inputs and name not in self.outputs:
            raise UndeclaredInput(
                f"step {self.step} reads table {name!r}, which its Step entry in pipeline/steps.py "
                "does not list in deps"
            )
        return super().table_path(name)


def for_step(paths: Paths, step) -> StepPaths:
    """``paths`` narrowed to what ``step`` declares."""
    return StepPaths(
        root=paths.root,
        mirror=paths.mirror,
        out=paths.out,
        step=step.name,
        inputs=frozenset(step.deps),
        outputs=frozenset(step.assets),
    )


def register_inputs(con: duckdb.DuckDBPyConnection, paths: Paths, names) -> list[str]:
    """A view per declared input that is a table (assets made of other files are read as files)."""
    registered = []
    for name in names:
        path = Paths.table_path(paths, name)
        if path.exists():
            register_parquet(con, name, path)
            registered.append(name)
    return registered


def use(con: duckdb.DuckDBPyConnection, paths: Paths, *names: str) -> None:
    """Views of tables the step has just written itself, to build its next table from."""
    for name in names:
        register_parquet(con, name, paths.table_path(name))


def use_crosswalk(con: duckdb.DuckDBPyConnection, paths: Paths, vintage: Vintage) -> None:
    """``lsoa_crosswalk`` with ``lsoa_code``, the vintage's side of each pair, and ``in_study``."""
    path = quote(str(paths.table_path("lsoa_crosswalk")))
    in_study = "lsoa21_in_study" if vintage.year == 2021 else "true"
    con.execute(f"""CREATE OR REPLACE TEMP VIEW lsoa_crosswalk AS
        SELECT *, {vintage.code} AS lsoa_code, {in_study} AS in_study FROM read_parquet({path})""")
