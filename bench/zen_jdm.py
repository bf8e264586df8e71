"""Generate a GoRules ZEN decision graph (JDM) from a compiled plan, for the head-to-head in bench/zen.py.

The graph is derived from the `Plan` (the same form every Clemency engine runs), never written by hand:

    input -> expression node "clauses" -> decision table "relief" (first hit) -> output

- The expression node evaluates, for one record, every condition of the plan with three-valued (Kleene)
  logic spelled out (ZEN has no unknown: each `and`/`or`/comparison is guarded for `null`), then whether
  each clause holds on the decision date (`h_<id>`), whether each relief clause is not blocked by an
  exclusion (`t_<id>`), whether it gives its relief (`e_<id>`), and the compact reasons string.
  Intermediate values are keys `v<k>` referenced as `$.v<k>` (computed once each).
- The decision table encodes the act's order of preference: one rule per relief clause in the plan's
  order of candidates (most favourable relief first, then the act's order); a clause that gives its
  relief while a more favourable one with a different relief is unknown makes the decision
  `indeterminate`, as in every Clemency engine.

Records are given with dates as integers YYYYMMDD (ZEN has no date type that compares; on such integers
the completed years between two days are `floor((d - b) / 10000)`, which is exactly the project's
convention, 29 February birthdays included). Date arithmetic on a row's values (add_months of a field)
has no ZEN counterpart here: a plan that needs it (e.g. `b3=application`) is refused with NotExpressible.
Names are checked identifiers and literals are checked words, so nothing from an act file reaches ZEN
as free text.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from clemency import calendar as cal
from clemency.act.lang import And, Call, Cmp, In, Lit, Name, Not, Or
from clemency.compile.evaluate import evaluate
from clemency.compile.plan import Plan

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WORD = re.compile(r"^[A-Za-z0-9_ .;:-]*$")


class NotExpressible(Exception):
    """The plan uses something this generator cannot say in ZEN's expression language."""


def day_int(d: dt.date | None) -> int | None:
    return None if d is None else d.year * 10000 + d.month * 100 + d.day


class _Gen:
    def __init__(self, inline: bool = False):
        self.keys: dict[object, str] = {}     # tree -> key
        self.exprs: list[tuple[str, str]] = []
        self.inline = inline                  # every value written out where used, no `$` references
        self.texts: dict[object, str] = {}

    def lit(self, node: Lit) -> str:
        v = node.value
        if v is None:
            return "null"
        if node.type == "bool":
            return "true" if v else "false"
        if node.type == "date":
            return str(day_int(v))
        if node.type in ("int", "number"):
            return repr(v)
        if not _WORD.match(str(v)):
            raise NotExpressible(f"a text literal with unexpected characters: {v!r}")
        return json.dumps(str(v))

    def name(self, n: str) -> str:
        if not _IDENT.match(n):
            raise NotExpressible(f"not an identifier: {n!r}")
        return n

    def key(self, tree, text: str) -> str:
        """A computed value: a key of the expression node, referenced as $.key (or the text itself)."""
        if self.inline:
            return self.texts.setdefault(tree, f"({text})")
        if tree not in self.keys:
            k = f"v{len(self.exprs)}"
            self.exprs.append((k, text))
            self.keys[tree] = k
        return f"$.{self.keys[tree]}"

    def named(self, key: str, text: str, output: bool = False) -> str:
        if self.inline and not output:
            return f"({text})"
        self.exprs.append((key, text))
        return f"$.{key}"

    def x(self, node) -> str:
        """ZEN text for a tree: a literal, a field, or a reference to a computed key."""
        if isinstance(node, Lit):
            return self.lit(node)
        if isinstance(node, Name):
            return self.name(node.name)
        if node in self.keys:
            return f"$.{self.keys[node]}"
        if node in self.texts:
            return self.texts[node]
        folded = _fold(node)
        if isinstance(folded, Lit):
            return self.lit(folded)
        return self.key(node, self.compute(folded))

    def compute(self, node) -> str:
        if isinstance(node, Not):
            a = self.x(node.arg)
            return f"{a} == null ? null : not {a}"
        if isinstance(node, (And, Or)):
            absorbing, neutral = ("false", "true") if isinstance(node, And) else ("true", "false")
            args = [a for a in (self.x(a) for a in node.args) if a != neutral]
            if absorbing in args or not args:
                return absorbing if args else neutral
            if len(args) == 1:
                return args[0]
            hit = " or ".join(f"{a} == {absorbing}" for a in args)
            unknown = " or ".join(f"{a} == null" for a in args)
            return f"({hit}) ? {absorbing} : (({unknown}) ? null : {neutral})"
        if isinstance(node, Cmp):
            left, right = self.x(node.left), self.x(node.right)
            guard = " or ".join(f"{s} == null" for s, n in ((left, node.left), (right, node.right))
                                if not isinstance(n, Lit))
            body = f"{left} {node.op} {right}"
            return f"({guard}) ? null : ({body})" if guard else body
        if isinstance(node, In):
            left = self.x(node.left)
            items = ", ".join(self.lit(i) for i in node.items)
            body = f"not ({left} in [{items}])" if node.negated else f"{left} in [{items}]"
            return f"{left} == null ? null : ({body})"
        if isinstance(node, Call):
            return self.call(node)
        raise NotExpressible(f"cannot translate {type(node).__name__}")

    def call(self, node: Call) -> str:
        fn, args = node.fn, node.args
        if fn == "known":
            return f"{self.x(args[0])} != null"
        if fn == "first_known":
            return " ?? ".join(self.x(a) for a in args)
        if fn == "within":   # the compiler's narrowing of unknown dates: true if sure, false if not possible
            sure, possible = self.x(args[0]), self.x(args[1])
            return f"{sure} == true ? true : ({possible} == false ? false : null)"
        if fn == "if_true":
            return f"{self.x(args[0])} == true ? {self.x(args[1])} : null"
        if fn == "age_on":
            b, d = self.x(args[0]), self.x(args[1])
            return f"({b} == null or {d} == null) ? null : floor(({d} - {b}) / 10000)"
        if fn in ("left_at_most", "left_more_than") and all(isinstance(a, Lit) for a in args[1:]):
            # N months or less left on a fixed day D: end <= add_months(D, N) (contracts' calendar)
            limit = Lit(cal.add_months(args[1].value, args[2].value), "date")
            return self.compute(Cmp("<=" if fn == "left_at_most" else ">", args[0], limit))
        raise NotExpressible(f"the function {fn}() on a row's values has no ZEN counterpart in this generator")


def _fold(node):
    """A tree with no names is computed now (the compiler leaves a few such comparisons of dates)."""
    from clemency.act.lang import names_in
    if not isinstance(node, Lit) and not names_in(node):
        v = evaluate(node, {})
        if v is None:
            return Lit(None, "null")
        if isinstance(v, bool):
            return Lit(v, "bool")
        if isinstance(v, dt.date):
            return Lit(v, "date")
        return Lit(v, "int" if isinstance(v, int) else "number")
    return node


def holds_tree(c, on: dt.date):
    """Whether the clause holds on day `on`: its date-free part, every `up` <= on, on < every `down`."""
    day = Lit(on, "date")
    parts = [c.static] + [Cmp("<=", u, day) for u in c.ups] + [Cmp("<", day, d) for d in c.downs]
    return And(tuple(parts)) if len(parts) > 1 else parts[0]


def build_graph(plan: Plan, on: dt.date | None = None, inline: bool = False) -> dict:
    """The JDM graph (a dict, serialisable as JSON) deciding one record under `plan` on day `on`.
    `inline`: each intermediate value written out wherever it is used instead of computed once as a key
    referenced with `$` (longer expressions, no lookups of earlier keys)."""
    on = on or plan.eif
    g = _Gen(inline)
    for c in plan.clauses:
        g.name(c.id)
    h = {}
    for c in plan.clauses:
        if c.decides:
            h[c.id] = g.named(f"h_{c.id}", g.x(holds_tree(c, on)))
    e = {}
    for c in plan.candidates:
        s = g.x(c.static)
        if c.exclusions:
            refs = [h[x] for x in c.exclusions]
            any_x = f"({' or '.join(f'{r} == true' for r in refs)}) ? true : " \
                    f"(({' or '.join(f'{r} == null' for r in refs)}) ? null : false)"
            nb = g.named(f"x_{c.id}", any_x)
            t = g.named(f"t_{c.id}", f"({s} == false or {nb} == true) ? false : "
                                     f"(({s} == null or {nb} == null) ? null : true)")
        else:
            t = g.named(f"t_{c.id}", s)
        hc = h[c.id]
        e[c.id] = g.named(f"e_{c.id}", output=True, text=f"({hc} == false or {t} == false) ? false : "
                                      f"(({hc} == null or {t} == null) ? null : true)")
    codes = [f"({h[c.id]} == true ? \"H\" : ({h[c.id]} == false ? \"F\" : \"U\"))" if c.decides else '"-"'
             for c in plan.clauses]
    g.named("reasons", " + ".join(codes), output=True)

    cands = plan.candidates
    inputs = [{"id": f"in_{c.id}", "name": f"e_{c.id}", "field": f"e_{c.id}"} for c in cands]
    outputs = [{"id": "out_relief", "name": "relief", "field": "relief"},
               {"id": "out_clause", "name": "clause", "field": "clause"}]
    rules = []

    def rule(cells: dict[str, str], relief: str, clause: str | None) -> None:
        r = {"_id": f"r{len(rules)}", **{f"in_{c.id}": "" for c in cands}, **cells,
             "out_relief": json.dumps(relief), "out_clause": json.dumps(clause) if clause else "null"}
        rules.append(r)

    for i, c in enumerate(cands):
        differ = [b for b in cands[:i] if (b.relief, b.reduction_months) != (c.relief, c.reduction_months)]
        rule({f"in_{c.id}": "$ == true", **{f"in_{b.id}": "$ != null" for b in differ}}, c.relief, c.id)
        if differ:
            rule({f"in_{c.id}": "$ == true"}, "indeterminate", None)
    for c in cands:
        rule({f"in_{c.id}": "$ == null"}, "indeterminate", None)
    rule({}, "none", None)

    pos = {"x": 0, "y": 0}
    nodes = [
        {"id": "input", "type": "inputNode", "name": "registry row", "position": pos},
        {"id": "clauses", "type": "expressionNode", "name": "clauses", "position": pos,
         "content": {"passThrough": False, "expressions": [{"id": k, "key": k, "value": v} for k, v in g.exprs]}},
        {"id": "relief", "type": "decisionTableNode", "name": "relief (first hit)", "position": pos,
         "content": {"hitPolicy": "first", "passThrough": True, "inputs": inputs, "outputs": outputs,
                     "rules": rules}},
        {"id": "decision", "type": "expressionNode", "name": "decision", "position": pos,
         "content": {"passThrough": False, "expressions": [{"id": k, "key": k, "value": k}
                                                             for k in ("relief", "clause", "reasons")]}},
        {"id": "output", "type": "outputNode", "name": "decision", "position": pos},
    ]
    path = [("input", "clauses"), ("clauses", "relief"), ("relief", "decision"), ("decision", "output")]
    edges = [{"id": f"edge{i}", "sourceId": a, "targetId": b, "type": "edge"} for i, (a, b) in enumerate(path)]
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}


def input_fields(plan: Plan) -> list[str]:
    """The fields a record must carry for the graph (registry fields the act reads, article columns)."""
    return sorted(set(plan.fields) | {f"_art{k}" for k in range(len(plan.article_sets))})
