"""The reference engine: a plain, row-at-a-time evaluation of the compiled act. It is the oracle.

It is written for clarity, not speed, and on purpose it does not use the date thresholds the compiler
derives for the SQL engines: whether a clause holds on a day is found by evaluating the clause's whole
condition on that day, and the first day a relief holds by trying every day of the window.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq

from clemency import calendar as cal
from clemency.compile.evaluate import evaluate, kleene_and, kleene_or
from clemency.compile.plan import CompiledClause, Plan

CODE = {True: "H", False: "F", None: "U"}
STATUS_ORDER = ("reported", "inferred", "unknown")


class ReferenceEngine:
    name = "reference"

    def decide(self, con, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str], out_path) -> None:
        from clemency.engines.sqlgen import SqlGen
        source = SqlGen("duckdb").source_query(plan, "registry", "_lookup", columns)
        cur = con.execute(f"SELECT * FROM {source} ORDER BY _row")
        names = [d[0] for d in cur.description]
        out = []
        while True:
            batch = cur.fetchmany(10_000)
            if not batch:
                break
            for values in batch:
                row = dict(zip(names, values))
                decision = decide_row(plan, row, on)
                out.append({**{p: row.get(p) for p in passthrough}, **decision})
        pq.write_table(to_arrow(out, passthrough), out_path, compression="zstd")


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


DECISION_TYPES = [("relief", pa.string()), ("clause", pa.string()), ("basis", pa.string()),
                  ("reduction_months", pa.int32()), ("new_sentence_end", pa.date32()),
                  ("eligible_from", pa.date32()), ("eligible_until", pa.date32()),
                  ("upcoming_relief", pa.string()), ("upcoming_clause", pa.string()),
                  ("upcoming_from", pa.date32()), ("reasons", pa.string()), ("excluded_by", pa.string()),
                  ("rests_on_readings", pa.string())]


def to_arrow(rows: list[dict], passthrough: list[str]) -> pa.Table:
    names = passthrough + [n for n, _ in DECISION_TYPES]
    types = dict(DECISION_TYPES)
    arrays = []
    for n in names:
        values = [r.get(n) for r in rows]
        arrays.append(pa.array(values, types.get(n)) if n in types else pa.array(values))
    return pa.Table.from_arrays(arrays, names=names)
