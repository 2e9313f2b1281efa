"""Drawings kept between runs (pipeline.outputs.kept_drawings): made once per key, a new key for anything
that shapes the drawing, and old entries pruned."""

from __future__ import annotations

import os
import time


def test_a_drawing_is_made_once_and_then_read_by_the_same_key(tmp_path):
    from pipeline.outputs.kept_drawings import kept

    code = tmp_path / "drawer.py"
    code.write_text("def draw(): ...\n")
    made = []

    def make() -> bytes:
        made.append(1)
        return b"png bytes"

    assert kept(tmp_path / "cache", "chart", code, {"rows": [[1, 2.5]]}, make) == b"png bytes"
    assert kept(tmp_path / "cache", "chart", code, {"rows": [[1, 2.5]]}, make) == b"png bytes"
    assert len(made) == 1


def test_the_values_drawn_and_the_drawing_code_each_change_the_key(tmp_path):
    from pipeline.outputs.kept_drawings import key_of

    code = tmp_path / "drawer.py"
    code.write_text("def draw(): ...\n")
    first = key_of("chart", code, {"rows": [[1, 2.5]]})
    assert key_of("chart", code, {"rows": [[1, 2.5000000001]]}) != first
    assert key_of("map", code, {"rows": [[1, 2.5]]}) != first
    code.write_text("def draw(): return 1\n")
    assert key_of("chart", code, {"rows": [[1, 2.5]]}) != first


def test_entries_unused_for_the_keep_period_are_pruned_when_a_new_one_is_stored(tmp_path):
    from pipeline.outputs.kept_drawings import KEEP_DAYS, kept

    code = tmp_path / "drawer.py"
    code.write_text("x = 1\n")
    folder = tmp_path / "cache"
    kept(folder, "chart", code, 1, lambda: b"old")
    (old,) = (folder / "chart").glob("*.bin")
    stale = time.time() - (KEEP_DAYS + 1) * 86400
    os.utime(old, (stale, stale))
    kept(folder, "chart", code, 2, lambda: b"new")
    assert [p.read_bytes() for p in (folder / "chart").glob("*.bin")] == [b"new"]


def test_the_map_backdrop_read_where_kept_is_the_one_drawn_afresh_and_new_tables_draw_it_again(real_run, tmp_path):
    """A weight change does not move the maps' bounds, lines and place names: they are kept between runs by the
    bytes of the tables they are drawn from. What is read back is what drawing them gives; and tables with
    other bytes (new boundaries) are a new key, drawn again, never an old backdrop."""
    import shutil
    from dataclasses import replace

    from pipeline import duck
    from pipeline.inputs import for_step, register_inputs
    from pipeline.outputs.mapkit import BACKDROP_TABLES, Backdrop, _backdrop, backdrop
    from pipeline.steps import BY_NAME

    gen = tmp_path / "generation"
    gen.mkdir()
    for table in BACKDROP_TABLES:
        shutil.copy2(real_run.paths.in_generation(real_run.live).table_path(table), gen / f"{table}.parquet")
    paths = for_step(replace(real_run.paths, root=tmp_path).in_generation(gen), BY_NAME["maps"])
    con = duck.connect()
    register_inputs(con, paths, BACKDROP_TABLES)
    fresh = _backdrop(con)
    first = backdrop(con, paths)
    assert len(list((tmp_path / "data" / "cache" / "map-backdrop").glob("*.bin"))) == 1
    again = backdrop(con, paths)  # read where kept
    assert first == again == Backdrop(tuple(fresh["bounds"]), fresh["wards"], fresh["districts"], fresh["labels"])
    assert again.labels and again.districts["features"]
    con.execute(f"COPY (SELECT * FROM lad_boundaries LIMIT 1) TO '{tmp_path / 'one.parquet'}' (FORMAT parquet)")
    shutil.move(tmp_path / "one.parquet", gen / "lad_boundaries.parquet")
    register_inputs(con, paths, BACKDROP_TABLES)
    redrawn = backdrop(con, paths)
    assert len(list((tmp_path / "data" / "cache" / "map-backdrop").glob("*.bin"))) == 2
    assert len(redrawn.districts["features"]) == 1 < len(first.districts["features"])
    con.close()
