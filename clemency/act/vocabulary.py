"""What a condition may refer to: registry fields, the act's parameters, and a few typed functions.

Type checking walks a condition tree and returns its type, or raises `TypeProblem` naming what is wrong
and, for an unknown name, the closest known ones ("did you mean").
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from clemency.act.lang import And, Call, Cmp, In, Lit, Name, Not, Or

CATEGORIES = ("not_great_danger", "less_serious", "grave", "especially_grave")


@dataclass(frozen=True)
class VarType:
    type: str                       # bool, int, number, string, date
    values: tuple[str, ...] = ()    # for enumerations (type string)


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[str, ...]           # argument types; '*' any; a trailing '...' repeats the last
    returns: str                    # a type, or 'same' (the type of the first argument)
    says: str


FUNCTIONS: dict[str, Function] = {f.name: f for f in [
    Function("age_on", ("date", "date"), "int",
             "age in completed years of a person born on the first date, on the second date"),
    Function("add_months", ("date", "int"), "date",
             "the date N months later (or earlier), clamped to the last day of the month"),
    Function("add_days", ("date", "int"), "date", "the date N days later (or earlier)"),
    Function("left_at_most", ("date", "date", "int"), "bool",
             "N months or less are left on the day: end <= add_months(day, N)"),
    Function("left_more_than", ("date", "date", "int"), "bool",
             "more than N months are left on the day: end > add_months(day, N)"),
    Function("any_article", ("string", "..."), "bool",
             "one of the person's article parts falls under one of these articles or parts"),
    Function("reading", ("string",), "string", "the reading of the act selected for this open point"),
    Function("known", ("*",), "bool", "the value is recorded (never unknown itself)"),
    Function("first_known", ("*", "..."), "same", "the first of the values that is recorded"),
]}


@dataclass
class Vocabulary:
    """Names a condition may use, with their types. Built from the registry schema and the act."""

    variables: dict[str, VarType] = field(default_factory=dict)
    readings: dict[str, tuple[str, ...]] = field(default_factory=dict)   # name -> values ('' = any date)
    definitions: dict[str, object] = field(default_factory=dict)          # name -> tree (typed lazily)

    def names(self) -> list[str]:
        return sorted(set(self.variables) | set(self.definitions))


class TypeProblem(Exception):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message, self.hint = message, hint


def did_you_mean(name: str, candidates) -> str | None:
    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
    return f"did you mean {' or '.join(repr(c) for c in close)}?" if close else None


_ORDERED = {"int", "number", "date"}


def _compatible(a: str, b: str) -> bool:
    if "null" in (a, b):
        return True
    if {a, b} <= {"int", "number"}:
        return True
    return a == b


def type_of(node, vocab: Vocabulary, _stack: tuple = ()) -> str:
    """The type of a condition tree; raises TypeProblem."""
    if isinstance(node, Lit):
        return node.type
    if isinstance(node, Name):
        if node.name in vocab.variables:
            return vocab.variables[node.name].type
        if node.name in vocab.definitions:
            if node.name in _stack:
                raise TypeProblem(f"definition {node.name!r} refers to itself")
            return type_of(vocab.definitions[node.name], vocab, _stack + (node.name,))
        raise TypeProblem(f"unknown name {node.name!r}", did_you_mean(node.name, vocab.names()))
    if isinstance(node, Not):
        _expect(node.arg, "bool", vocab, "'not' needs a yes/no condition", _stack)
        return "bool"
    if isinstance(node, (And, Or)):
        for a in node.args:
            _expect(a, "bool", vocab, f"'{'and' if isinstance(node, And) else 'or'}' joins yes/no conditions",
                    _stack)
        return "bool"
    if isinstance(node, Cmp):
        lt, rt = type_of(node.left, vocab, _stack), type_of(node.right, vocab, _stack)
        if not _compatible(lt, rt):
            raise TypeProblem(f"cannot compare {lt} with {rt} in '{node.op}'")
        if node.op not in ("==", "!=") and lt not in _ORDERED | {"null"}:
            raise TypeProblem(f"'{node.op}' needs numbers or dates, not {lt}")
        _check_enum(node.left, [node.right], vocab)
        _check_enum(node.right, [node.left], vocab)
        return "bool"
    if isinstance(node, In):
        lt = type_of(node.left, vocab, _stack)
        for item in node.items:
            if not _compatible(lt, item.type):
                raise TypeProblem(f"list item {item.value!r} is {item.type}, the value is {lt}")
        _check_enum(node.left, list(node.items), vocab)
        return "bool"
    if isinstance(node, Call):
        return _type_call(node, vocab, _stack)
    raise TypeProblem(f"not a condition: {node!r}")


def _expect(node, want: str, vocab, why: str, stack) -> None:
    got = type_of(node, vocab, stack)
    if got not in (want, "null"):
        raise TypeProblem(f"{why}; found a {got}")


def _check_enum(node, others, vocab: Vocabulary) -> None:
    """`sex == 'X'`: the literal must be one of the field's values (or the reading's values)."""
    values: tuple[str, ...] = ()
    label = ""
    if isinstance(node, Name) and node.name in vocab.variables:
        values, label = vocab.variables[node.name].values, node.name
    elif (isinstance(node, Call) and node.fn == "reading" and node.args and isinstance(node.args[0], Lit)
          and node.args[0].value in vocab.readings):
        values, label = vocab.readings[node.args[0].value], f"reading {node.args[0].value!r}"
    if not values or values == ("",):
        return
    for other in others:
        if isinstance(other, Lit) and other.type == "string" and other.value not in values:
            raise TypeProblem(f"{other.value!r} is not a value of {label}",
                              did_you_mean(other.value, values) or f"expected one of {', '.join(values)}")


def _type_call(node: Call, vocab: Vocabulary, stack) -> str:
    fn = FUNCTIONS.get(node.fn)
    if fn is None:
        raise TypeProblem(f"unknown function {node.fn!r}", did_you_mean(node.fn, FUNCTIONS))
    want = list(fn.args)
    repeat = want[-2] if want and want[-1] == "..." else None
    if repeat:
        want = want[:-1]
        if len(node.args) < len(want):
            raise TypeProblem(f"{fn.name}() needs at least {len(want)} argument(s)")
    elif len(node.args) != len(want):
        raise TypeProblem(f"{fn.name}() takes {len(want)} argument(s), got {len(node.args)}")
    types = []
    for i, arg in enumerate(node.args):
        w = want[i] if i < len(want) else repeat
        t = type_of(arg, vocab, stack)
        types.append(t)
        if w != "*" and not _compatible(w, t):
            raise TypeProblem(f"argument {i + 1} of {fn.name}() must be a {w}, found a {t}")
    if fn.name == "reading":
        arg = node.args[0]
        if not isinstance(arg, Lit):
            raise TypeProblem("reading() takes the reading's name in quotes")
        if arg.value not in vocab.readings:
            raise TypeProblem(f"unknown reading {arg.value!r}", did_you_mean(arg.value, vocab.readings))
        return "date" if vocab.readings[arg.value] == ("",) else "string"
    if fn.name == "any_article":
        from clemency.law.articles import parse_article  # noqa: PLC0415 (law is a sibling layer)
        for arg in node.args:
            if not isinstance(arg, Lit):
                raise TypeProblem("any_article() takes article numbers in quotes, e.g. any_article('122', '193-1')")
            try:
                parse_article(str(arg.value))
            except Exception as exc:  # the law module says why
                raise TypeProblem(f"{arg.value!r} is not an article reference: {exc}") from None
    if fn.returns == "same":
        known = [t for t in types if t != "null"]
        if len(set(known)) > 1 and not set(known) <= {"int", "number"}:
            raise TypeProblem(f"{fn.name}() needs values of one type, found {', '.join(known)}")
        return known[0] if known else "null"
    return fn.returns


def registry_variables() -> dict[str, VarType]:
    """The registry fields (docs/registry-format.md) as condition variables, from the registry schema."""
    from clemency.registry.schema import FIELDS  # noqa: PLC0415 (registry is a sibling layer)
    out = {}
    for name, f in FIELDS.items():
        ftype = {"enum": "string"}.get(f.type, f.type)
        out[name] = VarType(ftype, tuple(getattr(f, "values", None) or ()))
    return out
