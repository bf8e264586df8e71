"""How a condition is decided for one record when facts are missing: three-valued logic, as the act's
readers expect it (an unknown fact leaves a test open unless the other facts already settle it), and the
calendar functions a condition may call (mutation benchmark, issue 16: clemency/compile/evaluate.py)."""

import datetime as dt
import random

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


# ---- three-valued logic against an independent model, on seeded random conditions

_RANK = {False: 0, None: 1, True: 2}
_BACK = {0: False, 1: None, 2: True}


def _model(tree, env):
    """Kleene logic as min/max over false < unknown < true, written apart from clemency.compile.evaluate."""
    kind = tree[0]
    if kind == "name":
        return env[tree[1]]
    if kind == "not":
        return _BACK[2 - _RANK[_model(tree[1], env)]]
    if kind in ("and", "or"):
        ranks = [_RANK[_model(t, env)] for t in tree[1]]
        return _BACK[min(ranks) if kind == "and" else max(ranks)]
    if kind == "cmp":
        x = env[tree[1]]
        if x is None:
            return None
        return {"==": x == tree[3], "!=": x != tree[3], "<": x < tree[3], "<=": x <= tree[3],
                ">": x > tree[3], ">=": x >= tree[3]}[tree[2]]
    if kind == "in":
        x = env[tree[1]]
        if x is None:
            return None
        return (x in tree[3]) != tree[2]
    raise AssertionError(kind)


def _source(tree) -> str:
    kind = tree[0]
    if kind == "name":
        return tree[1]
    if kind == "not":
        return f"not ({_source(tree[1])})"
    if kind in ("and", "or"):
        return "(" + f" {kind} ".join(_source(t) for t in tree[1]) + ")"
    if kind == "cmp":
        return f"{tree[1]} {tree[2]} {tree[3]}"
    return f"{tree[1]} {'not in' if tree[2] else 'in'} [{', '.join(str(v) for v in tree[3])}]"


def _tree(rng: random.Random, depth: int):
    if depth == 0 or rng.random() < 0.3:
        pick = rng.random()
        if pick < 0.4:
            return ("name", rng.choice("abc"))
        if pick < 0.75:
            return ("cmp", rng.choice("xy"), rng.choice(["==", "!=", "<", "<=", ">", ">="]), rng.randint(1, 3))
        return ("in", rng.choice("xy"), rng.random() < 0.5, tuple(sorted(rng.sample([1, 2, 3], rng.randint(1, 2)))))
    kind = rng.choice(["and", "or", "not"])
    if kind == "not":
        return ("not", _tree(rng, depth - 1))
    return (kind, [_tree(rng, depth - 1) for _ in range(rng.randint(2, 3))])


def test_random_conditions_agree_with_kleene_logic_on_every_unknown():
    rng = random.Random(16)
    envs = [{"a": a, "b": b, "c": c, "x": x, "y": y}
            for a in (T, F, U) for b in (T, F, U) for c in (T, F, U) for x in (1, 2, 3, U) for y in (2, U)]
    seen = set()
    for _ in range(150):
        tree = _tree(rng, 3)
        node = parse(_source(tree))
        for env in rng.sample(envs, 30):
            expected = _model(tree, env)
            assert evaluate(node, env) is expected, (_source(tree), env)
            seen.add(expected)
    assert seen == {T, F, U}


@pytest.mark.parametrize("source, env, value", [
    ("x == y", {"x": 1, "y": None}, U), ("x == y", {"x": None, "y": 1}, U), ("x == y", {"x": None, "y": None}, U),
    ("x < y", {"x": 1, "y": 2}, T), ("x < y", {"x": 2, "y": 1}, F), ("y > x", {"x": 1, "y": 2}, T),
    ("x >= y", {"x": 2, "y": 2}, T), ("x > y", {"x": 2, "y": 2}, F),
    ("not (x in [1, 2])", {"x": None}, U), ("not (x not in [1, 2])", {"x": 1}, T),
    ("x in [1, 2, 3]", {"x": 3}, T), ("x in [1, 2, 3]", {"x": 4}, F), ("x not in [1, 2, 3]", {"x": 1}, F),
    ("x not in [1, 2, 3]", {"x": 4}, T), ("x not in [2]", {"x": None}, U),
    ("not (a and not b)", {"a": T, "b": U}, U), ("not (a or b)", {"a": F, "b": F}, T),
    ("a and (b or c)", {"a": T, "b": U, "c": T}, T), ("a or (b and c)", {"a": F, "b": U, "c": F}, F),
])
def test_conditions_with_two_names_and_nesting(source, env, value):
    assert evaluate(parse(source), env) is value


def test_dates_compare_by_day_and_an_unknown_date_leaves_the_test_open():
    node = parse("sentence_end <= add_months(on, 6)")
    on = dt.date(2025, 12, 19)
    assert evaluate(node, {"sentence_end": dt.date(2026, 6, 19), "on": on}) is True
    assert evaluate(node, {"sentence_end": dt.date(2026, 6, 20), "on": on}) is False
    assert evaluate(node, {"sentence_end": None, "on": on}) is None
    assert evaluate(node, {"sentence_end": dt.date(2026, 1, 1), "on": None}) is None
    # an unknown argument in any place makes a calendar function unknown, however many it takes
    for k in range(3):
        args = [dt.date(2026, 6, 19), on, 6]
        args[k] = None
        assert FUNCTIONS["left_at_most"](*args) is None and FUNCTIONS["left_more_than"](*args) is None
    assert FUNCTIONS["left_at_most"](dt.date(2026, 6, 19), on, 6) is True
    assert FUNCTIONS["add_days"](on, 0) == on and FUNCTIONS["add_months"](on, 0) == on
    # a known value equal to something falsy is still known
    assert FUNCTIONS["add_days"](on, 0) is not None and FUNCTIONS["age_on"](on, on) == 0


def test_a_known_value_that_is_falsy_is_still_known():
    """0 months, false, an empty text: known values, never skipped as if unknown."""
    first_known = FUNCTIONS["first_known"]
    assert first_known(None, 0, 5) == 0 and first_known(0, 5) == 0
    assert first_known(False, True) is False and first_known(None, False, True) is False
    assert first_known("", "x") == "" and first_known(None) is None and first_known() is None
    assert FUNCTIONS["known"](False) is True and FUNCTIONS["known"](0) is True and FUNCTIONS["known"]("") is True
    assert FUNCTIONS["if_true"](True, 0) == 0 and FUNCTIONS["if_true"](True, False) is False
    assert FUNCTIONS["within"](True, False) is True and FUNCTIONS["within"](False, None) is None
    assert evaluate(parse("x == 0"), {"x": 0}) is True and evaluate(parse("not a"), {"a": False}) is True
