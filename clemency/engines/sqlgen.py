"""Translate a compiled plan into one SQL query, for a dialect (duckdb or spark).

Everything an act says reaches SQL through this module as a typed tree: names are checked identifiers and
literals are quoted here, so nothing from an act file is ever passed on as raw SQL. The query evaluates
every clause as columns in one pass, so each decision carries its reasons at no extra cost.
"""

from __future__ import annotations

import datetime as dt

from clemency import calendar_sql as csql
from clemency.act.lang import And, Call, Cmp, In, Lit, Name, Not, Or
from clemency.compile.plan import Plan

_OPS = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class SqlGen:
    def __init__(self, dialect: str):
        if dialect not in ("duckdb", "spark"):
            raise ValueError(dialect)
        self.dialect = dialect

    def ident(self, name: str) -> str:
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not an identifier: {name!r}")
        return f"`{name}`" if self.dialect == "spark" else f'"{name}"'

    def lit(self, node: Lit) -> str:
        v = node.value
        if v is None:
            return "NULL"
        if node.type == "bool":
            return "TRUE" if v else "FALSE"
        if node.type == "date":
            return f"DATE '{v.isoformat()}'"
        if node.type in ("int", "number"):
            return repr(v)
        text = str(v).replace("\\", "\\\\") if self.dialect == "spark" else str(v)
        return "'" + text.replace("'", "''") + "'"

    def date(self, value: dt.date) -> str:
        return self.lit(Lit(value, "date"))

    def expr(self, node) -> str:
        if isinstance(node, Lit):
            return self.lit(node)
        if isinstance(node, Name):
            return self.ident(node.name)
        if isinstance(node, Not):
            return f"(NOT {self.expr(node.arg)})"
        if isinstance(node, And):
            return "(" + " AND ".join(self.expr(a) for a in node.args) + ")"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.expr(a) for a in node.args) + ")"
        if isinstance(node, Cmp):
            return f"({self.expr(node.left)} {_OPS[node.op]} {self.expr(node.right)})"
        if isinstance(node, In):
            items = ", ".join(self.lit(i) for i in node.items)
            return f"({self.expr(node.left)} {'NOT IN' if node.negated else 'IN'} ({items}))"
        if isinstance(node, Call):
            return self.call(node.fn, [self.expr(a) for a in node.args])
        raise TypeError(node)

    def call(self, fn: str, args: list[str]) -> str:
        d = self.dialect
        if fn == "known":
            return f"({args[0]} IS NOT NULL)"
        if fn == "first_known":
            return f"COALESCE({', '.join(args)})"
        if fn == "within":
            return f"(CASE WHEN {args[0]} THEN TRUE WHEN NOT {args[1]} THEN FALSE END)"
        if fn == "if_true":
            return f"(CASE WHEN {args[0]} THEN {args[1]} END)"
        if fn == "age_on":
            return csql.age_on_sql(d, *args)
        if fn == "add_months":
            return csql.add_months_sql(d, *args)
        if fn == "add_days":
            return csql.add_days_sql(d, *args)
        if fn == "nth_birthday":
            return csql.nth_birthday_sql(d, *args)
        if fn == "first_day_left_at_most":
            return csql.first_day_left_at_most_sql(d, *args)
        if fn == "left_at_most":
            return f"({args[0]} <= {csql.add_months_sql(d, args[1], args[2])})"
        if fn == "left_more_than":
            return f"({args[0]} > {csql.add_months_sql(d, args[1], args[2])})"
        raise ValueError(f"the {d} dialect cannot express the function {fn!r}")

    # -- the decision query ------------------------------------------------------------------------------

    def greatest(self, items: list[str]) -> str:
        """The latest of several dates, unknown if any is unknown (SQL GREATEST skips NULLs)."""
        if len(items) == 1:
            return items[0]
        nulls = " OR ".join(f"{i} IS NULL" for i in items)
        return f"(CASE WHEN {nulls} THEN NULL ELSE GREATEST({', '.join(items)}) END)"

    def least(self, items: list[str]) -> str:
        if len(items) == 1:
            return items[0]
        nulls = " OR ".join(f"{i} IS NULL" for i in items)
        return f"(CASE WHEN {nulls} THEN NULL ELSE LEAST({', '.join(items)}) END)"

    def decision_query(self, plan: Plan, source: str, on: dt.date, passthrough: list[str]) -> str:
        """SELECT the decision columns (docs/decisions.md) from `source`: a relation with the registry fields,
        the resolved crime_category and negligent, and the plan's article columns.

        Stages, one method each of `DecisionQuery`: s0 evaluates each distinct condition and date threshold
        once; s1 each clause's date-free part and its date thresholds; s2 whether each clause holds on the
        decision day and each candidate's span; s2e whether each candidate gives its relief; s3 the decision;
        s3r whether it rests on a reading; s4 the derived fields; the final select the output fields.
        """
        return DecisionQuery(self, plan, on).query(source, passthrough)

    def source_query(self, plan: Plan, registry: str, lookup: str, columns: list[str]) -> str:
        """The registry joined with the article lookup: the resolved crime_category and negligent (a given
        value wins over the table), the article columns, and a note where the given category disagrees."""
        q = self.ident
        keep = [f"r.{q(c)}" for c in columns if c not in ("crime_category", "negligent")]
        arts = [f"l.{q(col)}" for col in plan.article_columns]
        note = (f"CASE WHEN r.{q('crime_category')} IS NOT NULL AND l._table_category IS NOT NULL AND "
                f"r.{q('crime_category')} <> l._table_category THEN CONCAT('crime_category given as ', "
                f"r.{q('crime_category')}, ', the Criminal Code table says ', l._table_category) "
                f"WHEN l._unknown_articles <> '' AND r.{q('crime_category')} IS NULL THEN "
                f"CONCAT('articles not in the Criminal Code table: ', l._unknown_articles) END")
        return (f"(SELECT {', '.join(keep + arts)}, "
                f"COALESCE(r.{q('crime_category')}, l._table_category) AS {q('crime_category')}, "
                f"COALESCE(r.{q('negligent')}, l._table_negligent) AS {q('negligent')}, {note} AS notes "
                f"FROM {registry} r LEFT JOIN {lookup} l ON r.{q('articles')} = l.{q('articles')})")


class DecisionQuery:
    """The decision query of one plan on one day, built stage by stage. The stages share the atoms (each
    distinct condition or date threshold, a column of s0), numbered in the order the stages first use them."""

    def __init__(self, gen: SqlGen, plan: Plan, on: dt.date):
        self.gen, self.plan, self.q, self.D = gen, plan, gen.ident, gen.date(on)
        self.cands, self.excls = plan.candidates, plan.exclusions
        self.atoms: dict = {}

    def text(self, value: str) -> str:
        """A clause id or relief name as an SQL string literal (quoted here, like every literal)."""
        return self.gen.lit(Lit(value, "string"))

    def col(self, prefix, c, k=None) -> str:
        return self.q(f"{prefix}_{c.id}" + (f"_{k}" if k is not None else ""))

    def atom(self, tree) -> str:
        """s0: every distinct condition and date threshold once, as a column (conditions shared by several
        clauses, such as "serving a prison sentence", are evaluated once)."""
        if isinstance(tree, Lit):
            return self.gen.lit(tree)
        if tree not in self.atoms:
            self.atoms[tree] = self.q(f"a{len(self.atoms)}")
        return self.atoms[tree]

    def query(self, source: str, passthrough: list[str]) -> str:
        s1, s2, s2e, s3, s3r, s4 = (self.s1(), self.s2(), self.s2e(), self.s3(), self.s3r(), self.s4())
        final = self.final(passthrough)
        s0 = [f"{self.gen.expr(t)} AS {name}" for t, name in self.atoms.items()] or ["TRUE AS _no_atoms"]

        def items(xs):
            return ",\n    ".join(xs)

        return (f"WITH s0 AS (SELECT *,\n    {items(s0)}\n  FROM {source}),\n"
                f"s1 AS (SELECT *,\n    {items(s1)}\n  FROM s0),\n"
                f"s2 AS (SELECT *,\n    {items(s2)}\n  FROM s1),\n"
                f"s2e AS (SELECT *,\n    {items(s2e)}\n  FROM s2),\n"
                f"s3 AS (SELECT *,\n    {items(s3)}\n  FROM s2e),\n"
                + (f"s3r AS (SELECT *,\n    {items(s3r)}\n  FROM s3),\n" if s3r else "")
                + f"s4 AS (SELECT *,\n    {items(s4)}\n  FROM {'s3r' if s3r else 's3'})\n"
                f"SELECT\n    {items(final)}\nFROM s4")

    def s1(self) -> list[str]:
        """Each clause's date-free part, and its date thresholds."""
        col, atom, out = self.col, self.atom, []
        for c in self.plan.clauses:
            conj = c.static.args if isinstance(c.static, And) else (c.static,)
            out.append(f"({' AND '.join(atom(t) for t in conj)}) AS {col('s', c)}")
            out += [f"{atom(t)} AS {col('u', c, k)}" for k, t in enumerate(c.ups)]
            out += [f"{atom(t)} AS {col('d', c, k)}" for k, t in enumerate(c.downs)]
        return out

    def s2(self) -> list[str]:
        """Whether each clause holds on the decision day (and each candidate's static part not barred); the
        alternative plans."""
        col, D, out = self.col, self.D, []
        for c in self.plan.clauses:
            parts = [col("s", c)] + [f"({col('u', c, k)} <= {D})" for k in range(len(c.ups))]
            parts += [f"({D} < {col('d', c, k)})" for k in range(len(c.downs))]
            out.append(f"({' AND '.join(parts)}) AS {col('h', c)}")
        for c in self.cands:
            blocked = " OR ".join(col("h", self.plan.clause(x)) for x in c.exclusions)
            out.append(f"({col('s', c)}{f' AND NOT ({blocked})' if blocked else ''}) AS {col('t', c)}")
        return out + self.s2_alternatives()

    def s2_alternatives(self) -> list[str]:
        """The plans under the default value of each reading chosen otherwise: whether each of their
        clauses holds on the decision day (for rests_on_readings)."""
        q, D, atom, out = self.q, self.D, self.atom, []
        for j, (_name, _value, alt) in enumerate(self.plan.alternatives):
            for c in alt.clauses:
                if c.kind == "relief" and not c.decides:
                    continue
                conj = c.static.args if isinstance(c.static, And) else (c.static,)
                parts = [f"({' AND '.join(atom(t) for t in conj)})"]
                parts += [f"({atom(t)} <= {D})" for t in c.ups] + [f"({D} < {atom(t)})" for t in c.downs]
                out.append(f"({' AND '.join(parts)}) AS {q(f'ah{j}_{c.id}')}")
        return out

    def s2e(self) -> list[str]:
        """Whether each candidate gives its relief on the decision day (and in each alternative plan)."""
        col, q = self.col, self.q
        out = [f"({col('h', c)} AND {col('t', c)}) AS {col('e', c)}" for c in self.cands] or ["TRUE AS _no_candidates"]
        for j, (_name, _value, alt) in enumerate(self.plan.alternatives):
            for c in alt.candidates:
                blocked = " OR ".join(q(f"ah{j}_{x}") for x in c.exclusions)
                out.append(f"({q(f'ah{j}_{c.id}')}{f' AND NOT ({blocked})' if blocked else ''}) AS {q(f'ae{j}_{c.id}')}")
        return out

    def s3(self) -> list[str]:
        """The relief and clause, the reasons, the exclusions that barred."""
        return self.s3_decision() + self.s3_reasons() + self.s3_exclusions()

    def s3_decision(self) -> list[str]:
        cands, text = self.cands, "STRING" if self.gen.dialect == "spark" else "VARCHAR"

        def e(c):
            return self.col("e", c)

        rel_w, cl_w = [], []
        for i, c in enumerate(cands):
            differ = [f"{e(b)} IS NULL" for b in cands[:i]
                      if (b.relief, b.reduction_months) != (c.relief, c.reduction_months)]
            guard = f" AND NOT ({' OR '.join(differ)})" if differ else ""
            rel_w.append(f"WHEN {e(c)}{guard} THEN {self.text(c.relief)} WHEN {e(c)} THEN 'indeterminate'")
            cl_w.append(f"WHEN {e(c)}{guard} THEN {self.text(c.id)} WHEN {e(c)} THEN NULL")
        unknown = " OR ".join(f"{e(c)} IS NULL" for c in cands) or "FALSE"
        return [f"CASE {' '.join(rel_w)} WHEN {unknown} THEN 'indeterminate' ELSE 'none' END AS relief"
                if cands else "'none' AS relief",
                f"CASE {' '.join(cl_w)} ELSE NULL END AS clause" if cands else f"CAST(NULL AS {text}) AS clause"]

    def s3_reasons(self) -> list[str]:
        col = self.col
        codes = ["'-'" if not c.decides else
                 f"(CASE WHEN {col('h', c)} THEN 'H' WHEN NOT {col('h', c)} THEN 'F' ELSE 'U' END)"
                 for c in self.plan.clauses]
        return [f"CONCAT({', '.join(codes)}) AS reasons"]

    def s3_exclusions(self) -> list[str]:
        col, out = self.col, []
        for x in self.excls:   # the exclusion held and blocked a relief clause that held or might have
            targets = [c for c in self.cands if x.id in c.exclusions]
            alive = " OR ".join(f"{col('h', c)} OR {col('h', c)} IS NULL" for c in targets) or "FALSE"
            out.append(f"COALESCE({col('h', x)} AND ({alive}), FALSE) AS {col('xb', x)}")
            if x.reading_bound:   # ... and blocked only clauses it binds under the chosen reading alone
                firm = " OR ".join(f"{col('h', c)} OR {col('h', c)} IS NULL" for c in targets
                                   if c.id not in x.reading_bound) or "FALSE"
                out.append(f"COALESCE({col('h', x)} AND ({firm}), FALSE) AS {col('xf', x)}")
        return out

    # each candidate's window span: from the latest of its thresholds that open (lo) to the earliest of those
    # that close (hi). Written out where a decision needs them (inside CASE branches), not as columns: only
    # the rows with that relief, or with none, evaluate them (measured: the span columns of every candidate
    # on every row cost more than the relief and clause themselves)

    def span(self, c, end: str, upcoming: bool = False) -> str:
        """`lo` or `hi` of candidate c's span where the span is open and c's static part holds; with
        `upcoming`, `lo` only where it lies after the decision day."""
        col = self.col
        lo = self.gen.greatest([col("u", c, k) for k in range(len(c.ups))])
        hi = self.gen.least([col("d", c, k) for k in range(len(c.downs))])
        after = f" AND {lo} > {self.D}" if upcoming else ""
        return f"CASE WHEN {col('t', c)} AND {lo} < {hi}{after} THEN {lo if end == 'lo' else hi} END"

    def groups(self) -> dict:
        """Candidates by (relief, reduction months), in order."""
        groups: dict = {}
        for c in self.cands:
            groups.setdefault((c.relief, c.reduction_months), []).append(c)
        return groups

    def s3r(self) -> list[str]:
        """A relief rests on a reading when no clause giving it holds, for certain, under the reading's default."""
        q, out = self.q, []
        groups = self.groups()
        for j, (_name, _value, alt) in enumerate(self.plan.alternatives):
            whens = []
            for key, group in groups.items():
                alive = [q(f"ae{j}_{a.id}") for a in alt.candidates if (a.relief, a.reduction_months) == key]
                ids = ", ".join(self.text(c.id) for c in group)
                whens.append(f"WHEN clause IN ({ids}) THEN {' OR '.join(alive) if alive else 'FALSE'}")
            out.append(f"(clause IS NOT NULL AND NOT COALESCE(CASE {' '.join(whens)} END, FALSE)) AS {q(f'_rests{j}')}"
                       if whens else f"FALSE AS {q(f'_rests{j}')}")
        return out

    def s4(self) -> list[str]:
        """excluded_by, rests_on_readings, basis, reduction_months, the window span, the first upcoming day."""
        return self.s4_lists() + [self.s4_basis(), self.s4_months()] + self.s4_window()

    def s4_lists(self) -> list[str]:
        q, col = self.q, self.col
        parts = [f"CASE WHEN {col('xb', x)} THEN {self.text(x.id)} END" for x in self.excls]
        rests = [f"CASE WHEN {q(f'_rests{j}')} THEN {self.gen.lit(Lit(f'{name}={value}', 'string'))} END"
                 for j, (name, value, _alt) in enumerate(self.plan.alternatives)]
        return [f"CONCAT_WS(';', {', '.join(parts)}) AS excluded_by" if parts else "'' AS excluded_by",
                f"CONCAT_WS(';', {', '.join(rests)}) AS rests_on_readings" if rests else "'' AS rests_on_readings"]

    def s4_basis(self) -> str:
        any_x = " OR ".join(self.col("xb", x) for x in self.excls) or "FALSE"
        basis = [f"WHEN relief IN ('none', 'indeterminate') AND NOT ({any_x}) THEN NULL"]
        for status in ("unknown", "inferred"):
            conds = self.basis_conditions(status)
            if conds:
                basis.append(f"WHEN {' OR '.join(conds)} THEN '{status}'")
        return f"CASE {' '.join(basis)} ELSE 'reported' END AS basis"

    def basis_conditions(self, status: str) -> list[str]:
        """When the decision's basis is `status`: the weakest status among the deciding clause and the
        exclusions that held; a condition's own status counts only on the records its `status_when` names
        (unknown counts)."""
        col, atom, conds = self.col, self.atom, []
        ids = [c.id for c in self.cands if c.base_status == status]
        if ids:
            conds.append(f"clause IN ({', '.join(self.text(i) for i in ids)})")
        for c in self.cands:
            tests = [f"COALESCE({atom(t)}, TRUE)" for st, t in c.boundaries if st == status]
            if tests:
                conds.append(f"(clause = {self.text(c.id)} AND ({' OR '.join(tests)}))")
        for x in self.excls:
            tests = [f"COALESCE({atom(t)}, TRUE)" for st, t in x.boundaries if st == status]
            if x.base_status == status:
                conds.append(col("xb", x))
            elif tests:
                conds.append(f"({col('xb', x)} AND ({' OR '.join(tests)}))")
        if status == "inferred":
            conds += [self.q(f"_rests{j}") for j in range(len(self.plan.alternatives))]
            # an exclusion that barred only clauses bound to it by a reading rests on that reading
            conds += [f"({col('xb', x)} AND NOT {col('xf', x)})" for x in self.excls if x.reading_bound]
        return conds

    def s4_months(self) -> str:
        months = " ".join(f"WHEN clause = {self.text(c.id)} THEN {int(c.reduction_months)}" for c in self.cands if c.reduction_months)
        return (f"CAST(CASE {months} END AS INTEGER) AS reduction_months" if months
                else "CAST(NULL AS INTEGER) AS reduction_months")

    def s4_window(self) -> list[str]:
        out = []
        ef, eu = [], []
        for (rel, _m), group in self.groups().items():
            ids = ", ".join(self.text(c.id) for c in group)
            cond = f"relief = {self.text(rel)}" + (f" AND clause IN ({ids})" if rel == "term_reduction" else "")
            froms = [self.span(c, "lo") for c in group]
            tos = [self.span(c, "hi") for c in group]
            ef.append(f"WHEN {cond} THEN " + (f"LEAST({', '.join(froms)})" if len(froms) > 1 else froms[0]))
            eu.append(f"WHEN {cond} THEN " + (f"GREATEST({', '.join(tos)})" if len(tos) > 1 else tos[0]))
        out.append(f"CASE {' '.join(ef)} END AS eligible_from" if ef else "CAST(NULL AS DATE) AS eligible_from")
        out.append(f"CASE {' '.join(eu)} END AS _eu" if eu else "CAST(NULL AS DATE) AS _eu")
        ups = [self.span(c, "lo", upcoming=True) for c in self.cands]
        first = f"LEAST({', '.join(ups)})" if len(ups) > 1 else (ups[0] if ups else "")
        out.append(f"CASE WHEN relief = 'none' THEN {first} END AS _upf" if ups else "CAST(NULL AS DATE) AS _upf")
        return out

    def final(self, passthrough: list[str]) -> list[str]:
        """The output fields: the passthrough columns, then the decision schema's columns in order."""
        q, cands, dialect = self.q, self.cands, self.gen.dialect
        text = "STRING" if dialect == "spark" else "VARCHAR"
        ups = [self.span(c, "lo", upcoming=True) for c in cands]
        up_clause = " ".join(f"WHEN {u} = _upf THEN {self.text(c.id)}" for u, c in zip(ups, cands))
        up_relief = " ".join(f"WHEN {u} = _upf THEN {self.text(c.relief)}" for u, c in zip(ups, cands))
        return [q(p) for p in passthrough] + [
            "relief", "clause", "basis", "reduction_months",
            f"CASE WHEN relief = 'term_reduction' THEN "
            f"{csql.add_months_sql(dialect, q('sentence_end'), '-reduction_months')} END AS new_sentence_end",
            "eligible_from",
            f"{csql.add_days_sql(dialect, '_eu', '-1')} AS eligible_until",
            (f"CASE WHEN _upf IS NOT NULL THEN CASE {up_relief} END END" if cands else f"CAST(NULL AS {text})")
            + " AS upcoming_relief",
            (f"CASE WHEN _upf IS NOT NULL THEN CASE {up_clause} END END" if cands else f"CAST(NULL AS {text})")
            + " AS upcoming_clause",
            "_upf AS upcoming_from",
            "reasons", "excluded_by", "rests_on_readings"]
