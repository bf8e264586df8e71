"""Row-at-a-time evaluation of a condition tree with three-valued (Kleene) logic.

Unknown is `None`: a comparison with an unknown value is unknown; `false and unknown` is false;
`true or unknown` is true; `not unknown` is unknown. Used for constant folding at compile time and by the
reference engine. The calendar functions are the named ones in `clemency.calendar`.
"""

from __future__ import annotations

import operator

from clemency import calendar as cal
from clemency.act.lang import And, Call, Cmp, In, Lit, Name, Not, Or

_CMP = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
        ">=": operator.ge}


def _strict(fn):
    """A function whose result is unknown as soon as one argument is unknown."""
    def wrapped(*args):
        return None if any(a is None for a in args) else fn(*args)
    return wrapped


# Functions a compiled condition may contain (the act-file ones and the internal ones the compiler adds).
FUNCTIONS = {
    "age_on": _strict(cal.age_on),
    "add_months": _strict(cal.add_months),
    "add_days": _strict(cal.add_days),
    "left_at_most": _strict(cal.left_at_most),
    "left_more_than": _strict(cal.left_more_than),
    "first_day_left_at_most": _strict(cal.first_day_left_at_most),
    "nth_birthday": _strict(cal.nth_birthday),
    "known": lambda x: x is not None,
    "first_known": lambda *xs: next((x for x in xs if x is not None), None),
    # internal (clemency.compile.intervals): true if `sure` holds, false if `possible` fails, else unknown
    "within": lambda sure, possible: True if sure is True else (False if possible is False else None),
    "if_true": lambda test, value: value if test is True else None,
}


def kleene_and(values):
    result = True
    for v in values:
        if v is False:
            return False
        if v is None:
            result = None
    return result


def kleene_or(values):
    result = False
    for v in values:
        if v is True:
            return True
        if v is None:
            result = None
    return result


def evaluate(node, env: dict):
    """The value of a tree given the values of its names (a missing name is an error, not unknown)."""
    if isinstance(node, Lit):
        return node.value
    if isinstance(node, Name):
        return env[node.name]
    if isinstance(node, Not):
        v = evaluate(node.arg, env)
        return None if v is None else not v
    if isinstance(node, And):
        return kleene_and(evaluate(a, env) for a in node.args)
    if isinstance(node, Or):
        return kleene_or(evaluate(a, env) for a in node.args)
    if isinstance(node, Cmp):
        left, right = evaluate(node.left, env), evaluate(node.right, env)
        if left is None or right is None:
            return None
        return _CMP[node.op](left, right)
    if isinstance(node, In):
        left = evaluate(node.left, env)
        if left is None:
            return None
        found = any(left == item.value for item in node.items)
        return not found if node.negated else found
    if isinstance(node, Call):
        return FUNCTIONS[node.fn](*(evaluate(a, env) for a in node.args))
    raise TypeError(f"cannot evaluate {node!r}")
