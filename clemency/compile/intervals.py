"""Unknown dates narrowed by what is known.

A date that is not recorded is not "anything at all": the other facts of the record bound it. An offence
was committed on or after the day of birth and on or before the day the sentence began (the sentence is
counted at the earliest from the arrest, which follows the offence). A sentence being served whose start is
not recorded is taken to have begun before the entry into force (the convention by which every act's
"serving on the day" test reads a missing start; every clause reads it the same way).

So each such date lies in an interval [low, high] whose ends are expressions over the record (an end may
itself be unknown: the interval is then open on that side). A comparison that is monotone in the date -
`offense_date >= eif`, `age_on(birth_date, offense_date) < 18` - is decided under the interval: it holds if
it holds at the end where it is hardest to satisfy, it fails if it fails at the end where it is easiest,
and it is unknown otherwise. When the date is recorded both ends are the date itself and nothing changes.

The compiler applies this to every comparison of an act that does not depend on the decision day, so every
engine runs the same narrowed conditions (as the internal functions `within` and `if_true`).
"""

from __future__ import annotations

import datetime as dt

from clemency.act.lang import Call, Cmp, Lit, Name, names_in

#: the dates narrowed, in the order they are narrowed
NARROWED = ("offense_date", "sentence_start")


def _first_known(*args):
    return Call("first_known", tuple(args))


def date_bounds(eif: dt.date) -> dict[str, tuple[object, object]]:
    """field -> (low, high) as trees over the record; each end is the recorded date when there is one."""
    before_eif = Lit(eif - dt.timedelta(days=1), "date")
    convicted = Cmp("==", Name("status"), Lit("convicted", "string"))
    # a convicted person's sentence without a recorded start began before the entry into force
    start_high = _first_known(Name("sentence_start"), Call("if_true", (convicted, before_eif)))
    return {
        "offense_date": (_first_known(Name("offense_date"), Name("birth_date")),
                         _first_known(Name("offense_date"), start_high)),
        "sentence_start": (_first_known(Name("sentence_start"), Name("offense_date")), start_high),
    }


def _combine(a: int | None, b: int | None) -> int | None:
    if a is None or b is None:
        return None
    if a == 0:
        return b
    if b == 0 or a == b:
        return a
    return None


def monotony(node, name: str) -> int | None:
    """+1 if the value of `node` never decreases as `name` grows, -1 if it never increases, 0 if it does not
    depend on it, None if neither can be shown."""
    if name not in names_in(node):
        return 0
    if node == Name(name):
        return 1
    if isinstance(node, Call):
        if node.fn in ("add_days", "add_months") and name not in names_in(node.args[1]):
            return monotony(node.args[0], name)
        if node.fn == "age_on":   # older on a later day, younger for a later birth
            return _combine(_neg(monotony(node.args[0], name)), monotony(node.args[1], name))
    return None


def _neg(x: int | None) -> int | None:
    return None if x is None else -x


def substitute(node, name: str, value):
    """The tree with every occurrence of the variable `name` replaced by `value`."""
    if node == Name(name):
        return value
    if isinstance(node, Call):
        return Call(node.fn, tuple(substitute(a, name, value) for a in node.args), node.column)
    if isinstance(node, Cmp):
        return Cmp(node.op, substitute(node.left, name, value), substitute(node.right, name, value))
    return node


def narrow(node: Cmp, bounds: dict[str, tuple[object, object]]):
    """A comparison decided under the intervals of the narrowed dates it reads (see the module text).
    Comparisons that read the decision day, or that are not monotone in the date, are left as they are."""
    used = names_in(node)
    if "on" in used:
        return node
    out = node
    for name in NARROWED:
        if name in used:
            out = _narrow_one(out, name, bounds[name])
    return out


def _narrow_one(node, name: str, bound):
    if isinstance(node, Call) and node.fn == "within":
        return Call("within", tuple(_narrow_one(a, name, bound) for a in node.args))
    if not isinstance(node, Cmp) or node.op not in ("<", "<=", ">", ">="):
        return node
    left, right = monotony(node.left, name), monotony(node.right, name)
    direction = _combine(left, _neg(right))
    if not direction:
        return node
    if node.op in ("<", "<="):
        direction = -direction
    low, high = (substitute(node, name, b) for b in bound)
    # holds everywhere if it holds where it is hardest to satisfy; fails if it fails where it is easiest
    sure, possible = (low, high) if direction > 0 else (high, low)
    return Call("within", (sure, possible))
