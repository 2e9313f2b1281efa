"""One typing layer for every reader: the SQL macros read numbers exactly as publishers write them
(thousands separators only in groups of three, finite values) and say why a value cannot be a kind."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("raw, value", [
    ("12", 12.0), ("1,234", 1234.0), ("12,345.6", 12345.6), (" 7 ", 7.0), ("-3.5", -3.5), (".5", 0.5),
    ("1e3", 1000.0), ("0,249", None), ("1,2345", None), ("12,34", None), ("1e999", None), ("nan", None),
    ("inf", None), ("12.", None), ("abc", None), ("", None), (None, None),
])
def test_numbers_are_read_exactly_as_published_or_not_at_all(con, raw, value):
    assert con.execute("SELECT as_number($r)", {"r": raw}).fetchone()[0] == value


@pytest.mark.parametrize("raw, kind, problem", [
    ("55.5", "percentage", None), ("100.1", "percentage", "outside 0-100"), ("-1", "percentage", "outside 0-100"),
    ("0.249", "rate", None), ("249", "rate", "outside 0-1"), ("0,249", "rate", "not a number"),
    ("1e999", "score", "not a finite number"), ("-12.5", "score", None),
    ("1,024", "count", None), ("3.5", "count", "not a whole number >= 0"), ("-2", "count", "not a whole number >= 0"),
    ("1", "rank", None), ("0", "rank", "not a whole number >= 1"), ("", "rate", None),
])
def test_each_kind_says_why_a_value_cannot_be_one(con, raw, kind, problem):
    assert con.execute("SELECT kind_problem($r, $k)", {"r": raw, "k": kind}).fetchone()[0] == problem
    typed = con.execute("SELECT as_kind($r, $k)", {"r": raw, "k": kind}).fetchone()[0]
    assert (typed is None) == (problem is not None or raw == "")
