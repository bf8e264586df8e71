"""Compile an act and a choice of readings into a `Plan`: the one form every engine runs.

Compilation
- fixes the readings and parameters (they become constants) and folds what they decide;
- inlines definitions; replaces each `any_article(...)` by a column of the article lookup;
- splits each clause into a part that does not depend on the decision date (`static`) and date thresholds:
  the clause holds on day D iff static is true, every `up` threshold is <= D and D < every `down`.
  That makes "the first day in the window on which the relief holds" exact, with no per-day pass;
- works out which exclusions bind which relief clauses, and the order in which reliefs are preferred.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from clemency import calendar as cal
from clemency.act.lang import FALSE, TRUE, UNKNOWN, And, Call, Cmp, In, Lit, Name, Not, Or, names_in, render
from clemency.act.load import expand_refs
from clemency.act.model import Act, Condition, weakest
from clemency.compile.evaluate import evaluate
from clemency.compile.intervals import date_bounds, narrow
from clemency.errors import ActError, Problem, UsageError
from clemency.law.articles import parse_article

ARTICLE_PREFIX = "_art"   # the article lookup's columns: _art0, _art1, ... (named here and nowhere else)


def article_column(k: int) -> str:
    """The name of the lookup column that says whether a row's articles fall in the plan's k-th article set."""
    return f"{ARTICLE_PREFIX}{k}"


def article_index(name: str) -> int | None:
    """k for the article column `_art{k}`; None for any other name."""
    if name.startswith(ARTICLE_PREFIX) and name[len(ARTICLE_PREFIX):].isdigit():
        return int(name[len(ARTICLE_PREFIX):])
    return None


@dataclass(frozen=True)
class CompiledCondition:
    condition: Condition
    tree: object                  # folded; may still refer to `on`


@dataclass(frozen=True)
class CompiledClause:
    id: str
    kind: str
    order: int
    status: str                   # the weakest of the clause's status and its conditions' statuses
    relief: str | None
    reduction_months: int | None
    rank: int | None
    decides: bool
    conditions: tuple[CompiledCondition, ...]
    full: object                  # the folded conjunction, still in terms of `on` (for the reference engine)
    static: object                # no `on` in it
    ups: tuple = ()               # date trees: holds only on days >= each
    downs: tuple = ()             # date trees: holds only on days < each
    exclusions: tuple[str, ...] = ()
    base_status: str | None = None  # the clause's status with the conditions whose status counts everywhere
    boundaries: tuple = ()        # (status, folded tree): a condition's status that counts where the tree holds
    reading_bound: tuple[str, ...] = ()  # exclusions: relief clauses bound only under the chosen reading

    def status_for(self, row: dict) -> str | None:
        """The clause's status for one record: a boundary status counts where its test holds or is unknown."""
        return weakest([self.base_status] + [s for s, t in self.boundaries if evaluate(t, row) is not False])


@dataclass
class Plan:
    act: Act
    readings: dict[str, str]
    eif: dt.date
    window_end: dt.date
    clauses: tuple[CompiledClause, ...]
    article_sets: tuple[tuple[str, ...], ...]
    fields: tuple[str, ...] = ()                       # registry fields the act reads
    candidates: tuple[CompiledClause, ...] = field(default=())
    exclusions: tuple[CompiledClause, ...] = field(default=())
    # the plans under the default value of each reading chosen otherwise: (reading, chosen value, plan)
    alternatives: tuple = field(default=())

    @property
    def reason_order(self) -> list[str]:
        return [c.id for c in self.clauses]

    def clause(self, cid: str) -> CompiledClause:
        return next(c for c in self.clauses if c.id == cid)

    @property
    def article_columns(self) -> list[str]:
        """The article lookup's columns, one per article set, in order."""
        return [article_column(k) for k in range(len(self.article_sets))]

    def article_set_of(self, name: str) -> tuple[str, ...] | None:
        """The article references behind an article column (None for any other name)."""
        k = article_index(name)
        return self.article_sets[k] if k is not None and k < len(self.article_sets) else None

    def articles_tested_by(self, clause: str | CompiledClause) -> list[str]:
        """The article references a clause's conditions test under the chosen readings, in order, once each."""
        c = self.clause(clause) if isinstance(clause, str) else clause
        refs: list[str] = []
        for k in c.conditions:
            for n in sorted(names_in(k.tree)):
                for ref in self.article_set_of(n) or ():
                    if ref not in refs:
                        refs.append(ref)
        return refs


def resolve_readings(act: Act, chosen: dict[str, str] | None) -> dict[str, str]:
    """The default readings with the user's choices applied; an unknown name or value is bad usage."""
    readings = act.default_readings()
    for name, value in (chosen or {}).items():
        r = act.readings.get(name)
        if r is None:
            valid = "; ".join(f"{n}={'|'.join(x.values) if not x.is_date else 'YYYY-MM-DD'}"
                              for n, x in act.readings.items())
            raise UsageError(f"unknown reading {name!r} for act {act.id}; valid readings: {valid}")
        if r.is_date:
            try:
                value = dt.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                raise UsageError(f"reading {name}={value!r}: expected a date YYYY-MM-DD") from None
        elif value not in r.values:
            raise UsageError(f"reading {name}={value!r} is not valid; valid values: {', '.join(r.values)}")
        readings[name] = value
    return readings


def parse_reading_args(items) -> dict[str, str]:
    out = {}
    for item in items or ():
        if "=" not in item:
            raise UsageError(f"--reading {item!r}: expected NAME=VALUE")
        name, value = item.split("=", 1)
        out[name.strip()] = value.strip()
    return out


class _Folder:
    """Substitutes constants and definitions, folds what they decide, collects article sets."""

    def __init__(self, act: Act, readings: dict[str, str], constants: dict[str, object]):
        self.act, self.readings, self.constants = act, readings, constants
        self.bounds = date_bounds(constants["eif"])
        self.article_sets: list[tuple[str, ...]] = []
        self.fields: set[str] = set()

    def article_column(self, refs: tuple[str, ...]) -> Name:
        if refs not in self.article_sets:
            self.article_sets.append(refs)
        return Name(article_column(self.article_sets.index(refs)))

    def fold(self, node):
        if isinstance(node, Lit):
            return node
        if isinstance(node, Name):
            if node.name in self.act.definitions:
                return self.fold(self.act.definitions[node.name].tree)
            if node.name in self.constants:
                return _lit(self.constants[node.name])
            if node.name != "on":
                self.fields.add(node.name)
            return node
        if isinstance(node, Call):
            if node.fn == "reading":
                value = self.readings[node.args[0].value]
                r = self.act.readings[node.args[0].value]
                return _lit(dt.date.fromisoformat(value) if r.is_date else value)
            if node.fn == "any_article":
                return self.article_column(tuple(sorted({parse_article(str(a.value)) for a in node.args})))
            args = tuple(self.fold(a) for a in node.args)
            node = Call(node.fn, args, node.column)
            return _const(node) if all(isinstance(a, Lit) for a in args) else node
        if isinstance(node, Not):
            arg = self.fold(node.arg)
            return _const(Not(arg)) if isinstance(arg, Lit) else Not(arg)
        if isinstance(node, (And, Or)):
            return _junction(type(node), [self.fold(a) for a in node.args])
        if isinstance(node, Cmp):
            left, right = self.fold(node.left), self.fold(node.right)
            new = Cmp(node.op, left, right)
            if isinstance(left, Lit) and isinstance(right, Lit):
                return _const(new)
            return narrow(new, self.bounds)
        if isinstance(node, In):
            left = self.fold(node.left)
            new = In(left, node.items, node.negated)
            return _const(new) if isinstance(left, Lit) else new
        raise TypeError(node)


def _lit(value) -> Lit:
    if value is None:
        return UNKNOWN
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, dt.date):
        return Lit(value, "date")
    if isinstance(value, int):
        return Lit(value, "int")
    if isinstance(value, float):
        return Lit(value, "number")
    return Lit(str(value), "string")


def _const(node) -> Lit:
    return _lit(evaluate(node, {}))


def _junction(kind, args):
    """Fold an and/or: drop neutral constants, stop at the absorbing one, flatten nested ones."""
    absorbing, neutral = (FALSE, TRUE) if kind is And else (TRUE, FALSE)
    out = []
    for a in args:
        if a == absorbing:
            return absorbing
        if a == neutral:
            continue
        out.extend(a.args if isinstance(a, kind) else [a])
    if not out:
        return neutral
    if all(a == UNKNOWN for a in out):
        return UNKNOWN
    return out[0] if len(out) == 1 else kind(tuple(out))


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _span(node) -> tuple[list, list] | None:
    """For a conjunct that depends on `on`: its thresholds (ups, downs), or None if it has no such form."""
    if isinstance(node, Call) and node.fn in ("left_at_most", "left_more_than") and node.args[1] == Name("on"):
        end, n = node.args[0], node.args[2]
        if "on" in names_in(end) | names_in(n):
            return None
        first = Call("first_day_left_at_most", (end, n))
        return ([first], []) if node.fn == "left_at_most" else ([], [first])
    if isinstance(node, Cmp):
        left, op, right = node.left, node.op, node.right
        if "on" in names_in(right) and "on" not in names_in(left):
            left, op, right = right, _FLIP[op], left
        if "on" in names_in(right):
            return None
        if left == Name("on"):
            return _threshold(op, right, lambda x: x, lambda x: Call("add_days", (x, Lit(1, "int"))))
        if (isinstance(left, Call) and left.fn == "age_on" and left.args[1] == Name("on")
                and "on" not in names_in(left.args[0]) and isinstance(right, Lit) and right.type == "int"):
            birth = left.args[0]
            return _threshold(op, right, lambda k: Call("nth_birthday", (birth, k)),
                              lambda k: Call("nth_birthday", (birth, Lit(k.value + 1, "int"))))
    return None


def _threshold(op, value, at, after):
    """`x >= v` holds from at(v); `x > v` from after(v); `x < v` until at(v); `x <= v` until after(v)."""
    return {">=": ([at(value)], []), ">": ([after(value)], []), "<": ([], [at(value)]),
            "<=": ([], [after(value)]), "==": ([at(value)], [after(value)])}.get(op)


def _bindings(act: Act, folder: _Folder, ids: list[str], problems: list[Problem]):
    """Which exclusions bind which relief clauses under the readings (binds: target -> exclusions), and
    which targets each exclusion binds whatever the reading (firm)."""
    binds: dict[str, list[str]] = {cid: [] for cid in ids}
    firm: dict[str, set[str]] = {cid: set() for cid in ids}     # exclusion -> targets bound whatever the reading
    for c in act.clauses:
        for entry in c.applies_to:
            if entry.when is None:
                firm[c.id].update(expand_refs(entry.clauses, ids))
            if entry.when is not None:
                test = folder.fold(entry.when.tree)
                if not isinstance(test, Lit):
                    problems.append(Problem(act.path, entry.when.line, c.id, "applies_to.when",
                                            "may use readings and parameters only"))
                    continue
                if test.value is not True:
                    continue
            for target in expand_refs(entry.clauses, ids):
                binds[target].append(c.id)

    return binds, firm


def _compile_clause(act: Act, c, order: int, folder: _Folder, binds: dict, firm: dict, ids: list[str],
                    problems: list[Problem]) -> CompiledClause:
    """One clause folded under the readings: its conditions, its date-free part and date thresholds (a relief
    only within the window), its statuses, and the exclusions that bind it."""
    eif, window_end = folder.constants["eif"], folder.constants["window_end"]
    conds = tuple(CompiledCondition(k, folder.fold(k.tree)) for k in c.when)
    full = _junction(And, [k.tree for k in conds]) if conds else UNKNOWN
    if not c.decides:
        full = UNKNOWN
    static, ups, downs = [], [], []
    if c.kind == "relief":
        ups.append(Lit(eif, "date"))
        downs.append(Lit(cal.add_days(window_end, 1), "date"))
    for conj in (full.args if isinstance(full, And) else (full,)):
        if "on" not in names_in(conj):
            static.append(conj)
            continue
        span = _span(conj) if c.kind == "relief" else None
        if span is None:
            problems.append(Problem(act.path, c.line, c.id, "when",
                                    f"the condition {render(conj)!r} depends on the decision date in a form whose "
                                    "span cannot be computed", "use left_at_most / left_more_than / "
                                    "age_on(x, on) compared with a number / on compared with a date; "
                                    "exclusions may not depend on the decision date"))
            continue
        ups.extend(span[0])
        downs.extend(span[1])
    status = weakest([c.status] + [k.status for k in c.when])
    base_status = weakest([c.status] + [k.status for k in c.when if k.status_when is None])
    boundaries = tuple((k.status, folder.fold(k.status_when)) for k in c.when
                       if k.status_when is not None and k.status and weakest([k.status, base_status]) != base_status)
    for k in c.when:
        if k.status_when is not None and "on" in names_in(k.status_when):
            problems.append(Problem(act.path, k.line, c.id, "status_when",
                                    "may not depend on the decision date", "name the values of the record only"))
    return CompiledClause(
        id=c.id, kind=c.kind, order=order, status=status, relief=c.relief,
        reduction_months=c.reduction_months, rank=act.relief_ranks.get(c.relief) if c.relief else None,
        decides=c.decides, conditions=conds, full=full, static=_junction(And, static) if static else TRUE,
        ups=tuple(ups), downs=tuple(downs), exclusions=tuple(binds[c.id]) if c.kind == "relief" else (),
        base_status=base_status, boundaries=boundaries,
        reading_bound=tuple(t for t in ids if c.id in binds[t] and t not in firm[c.id])
        if c.kind == "exclusion" else ())


def compile_act(act: Act, readings: dict[str, str] | None = None, alternatives: bool = True,
                _article_sets: list | None = None) -> Plan:
    """Compile an act under a choice of readings (names and values checked; defaults for the rest).

    With `alternatives`, each two-valued reading chosen otherwise than its default is also compiled at its
    default, so that engines can say which reliefs exist only under the chosen reading (`rests_on_readings`)."""
    readings = resolve_readings(act, readings)
    constants: dict[str, object] = {name: p.value for name, p in act.parameters.items()}
    for name, r in act.readings.items():
        if r.is_date:
            constants[r.parameter] = dt.date.fromisoformat(readings[name])
    eif = constants["eif"]
    window_end = cal.window_end(eif, constants["window_months"])
    constants["window_end"] = window_end
    folder = _Folder(act, readings, constants)
    if _article_sets is not None:
        folder.article_sets = _article_sets
    problems: list[Problem] = []
    ids = [c.id for c in act.clauses]

    binds, firm = _bindings(act, folder, ids, problems)

    compiled = [_compile_clause(act, c, order, folder, binds, firm, ids, problems)
                for order, c in enumerate(act.clauses)]
    if problems:
        raise ActError(problems)
    clauses = tuple(compiled)
    candidates = tuple(sorted((c for c in clauses if c.kind == "relief" and c.decides),
                              key=lambda c: (c.rank, c.order)))
    exclusions = tuple(c for c in clauses if c.kind == "exclusion")
    alts = []
    if alternatives:
        for name, r in act.readings.items():
            if not r.is_date and readings[name] != r.default:
                # one numbering of the article columns for the plan and its alternatives
                alt = compile_act(act, {**readings, name: r.default}, alternatives=False,
                                  _article_sets=folder.article_sets)
                alts.append((name, readings[name], alt))
                folder.fields.update(alt.fields)
    return Plan(act=act, readings=readings, eif=eif, window_end=window_end, clauses=clauses,
                article_sets=tuple(folder.article_sets), fields=tuple(sorted(folder.fields)),
                candidates=candidates, exclusions=exclusions, alternatives=tuple(alts))
