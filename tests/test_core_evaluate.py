"""How a condition is decided for one record when facts are missing: three-valued logic, as the act's
readers expect it (an unknown fact leaves a test open unless the other facts already settle it), and the
calendar functions a condition may call (mutation benchmark, issue 16: clemency/compile/evaluate.py)."""

import datetime as dt

import pytest

from clemency.act.lang import parse
from clemency.compile.evaluate import FUNCTIONS, evaluate, kleene_and, kleene_or

T, F, U = True, False, None


@pytest.mark.parametrize("a, b, both, either", [
    (T, T, T, T), (T, F, F, T), (F, T, F, T), (F, F, F, F),
    (T, U, U, T), (U, T, U, T), (F, U, F, U), (U, F, F, U), (U, U, U, U),
])
def test_and_or_with_an_unknown_fact(a, b, both, either):
    env = {"a": a, "b": b}
    assert evaluate(parse("a and b"), env) is both
    assert evaluate(parse("a or b"), env) is either
    assert kleene_and([a, b]) is both and kleene_or([a, b]) is either


def test_empty_and_longer_chains():
    assert kleene_and([]) is True and kleene_or([]) is False
    assert kleene_and([T, U, F]) is False and kleene_or([F, U, T]) is True
    assert kleene_and([T, T, U]) is None and kleene_or([F, F, U]) is None


def test_not_of_an_unknown_is_unknown():
    assert evaluate(parse("not a"), {"a": True}) is False
    assert evaluate(parse("not a"), {"a": False}) is True
    assert evaluate(parse("not a"), {"a": None}) is None


@pytest.mark.parametrize("source, value", [
    ("x == 3", False), ("x != 3", True), ("x < 3", False), ("x <= 3", False), ("x > 3", True), ("x >= 3", True),
    ("x == 4", True), ("x != 4", False), ("x < 4", False), ("x <= 4", True), ("x > 4", False), ("x >= 4", True),
    ("x < 5", True), ("x <= 5", True), ("x > 5", False), ("x >= 5", False),
])
def test_each_comparison_on_either_side_of_the_value(source, value):
    assert evaluate(parse(source), {"x": 4}) is value


@pytest.mark.parametrize("source", ["x == 3", "3 < x", "x in [1, 2]", "x not in [1, 2]"])
def test_a_comparison_with_an_unknown_is_unknown(source):
    assert evaluate(parse(source), {"x": None}) is None


def test_membership():
    env = {"p": "fine"}
    assert evaluate(parse("p in ['fine', 'public_works']"), env) is True
    assert evaluate(parse("p in ['public_works']"), env) is False
    assert evaluate(parse("p not in ['fine']"), env) is False
    assert evaluate(parse("p not in ['public_works']"), env) is True


def test_literals_and_names():
    assert evaluate(parse("2025-12-19"), {}) == dt.date(2025, 12, 19)
    assert evaluate(parse("unknown"), {}) is None
    assert evaluate(parse("eif"), {"eif": dt.date(2025, 12, 19)}) == dt.date(2025, 12, 19)
    with pytest.raises(KeyError):
        evaluate(parse("not_given"), {})
    with pytest.raises(TypeError, match="cannot evaluate"):
        evaluate(object(), {})


def test_calendar_functions_in_a_condition():
    env = {"birth": dt.date(2007, 12, 20), "on": dt.date(2025, 12, 19), "end": dt.date(2026, 6, 19)}
    assert evaluate(parse("age_on(birth, on)"), env) == 17
    assert evaluate(parse("age_on(birth, add_days(on, 1)) >= 18"), env) is True
    assert evaluate(parse("add_months(on, 4)"), env) == dt.date(2026, 4, 19)
    assert evaluate(parse("left_at_most(end, on, 6)"), env) is True
    assert evaluate(parse("left_more_than(end, on, 6)"), env) is False
    assert evaluate(parse("first_day_left_at_most(end, 6)"), env) == dt.date(2025, 12, 19)
    assert evaluate(parse("nth_birthday(birth, 18)"), env) == dt.date(2025, 12, 20)


@pytest.mark.parametrize("fn, args", [
    ("age_on", (None, dt.date(2025, 1, 1))), ("age_on", (dt.date(2000, 1, 1), None)),
    ("add_months", (None, 1)), ("add_days", (dt.date(2025, 1, 1), None)),
    ("left_at_most", (None, dt.date(2025, 1, 1), 6)), ("left_more_than", (dt.date(2025, 1, 1), None, 6)),
    ("first_day_left_at_most", (None, 6)), ("nth_birthday", (None, 18)),
])
def test_a_calendar_function_of_an_unknown_date_is_unknown(fn, args):
    assert FUNCTIONS[fn](*args) is None


def test_known_first_known_within_if_true():
    assert FUNCTIONS["known"](None) is False and FUNCTIONS["known"](0) is True
    assert FUNCTIONS["first_known"](None, None) is None
    assert FUNCTIONS["first_known"](None, 2, 3) == 2 and FUNCTIONS["first_known"](1, 2) == 1
    within = FUNCTIONS["within"]
    assert within(True, True) is True and within(True, None) is True
    assert within(False, False) is False and within(None, False) is False
    assert within(None, True) is None and within(False, True) is None and within(None, None) is None
    if_true = FUNCTIONS["if_true"]
    assert if_true(True, 5) == 5 and if_true(False, 5) is None and if_true(None, 5) is None
