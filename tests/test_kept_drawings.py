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
