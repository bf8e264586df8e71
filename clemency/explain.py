"""Decisions for single records, explained clause by clause in plain words (for `check`, the web app and
reports). The decision itself comes from the same compiled query as `apply`; the explanation re-evaluates
each condition of each clause on the record to show what held, what failed and what was unknown."""

from __future__ import annotations

import datetime as dt

import duckdb

from clemency import pipeline
from clemency.act.lang import names_in, parse
from clemency.compile.evaluate import evaluate, kleene_and, kleene_or
from clemency.engines import get_engine
from clemency.engines.reference import source_rows
from clemency.engines.schema import DECISION_FIELDS
from clemency.errors import InputError
from clemency.jurisdictions import RELIEF_WORDS as JURISDICTION_WORDS
from clemency.jurisdictions import jurisdiction_of
from clemency.locale import N_, gettext_for
from clemency.locale import date as locale_date
from clemency.locale.words import VALUES
from clemency.pipeline import Context

RESULT = {True: "held", False: "failed", None: "unknown"}
RELIEF_WORDS = JURISDICTION_WORDS   # relief -> words, from the act's jurisdiction (clemency.jurisdictions)


def _iso(v):
    return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v


def decide_records(ctx: Context, records: list[dict]) -> list[dict]:
    """Decide and explain a few records; a record with findings raises InputError listing them all."""
    con = duckdb.connect()
    try:
        loaded, _ = pipeline.load(con, ctx.act, list(records))
        if loaded.rows_rejected:
            rows = con.execute("SELECT row, field, value, expected FROM findings ORDER BY row, field").fetchall()
            lines = [f"record {r}: field '{f}' = {v!r}, expected {e}" for r, f, v, e in rows]
            raise InputError("the record is not valid:\n  " + "\n  ".join(lines))
        pipeline.register_lookup(con, ctx)
        cols = pipeline.columns(con)
        decisions = {d["_row"]: d for d in get_engine("duckdb").decide_rows(con, ctx.plan, ctx.on, cols, ["_row"])}
        inputs = list(source_rows(con, ctx.plan, cols))   # the resolved input rows the explanation reads
    finally:
        con.close()
    return [explain(ctx, row, decisions[row["_row"]]) for row in inputs]


def explain(ctx: Context, row: dict, decision: dict) -> dict:
    """The decision of docs/decisions.md as one JSON-ready object, with reasons clause by clause."""
    env = dict(row)
    env["on"] = ctx.on
    reasons = []
    codes = decision["reasons"]
    for code, c in zip(codes, ctx.plan.clauses):
        clause = ctx.act.clause(c.id)
        conditions, used = [], {}
        for k in c.conditions:
            value = evaluate(k.tree, env) if c.decides else None
            conditions.append({"test": k.condition.source, "says": k.condition.says, "result": RESULT[value]})
            for n in sorted(names_in(k.tree)):
                if n in env and not n.startswith("_"):
                    used[n] = _iso(env[n])
        result = {"H": "held", "F": "failed", "U": "unknown", "-": "not decided (content unknown)"}[code]
        reasons.append({"clause": c.id, "kind": c.kind, "result": result, "status": c.status,
                        "relief": c.relief, "text": clause.text, "sources": list(clause.sources),
                        "applies_to_this": list(c.exclusions) if c.kind == "relief" else None,
                        "conditions": conditions, "values": used})
    d = {k: _iso(decision.get(k)) for k in DECISION_FIELDS}
    upcoming = None
    if decision.get("upcoming_relief"):
        upcoming = {"relief": decision["upcoming_relief"], "clause": decision["upcoming_clause"],
                    "eligible_from": _iso(decision["upcoming_from"])}
    result = {
        "person_id": row.get("person_id"), "case_id": row.get("case_id"),
        **{k: d[k] for k in ("relief", "clause", "basis", "reduction_months", "new_sentence_end",
                             "eligible_from", "eligible_until")},
        "upcoming": upcoming,
        "excluded_by": [x for x in (decision.get("excluded_by") or "").split(";") if x],
        "rests_on_readings": [x for x in (decision.get("rests_on_readings") or "").split(";") if x],
        "crime_category": row.get("crime_category"), "notes": row.get("notes"),
        "on": ctx.on.isoformat(),
        "act": ctx.act.id, "act_hash": ctx.act.sha256, "readings": ctx.plan.readings,
        "code_version": ctx.code.version,
        "reasons_code": codes,
        "reasons": reasons,
    }
    result["explanation"] = plain_words(ctx, result)
    return result


def plain_words(ctx: Context, d: dict, lang: str = "en") -> str:
    """One paragraph a lawyer can read: the outcome, the clause, what kept the person out, what is unknown.
    The sentences are gettext messages (clemency/locale), and so are the act's texts they quote; English is
    the source, in any other language dates are written as the locale writes them."""
    g = gettext_for(lang)

    def _(message):            # a message may be missing (None) in an act: shown as it is
        return g(message) if isinstance(message, str) and message else message
    day = (lambda v: v) if lang == "en" else (lambda v: locale_date(v, lang))  # noqa: E731
    by_id = {r["clause"]: r for r in d["reasons"]}
    relief = d["relief"]
    jur = jurisdiction_of(ctx.act)

    def words(r: str) -> str:     # the relief in the words of the act's jurisdiction
        return jur.words(r, lang) if lang != "en" else jur.words(r)

    def says(k: dict) -> str:
        return _(k["says"]) if k["says"] else k["test"]

    parts = []
    if d["clause"]:
        r = by_id[d["clause"]]
        held = "; ".join(says(k) for k in r["conditions"] if k["result"] == "held")
        basis = "" if d["basis"] == "reported" else " " + _(
            "This rests on {basis} content, not on the reported text.").format(basis=_(d["basis"]))
        parts.append(_("{relief} under clause {clause} ({text}): {held}.").format(
            relief=_cap(words(relief)), clause=d["clause"], text=_(r["text"]), held=held) + basis)
        if d.get("rests_on_readings"):
            parts.append(_("This relief exists only under the reading {readings}, not under the default reading.")
                         .format(readings=_(" and ").join(_reading_words(ctx, r, _) for r in d["rests_on_readings"])))
        if relief == "term_reduction":
            parts.append(_("The term is cut by {months} months: release on {end}.").format(
                months=d["reduction_months"], end=day(d["new_sentence_end"])))
        if d["eligible_from"]:
            parts.append(_("The relief holds from {day}.").format(day=day(d["eligible_from"])))
    elif relief == "none":
        parts.append(_("No clause of the act gives this person relief on {day}.").format(day=day(d["on"])))
        on, plan = dt.date.fromisoformat(d["on"]), ctx.plan
        near = [f"{r['clause']} ({says(k)})" for r, k in near_misses(d["reasons"])]
        if not plan.eif <= on <= plan.window_end:   # the day alone: no clause is a near miss
            parts.append((_("That day is before the entry into force: the act is applied from {eif} to {end}, both "
                            "days included.") if on < plan.eif else
                          _("That day is after the implementation window closed: the act is applied from {eif} to "
                            "{end}, both days included.")).format(eif=day(plan.eif.isoformat()),
                                                                  end=day(plan.window_end.isoformat())))
        elif near:
            parts.append(_("Missed only on the time left or the term imposed: {clauses}.").format(
                clauses="; ".join(near)))
        elif not d["excluded_by"]:    # nothing held and nothing excluded: the facts the clauses were read on
            parts.append(_case_words(d, _))
    else:
        unknown = unknowns_that_matter(ctx.plan, d["reasons_code"]) or [
            r["clause"] for r in d["reasons"] if r["result"] == "unknown" and r["kind"] != "provision"]
        parts.append(_("The outcome cannot be decided on the data given: it depends on {clauses}.").format(
            clauses=", ".join(unknown)))
        for cid in unknown:
            missing = [says(k) for k in by_id[cid]["conditions"] if k["result"] == "unknown"]
            if missing:
                parts.append(_("{clause}: unknown whether {conditions}.").format(
                    clause=cid, conditions="; ".join(missing)))
    for x in d["excluded_by"]:
        r = by_id[x]
        held = "; ".join(says(k) for k in r["conditions"] if k["result"] == "held")
        parts.append(_("Excluded by {clause} ({text}): {held}.").format(clause=x, text=_(r["text"]), held=held))
        soft = ctx.plan.clause(x).reading_bound
        barred = [c["clause"] for c in d["reasons"] if c["kind"] == "relief" and c["result"] != "failed"
                  and x in (c["applies_to_this"] or ())]
        if soft and barred and set(barred) <= set(soft):
            parts.append(_("{clause} bars {clauses} only under the selected reading of an open point of the act, "
                           "so this rests on inferred content.").format(clause=x, clauses=", ".join(barred)))
    if d["upcoming"]:
        u = d["upcoming"]
        parts.append(_("From {day} clause {clause} will give {relief}.").format(
            day=day(u["eligible_from"]), clause=u["clause"], relief=words(u["relief"])))
    if relief != "indeterminate" and any(
            "offense_date" in r["values"] and r["values"]["offense_date"] is None and r["result"] in ("held", "failed")
            for r in d["reasons"]):
        parts.append(_("The offence date is not recorded: it lies between the birth and the start of the sentence "
                       "(a sentence with no recorded start began before the entry into force), and every date in "
                       "that range gives this decision."))
    if d["notes"]:
        parts.append(_("Note: {notes}.").format(notes=d["notes"]))
    return " ".join(parts)


def _case_words(d: dict, _) -> str:
    """The facts every clause was read on, in words: the category of the crime and the punishment (or the
    pending case), so that a decision with no clause and no exclusion still says why."""
    values = {}
    for r in d["reasons"]:
        values.update({k: v for k, v in r["values"].items() if k in ("status", "punishment") and v})
    category = _(VALUES.get(d.get("crime_category"), N_("unknown")))
    if values.get("status") in ("suspect", "accused"):
        return _("The crime was read as {category}, in a pending case ({status}).").format(
            status=_(VALUES[values["status"]]), category=category)
    punishment = values.get("punishment")
    return _("The crime was read as {category}; the punishment is {punishment}.").format(
        category=category, punishment=_(VALUES.get(punishment, N_("unknown"))))


def _cap(text: str) -> str:
    return text.capitalize()


def _reading_words(ctx: Context, item: str, _=None) -> str:
    _ = _ or (lambda s: s)
    name, _sep, value = item.partition("=")
    r = ctx.act.readings.get(name)
    meaning = r.values.get(value) if r is not None else None
    if not meaning:
        return item
    return f"“{_(r.says)}”: {_(meaning)}" if r.says else _(meaning)


#: what a near miss may turn on: the time left and the term imposed. A clause that fails on an age, a degree of
#: impairment or a category is not "nearly" met (a 40-year-old is not a near miss of "60 or older").
NEAR_MISS_FIELDS = frozenset({"sentence_end", "term_months"})


def near_misses(reasons: list[dict]):
    """Relief clauses that failed on one condition only, where that condition turns on the time left or the
    term imposed. The one rule for near misses (`check`, the web app, the monitor)."""
    for r in reasons:
        failed = [k for k in r["conditions"] if k["result"] != "held"]
        if r["kind"] == "relief" and r["result"] == "failed" and len(failed) == 1 and failed[0]["result"] == "failed":
            if names_in(parse(failed[0]["test"])) & NEAR_MISS_FIELDS:
                yield r, failed[0]


def outcome(plan, held: dict):
    """The relief and clause that clause results (True / False / None for unknown) give on the decision
    day: the decision rule of every engine, over results already found."""
    eff = {}
    for c in plan.candidates:
        blocked = kleene_or(held.get(x) for x in c.exclusions)
        eff[c.id] = kleene_and([held.get(c.id), None if blocked is None else not blocked])
    for i, c in enumerate(plan.candidates):
        if eff[c.id] is True:
            differ = [b for b in plan.candidates[:i] if eff[b.id] is None
                      and (b.relief, b.reduction_months) != (c.relief, c.reduction_months)]
            return ("indeterminate", None) if differ else (c.relief, c.id)
    return ("indeterminate", None) if any(v is None for v in eff.values()) else ("none", None)


def unknowns_that_matter(plan, codes: str) -> list[str]:
    """The clauses whose unknown result could change the relief: held, it gives one outcome; failed, another."""
    held = {c.id: {"H": True, "F": False}.get(code) for code, c in zip(codes, plan.clauses)}
    out = []
    for code, c in zip(codes, plan.clauses):
        if code == "U" and c.kind != "provision":
            if outcome(plan, {**held, c.id: True})[0] != outcome(plan, {**held, c.id: False})[0]:
                out.append(c.id)
    return out
