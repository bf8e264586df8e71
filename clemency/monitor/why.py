"""Deciding a political-prisoner list under an act, person by person, in plain words (`clemency monitor why`).

A list row (docs/monitor.md) is mapped to the registry format (docs/registry-format.md):

- a missing `sentence_end` is computed from the arrest date and the term (pre-trial detention counts day
  for day: ``add_months(arrest_date, term_months)``), or from `sentence_start` when no arrest date is given;
- a missing `sex` comes from the patronymic (oğlu/оглы → M, qızı/кызы → F);
- a missing `offense_date` is taken as the arrest date (the reason says so);
- a missing `status` is `convicted` when sentence data is given, else `accused` (a pending case); a missing
  `punishment` of a convicted person is `imprisonment` (the list holds people in custody); a term of
  "life" is life imprisonment; every default is stated in the reason.

What cannot be derived stays unknown. Where the registry needs a value (sex; the sentence end of a prison
term) or where only a birth year is known, the row is decided under every possible value (sex M and F;
born on 1 January and on 31 December of the year — age is monotone in the birth date; the sentence end at
several points from the day after entry into force to far in the future). When every probe gives the same
decision the decision stands and the reason says the value was unknown but does not matter; otherwise the
relief is `indeterminate` and the reason says what it depends on.

Then, for every two-valued reading of the act (date readings such as `eif` skipped), the list is decided
again under the other value, and the persons whose relief changes are listed (`readings.csv`).
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from clemency import pipeline
from clemency.calendar import add_days, add_months
from clemency.errors import ClemencyError, InputError
from clemency.explain import RELIEF_WORDS, decide_records, near_misses, unknowns_that_matter
from clemency.jurisdictions import RELEASES  # reliefs that release the person altogether
from clemency.law.articles import covers, parse_articles
from clemency.monitor.files import read_table
from clemency.monitor.names import sex_from_patronymic
from clemency.outdir import inert_cell, replacing_file  # no cell a spreadsheet would evaluate
from clemency.pipeline import Context
from clemency.registry.schema import STATUS_FLAGS

WHY_COLUMNS = ["id", "full_name", "group", "relief", "clause", "excluded_by", "eligible_from",
               "new_sentence_end", "upcoming_relief", "upcoming_from", "reason", "derived", "other_readings"]
READINGS_COLUMNS = ["reading", "value", "id", "full_name", "group", "relief", "clause", "alt_relief",
                    "alt_clause", "alt_eligible_from", "alt_upcoming_relief", "alt_upcoming_from"]
REQUIRED = ("id", "full_name", "articles")

_PUNISHMENTS = ("imprisonment", "life_imprisonment", "restriction_of_liberty", "conditional", "corrective_work",
                "public_works", "fine", "disciplinary_military_unit", "other")
_STATUSES = ("convicted", "accused", "suspect")
_SEX = {"m": "M", "male": "M", "man": "M", "k": "M", "f": "F", "female": "F", "woman": "F", "q": "F"}
#: list columns copied into the registry record as they are (when present and not empty)
_PASS = ("crime_category", "negligent", "recidivism", "institution", "disability_percent",
         *STATUS_FLAGS)   # the status flags: the registry profile's (clemency.jurisdictions)
FAR_FUTURE = dt.date(2099, 12, 31)


@dataclass
class Mapped:
    """One list row mapped to the registry format, with what was derived and what stays unknown."""

    n: int                      # row number, 1 = first data row
    row: dict
    record: dict                # registry fields known for sure
    derived: list[str] = field(default_factory=list)
    probes: dict[str, list[tuple[object, str]]] = field(default_factory=dict)  # field -> [(value, words)]
    problem: str | None = None  # cannot be decided at all

    def variants(self) -> list[tuple[dict, str]]:
        """The record under every combination of the probed values, with words saying which."""
        if not self.probes:
            return [(dict(self.record), "")]
        keys = list(self.probes)
        out = []
        for combo in itertools.product(*(self.probes[k] for k in keys)):
            rec = dict(self.record)
            words = []
            for k, (value, w) in zip(keys, combo):
                rec[k] = value
                words.append(w)
            out.append((rec, ", ".join(words)))
        return out


def _date(v: str | None) -> dt.date | None:
    v = (v or "").strip()
    if not v:
        return None
    return dt.date.fromisoformat(v[:10])


def _term(v: str | None) -> tuple[int | None, bool]:
    """(months, life)."""
    v = (v or "").strip().lower()
    if not v:
        return None, False
    if v in ("life", "ömürlük", "omurluk", "пожизненно", "пожизненное"):
        return None, True
    f = float(v)
    return int(round(f)), False


def map_row(row: dict, n: int, eif: dt.date) -> Mapped:
    """A list row as a registry record (docs/monitor.md)."""
    m = Mapped(n, row, {"person_id": f"r{n}", "case_id": f"r{n}", "full_name": row.get("full_name", "")})
    rec = m.record
    try:
        arrest = _date(row.get("arrest_date"))
        start = _date(row.get("sentence_start"))
        end = _date(row.get("sentence_end"))
        birth = _date(row.get("birth_date"))
        offense = _date(row.get("offense_date"))
    except ValueError as exc:
        m.problem = f"a date in the row cannot be read ({exc}); expected YYYY-MM-DD"
        return m
    try:
        term, life = _term(row.get("term_months"))
    except ValueError:
        m.problem = f"term_months {row.get('term_months')!r} is not a number of months"
        return m
    articles = (row.get("articles") or "").replace(",", ";").strip()
    if not articles:
        m.problem = "no articles are recorded, so no clause can be tested"
        return m
    rec["articles"] = articles
    for k in _PASS:
        if (row.get(k) or "").strip():
            rec[k] = row[k].strip()

    # sex
    sex = _SEX.get((row.get("sex") or "").strip().lower())
    if sex is None and (row.get("sex") or "").strip():
        m.problem = f"sex {row.get('sex')!r}: expected M or F"
        return m
    if sex is None:
        sex = sex_from_patronymic(row.get("patronymic") or "") or sex_from_patronymic(row.get("full_name") or "")
        if sex:
            m.derived.append(f"sex {sex} from the patronymic")
    if sex:
        rec["sex"] = sex
    else:
        m.probes["sex"] = [("M", "if a man"), ("F", "if a woman")]
        m.derived.append("sex not recorded and no patronymic to derive it from")

    # birth date
    if birth:
        rec["birth_date"] = birth
    elif (row.get("birth_year") or "").strip():
        try:
            y = int(float(row["birth_year"]))
        except ValueError:
            m.problem = f"birth_year {row.get('birth_year')!r} is not a year"
            return m
        m.probes["birth_date"] = [(dt.date(y, 1, 1), f"if born early in {y}"), (dt.date(y, 12, 31), f"if born late in {y}")]
        m.derived.append(f"only the birth year ({y}) is known")

    # status and punishment
    status = (row.get("status") or "").strip().lower()
    has_sentence = bool(term or life or end or start or (row.get("punishment") or "").strip())
    if status and status not in _STATUSES:
        m.problem = f"status {row.get('status')!r}: expected one of {', '.join(_STATUSES)}"
        return m
    if not status:
        status = "convicted" if has_sentence else "accused"
        m.derived.append(f"status taken as {status} ({'sentence data recorded' if has_sentence else 'no sentence recorded: a pending case'})")
    rec["status"] = status
    punishment = (row.get("punishment") or "").strip().lower().replace(" ", "_")
    if punishment and punishment not in _PUNISHMENTS:
        m.problem = f"punishment {row.get('punishment')!r}: expected one of {', '.join(_PUNISHMENTS)}"
        return m
    if status == "convicted":
        if life and not punishment:
            punishment = "life_imprisonment"
            m.derived.append("punishment life imprisonment (term: life)")
        elif not punishment:
            punishment = "imprisonment"
            m.derived.append("punishment taken as imprisonment (not recorded; the person is listed as held)")
        rec["punishment"] = punishment
    elif punishment:
        rec["punishment"] = punishment
    if term is not None:
        rec["term_months"] = term
    if start:
        rec["sentence_start"] = start

    # sentence end
    if end:
        rec["sentence_end"] = end
    elif status == "convicted" and punishment in ("imprisonment", "restriction_of_liberty"):
        base, how = (arrest, "arrest") if arrest else (start, "sentence start")
        if base and term is not None:
            rec["sentence_end"] = add_months(base, term)
            extra = "; pre-trial detention counts day for day" if how == "arrest" else "; no arrest date, so pre-trial detention is not counted"
            m.derived.append(f"sentence end {rec['sentence_end']} = {how} {base} + {term} months{extra}")
        else:
            missing = "the term" if term is None else "the arrest date and the sentence start"
            m.derived.append(f"sentence end unknown ({missing} not recorded)")
            m.probes["sentence_end"] = [
                (add_days(eif, 1), "if the sentence ends the day after entry into force"),
                (add_months(eif, 3), "if 3 months are left"),
                (add_months(eif, 9), "if 9 months are left"),
                (add_months(eif, 18), "if 18 months are left"),
                (FAR_FUTURE, "if many years are left")]

    # offence date
    if offense:
        rec["offense_date"] = offense
    elif arrest:
        rec["offense_date"] = arrest
        m.derived.append(f"offence date taken as the arrest date {arrest} (not recorded)")
    else:
        m.derived.append("offence date unknown (no arrest date)")
    return m


@dataclass
class WhyRow:
    mapped: Mapped
    decision: dict | None       # the explained decision (clemency.explain), None when not decided
    relief: str
    clause: str | None
    excluded_by: list[str]
    eligible_from: str | None
    new_sentence_end: str | None
    upcoming_relief: str | None
    upcoming_from: str | None
    reason: str
    other: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.mapped.row.get("id", "")

    def csv_row(self) -> dict:
        r = self.mapped.row
        return {"id": r.get("id", ""), "full_name": r.get("full_name", ""), "group": r.get("group", ""),
                "relief": self.relief, "clause": self.clause or "", "excluded_by": ";".join(self.excluded_by),
                "eligible_from": self.eligible_from or "", "new_sentence_end": self.new_sentence_end or "",
                "upcoming_relief": self.upcoming_relief or "", "upcoming_from": self.upcoming_from or "",
                "reason": self.reason, "derived": "; ".join(self.mapped.derived),
                "other_readings": "; ".join(self.other)}


def _iso(v):
    return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v


def _outcome(d: dict) -> tuple:
    """What a person gets: relief, clause, dates (explained and bare decisions alike)."""
    up = d.get("upcoming") or {}
    return (d["relief"], d.get("clause"), _iso(d.get("eligible_from")), _iso(d.get("new_sentence_end")),
            d.get("upcoming_relief") or up.get("relief"),
            _iso(d.get("upcoming_from")) or up.get("eligible_from"))


def _variant_records(mapped: list[Mapped]) -> tuple[list[dict], list[tuple[Mapped, int, str]]]:
    records, owners = [], []
    for m in mapped:
        if m.problem:
            continue
        for k, (rec, words) in enumerate(m.variants()):
            rec["person_id"] = rec["case_id"] = f"r{m.n}.{k}"
            records.append(rec)
            owners.append((m, k, words))
    return records, owners


def _bare_decisions(ctx, records: list[dict]) -> list[dict]:
    """Decisions without explanations (for the alternative readings): the same pipeline and engine."""
    try:
        decided = pipeline.decide_records(ctx, records, carry=["person_id", "case_id", "_row"])
    except InputError:
        raise InputError("a record is not valid") from None
    by_id = {}
    for d in decided:
        d["excluded_by"] = [x for x in (d.get("excluded_by") or "").split(";") if x]
        by_id[d["person_id"]] = d
    return [by_id[r["person_id"]] for r in records]


def _decide_all(ctx, mapped: list[Mapped], explained: bool = True) -> dict[int, list[tuple[dict, int, str]]]:
    """Decisions for every variant of every decidable row: row number -> [(decision, variant, words)]."""
    decide = decide_records if explained else _bare_decisions
    records, owners = _variant_records(mapped)
    out: dict[int, list[tuple[dict, int, str]]] = {}
    if not records:
        return out
    try:
        decisions = decide(ctx, records)
    except InputError:
        # one bad record stops the batch: decide row by row and name the bad ones
        decisions = []
        for rec, (m, _, _) in zip(records, owners):
            try:
                decisions.extend(decide(ctx, [rec]))
            except InputError as exc:
                m.problem = "the row is not valid in the registry format: " + str(exc).split("\n", 1)[-1].strip()
                decisions.append(None)
    for d, (m, k, words) in zip(decisions, owners):
        if d is not None and not m.problem:
            out.setdefault(m.n, []).append((d, k, words))
    return out


def _clause_text(ctx, cid: str) -> str:
    return ctx.act.clause(cid).text


def _says(reason: dict, result: str = "held") -> str:
    return "; ".join(k["says"] or k["test"] for k in reason["conditions"] if k["result"] == result)


def _article_words(ctx, articles: str) -> str:
    parts = []
    for a in parse_articles(articles):
        e = ctx.code.entry(a)
        parts.append(f"{a} {(e.category or 'unknown category').replace('_', ' ') if e else 'not in the table'}")
    return ", ".join(parts)


def _excluded_refs(ctx, cid: str) -> list[str]:
    """Article refs named by an exclusion clause under the chosen readings (from the compiled plan)."""
    return ctx.plan.articles_tested_by(cid)


def _exclusion_words(ctx, x: str, reason: dict, articles: str) -> str:
    text = f"{x} ({_clause_text(ctx, x)}): {_says(reason)}"
    if "crime_category" in " ".join(k["test"] for k in reason["conditions"]):
        text += f" ({_article_words(ctx, articles)})"
    refs = _excluded_refs(ctx, x)
    if refs:
        named = sorted({a for a in parse_articles(articles) for ref in refs if covers(ref, a)})
        if named:
            text += f" (art. {', '.join(named)} named)"
    return text


def explain_decision(ctx, d: dict, m: Mapped) -> str:
    """The reason in plain words: what releases the person or what keeps them in."""
    by = {r["clause"]: r for r in d["reasons"]}
    relief, cid = d["relief"], d["clause"]
    articles = m.record.get("articles", "")
    parts: list[str] = []
    if cid and relief in RELEASES:
        parts.append(f"The act gives {RELIEF_WORDS[relief]} under {cid} ({_clause_text(ctx, cid)}): "
                     f"{_says(by[cid])}. Holds from {d['eligible_from']}.")
    elif cid and relief == "term_reduction":
        parts.append(f"Remains, with the unserved term cut by {d['reduction_months']} months under {cid} "
                     f"({_clause_text(ctx, cid)}): {_says(by[cid])}. Release on {d['new_sentence_end']} "
                     f"instead of {m.record.get('sentence_end')}.")
    elif relief == "indeterminate":
        unknown = [by[c] for c in unknowns_that_matter(ctx.plan, d["reasons_code"])] or [
            r for r in d["reasons"] if r["result"] == "unknown" and r["kind"] != "provision"]
        words = "; ".join(f"{r['clause']}: whether {_says(r, 'unknown')}" for r in unknown)
        parts.append(f"Cannot be decided on the data given: it depends on {words}.")
    if relief == "none":
        held_x = [r["clause"] for r in d["reasons"] if r["kind"] == "exclusion" and r["result"] == "held"]
        if held_x:
            parts.append("Kept in by " + "; by ".join(_exclusion_words(ctx, x, by[x], articles) for x in held_x) + ".")
            blocked = [r["clause"] for r in d["reasons"] if r["kind"] == "relief" and r["result"] == "held"
                       and set(r["applies_to_this"] or ()) & set(d["excluded_by"])]
            if blocked:
                parts.append("Without the exclusion " + ", ".join(
                    f"{c} ({_clause_text(ctx, c)})" for c in blocked) + " would apply.")
            else:
                parts.append("No other relief clause's conditions hold.")
        else:
            parts.append("Kept in: not in any category: no relief clause's conditions hold.")
            near = [f"{r['clause']} fails only on: {k['says'] or k['test']}" for r, k in near_misses(d["reasons"])]
            if near:
                parts.append("Closest: " + "; ".join(near) + ".")
    elif relief == "term_reduction" and d["excluded_by"]:
        parts.append("A release is barred by " + "; by ".join(
            _exclusion_words(ctx, x, by[x], articles) for x in d["excluded_by"]) + ".")
    if d.get("upcoming"):
        u = d["upcoming"]
        parts.append(f"From {u['eligible_from']} {u['clause']} will give {RELIEF_WORDS[u['relief']]}.")
    return " ".join(parts)


_PROBE_WORDS = {"sex": "sex", "birth_date": "birth date", "sentence_end": "sentence end"}


def _combine(ctx, m: Mapped, variants: list[tuple[dict, int, str]] | None, explained: bool = True) -> WhyRow:
    if m.problem or not variants:
        return WhyRow(m, None, "indeterminate", None, [], None, None, None, None,
                      f"Cannot be decided: {m.problem or 'not decided'}.")
    outcomes = {_outcome(d) for d, _, _ in variants}
    if len(outcomes) == 1:
        # the same outcome under every probe: keep the variant with the most exclusions for the words
        d = max(variants, key=lambda v: (len(v[0]["excluded_by"]), -v[1]))[0]
        excluded = sorted({x for v in variants for x in v[0]["excluded_by"]})
        reason = explain_decision(ctx, d, m) if explained else ""
        unknown = [_PROBE_WORDS[k] for k in m.probes if k != "birth_date"]
        if explained and unknown:
            reason += f" The {' and '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not known; the decision is the same whatever {'it is' if len(unknown) == 1 else 'they are'}."
        o = _outcome(d)
        return WhyRow(m, d, o[0], o[1], excluded, o[2], o[3], o[4], o[5], reason)
    # the outcome depends on what is unknown: say on which value, by the one probe that decides it if any
    keys = list(m.probes)
    combos = list(itertools.product(*(range(len(m.probes[k])) for k in keys)))
    by_variant = {k: _outcome(d) for d, k, _ in variants}
    words_of = {k: w for _, k, w in variants}
    deciding = None
    for i, _k in enumerate(keys):
        seen: dict[int, tuple] = {}
        if all(seen.setdefault(c[i], by_variant[j]) == by_variant[j] for j, c in enumerate(combos)):
            deciding = i
            break
    groups: dict[tuple, list[str]] = {}
    for j, c in enumerate(combos):
        w = m.probes[keys[deciding]][c[deciding]][1] if deciding is not None else words_of[j]
        ws = groups.setdefault(by_variant[j], [])
        if w not in ws:
            ws.append(w)
    merged: dict[str, list[str]] = {}
    for o, ws in groups.items():
        merged.setdefault(RELIEF_WORDS[o[0]] + (f" ({o[1]})" if o[1] else ""), []).extend(ws)
    text = "; ".join(f"{what} {' or '.join(ws)}" for what, ws in merged.items())
    unknown = _PROBE_WORDS[keys[deciding]] if deciding is not None else " and ".join(_PROBE_WORDS[k] for k in keys)
    return WhyRow(m, None, "indeterminate", None, [], None, None, None, None,
                  f"Cannot be decided: the outcome depends on the {unknown}, which the list does not give: {text}.")


@dataclass
class WhyResult:
    rows: list[WhyRow]
    changes: list[dict]         # readings.csv rows
    act: str
    act_hash: str
    readings: dict
    on: str

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            out[r.relief] = out.get(r.relief, 0) + 1
        return dict(sorted(out.items()))


def decide_rows(rows: list[dict], act, on=None, readings: dict | None = None,
                alternatives: bool = True) -> WhyResult:
    """Decide list rows under an act; with ``alternatives``, also under every other two-valued reading."""
    readings = dict(readings or {})
    ctx = Context.make(act, readings, on)
    mapped = [map_row(r, n, ctx.plan.eif) for n, r in enumerate(rows, 1)]
    base = _decide_all(ctx, mapped)
    out = [_combine(ctx, m, base.get(m.n)) for m in mapped]
    changes: list[dict] = []
    if alternatives:
        for name, rd in ctx.act.readings.items():
            if rd.is_date:
                continue
            current = ctx.plan.readings.get(name, rd.default)
            for value in rd.values:
                if value == current:
                    continue
                alt_ctx = Context.make(ctx.act, {**readings, name: value}, on, ctx.code)
                fresh = [map_row(r, n, alt_ctx.plan.eif) for n, r in enumerate(rows, 1)]
                alt = _decide_all(alt_ctx, fresh, explained=False)
                for w, m in zip(out, fresh):
                    a = _combine(alt_ctx, m, alt.get(m.n), explained=False)
                    if (a.relief, a.upcoming_relief) != (w.relief, w.upcoming_relief):
                        when = f" from {a.eligible_from}" if a.eligible_from and a.relief in RELEASES else ""
                        text = f"{name}={value}: {a.relief}" + (f" ({a.clause})" if a.clause else "") + when
                        if a.upcoming_relief:
                            text += f", then {a.upcoming_relief} from {a.upcoming_from}"
                        w.other.append(text)
                        changes.append({"reading": name, "value": value, "id": w.id,
                                        "full_name": w.mapped.row.get("full_name", ""),
                                        "group": w.mapped.row.get("group", ""), "relief": w.relief,
                                        "clause": w.clause or "", "alt_relief": a.relief, "alt_clause": a.clause or "",
                                        "alt_eligible_from": a.eligible_from or "",
                                        "alt_upcoming_relief": a.upcoming_relief or "",
                                        "alt_upcoming_from": a.upcoming_from or ""})
    return WhyResult(out, changes, ctx.act.id, ctx.act.sha256, ctx.plan.readings, ctx.on.isoformat())


def read_list(path: str | Path) -> list[dict]:
    """A political-prisoner list (docs/monitor.md): id, full_name and articles are required."""
    rows = read_table(path, required=REQUIRED)
    for n, r in enumerate(rows, 1):
        if not r.get("id"):
            raise InputError("empty id", where=f"{path}: row {n}")
    return rows


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    """Write a CSV file whole or not at all (a kill in the middle leaves the file as it was)."""
    with replacing_file(path) as part, part.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows({k: inert_cell(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows)


def why_list(list_path: str | Path, act, out_dir: str | Path, on=None, readings: dict | None = None) -> WhyResult:
    """`clemency monitor why`: write why.csv and readings.csv into out_dir."""
    rows = read_list(list_path)
    res = decide_rows(rows, act, on, readings)
    out = Path(out_dir)
    write_csv(out / "why.csv", WHY_COLUMNS, [r.csv_row() for r in res.rows])
    write_csv(out / "readings.csv", READINGS_COLUMNS, res.changes)
    return res


_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def file_and_date(spec: str) -> tuple[str, dt.date]:
    """'path@YYYY-MM-DD', or a path whose file name holds a YYYY-MM-DD date."""
    path, _, when = spec.partition("@")
    if not when:
        found = _DATE_IN_NAME.search(Path(path).name)
        if not found:
            raise InputError("no date for this file", where=path,
                             hint="write FILE@YYYY-MM-DD or put the date in the file name (list_2026-01-15.csv)")
        when = found.group(1)
    try:
        return path, dt.date.fromisoformat(when)
    except ValueError:
        raise InputError(f"date {when!r}", where=path, hint="YYYY-MM-DD") from None


__all__ = ["ClemencyError", "Mapped", "WhyResult", "WhyRow", "decide_rows", "file_and_date", "map_row",
           "read_list", "why_list"]
