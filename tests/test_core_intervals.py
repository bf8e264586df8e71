"""Unknown dates narrowed by what is known, at every boundary (mutation benchmark, issue 16:
clemency/compile/intervals.py).

A condition on an unrecorded offence date or sentence start is decided when every date the record allows
gives the same answer, and only then. Checked on decisions (a small act with one condition, both local
engines) against a brute force that evaluates the condition with each candidate date recorded: the ends of
the interval, a day inside each end, and days between; an end that is not known stands for a day far away."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from clemency.act.lang import parse
from clemency.act.load import load_act
from clemency.calendar import age_on
from clemency.compile.evaluate import evaluate
from clemency.compile.intervals import date_bounds, monotony, narrow
from clemency.pipeline import Context, decide_records

EIF = dt.date(2025, 12, 19)
D = dt.date
FAR_PAST, FAR_FUTURE = D(1900, 1, 1), D(2100, 12, 31)

ACT = """\
id: narrowed
title: one condition on a date that may be unrecorded
parameters:
  eif: {type: date, value: 2025-12-19, status: reported}
  window_months: {type: int, value: 4, status: reported}
clauses:
  - id: R1
    kind: relief
    relief: release_from_imprisonment
    text: one date test
    status: reported
    when: ["WHEN"]
"""
CONVICTED = {"sex": "M", "status": "convicted", "articles": "177.2", "punishment": "imprisonment",
             "term_months": 120, "sentence_end": "2031-01-10"}
ACCUSED = {"sex": "M", "status": "accused", "articles": "177.2"}
RELIEF = {True: "release_from_imprisonment", False: "none", None: "indeterminate"}
REASON = {True: "H", False: "F", None: "U"}     # the clause's letter in `reasons`


CLAUSE = """\
  - id: R{i}
    kind: relief
    relief: release_from_imprisonment
    text: one date test
    status: reported
    when: ["{when}"]
"""


def results(tmp_path, conditions, records):
    """For each condition (one clause each, in one act), the letter of each record's result: H held, F failed,
    U unknown; on the DuckDB and the reference engine, which must agree."""
    clauses = "".join(CLAUSE.format(i=i, when=c) for i, c in enumerate(conditions, 1))
    got = decide_all(tmp_path, None, records, ACT[:ACT.index("  - id: R1")] + clauses)
    return {c: [reasons[i] for _, reasons in got] for i, c in enumerate(conditions)}


def decide_all(tmp_path, when, records, text=None):
    """The relief and the clauses' results for each record, on the DuckDB and the reference engine (which must
    agree)."""
    path = tmp_path / "act.yaml"
    path.write_text(text or ACT.replace("WHEN", when))
    ctx = Context.make(load_act(path), None, None)
    recs = []
    for i, r in enumerate(records):
        if r.get("sentence_start") is not None and r["status"] == "convicted":   # ten years from the start
            r = {**r, "sentence_end": D(r["sentence_start"].year + 10, 1, 1)}
        rec = {k: (v.isoformat() if isinstance(v, D) else v) for k, v in r.items() if v is not None}
        recs.append({**rec, "person_id": f"P{i}", "case_id": f"K{i}"})
    out = {}
    for engine in ("duckdb", "reference"):
        out[engine] = [(d["relief"], d["reasons"]) for d in decide_records(ctx, recs, engine=engine)]
    assert out["duckdb"] == out["reference"], "the DuckDB and reference engines disagree"
    return out["duckdb"]


def interval(rec: dict, field: str) -> tuple[D | None, D | None]:
    """What the record says of an unrecorded date (None: that end is not known). An offence lies between the
    birth and the sentence start; a sentence start on or after the offence; a convicted person's unrecorded
    start before the entry into force."""
    if rec.get(field) is not None:
        return rec[field], rec[field]
    start_high = rec.get("sentence_start") or (EIF - dt.timedelta(days=1) if rec["status"] == "convicted" else None)
    if field == "offense_date":
        return rec.get("birth_date"), start_high
    return rec.get("offense_date"), start_high


def candidates(low: D | None, high: D | None) -> list[D]:
    lo, hi = low or FAR_PAST, high or FAR_FUTURE
    step = max(1, (hi - lo).days // 40)
    days = {lo, hi, lo + dt.timedelta(days=1), hi - dt.timedelta(days=1)} | \
        {lo + dt.timedelta(days=k) for k in range(0, (hi - lo).days, step)}
    return sorted(d for d in days if lo <= d <= hi)


def brute(condition: str, rec: dict, field: str):
    """True or false if the condition gives that for every date the record allows, else unknown."""
    tree = parse(condition)
    env = {"birth_date": None, "offense_date": None, "sentence_start": None, "status": None, "eif": EIF,
           **{k: v for k, v in rec.items() if k in ("birth_date", "offense_date", "sentence_start", "status")}}
    seen = {evaluate(tree, {**env, field: day}) for day in candidates(*interval(rec, field))}
    return seen.pop() if len(seen) == 1 else None


BIRTHS = [D(1990, 5, 5), D(2005, 5, 5), D(2007, 12, 19), D(2008, 2, 29), D(2009, 6, 30)]


def offence_records() -> list[dict]:
    """Records whose offence date is not recorded: births from 1990 to 2009 (minors and adults at any date),
    sentence starts on either side of the entry into force and of the 14th, 16th and 18th birthdays, or not
    recorded; pending cases with no sentence."""
    recs = []
    for b in BIRTHS:
        starts = {None, D(2024, 1, 10), D(2025, 6, 1), EIF - dt.timedelta(days=1), EIF, D(2026, 1, 5)}
        for k in (14, 16, 18):
            day = D(b.year + k, 3, 1) if (b.month, b.day) == (2, 29) else D(b.year + k, b.month, b.day)
            starts |= {day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)}
        for s in sorted(starts, key=lambda x: x or D(1, 1, 1)):
            if s is not None and (age_on(b, s) < 14 or s > D(2026, 1, 31)):
                continue
            recs.append({**CONVICTED, "birth_date": b, "offense_date": None, "sentence_start": s})
        recs.append({**ACCUSED, "birth_date": b, "offense_date": None})
    return recs


def start_records() -> list[dict]:
    """Records whose sentence start is not recorded, with an offence date before, on or after the cut-off
    days of the conditions below, or unrecorded too."""
    recs = []
    for b in (D(1990, 5, 5), D(2007, 12, 19)):
        for o in (None, D(2022, 12, 18), D(2024, 6, 1), D(2025, 5, 31), D(2025, 6, 1), D(2025, 6, 18),
                  D(2025, 6, 19), D(2025, 12, 17), D(2025, 12, 18)):
            if o is not None and age_on(b, o) < 14:
                continue
            recs.append({**CONVICTED, "birth_date": b, "offense_date": o, "sentence_start": None})
    return recs


OFFENCE = [
    "offense_date >= eif", "offense_date < eif", "offense_date > 2025-06-01", "offense_date <= 2025-06-01",
    "2024-01-10 <= offense_date", "2024-01-10 > offense_date", "2025-06-01 >= offense_date",
    "2025-06-01 < offense_date",
    "age_on(birth_date, offense_date) < 18", "age_on(birth_date, offense_date) >= 16",
    "age_on(birth_date, offense_date) > 15", "age_on(birth_date, offense_date) <= 17",
    "18 > age_on(birth_date, offense_date)", "17 <= age_on(birth_date, offense_date)",
    "add_months(offense_date, 6) > 2025-06-01", "add_days(offense_date, 30) <= 2025-07-01",
    "age_on(offense_date, eif) <= 1", "age_on(offense_date, eif) > 1",
    "add_months(add_days(offense_date, 1), 12) >= eif",
]
START = [
    "sentence_start < 2025-06-01", "sentence_start >= 2025-06-01", "2025-06-19 <= sentence_start",
    "add_months(sentence_start, 6) <= eif", "add_months(sentence_start, 6) > eif",
    "age_on(birth_date, sentence_start) >= 18", "age_on(birth_date, sentence_start) < 18",
    "age_on(sentence_start, eif) >= 1",
]


def test_an_unrecorded_offence_date_is_decided_exactly_when_every_possible_date_agrees(tmp_path):
    recs = offence_records()
    got = results(tmp_path, OFFENCE, recs)
    for condition in OFFENCE:
        expected = [brute(condition, r, "offense_date") for r in recs]
        wrong = [(r, g, e) for r, g, e in zip(recs, got[condition], expected) if g != REASON[e]]
        assert not wrong, f"{condition}: {len(wrong)} of {len(recs)} wrong, first {wrong[0]}"
        assert None in set(expected) and len(set(expected)) >= 2, condition    # the records reach both kinds


def test_an_unrecorded_sentence_start_is_decided_exactly_when_every_possible_date_agrees(tmp_path):
    recs = start_records()
    got = results(tmp_path, START, recs)
    for condition in START:
        expected = [brute(condition, r, "sentence_start") for r in recs]
        wrong = [(r, g, e) for r, g, e in zip(recs, got[condition], expected) if g != REASON[e]]
        assert not wrong, f"{condition}: {len(wrong)} of {len(recs)} wrong, first {wrong[0]}"
        assert None in set(expected) and len(set(expected)) >= 2, condition


def test_a_single_condition_decides_the_relief(tmp_path):
    """The letters above are the decision: held is the relief, failed is none, unknown is indeterminate."""
    recs = [{**CONVICTED, "birth_date": D(2007, 12, 19), "offense_date": None, "sentence_start": s}
            for s in (D(2025, 12, 18), D(2026, 1, 5))] + [{**ACCUSED, "birth_date": D(1990, 5, 5),
                                                           "offense_date": None}]
    got = decide_all(tmp_path, "age_on(birth_date, offense_date) < 18", recs)
    assert got == [(RELIEF[True], "H"), (RELIEF[None], "U"), (RELIEF[None], "U")]
    got = decide_all(tmp_path, "offense_date < eif", recs)
    assert got == [(RELIEF[True], "H"), (RELIEF[None], "U"), (RELIEF[None], "U")]
    got = decide_all(tmp_path, "offense_date >= 2026-01-06", recs)
    assert got == [(RELIEF[False], "F"), (RELIEF[False], "F"), (RELIEF[None], "U")]


def test_a_recorded_date_is_read_as_it_is(tmp_path):
    """Both dates recorded: the condition is the plain comparison, on the day itself and the days around it."""
    recs, expected = [], []
    for o in (D(2025, 6, 17), D(2025, 6, 18), D(2025, 6, 19)):
        for s in (o, D(2025, 6, 18), D(2025, 6, 19), D(2025, 12, 18)):
            if s >= o:
                recs.append({**CONVICTED, "birth_date": D(1990, 5, 5), "offense_date": o, "sentence_start": s})
                expected.append((o >= D(2025, 6, 18), s < D(2025, 6, 19)))
    conditions = ("offense_date >= 2025-06-18", "sentence_start < 2025-06-19")
    got = results(tmp_path, conditions, recs)
    for i, condition in enumerate(conditions):
        assert got[condition] == [REASON[e[i]] for e in expected]


# ---- both dates unrecorded -----------------------------------------------------------------------------------

def test_a_condition_on_both_unrecorded_dates_is_narrowed_on_each(tmp_path):
    """`age_on(offense_date, sentence_start)` (years from the offence to the sentence): with neither recorded,
    a convicted person's offence and start both lie between the birth and the day before the entry into force,
    so the gap is known to be below that span and no more; a recorded date narrows it further."""
    born_1990 = {**CONVICTED, "birth_date": D(1990, 5, 5), "offense_date": None, "sentence_start": None}
    born_2005 = {**born_1990, "birth_date": D(2005, 5, 5)}
    born_2008 = {**born_1990, "birth_date": D(2008, 5, 5)}
    cases = [
        ("age_on(offense_date, sentence_start) < 50", born_1990, True),     # at most 35 years
        ("age_on(offense_date, sentence_start) >= 36", born_1990, False),
        ("age_on(offense_date, sentence_start) >= 35", born_1990, None),    # born 5 May 1990: 35 on 5 May 2025
        ("age_on(offense_date, sentence_start) < 1", born_1990, None),
        ("age_on(offense_date, sentence_start) >= 21", born_2005, False),
        ("age_on(offense_date, sentence_start) <= 20", born_2005, True),
        ("add_months(offense_date, 240) < sentence_start", born_2008, False),   # 20 years after 2008: 2028
        ("add_months(offense_date, 240) >= sentence_start", born_2008, True),
        ("add_months(offense_date, 240) >= sentence_start", born_2005, None),   # 5 May 2025 < 18 Dec 2025
        ("add_months(offense_date, 240) >= sentence_start", {**born_2005, "sentence_start": D(2025, 1, 1)}, True),
        ("add_months(offense_date, 12) < sentence_start", {**born_1990, "offense_date": D(2025, 1, 1)}, False),
        ("add_months(offense_date, 1) <= sentence_start", {**born_1990, "offense_date": D(2024, 1, 1)}, None),
    ]
    recs = list({tuple(sorted(rec.items())): rec for _, rec, _ in cases}.values())
    got = results(tmp_path, sorted({c for c, _, _ in cases}), recs)
    for condition, rec, expected in cases:
        assert got[condition][recs.index(rec)] == REASON[expected], (condition, rec["birth_date"], expected)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_condition_on_both_dates_never_decides_what_some_pair_of_dates_contradicts(tmp_path, seed):
    rng = random.Random(seed)
    conditions = ["age_on(offense_date, sentence_start) < 3", "age_on(offense_date, sentence_start) >= 2",
                  "add_months(offense_date, 18) <= sentence_start", "add_days(offense_date, 1) < sentence_start",
                  "age_on(birth_date, offense_date) < 18"]
    recs = []
    for _ in range(25):
        b = D(rng.choice([1990, 2003, 2006, 2008]), rng.randint(1, 12), rng.randint(1, 28))
        start = rng.choice([None, None, D(2024, 1, 10), D(2025, 6, 1), D(b.year + 19, 1, 1)])
        offence = rng.choice([None, None, D(b.year + 15, 6, 1), D(b.year + 17, 12, 1)])
        if start is not None and offence is not None and offence > start:
            offence = None
        if start is not None and (start < D(b.year + 14, 12, 31) or start > D(2025, 12, 1)):
            start = None
        if offence is not None and offence >= EIF:
            offence = None
        recs.append({**CONVICTED, "birth_date": b, "offense_date": offence, "sentence_start": start})
    got = results(tmp_path, conditions, recs)
    assert sum(g != "U" for c in conditions for g in got[c]) > 20
    for condition in conditions:
        tree = parse(condition)
        for rec, letter in zip(recs, got[condition]):
            if letter == "U":
                continue
            env = {**{k: rec[k] for k in ("birth_date", "status")}, "eif": EIF}
            o_lo, o_hi = interval(rec, "offense_date")
            for o in candidates(o_lo, o_hi)[::4] + [o_lo, o_hi]:
                for s in (candidates(*interval({**rec, "offense_date": o}, "sentence_start"))[::4] +
                          [interval({**rec, "offense_date": o}, "sentence_start")[1]]):
                    if s >= o:
                        value = evaluate(tree, {**env, "offense_date": o, "sentence_start": s})
                        assert REASON[value] == letter, (condition, rec, o, s)


# ---- what is left as it is -----------------------------------------------------------------------------------

def test_a_condition_on_the_decision_day_reads_an_unrecorded_date_as_unknown(tmp_path):
    """Conditions reading the decision day are not narrowed (their days are computed instead): a recorded start
    gives the day the relief begins, an unrecorded one leaves it open."""
    path = tmp_path / "act.yaml"
    path.write_text(ACT.replace("WHEN", "add_months(sentence_start, 24) <= on"))
    ctx = Context.make(load_act(path), None, "2026-02-01")
    recs = [{**CONVICTED, "birth_date": "1990-05-05", "person_id": f"P{i}", "case_id": f"K{i}", **extra}
            for i, extra in enumerate([{"sentence_start": "2024-01-10"}, {"sentence_start": "2024-02-01"},
                                       {"sentence_start": "2024-02-02"}, {}])]
    for engine in ("duckdb", "reference"):
        got = [(d["relief"], d["eligible_from"], d["upcoming_from"]) for d in decide_records(ctx, recs, engine=engine)]
        assert got == [("release_from_imprisonment", D(2026, 1, 10), None),
                       ("release_from_imprisonment", D(2026, 2, 1), None), ("none", None, D(2026, 2, 2)),
                       ("indeterminate", None, None)], engine


def test_a_comparison_that_is_not_monotone_in_the_date_is_left_unknown(tmp_path):
    recs = [{**CONVICTED, "birth_date": D(1990, 5, 5), "offense_date": None, "sentence_start": D(2024, 1, 10)},
            {**CONVICTED, "birth_date": D(1990, 5, 5), "offense_date": D(2023, 1, 1), "sentence_start": D(2024, 1, 10)}]
    cases = {"offense_date == 2023-01-01": "H", "offense_date != 2023-01-01": "F",
             "age_on(offense_date, offense_date) < 1": "H"}
    got = results(tmp_path, list(cases), recs)
    for condition, recorded in cases.items():
        assert got[condition] == ["U", recorded], condition


# ---- the parts, one by one ----------------------------------------------------------------------------------

@pytest.mark.parametrize("rec, offence, start", [
    ({"birth_date": D(1990, 5, 5), "offense_date": None, "sentence_start": D(2024, 1, 10), "status": "convicted"},
     (D(1990, 5, 5), D(2024, 1, 10)), (D(2024, 1, 10), D(2024, 1, 10))),
    ({"birth_date": D(1990, 5, 5), "offense_date": None, "sentence_start": None, "status": "convicted"},
     (D(1990, 5, 5), D(2025, 12, 18)), (None, D(2025, 12, 18))),
    ({"birth_date": D(1990, 5, 5), "offense_date": D(2023, 3, 3), "sentence_start": None, "status": "convicted"},
     (D(2023, 3, 3), D(2023, 3, 3)), (D(2023, 3, 3), D(2025, 12, 18))),
    ({"birth_date": D(1990, 5, 5), "offense_date": None, "sentence_start": None, "status": "accused"},
     (D(1990, 5, 5), None), (None, None)),
    ({"birth_date": None, "offense_date": None, "sentence_start": None, "status": None}, (None, None), (None, None)),
    ({"birth_date": None, "offense_date": D(2023, 3, 3), "sentence_start": D(2024, 1, 1), "status": "accused"},
     (D(2023, 3, 3), D(2023, 3, 3)), (D(2024, 1, 1), D(2024, 1, 1))),
])
def test_the_interval_each_unrecorded_date_lies_in(rec, offence, start):
    bounds = date_bounds(EIF)
    assert set(bounds) == {"offense_date", "sentence_start"}
    assert tuple(evaluate(e, rec) for e in bounds["offense_date"]) == offence
    assert tuple(evaluate(e, rec) for e in bounds["sentence_start"]) == start
    other = date_bounds(D(2021, 3, 1))    # the day before another entry into force
    if rec["status"] == "convicted" and rec["sentence_start"] is None:
        assert evaluate(other["sentence_start"][1], rec) == D(2021, 2, 28)


@pytest.mark.parametrize("source, name, expected", [
    ("offense_date", "offense_date", 1),
    ("birth_date", "offense_date", 0),
    ("2025-01-01", "offense_date", 0),
    ("add_months(offense_date, 3)", "offense_date", 1),
    ("add_days(offense_date, 3)", "offense_date", 1),
    ("add_days(add_months(offense_date, 3), 1)", "offense_date", 1),
    ("add_months(birth_date, 3)", "offense_date", 0),
    ("age_on(birth_date, offense_date)", "offense_date", 1),
    ("age_on(offense_date, eif)", "offense_date", -1),
    ("age_on(add_months(offense_date, 2), eif)", "offense_date", -1),
    ("age_on(offense_date, sentence_start)", "sentence_start", 1),
    ("age_on(offense_date, sentence_start)", "offense_date", -1),
    ("age_on(offense_date, offense_date)", "offense_date", None),
    ("age_on(birth_date, birth_date)", "offense_date", 0),
    ("first_known(offense_date, eif)", "offense_date", None),
    ("age_on(first_known(offense_date, eif), eif)", "offense_date", None),
    ("age_on(birth_date, first_known(offense_date, eif))", "offense_date", None),
    ("add_days(eif, age_on(birth_date, offense_date))", "offense_date", None),
    ("add_months(eif, age_on(birth_date, offense_date))", "offense_date", None),
    ("nth_birthday(birth_date, 18)", "birth_date", None),
])
def test_the_direction_in_which_a_value_moves_with_a_date(source, name, expected):
    """+1: never decreases as the date grows; -1: never increases; 0: does not read it; None: cannot tell. Each
    claim of a direction is also checked on consecutive days."""
    tree = parse(source)
    assert monotony(tree, name) == expected
    if expected in (1, -1, 0):
        env = {"birth_date": D(2000, 2, 29), "offense_date": D(2024, 1, 1), "sentence_start": D(2024, 6, 1),
               "eif": EIF}
        values = [evaluate(tree, {**env, name: env[name] + dt.timedelta(days=k)}) for k in range(-400, 400, 7)]
        pairs = list(zip(values, values[1:]))
        assert all((b >= a) if expected == 1 else (b <= a) if expected == -1 else a == b for a, b in pairs)


def test_narrow_keeps_the_comparison_when_nothing_is_narrowed():
    bounds = date_bounds(EIF)
    for source in ("birth_date < 2000-01-01", "offense_date == 2023-01-01", "sentence_start != 2023-01-01",
                   "add_months(sentence_start, 6) <= on", "age_on(birth_date, on) >= 60"):
        tree = parse(source)
        assert narrow(tree, bounds) == tree, source
