"""Unknown dates narrowed by what is known (clemency.compile.intervals), on every engine.

An unknown offence date lies between the birth and the sentence start; a convicted person's unknown
sentence start lies before the entry into force. A decision that every value in the interval gives is made;
otherwise it stays indeterminate. Checked three ways: named cases, soundness against every possible date
(the record decided again with each candidate date recorded), and the engines against each other."""

from __future__ import annotations

import csv
import datetime as dt
import random

import duckdb
import pytest

from clemency import calendar as cal
from clemency.act.lang import Call, Cmp, Lit, Name, parse
from clemency.apply import Context, apply_act
from clemency.compile.intervals import date_bounds, monotony, narrow
from clemency.explain import decide_records

EIF = dt.date(2025, 12, 19)
BASE = {"person_id": "P", "sex": "M", "birth_date": "1980-05-05", "status": "convicted", "articles": "177.2",
        "punishment": "imprisonment", "term_months": 36, "sentence_start": "2024-01-10",
        "sentence_end": "2027-01-10"}


def decide(*records, readings=None, on=None):
    recs = []
    for i, r in enumerate(records):
        rec = {k: v for k, v in {**BASE, **r}.items() if v is not None}
        rec["person_id"] = rec["case_id"] = f"R{i}"
        recs.append(rec)
    return decide_records(Context.make("az-2025", readings, on), recs)


def reasons(d):
    return {r["clause"]: r["result"] for r in d["reasons"]}


# ---- the cases ------------------------------------------------------------------------------------

def test_a_man_born_in_2009_serving_since_2025_was_certainly_a_minor_at_the_crime():
    d, = decide({"birth_date": "2009-05-05", "sentence_start": "2025-03-10", "sentence_end": "2028-03-10",
                 "offense_date": None})
    assert (d["relief"], d["clause"]) == ("release_from_imprisonment", "A8")
    assert reasons(d)["A8"] == "held"
    assert "The offence date is not recorded" in d["explanation"]
    full, = decide({"birth_date": "2009-05-05", "offense_date": "2024-10-10", "sentence_start": "2025-03-10",
                    "sentence_end": "2028-03-10"})
    assert "The offence date is not recorded" not in full["explanation"]


def test_a_man_18_at_the_sentence_start_may_or_may_not_have_been_a_minor():
    d, = decide({"birth_date": "2005-05-05", "sentence_start": "2024-01-10", "offense_date": None,
                 "articles": "206.1"})
    assert reasons(d)["A8"] == "unknown"


def test_a_woman_whose_sentence_began_before_the_act_certainly_offended_before_it():
    d, = decide({"sex": "F", "offense_date": None, "sentence_start": "2025-06-01"})
    assert (d["relief"], d["clause"]) == ("release_from_imprisonment", "A7")
    assert reasons(d)["T1"] == "failed"


def test_a_sentence_begun_after_the_act_leaves_the_offence_date_open():
    d, = decide({"sex": "F", "offense_date": None, "sentence_start": "2026-01-05", "sentence_end": "2028-01-05"},
                on="2026-01-10")
    assert reasons(d)["T1"] == "unknown"
    assert d["relief"] == "indeterminate"


def test_a_missing_start_is_read_the_same_way_by_every_clause():
    """serving_on_day reads a missing start as begun by the entry into force; so does T1."""
    d, = decide({"sex": "F", "offense_date": None, "sentence_start": None})
    r = reasons(d)
    assert (d["relief"], d["clause"]) == ("release_from_imprisonment", "A7")
    assert r["A7"] == "held" and r["T1"] == "failed"


def test_a_pending_case_without_an_offence_date_stays_open_on_t1():
    d, = decide({"status": "accused", "punishment": None, "sentence_start": None, "sentence_end": None,
                 "offense_date": None, "term_months": None})
    assert reasons(d)["T1"] == "unknown"
    assert d["relief"] == "indeterminate"


def test_a_recorded_date_is_never_replaced_by_its_bounds():
    d, = decide({"birth_date": "2005-05-05", "offense_date": "2024-01-01", "sentence_start": "2024-01-10"})
    assert reasons(d)["A8"] == "failed"


# ---- the rewriting itself ---------------------------------------------------------------------------------

def test_monotony():
    assert monotony(parse("offense_date"), "offense_date") == 1
    assert monotony(parse("age_on(birth_date, offense_date)"), "offense_date") == 1
    assert monotony(parse("age_on(offense_date, eif)"), "offense_date") == -1
    assert monotony(parse("add_months(offense_date, 3)"), "offense_date") == 1
    assert monotony(parse("first_known(offense_date, eif)"), "offense_date") is None
    assert monotony(parse("sex"), "offense_date") == 0


def test_narrow_leaves_non_monotone_and_dated_comparisons_alone():
    bounds = date_bounds(EIF)
    eq = Cmp("==", Name("offense_date"), Lit(EIF, "date"))
    assert narrow(eq, bounds) == eq
    on = Cmp(">=", Name("on"), Name("sentence_start"))
    assert narrow(on, bounds) == on
    ge = Cmp(">=", Name("offense_date"), Lit(EIF, "date"))
    out = narrow(ge, bounds)
    assert isinstance(out, Call) and out.fn == "within"


# ---- soundness: a decision made under the interval is the decision for every date in it --------------------

def _candidates(rec: dict) -> list[dt.date]:
    """Offence dates the record allows: from the birth to the sentence start (or the day before the entry
    into force for a convicted person whose start is not recorded): both ends, 18th birthday, and between."""
    lo = dt.date.fromisoformat(rec["birth_date"]) if rec.get("birth_date") else dt.date(1950, 1, 1)
    lo = cal.add_months(lo, 14 * 12)     # the youngest age of criminal responsibility
    hi = (dt.date.fromisoformat(rec["sentence_start"]) if rec.get("sentence_start")
          else EIF - dt.timedelta(days=1))
    if hi < lo:
        return []
    out = {lo, hi, lo + (hi - lo) / 2}
    if rec.get("birth_date"):
        b = dt.date.fromisoformat(rec["birth_date"])
        for d in (cal.nth_birthday(b, 18), cal.add_days(cal.nth_birthday(b, 18), -1)):
            if lo <= d <= hi:
                out.add(d)
    return sorted(out)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_narrowed_decision_holds_for_every_possible_offence_date(seed):
    rng = random.Random(seed)
    records, expansions = [], []
    for _ in range(60):
        birth = dt.date(rng.choice([1960, 1965, 1990, 2004, 2006, 2007, 2008, 2009]), rng.randint(1, 12), 1)
        start = rng.choice([None, dt.date(2024, 1, 10), dt.date(2025, 6, 1), EIF, dt.date(2026, 1, 5),
                            cal.add_months(birth, 18 * 12)])
        if start is not None and start < cal.add_months(birth, 14 * 12):
            start = None
        rec = {"birth_date": birth.isoformat(), "sex": rng.choice("MF"), "offense_date": None,
               "articles": rng.choice(["177.2", "206.1", "126.1", "234.1"]),
               "sentence_start": start.isoformat() if start else None, "term_months": None,
               "sentence_end": rng.choice(["2026-03-01", "2027-01-10", "2030-05-05"])}
        if start and dt.date.fromisoformat(rec["sentence_end"]) <= start:
            continue
        records.append(rec)
        expansions.append([{**rec, "offense_date": d.isoformat()} for d in _candidates(rec)])
    flat = [r for e in expansions for r in e]
    narrowed = decide(*records)
    each = decide(*flat)
    k = 0
    decided = 0
    for rec, exp, d in zip(records, expansions, narrowed):
        outcomes = {e["relief"] for e in each[k:k + len(exp)]}
        k += len(exp)
        if d["relief"] != "indeterminate" and exp:
            decided += 1
            assert outcomes == {d["relief"]}, (rec, d["relief"], outcomes)
    assert decided > 10


# ---- every engine the same ---------------------------------------------------------------------------------

COLUMNS = ["relief", "clause", "basis", "reduction_months", "new_sentence_end", "eligible_from", "eligible_until",
           "upcoming_relief", "upcoming_clause", "upcoming_from", "reasons", "excluded_by", "rests_on_readings"]


def _registry(path, n=500, seed=7):
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        birth = dt.date(rng.randint(1950, 2009), rng.randint(1, 12), rng.randint(1, 28))
        offense = cal.add_months(birth, rng.randint(14 * 12, 40 * 12))
        if offense >= dt.date(2026, 3, 1):
            offense = dt.date(2023, 5, 5)
        start = offense + dt.timedelta(days=rng.randint(0, 900))
        term = rng.choice([6, 12, 24, 48, 60, 61, 96])
        end = cal.add_months(start, term)
        status = rng.choices(["convicted", "accused"], [0.85, 0.15])[0]
        row = {"person_id": f"P{i}", "case_id": f"C{i}", "sex": rng.choice("MF"), "birth_date": birth.isoformat(),
               "status": status, "articles": rng.choice(["177.2", "206.3.2", "126.1", "234.1", "314.3", "122.1",
                                                         "186.1", "177.3.1", "263.2"]),
               "offense_date": "" if rng.random() < 0.6 else offense.isoformat(),
               "punishment": rng.choice(["imprisonment", "imprisonment", "conditional", "restriction_of_liberty"])
               if status == "convicted" else "",
               "term_months": str(term) if status == "convicted" else "",
               "sentence_start": "" if status != "convicted" or rng.random() < 0.4 else start.isoformat(),
               "sentence_end": end.isoformat() if status == "convicted" else "",
               "negligent": rng.choice(["", "", "true"]),
               "recidivism": rng.choice(["none", "none", "dangerous"])}
        rows.append(row)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


@pytest.mark.parametrize("readings", [{}, {"chapeau": "a1-a6", "f3": "none"}, {"b2": "exclusive", "b3": "application"}],
                         ids=["default", "chapeau-f3", "b2-b3"])
def test_reference_and_duckdb_agree_on_narrowed_decisions(tmp_path, readings):
    reg = tmp_path / "registry.csv"
    _registry(reg)
    outs = {}
    for engine in ("reference", "duckdb"):
        apply_act("az-2025", reg, tmp_path / engine, engine=engine, readings=readings, csv=False)
        outs[engine] = tmp_path / engine / "decisions.parquet"
    con = duckdb.connect()
    differ = " OR ".join(f"a.{c} IS DISTINCT FROM b.{c}" for c in COLUMNS)
    n = con.execute(f"SELECT count(*) FROM '{outs['reference']}'").fetchone()[0]
    assert n > 400
    bad = con.execute(f"SELECT a._row FROM '{outs['reference']}' a JOIN '{outs['duckdb']}' b USING (_row) "
                      f"WHERE {differ}").fetchall()
    assert not bad, f"{len(bad)} rows differ, first {bad[:5]}"
    # the registry does reach the narrowed cases
    got = con.execute(f"SELECT count(*) FILTER (WHERE relief NOT IN ('none', 'indeterminate') "
                      f"AND offense_date IS NULL), count(*) FILTER (WHERE rests_on_readings <> '') "
                      f"FROM '{outs['duckdb']}' JOIN read_csv('{reg}', all_varchar=true) r USING (case_id)").fetchone()
    assert got[0] > 20
    if "chapeau" in readings:   # the registry does reach reliefs that exist only under a reading
        assert got[1] > 0


@pytest.mark.spark
def test_spark_agrees_with_duckdb_on_narrowed_decisions_and_readings(tmp_path):
    from clemency.engines.spark import check_available
    from clemency.errors import EngineUnavailable
    try:
        check_available()
    except EngineUnavailable as exc:
        pytest.skip(f"Spark engine unavailable: {exc}")
    reg = tmp_path / "registry.csv"
    _registry(reg, n=300, seed=3)
    readings = {"chapeau": "a1-a6", "f3": "none", "b3": "application"}
    outs = {}
    for engine in ("duckdb", "spark"):
        apply_act("az-2025", reg, tmp_path / engine, engine=engine, readings=readings, on="2026-01-20", csv=False)
        outs[engine] = tmp_path / engine / "decisions.parquet"
    differ = " OR ".join(f"a.{c} IS DISTINCT FROM b.{c}" for c in COLUMNS)
    con = duckdb.connect()
    assert con.execute(f"SELECT count(*) FROM '{outs['spark']}'").fetchone()[0] > 250
    bad = con.execute(f"SELECT a._row FROM '{outs['duckdb']}' a JOIN '{outs['spark']}' b USING (_row) "
                      f"WHERE {differ}").fetchall()
    assert not bad, f"{len(bad)} rows differ, first {bad[:5]}"
    assert con.execute(f"SELECT count(*) FROM '{outs['spark']}' WHERE rests_on_readings <> ''").fetchone()[0] > 0


# ---- the rewriting is sound for every date in the interval (no engine, many cases) ----------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from clemency.compile.evaluate import evaluate  # noqa: E402

_DAYS = st.dates(dt.date(1990, 1, 1), dt.date(2027, 12, 31))
_ATOMS = ["offense_date >= eif", "offense_date < eif", "age_on(birth_date, offense_date) < 18",
          "age_on(birth_date, offense_date) >= 16", "add_months(offense_date, 6) > eif",
          "age_on(offense_date, eif) <= 3"]


@settings(max_examples=300, deadline=None)
@given(birth=st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2012, 12, 31))),
       start=st.one_of(st.none(), _DAYS), status=st.sampled_from(["convicted", "accused"]),
       atom=st.sampled_from(_ATOMS))
def test_a_narrowed_comparison_is_true_or_false_only_if_every_date_in_the_interval_agrees(birth, start, status,
                                                                                            atom):
    tree = parse(atom.replace("eif", EIF.isoformat()))
    narrowed = narrow(tree, date_bounds(EIF))
    row = {"offense_date": None, "birth_date": birth, "sentence_start": start, "status": status}
    got = evaluate(narrowed, row)
    if got is None:
        return
    lo = birth or dt.date(1900, 1, 1)
    hi = start or (EIF - dt.timedelta(days=1) if status == "convicted" else None)
    assert hi is not None, "an interval open above cannot settle a comparison here"
    day = lo
    while day <= hi:
        assert evaluate(tree, {**row, "offense_date": day}) is got, (atom, day)
        day += dt.timedelta(days=7 if (hi - lo).days > 400 else 1)
    assert evaluate(tree, {**row, "offense_date": hi}) is got
