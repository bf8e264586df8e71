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
        """SELECT the decision columns (contracts §3) from `source`: a relation with the registry fields,
        the resolved crime_category and negligent, and the article columns _art0, _art1, ...

        Stages: s0 evaluates each distinct condition and date threshold once; s1 each clause's date-free
        part and its date thresholds; s2 whether each clause
        holds on the decision day and each candidate's span; s3 the decision; the final select its fields.
        """
        q, D = self.ident, self.date(on)
        text = "STRING" if self.dialect == "spark" else "VARCHAR"
        cands, excls = plan.candidates, plan.exclusions

        def col(prefix, c, k=None):
            return q(f"{prefix}_{c.id}" + (f"_{k}" if k is not None else ""))

        # s0: every distinct condition and date threshold once, as a column (conditions shared by
        # several clauses, such as "serving a prison sentence", are evaluated once)
        atoms: dict = {}

        def atom(tree) -> str:
            if isinstance(tree, Lit):
                return self.lit(tree)
            if tree not in atoms:
                atoms[tree] = q(f"a{len(atoms)}")
            return atoms[tree]

        s1 = []
        for c in plan.clauses:
            conj = c.static.args if isinstance(c.static, And) else (c.static,)
            s1.append(f"({' AND '.join(atom(t) for t in conj)}) AS {col('s', c)}")
            s1 += [f"{atom(t)} AS {col('u', c, k)}" for k, t in enumerate(c.ups)]
            s1 += [f"{atom(t)} AS {col('d', c, k)}" for k, t in enumerate(c.downs)]

        s2 = []
        for c in plan.clauses:
            parts = [col("s", c)] + [f"({col('u', c, k)} <= {D})" for k in range(len(c.ups))]
            parts += [f"({D} < {col('d', c, k)})" for k in range(len(c.downs))]
            s2.append(f"({' AND '.join(parts)}) AS {col('h', c)}")
        for c in cands:
            blocked = " OR ".join(col("h", plan.clause(x)) for x in c.exclusions)
            s2.append(f"({col('s', c)}{f' AND NOT ({blocked})' if blocked else ''}) AS {col('t', c)}")
            s2.append(f"{self.greatest([col('u', c, k) for k in range(len(c.ups))])} AS {col('lo', c)}")
            s2.append(f"{self.least([col('d', c, k) for k in range(len(c.downs))])} AS {col('hi', c)}")

        # the plans under the default value of each reading chosen otherwise: whether each of their
        # candidates gives its relief on the decision day (for rests_on_readings)
        for j, (_name, _value, alt) in enumerate(plan.alternatives):
            for c in alt.clauses:
                if c.kind == "relief" and not c.decides:
                    continue
                conj = c.static.args if isinstance(c.static, And) else (c.static,)
                parts = [f"({' AND '.join(atom(t) for t in conj)})"]
                parts += [f"({atom(t)} <= {D})" for t in c.ups] + [f"({D} < {atom(t)})" for t in c.downs]
                s2.append(f"({' AND '.join(parts)}) AS {q(f'ah{j}_{c.id}')}")

        # the candidate gives its relief on the decision day
        s2e = [f"({col('h', c)} AND {col('t', c)}) AS {col('e', c)}" for c in cands] or ["TRUE AS _no_candidates"]
        for j, (_name, _value, alt) in enumerate(plan.alternatives):
            for c in alt.candidates:
                blocked = " OR ".join(q(f"ah{j}_{x}") for x in c.exclusions)
                s2e.append(f"({q(f'ah{j}_{c.id}')}{f' AND NOT ({blocked})' if blocked else ''}) AS {q(f'ae{j}_{c.id}')}")

        def e(c):
            return col("e", c)

        s3 = []
        rel_w, cl_w = [], []
        for i, c in enumerate(cands):
            differ = [f"{e(b)} IS NULL" for b in cands[:i]
                      if (b.relief, b.reduction_months) != (c.relief, c.reduction_months)]
            guard = f" AND NOT ({' OR '.join(differ)})" if differ else ""
            rel_w.append(f"WHEN {e(c)}{guard} THEN '{c.relief}' WHEN {e(c)} THEN 'indeterminate'")
            cl_w.append(f"WHEN {e(c)}{guard} THEN '{c.id}' WHEN {e(c)} THEN NULL")
        unknown = " OR ".join(f"{e(c)} IS NULL" for c in cands) or "FALSE"
        s3.append(f"CASE {' '.join(rel_w)} WHEN {unknown} THEN 'indeterminate' ELSE 'none' END AS relief"
                  if cands else "'none' AS relief")
        s3.append(f"CASE {' '.join(cl_w)} ELSE NULL END AS clause" if cands else f"CAST(NULL AS {text}) AS clause")
        codes = ["'-'" if not c.decides else
                 f"(CASE WHEN {col('h', c)} THEN 'H' WHEN NOT {col('h', c)} THEN 'F' ELSE 'U' END)"
                 for c in plan.clauses]
        s3.append(f"CONCAT({', '.join(codes)}) AS reasons")
        for x in excls:   # the exclusion held and blocked a relief clause that held or might have
            targets = [c for c in cands if x.id in c.exclusions]
            alive = " OR ".join(f"{col('h', c)} OR {col('h', c)} IS NULL" for c in targets) or "FALSE"
            s3.append(f"COALESCE({col('h', x)} AND ({alive}), FALSE) AS {col('xb', x)}")
            if x.reading_bound:   # ... and blocked only clauses it binds under the chosen reading alone
                firm = " OR ".join(f"{col('h', c)} OR {col('h', c)} IS NULL" for c in targets
                                   if c.id not in x.reading_bound) or "FALSE"
                s3.append(f"COALESCE({col('h', x)} AND ({firm}), FALSE) AS {col('xf', x)}")
        for c in cands:
            lo, hi = col("lo", c), col("hi", c)
            ok = f"{col('t', c)} AND {lo} < {hi}"
            s3.append(f"CASE WHEN {ok} THEN {lo} END AS {col('vf', c)}")
            s3.append(f"CASE WHEN {ok} THEN {hi} END AS {col('vt', c)}")
            s3.append(f"CASE WHEN {ok} AND {lo} > {D} THEN {lo} END AS {col('up', c)}")

        # a relief rests on a reading when no clause giving it holds, for certain, under the reading's default
        s3r = []
        groups: dict = {}
        for c in cands:
            groups.setdefault((c.relief, c.reduction_months), []).append(c)
        for j, (_name, _value, alt) in enumerate(plan.alternatives):
            whens = []
            for key, group in groups.items():
                alive = [q(f"ae{j}_{a.id}") for a in alt.candidates if (a.relief, a.reduction_months) == key]
                ids = ", ".join(f"'{c.id}'" for c in group)
                whens.append(f"WHEN clause IN ({ids}) THEN {' OR '.join(alive) if alive else 'FALSE'}")
            s3r.append(f"(clause IS NOT NULL AND NOT COALESCE(CASE {' '.join(whens)} END, FALSE)) AS {q(f'_rests{j}')}"
                       if whens else f"FALSE AS {q(f'_rests{j}')}")

        s4 = []
        parts = [f"CASE WHEN {col('xb', x)} THEN '{x.id}' END" for x in excls]
        s4.append(f"CONCAT_WS(';', {', '.join(parts)}) AS excluded_by" if parts else "'' AS excluded_by")
        rests = [f"CASE WHEN {q(f'_rests{j}')} THEN {self.lit(Lit(f'{name}={value}', 'string'))} END"
                 for j, (name, value, _alt) in enumerate(plan.alternatives)]
        s4.append(f"CONCAT_WS(';', {', '.join(rests)}) AS rests_on_readings" if rests else "'' AS rests_on_readings")
        any_x = " OR ".join(col("xb", x) for x in excls) or "FALSE"
        basis = [f"WHEN relief IN ('none', 'indeterminate') AND NOT ({any_x}) THEN NULL"]
        for status in ("unknown", "inferred"):
            # the weakest status among the deciding clause and the exclusions that held; a condition's own
            # status counts only on the records its `status_when` names (unknown counts)
            conds = []
            ids = [c.id for c in cands if c.base_status == status]
            if ids:
                conds.append(f"clause IN ({', '.join(repr(i) for i in ids)})")
            for c in cands:
                tests = [f"COALESCE({atom(t)}, TRUE)" for st, t in c.boundaries if st == status]
                if tests:
                    conds.append(f"(clause = '{c.id}' AND ({' OR '.join(tests)}))")
            for x in excls:
                tests = [f"COALESCE({atom(t)}, TRUE)" for st, t in x.boundaries if st == status]
                if x.base_status == status:
                    conds.append(col("xb", x))
                elif tests:
                    conds.append(f"({col('xb', x)} AND ({' OR '.join(tests)}))")
            if status == "inferred":
                conds += [q(f"_rests{j}") for j in range(len(plan.alternatives))]
                # an exclusion that barred only clauses bound to it by a reading rests on that reading
                conds += [f"({col('xb', x)} AND NOT {col('xf', x)})" for x in excls if x.reading_bound]
            if conds:
                basis.append(f"WHEN {' OR '.join(conds)} THEN '{status}'")
        s4.append(f"CASE {' '.join(basis)} ELSE 'reported' END AS basis")
        months = " ".join(f"WHEN clause = '{c.id}' THEN {c.reduction_months}" for c in cands if c.reduction_months)
        s4.append(f"CAST(CASE {months} END AS INTEGER) AS reduction_months" if months
                  else "CAST(NULL AS INTEGER) AS reduction_months")
        ef, eu = [], []
        for (rel, _m), group in groups.items():
            ids = ", ".join(f"'{c.id}'" for c in group)
            cond = f"relief = '{rel}'" + (f" AND clause IN ({ids})" if rel == "term_reduction" else "")
            froms = [col("vf", c) for c in group]
            tos = [col("vt", c) for c in group]
            ef.append(f"WHEN {cond} THEN " + (f"LEAST({', '.join(froms)})" if len(froms) > 1 else froms[0]))
            eu.append(f"WHEN {cond} THEN " + (f"GREATEST({', '.join(tos)})" if len(tos) > 1 else tos[0]))
        s4.append(f"CASE {' '.join(ef)} END AS eligible_from" if ef else "CAST(NULL AS DATE) AS eligible_from")
        s4.append(f"CASE {' '.join(eu)} END AS _eu" if eu else "CAST(NULL AS DATE) AS _eu")
        ups = [col("up", c) for c in cands]
        s4.append((f"LEAST({', '.join(ups)})" if len(ups) > 1 else ups[0]) + " AS _upf" if ups
                  else "CAST(NULL AS DATE) AS _upf")

        up_clause = " ".join(f"WHEN {col('up', c)} = _upf THEN '{c.id}'" for c in cands)
        up_relief = " ".join(f"WHEN {col('up', c)} = _upf THEN '{c.relief}'" for c in cands)
        final = [q(p) for p in passthrough] + [
            "relief", "clause", "basis", "reduction_months",
            f"CASE WHEN relief = 'term_reduction' THEN "
            f"{csql.add_months_sql(self.dialect, q('sentence_end'), '-reduction_months')} END AS new_sentence_end",
            "eligible_from",
            f"{csql.add_days_sql(self.dialect, '_eu', '-1')} AS eligible_until",
            (f"CASE WHEN relief = 'none' THEN CASE {up_relief} END END" if cands else f"CAST(NULL AS {text})")
            + " AS upcoming_relief",
            (f"CASE WHEN relief = 'none' THEN CASE {up_clause} END END" if cands else f"CAST(NULL AS {text})")
            + " AS upcoming_clause",
            "CASE WHEN relief = 'none' THEN _upf END AS upcoming_from",
            "reasons", "excluded_by", "rests_on_readings"]

        def items(xs):
            return ",\n    ".join(xs)

        s0 = [f"{self.expr(t)} AS {name}" for t, name in atoms.items()] or ["TRUE AS _no_atoms"]

        return (f"WITH s0 AS (SELECT *,\n    {items(s0)}\n  FROM {source}),\n"
                f"s1 AS (SELECT *,\n    {items(s1)}\n  FROM s0),\n"
                f"s2 AS (SELECT *,\n    {items(s2)}\n  FROM s1),\n"
                f"s2e AS (SELECT *,\n    {items(s2e)}\n  FROM s2),\n"
                f"s3 AS (SELECT *,\n    {items(s3)}\n  FROM s2e),\n"
                + (f"s3r AS (SELECT *,\n    {items(s3r)}\n  FROM s3),\n" if s3r else "")
                + f"s4 AS (SELECT *,\n    {items(s4)}\n  FROM {'s3r' if s3r else 's3'})\n"
                f"SELECT\n    {items(final)}\nFROM s4")

    def source_query(self, plan: Plan, registry: str, lookup: str, columns: list[str]) -> str:
        """The registry joined with the article lookup: the resolved crime_category and negligent (a given
        value wins over the table), the article columns, and a note where the given category disagrees."""
        q = self.ident
        keep = [f"r.{q(c)}" for c in columns if c not in ("crime_category", "negligent")]
        arts = [f"l.{q(f'_art{k}')}" for k in range(len(plan.article_sets))]
        note = (f"CASE WHEN r.{q('crime_category')} IS NOT NULL AND l._table_category IS NOT NULL AND "
                f"r.{q('crime_category')} <> l._table_category THEN CONCAT('crime_category given as ', "
                f"r.{q('crime_category')}, ', the Criminal Code table says ', l._table_category) "
                f"WHEN l._unknown_articles <> '' AND r.{q('crime_category')} IS NULL THEN "
                f"CONCAT('articles not in the Criminal Code table: ', l._unknown_articles) END")
        return (f"(SELECT {', '.join(keep + arts)}, "
                f"COALESCE(r.{q('crime_category')}, l._table_category) AS {q('crime_category')}, "
                f"COALESCE(r.{q('negligent')}, l._table_negligent) AS {q('negligent')}, {note} AS notes "
                f"FROM {registry} r LEFT JOIN {lookup} l ON r.{q('articles')} = l.{q('articles')})")
