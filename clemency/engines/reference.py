"""The reference engine: a plain, row-at-a-time evaluation of the compiled act. It is the oracle.

It is written for clarity, not speed, and on purpose it does not use the date thresholds the compiler
derives for the SQL engines: whether a clause holds on a day is found by evaluating the clause's whole
condition on that day, and the first day a relief holds by trying every day of the window. It reads the
typed `registry` table and joins the article lookup in Python (`lookup_row`, `source_row`): the second
implementation of `SqlGen.source_query` and of the lookup's combination of article parts. The web's fast
single-record path is this engine on a record already typed (`decide_typed`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from clemency import calendar as cal
from clemency.compile.evaluate import evaluate, kleene_and, kleene_or
from clemency.compile.plan import CompiledClause, Plan
from clemency.engines.base import Engine
from clemency.engines.lookup import part_table
from clemency.engines.schema import DECISION_TYPES
from clemency.law import CATEGORIES, CriminalCode

CODE = {True: "H", False: "F", None: "U"}
STATUS_ORDER = ("reported", "inferred", "unknown")


class ReferenceEngine(Engine):
    name = "reference"

    def _rows(self, con, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str]) -> list[dict]:
        looks = lookup_rows(con)
        out = []
        for row, decision in decide_typed(plan, on, registry_rows(con, columns), lambda a: looks.get(a, {})):
            out.append({**{p: row.get(p) for p in passthrough}, **decision})
        return out

    def _write(self, con, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str], out_path: Path,
               metadata: dict[str, str]) -> bool:
        table = to_arrow(self._rows(con, plan, on, columns, passthrough), passthrough)
        if metadata:
            table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
        pq.write_table(table, out_path, compression="zstd")
        return True


def registry_rows(con, columns: list[str], registry: str = "registry"):
    """The typed registry rows, in registry order."""
    cols = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
    cur = con.execute(f"SELECT {cols} FROM {registry} ORDER BY _row")
    while True:
        batch = cur.fetchmany(10_000)
        if not batch:
            break
        for values in batch:
            yield dict(zip(columns, values))


def source_rows(con, plan: Plan, columns: list[str]):
    """The registry rows joined with the registered article lookup, as `SqlGen.source_query` gives them."""
    looks = lookup_rows(con)
    for row in registry_rows(con, columns):
        articles = row.get("articles")
        yield source_row(plan, row, looks.get(articles, {}) if articles is not None else {})


def lookup_rows(con, lookup: str = "_lookup") -> dict[str, dict]:
    """The registered article lookup, by `articles` value."""
    cur = con.execute(f"SELECT * FROM {lookup}")
    names = [d[0] for d in cur.description]
    return {r[0]: dict(zip(names, r)) for r in cur.fetchall()}


def decide_typed(plan: Plan, on: dt.date, rows, look):
    """(source row, decision) for each typed registry row: joined with its article lookup (`look(articles)`,
    the lookup's row or {}), then decided."""
    for row in rows:
        articles = row.get("articles")
        source = source_row(plan, row, look(articles) if articles is not None else {})
        yield source, decide_row(plan, source, on)


def lookup_row(plan: Plan, code: CriminalCode, articles: str | None) -> dict:
    """The article lookup's row for one `articles` value (`clemency.engines.lookup.register_lookup`): the
    gravest part's category (unknown if a part is unknown, unless one is especially grave), negligent only
    if every part is, the unknown parts, and whether any part falls in each of the plan's article sets."""
    if articles is None:
        return {}
    parts = articles.split(";")
    table = {r["part"]: r for r in part_table(plan, code, sorted(set(parts))).to_pylist()}
    rows = [table[p] for p in parts]
    ranks = [r["rank"] for r in rows]
    worst = len(CATEGORIES) - 1
    if max((r for r in ranks if r is not None), default=None) == worst:
        category = CATEGORIES[worst]
    elif any(r is None for r in ranks):
        category = None
    else:
        category = CATEGORIES[max(ranks)]
    negs = [r["neg"] for r in rows]
    negligent = False if any(n is False for n in negs) else (None if any(n is None for n in negs) else True)
    value = {"_table_category": category, "_table_negligent": negligent,
             "_unknown_articles": ";".join(sorted({r["part"] for r in rows if r["rank"] is None}))}
    for col in plan.article_columns:
        value[col] = any(r[col] for r in rows)
    return value


def source_row(plan: Plan, row: dict, look: dict) -> dict:
    """The row `SqlGen.source_query` gives: the registry row with the article columns, the category and
    negligence resolved (a given value wins over the table), and a note where they disagree."""
    out = {k: v for k, v in row.items() if k not in ("crime_category", "negligent")}
    for col in plan.article_columns:
        out[col] = look.get(col)
    given, table = row.get("crime_category"), look.get("_table_category")
    out["crime_category"] = given if given is not None else table
    out["negligent"] = row["negligent"] if row.get("negligent") is not None else look.get("_table_negligent")
    if given is not None and table is not None and given != table:
        out["notes"] = f"crime_category given as {given}, the Criminal Code table says {table}"
    elif (look.get("_unknown_articles") or "") != "" and given is None:
        out["notes"] = f"articles not in the Criminal Code table: {look['_unknown_articles']}"
    else:
        out["notes"] = None
    return out


def window_days(plan: Plan):
    day = plan.eif
    while day <= plan.window_end:
        yield day
        day = cal.add_days(day, 1)


def holds(plan: Plan, clause: CompiledClause, row: dict, day: dt.date):
    """Whether a clause holds for this row on this day (a relief only within the window)."""
    if clause.kind == "relief" and not plan.eif <= day <= plan.window_end:
        return False
    return evaluate(clause.full, {**row, "on": day})


def effective(plan: Plan, clause: CompiledClause, row: dict, day: dt.date, excluded: dict):
    blocked = kleene_or(excluded[x] for x in clause.exclusions)
    return kleene_and([holds(plan, clause, row, day), None if blocked is None else not blocked])


def could_hold(plan: Plan, clause: CompiledClause, row: dict, excluded: dict) -> bool:
    """False when the clause can hold on no day at all: a date-free condition of it fails, or an
    exclusion binds it. Saves trying every day for clauses that plainly fail."""
    if any(excluded[x] is True for x in clause.exclusions):
        return False
    return evaluate(clause.static, row) is not False


def decide_row(plan: Plan, row: dict, on: dt.date) -> dict:
    excluded = {x.id: evaluate(x.full, row) for x in plan.exclusions}
    held = {c.id: (holds(plan, c, row, on) if c.decides else None) for c in plan.clauses}
    for x in plan.exclusions:
        held[x.id] = excluded[x.id]
    eff = {c.id: effective(plan, c, row, on, excluded) for c in plan.candidates}

    relief, clause = "none", None
    for i, c in enumerate(plan.candidates):
        if eff[c.id] is True:
            differ = [b for b in plan.candidates[:i] if eff[b.id] is None
                      and (b.relief, b.reduction_months) != (c.relief, c.reduction_months)]
            relief, clause = ("indeterminate", None) if differ else (c.relief, c.id)
            break
    else:
        if any(v is None for v in eff.values()):
            relief = "indeterminate"

    excluded_by = [x.id for x in plan.exclusions if excluded[x.id] is True and any(
        held[c.id] is not False for c in plan.candidates if x.id in c.exclusions)]
    rests = [f"{name}={value}" for name, value, alt in plan.alternatives
             if clause and not rests_under(alt, plan.clause(clause), row, on)]
    statuses = [plan.clause(clause).status_for(row)] if clause else []
    statuses += [plan.clause(x).status_for(row) for x in excluded_by]
    statuses += ["inferred"] if rests else []
    # an exclusion that barred only clauses it binds under a reading (not by the act's text) rests on it
    statuses += ["inferred" for x in excluded_by if plan.clause(x).reading_bound and not any(
        held[c.id] is not False for c in plan.candidates
        if x in c.exclusions and c.id not in plan.clause(x).reading_bound)]
    basis = max(statuses, key=STATUS_ORDER.index) if statuses else None

    chosen = plan.clause(clause) if clause else None
    months = chosen.reduction_months if chosen else None
    new_end = cal.add_months(row["sentence_end"], -months) if months and relief == "term_reduction" else None

    eligible_from = eligible_until = None
    if chosen:
        same = [c for c in plan.candidates if (c.relief, c.reduction_months) == (chosen.relief, months)
                and could_hold(plan, c, row, excluded)]
        days = [d for d in window_days(plan) if any(effective(plan, c, row, d, excluded) is True for c in same)]
        eligible_from, eligible_until = (days[0], days[-1]) if days else (None, None)

    upcoming = (None, None, None)
    if relief == "none":
        best = None
        for c in plan.candidates:
            if not could_hold(plan, c, row, excluded):
                continue
            first = next((d for d in window_days(plan) if d > on
                          and effective(plan, c, row, d, excluded) is True), None)
            if first is not None and (best is None or first < best[0]):
                best = (first, c)
        if best:
            upcoming = (best[1].relief, best[1].id, best[0])

    reasons = "".join(CODE[held[c.id]] if c.decides else "-" for c in plan.clauses)
    return {"relief": relief, "clause": clause, "basis": basis, "reduction_months": months if clause else None,
            "new_sentence_end": new_end, "eligible_from": eligible_from, "eligible_until": eligible_until,
            "upcoming_relief": upcoming[0], "upcoming_clause": upcoming[1], "upcoming_from": upcoming[2],
            "reasons": reasons, "excluded_by": ";".join(excluded_by), "rests_on_readings": ";".join(rests)}


def rests_under(alt: Plan, chosen: CompiledClause, row: dict, on: dt.date) -> bool:
    """Whether the chosen clause's relief holds for certain under an alternative plan (the default value of
    a reading chosen otherwise): some clause giving the same relief holds there and no exclusion blocks it."""
    excluded = {x.id: evaluate(x.full, row) for x in alt.exclusions}
    return any(effective(alt, c, row, on, excluded) is True for c in alt.candidates
               if (c.relief, c.reduction_months) == (chosen.relief, chosen.reduction_months))


def to_arrow(rows: list[dict], passthrough: list[str]) -> pa.Table:
    names = passthrough + [n for n, _ in DECISION_TYPES]
    types = dict(DECISION_TYPES)
    arrays = []
    for n in names:
        values = [r.get(n) for r in rows]
        arrays.append(pa.array(values, types.get(n)) if n in types else pa.array(values))
    return pa.Table.from_arrays(arrays, names=names)
