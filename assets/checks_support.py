"""Small helpers for asset checks: query a table's Parquet output with DuckDB."""


import dagster as dg

from assets.resources import StorageResource
from pipeline import duck
from pipeline.sqlfiles import register_parquet


def query(storage: StorageResource, sql: str, tables: tuple[str, ...], params: dict | None = None) -> list[tuple]:
    """Rows of ``sql`` with each named table available as a view of its Parquet file(s)."""
    paths = storage.paths()
    con = duck.connect()
    try:
        for name in tables:
            single = paths.table_path(name)
            register_parquet(con, name, single if single.exists() else paths.processed / name)
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()


def count_check(storage: StorageResource, table: str, where: str, *, what: str, params: dict | None = None,
                also: tuple[str, ...] = (), severity=dg.AssetCheckSeverity.ERROR) -> dg.AssetCheckResult:
    """Pass when no row of ``table`` matches ``where``; show how many did and a few of them.

    ``also`` names further tables the condition refers to.
    """
    tables = (table, *also)
    bad = query(storage, f'SELECT count(*) FROM "{table}" WHERE {where}', tables, params)[0][0]
    meta: dict = {"failing_rows": bad}
    if bad:
        meta["examples"] = dg.MetadataValue.json([[str(v) for v in r] for r in query(
            storage, f'SELECT * EXCLUDE (geom) FROM (SELECT * FROM "{table}" WHERE {where} LIMIT 10)'
            if _has_geom(storage, table) else f'SELECT * FROM "{table}" WHERE {where} LIMIT 10', tables, params)])
    return dg.AssetCheckResult(passed=bad == 0, severity=severity, metadata=meta,
                               description=f"{bad} rows {what}" if bad else f"no rows {what}")


def expected_rows_check(storage: StorageResource, table: str, bounds: tuple[int, int]) -> dg.AssetCheckResult:
    rows = query(storage, f'SELECT count(*) FROM "{table}"', (table,))[0][0]
    low, high = bounds
    return dg.AssetCheckResult(passed=low <= rows <= high, metadata={"rows": rows, "expected_min": low,
                                                                     "expected_max": high})


def _has_geom(storage: StorageResource, table: str) -> bool:
    return any(name == "geom" for name, in query(storage, f'SELECT column_name FROM (DESCRIBE "{table}")', (table,)))
