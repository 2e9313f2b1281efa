"""One typing layer for every reader: the SQL macros read numbers exactly as publishers write them
(thousands separators only in groups of three, finite values) and say why a value cannot be a kind."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "raw, value",
    [
        ("12", 12.0),
        ("1,234", 1234.0),
        ("12,345.6", 12345.6),
        (" 7 ", 7.0),
        ("-3.5", -3.5),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("0,249", None),
        ("1,2345", None),
        ("12,34", None),
        ("1e999", None),
        ("nan", None),
        ("inf", None),
        ("12.", None),
        ("abc", None),
        ("", None),
        (None, None),
    ],
)
def test_numbers_are_read_exactly_as_published_or_not_at_all(con, raw, value):
    assert con.execute("SELECT as_number($r)", {"r": raw}).fetchone()[0] == value


@pytest.mark.parametrize(
    "raw, kind, problem",
    [
        ("55.5", "percentage", None),
        ("100.1", "percentage", "outside 0-100"),
        ("-1", "percentage", "outside 0-100"),
        ("0.249", "rate", None),
        ("249", "rate", "outside 0-1"),
        ("0,249", "rate", "not a number"),
        ("1e999", "score", "not a finite number"),
        ("-12.5", "score", None),
        ("1,024", "count", None),
        ("3.5", "count", "not a whole number >= 0"),
        ("-2", "count", "not a whole number >= 0"),
        ("1", "rank", None),
        ("0", "rank", "not a whole number >= 1"),
        ("", "rate", None),
    ],
)
def test_each_kind_says_why_a_value_cannot_be_one(con, raw, kind, problem):
    assert con.execute("SELECT kind_problem($r, $k)", {"r": raw, "k": kind}).fetchone()[0] == problem
    typed = con.execute("SELECT as_kind($r, $k)", {"r": raw, "k": kind}).fetchone()[0]
    assert (typed is None) == (problem is not None or raw == "")


KINDS = ("percentage", "rate", "score", "count", "rank")
CELLS = [
    "12",
    "-0.031",
    "0",
    "-0",
    "100",
    "100.0",
    "100.01",
    "0.5",
    "1",
    "1.0",
    "3.5",
    "-2",
    "007",
    "1" * 15,
    "1" * 16,
    "1" * 400,
    "1" * 400 + ".5",
    "12.",
    ".5",
    " 7",
    "1,024",
    "1e3",
    "nan",
    "inf",
    "-",
    "",
    None,
    "0.1234567890123456789",
]


@pytest.mark.parametrize("kind", KINDS)
def test_a_plain_decimal_is_typed_as_the_long_way_types_it(con, kind):
    """as_kind reads most cells by a plain cast: for every cell, it must give what as_number and the kind's rule
    give."""
    long_way = "list_transform([as_number(raw)], n -> CASE WHEN kind_problem_of(raw, n, kind) IS NULL THEN n END)[1]"
    rows = con.execute(
        f"SELECT raw, as_kind(raw, $k) IS NOT DISTINCT FROM {long_way.replace('kind)', '$k)')}, as_kind(raw, $k) "
        "FROM (SELECT unnest($cells::VARCHAR[]) AS raw)",
        {"k": kind, "cells": CELLS},
    ).fetchall()
    assert [r for r in rows if not r[1]] == []
    assert sum(r[2] is not None for r in rows) >= 3  # the comparison is over values, not only NULLs


@pytest.mark.parametrize(
    "raw, kind, low, high, problem",
    [
        ("29,199", "rank", 1, 32844, None),
        ("40,000", "rank", 1, 32844, "outside 1-32,844"),
        ("0", "rank", 1, 10, "not a whole number >= 1"),
        ("11", "rank", 1, 10, "outside 1-10"),
        ("0.249", "rate", None, None, None),
        ("1500.5", "count", 0, 10_000_000, "not a whole number >= 0"),
        ("12,000,001", "count", 0, 10_000_000, "outside 0-10,000,000"),
        ("29,19,9", "rank", 1, 32844, "not a number"),
    ],
)
def test_a_bounded_kind_names_its_range(con, raw, kind, low, high, problem):
    assert (
        con.execute("SELECT kind_range_problem($r, $k, $l, $h)", {"r": raw, "k": kind, "l": low, "h": high}).fetchone()[
            0
        ]
        == problem
    )


@pytest.mark.parametrize(
    "code, kind, ok",
    [
        ("E01021819", "lsoa", True),
        ("W01000001", "lsoa", True),
        ("S01000001", "lsoa", False),
        ("E0102181", "lsoa", False),
        ("E07000073", "gss", True),
        ("E38000049", "ccg", True),
        ("E07000073", "ccg", False),
        ("F81027", "ods", True),
        ("F81-27", "ods", False),
        ("CM20", "postcode_district", True),
        ("C M", "postcode_district", False),
        (None, "lsoa", False),
        ("E01021819", "no such kind", False),
    ],
)
def test_codes_are_recognised_by_kind(con, code, kind, ok):
    assert con.execute("SELECT is_code($c, $k)", {"c": code, "k": kind}).fetchone()[0] is ok


def test_a_rows_problem_is_its_first_failed_check_naming_field_value_and_reason(con):
    got = con.execute("""SELECT first_problem([
            code_check(' E01021819 ', 'lsoa', 'LSOA code', 'LSOA code'),
            required_value('', NULL, 'count', 'Total'),
            kind_check('0,249', 'rate', 'Income Score')])""").fetchone()[0]
    assert got == {"field": "Total", "value": "", "reason": "missing value", "kind": "invalid"}
    bad_code = con.execute("SELECT code_check('E0102', 'lsoa', 'LSOA11CD', 'LSOA (2011) code')").fetchone()[0]
    assert bad_code == {
        "field": "LSOA11CD",
        "value": "E0102",
        "reason": "malformed LSOA (2011) code",
        "kind": "invalid",
    }
    assert (
        con.execute(
            "SELECT first_problem([code_check('E01021819', 'lsoa', 'c', 'x'), "
            "optional_value(' ', NULL, 'percentage', 'p')])"
        ).fetchone()[0]
        is None
    )
    scope = con.execute("SELECT out_of_scope_if(true, 'nation', 'S', 'not English')").fetchone()[0]
    assert scope["kind"] == "out_of_scope"
