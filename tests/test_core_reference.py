"""The reference engine's decision, field by field, on a small act built to exercise every rule of
`decide_row`: the most favourable relief wins and the act's order breaks ties, an unknown that could change
the relief makes the decision indeterminate, exclusions block only what they bind and are reported only
where they mattered, the basis is the weakest status, a term reduction moves the release date, the days a
relief holds and the first day one is still to come, the readings a relief rests on, and the article lookup
combined part by part (mutation benchmark, issue 16: clemency/engines/reference.py, clemency/compile/plan.py).

The decisions are the web's fast path (typed record, reference engine); `test_both_engines_agree_on_every_case`
runs every case through the DuckDB engine as well and compares every field."""

import datetime as dt

import duckdb
import pyarrow.parquet as pq
import pytest

from clemency import calendar as cal
from clemency.act.load import load_act
from clemency.engines.reference import decide_typed, lookup_row, registry_rows, source_row
from clemency.engines.schema import DECISION_TYPES
from clemency.law import CATEGORIES
from clemency.pipeline import Context, connect, decide_table, load, register_lookup
from clemency.pipeline import decide_records as decide_in_engine
from clemency.web.decider import Decider

D = dt.date
EIF, WINDOW_END = D(2025, 12, 19), D(2026, 4, 19)

ACT = """\
id: prefs
title: preference, exclusions and days
parameters:
  eif: {type: date, value: 2025-12-19, status: reported}
  window_months: {type: int, value: 4, status: reported}
  old_age: {type: int, value: 60, status: reported}
readings:
  cut: {default: six, values: {six: six months, twelve: twelve months}}
  bar: {default: firm, values: {firm: the exclusion binds T1, loose: the exclusion binds T1 only by reading}}
definitions:
  elderly: {test: "age_on(birth_date, on) >= old_age", says: aged 60 or more}
clauses:
  - id: T1
    kind: relief
    relief: term_reduction
    reduction_months: 6
    text: a reduction for less serious crimes
    status: reported
    when: ["crime_category == 'less_serious'"]
  - id: T2
    kind: relief
    relief: term_reduction
    reduction_months: 3
    text: a shorter reduction for grave crimes
    status: reported
    when: ["crime_category == 'grave'", "not war_participant"]
  - id: R1
    kind: relief
    relief: release_from_imprisonment
    text: women with three months or less left
    status: inferred
    when: ["sex == 'F'", "left_at_most(sentence_end, on, 3)"]
  - id: R2
    kind: relief
    relief: release_from_imprisonment
    text: the elderly
    status: reported
    when: ["elderly"]
  - id: R3
    kind: relief
    relief: release_from_imprisonment
    text: little left, by the reading
    status: reported
    when:
      - "sex == 'M'"
      - "(reading('cut') == 'six' and left_at_most(sentence_end, eif, 6)) or (reading('cut') == 'twelve' and left_at_most(sentence_end, eif, 12))"
      - {test: "term_months <= 36", says: a term of three years or less, status: inferred, status_when: "term_months == 36"}
  - id: P1
    kind: relief
    relief: release_from_punishment
    text: a fine
    status: reported
    when: ["punishment == 'fine'"]
  - id: V1
    kind: provision
    text: a provision that decides nothing
    status: reported
    when: ["war_participant"]
  - id: X1
    kind: exclusion
    text: an exclusion by article
    status: reported
    when: ["any_article('126', '126.1', '120')"]
    applies_to: [R1, R2]
  - id: X2
    kind: exclusion
    text: dangerous recidivists
    status: inferred
    when: ["recidivism in ['dangerous', 'especially_dangerous'] or negligent"]
    applies_to: [R3, {clauses: [T1], when: "reading('bar') == 'loose'"}]
"""

RECORD = {"person_id": "P1", "case_id": "K1", "sex": "M", "birth_date": "1980-05-05", "status": "convicted",
          "articles": "177.1", "punishment": "imprisonment", "term_months": 36, "offense_date": "2023-06-01",
          "sentence_start": "2024-01-10", "sentence_end": "2027-01-10"}


@pytest.fixture(scope="module")
def act(tmp_path_factory):
    path = tmp_path_factory.mktemp("act") / "prefs.yaml"
    path.write_text(ACT)
    return load_act(path)


LESS, GRAVE, WORST = "177.2", "126.1", "120.1"   # less serious, grave, especially grave in the Code's table
NEGLIGENT, MEANT, EITHER = "124.1", "177.1", "263.1"   # negligent, intentional, negligent only as to a consequence


def decide(act, record=None, on=None, readings=None):
    ctx = Context.make(act, readings, on)
    dec = Decider(ctx)
    typed = dec.typed_row({**RECORD, **(record or {})})
    _, decision = next(decide_typed(ctx.plan, ctx.on, [typed], dec.lookup))
    return decision


def test_the_most_favourable_relief_wins_and_the_act_order_breaks_ties(act):
    # T1 (a reduction) comes first in the act, but release (rank 1) is more favourable
    d = decide(act, {"crime_category": "less_serious", "sex": "F", "sentence_end": "2026-03-01"})
    assert (d["relief"], d["clause"], d["reduction_months"], d["new_sentence_end"]) == \
        ("release_from_imprisonment", "R1", None, None)
    # R1 and R2 both release: the first in the act's order is named
    d = decide(act, {"sex": "F", "sentence_end": "2026-03-01", "birth_date": "1950-01-01"})
    assert (d["relief"], d["clause"]) == ("release_from_imprisonment", "R1")
    # a fine (rank 2) beats a reduction (rank 3) placed before it
    d = decide(act, {"crime_category": "less_serious", "punishment": "fine", "sentence_end": None, "term_months": 40})
    assert (d["relief"], d["clause"]) == ("release_from_punishment", "P1")
    # two reductions: the clause that holds gives its own months
    d = decide(act, {"crime_category": "grave"})
    assert (d["relief"], d["clause"], d["reduction_months"]) == ("term_reduction", "T2", 3)


@pytest.mark.parametrize("end, new_end", [
    ("2027-01-10", D(2026, 7, 10)),
    ("2026-08-31", D(2026, 2, 28)),        # the month's last day, clamped
    ("2026-12-31", D(2026, 6, 30)),
])
def test_a_term_reduction_moves_the_release_date_back_by_its_months(act, end, new_end):
    d = decide(act, {"crime_category": "less_serious", "sentence_end": end})
    assert (d["relief"], d["clause"], d["reduction_months"]) == ("term_reduction", "T1", 6)
    assert d["new_sentence_end"] == new_end == cal.add_months(dt.date.fromisoformat(end), -6)
    assert (d["eligible_from"], d["eligible_until"]) == (EIF, WINDOW_END)


def test_no_relief_and_nothing_unknown_is_none(act):
    d = decide(act)
    assert (d["relief"], d["clause"], d["basis"], d["reduction_months"]) == ("none", None, None, None)
    assert (d["eligible_from"], d["eligible_until"], d["new_sentence_end"]) == (None, None, None)
    assert d["excluded_by"] == "" and d["rests_on_readings"] == ""


def test_an_unknown_that_could_change_the_relief_is_indeterminate(act):
    # the category is unknown (an article missing from the Code): T1 and T2 are unknown, nothing holds
    d = decide(act, {"articles": "999.9"})
    assert (d["relief"], d["clause"], d["basis"]) == ("indeterminate", None, None)
    # a release holds; an unknown reduction before it in preference would not change it
    d = decide(act, {"articles": "999.9", "sex": "F", "sentence_end": "2026-03-01"})
    assert (d["relief"], d["clause"]) == ("release_from_imprisonment", "R1")
    # a reduction holds (T2 by the given category), but whether a release (R2, before it) holds is unknown
    d = decide(act, {"crime_category": "grave", "birth_date": None})
    assert (d["relief"], d["clause"], d["reduction_months"]) == ("indeterminate", None, None)
    assert d["new_sentence_end"] is None and d["eligible_from"] is None


def test_an_unknown_clause_giving_the_same_relief_does_not_make_it_indeterminate(act):
    # R2 (release, unknown: no birth date) comes before R3 (release, holds): the relief is the same
    d = decide(act, {"birth_date": None, "sentence_end": "2026-05-01", "term_months": 34})
    assert (d["relief"], d["clause"]) == ("release_from_imprisonment", "R3")


def test_the_reasons_give_each_clause_in_the_acts_order(act):
    d = decide(act, {"crime_category": "less_serious", "articles": "126.1", "sex": "F",
                     "sentence_end": "2026-03-01", "birth_date": None, "war_participant": True})
    # T1 T2 R1 R2 R3 P1 V1 X1 X2: held, failed, held, unknown, failed, failed, held (a provision), held, failed
    assert d["reasons"] == "HFHUFFHHF"
    assert d["excluded_by"] == "X1"


def test_an_exclusion_blocks_what_it_binds_and_nothing_else(act):
    # X1 (article 126) bars R1: the woman with little left gets the reduction instead
    d = decide(act, {"articles": "126.1", "crime_category": "less_serious", "sex": "F", "sentence_end": "2026-03-01"})
    assert (d["relief"], d["clause"], d["excluded_by"]) == ("term_reduction", "T1", "X1")
    # X1 does not bind R3
    d = decide(act, {"articles": "126.1", "sentence_end": "2026-05-01", "term_months": 34, "war_participant": True})
    assert (d["relief"], d["clause"], d["excluded_by"]) == ("release_from_imprisonment", "R3", "")


def test_an_exclusion_is_named_only_where_a_clause_it_binds_held_or_might_have(act):
    # X1 holds but neither R1 nor R2 could hold: nothing was kept out by it
    d = decide(act, {"articles": "126.1", "war_participant": True})
    assert (d["relief"], d["excluded_by"]) == ("none", "")
    assert d["reasons"][7] == "H"
    # R2 unknown (no birth date) and barred: the exclusion mattered
    d = decide(act, {"articles": "126.1", "birth_date": None, "war_participant": True})
    assert (d["relief"], d["excluded_by"]) == ("none", "X1")
    # both exclusions held and mattered, in the act's order
    d = decide(act, {"articles": "126.1", "birth_date": None, "sentence_end": "2026-05-01", "term_months": 34,
                     "recidivism": "dangerous", "war_participant": True})
    assert (d["relief"], d["excluded_by"]) == ("none", "X1;X2")


def test_an_unknown_exclusion_makes_the_relief_it_binds_unknown(act):
    d = decide(act, {"articles": EITHER, "sentence_end": "2026-05-01", "term_months": 34})
    assert (d["relief"], d["clause"], d["reasons"][-1]) == ("indeterminate", None, "U")


@pytest.mark.parametrize("record, basis", [
    ({"sex": "F", "sentence_end": "2026-03-01"}, "inferred"),                       # R1 is inferred
    ({"birth_date": "1950-01-01"}, "reported"),                                      # R2 is reported
    ({"sentence_end": "2026-05-01", "term_months": 34}, "reported"),                  # R3, away from its boundary
    ({"sentence_end": "2026-05-01", "term_months": 36}, "inferred"),                  # R3 on its inferred boundary
    ({"crime_category": "less_serious", "articles": "126.1", "sex": "F", "sentence_end": "2026-03-01"}, "reported"),
    ({"crime_category": "less_serious", "articles": "126.1", "sex": "F", "sentence_end": "2026-03-01",
      "recidivism": "dangerous"}, "reported"),                                       # X2 binds T1 firmly: T2? no
])
def test_the_basis_is_the_weakest_status_behind_the_decision(act, record, basis):
    assert decide(act, record)["basis"] == basis


def test_an_exclusion_that_held_weakens_the_basis(act):
    # X2 (inferred) keeps R3 out; the reduction T1 given instead rests on it too
    d = decide(act, {"crime_category": "less_serious", "sentence_end": "2026-05-01", "term_months": 34,
                     "recidivism": "dangerous"})
    assert (d["relief"], d["clause"], d["excluded_by"], d["basis"]) == ("term_reduction", "T1", "X2", "inferred")


def test_the_days_a_relief_holds_span_every_clause_giving_it(act):
    # R1 from the day three months are left (1 Jan 2026 for 1 Apr 2026); R2 from the 60th birthday (1 Mar 2026)
    rec = {"sex": "F", "sentence_end": "2026-04-01", "birth_date": "1966-03-01"}
    d = decide(act, rec, on="2026-01-01")
    assert (d["relief"], d["clause"], d["eligible_from"], d["eligible_until"]) == \
        ("release_from_imprisonment", "R1", D(2026, 1, 1), WINDOW_END)
    d = decide(act, {**rec, "sex": "M", "term_months": 40}, on="2026-03-01")
    assert (d["relief"], d["clause"], d["eligible_from"], d["eligible_until"]) == \
        ("release_from_imprisonment", "R2", D(2026, 3, 1), WINDOW_END)
    # R2 from 1 Feb, R1 from 1 Mar (three months before 1 Jun): R1 is named, the release holds from 1 Feb
    rec = {"sex": "F", "sentence_end": "2026-06-01", "birth_date": "1966-02-01"}
    for on in ("2026-03-01", "2026-04-19"):
        d = decide(act, rec, on=on)
        assert (d["relief"], d["clause"], d["eligible_from"], d["eligible_until"]) == \
            ("release_from_imprisonment", "R1", D(2026, 2, 1), WINDOW_END)
    d = decide(act, rec, on="2026-02-01")
    assert (d["clause"], d["eligible_from"]) == ("R2", D(2026, 2, 1))
    # a relief bounded on both sides: the 60th birthday within the window, a window that ends
    d = decide(act, {"sex": "M", "birth_date": "1966-01-15", "term_months": 40}, on="2026-01-15")
    assert (d["clause"], d["eligible_from"], d["eligible_until"]) == ("R2", D(2026, 1, 15), WINDOW_END)
    d = decide(act, {"sex": "M", "birth_date": "1966-01-15", "term_months": 40}, on="2026-01-14")
    assert (d["relief"], d["upcoming_from"], d["upcoming_clause"]) == ("none", D(2026, 1, 15), "R2")
    # an exclusion that bars the clauses adds no days and no upcoming relief
    d = decide(act, {**rec, "articles": "126.1", "war_participant": True}, on="2026-03-01")
    assert (d["relief"], d["eligible_from"], d["upcoming_from"], d["excluded_by"]) == ("none", None, None, "X1")


@pytest.mark.parametrize("on, upcoming", [
    ("2025-12-19", (D(2026, 1, 1), "R1")),
    ("2025-12-31", (D(2026, 1, 1), "R1")),
])
def test_the_first_day_a_relief_is_still_to_come(act, on, upcoming):
    d = decide(act, {"sex": "F", "sentence_end": "2026-04-01", "birth_date": "1966-03-01"}, on=on)
    assert d["relief"] == "none"
    assert (d["upcoming_from"], d["upcoming_clause"], d["upcoming_relief"]) == (*upcoming, "release_from_imprisonment")


def test_the_earliest_of_several_upcoming_reliefs_is_named(act):
    # R2 from the 60th birthday (1 Feb 2026) comes before R1 (1 Mar 2026, three months before 1 Jun)
    d = decide(act, {"sex": "F", "sentence_end": "2026-06-01", "birth_date": "1966-02-01"})
    assert (d["upcoming_clause"], d["upcoming_from"]) == ("R2", D(2026, 2, 1))
    d = decide(act, {"sex": "F", "sentence_end": "2026-04-01", "birth_date": "1966-03-01"})
    assert (d["upcoming_clause"], d["upcoming_from"]) == ("R1", D(2026, 1, 1))
    # an upcoming relief is one an exclusion does not bar; and nothing comes after the window
    d = decide(act, {"sex": "F", "sentence_end": "2026-06-01", "birth_date": "1966-02-01", "articles": "126.1"})
    assert (d["upcoming_relief"], d["upcoming_clause"], d["upcoming_from"]) == (None, None, None)
    d = decide(act, {"sex": "F", "sentence_end": "2026-08-01"})
    assert (d["upcoming_relief"], d["upcoming_from"]) == (None, None)


def test_no_upcoming_relief_once_a_relief_holds(act):
    d = decide(act, {"crime_category": "less_serious", "sex": "F", "sentence_end": "2026-04-01"})
    assert (d["relief"], d["clause"]) == ("term_reduction", "T1")
    assert (d["upcoming_relief"], d["upcoming_clause"], d["upcoming_from"]) == (None, None, None)


def test_a_relief_that_exists_only_under_a_reading_names_it(act):
    rec = {"sentence_end": "2026-10-01", "term_months": 34}
    assert decide(act, rec)["relief"] == "none"
    d = decide(act, rec, readings={"cut": "twelve"})
    assert (d["relief"], d["clause"], d["rests_on_readings"], d["basis"]) == \
        ("release_from_imprisonment", "R3", "cut=twelve", "inferred")
    # a relief that holds under the default reading too rests on none
    d = decide(act, {"sentence_end": "2026-05-01", "term_months": 34}, readings={"cut": "twelve"})
    assert (d["relief"], d["rests_on_readings"], d["basis"]) == ("release_from_imprisonment", "", "reported")
    # a reading that changes nothing for the chosen clause is not named
    d = decide(act, {"sentence_end": "2026-05-01", "term_months": 34}, readings={"bar": "loose"})
    assert (d["relief"], d["rests_on_readings"]) == ("release_from_imprisonment", "")


def test_an_exclusion_bound_only_by_a_reading_weakens_the_basis(act):
    rec = {"crime_category": "less_serious", "recidivism": "dangerous"}
    assert decide(act, rec)["relief"] == "term_reduction"
    d = decide(act, rec, readings={"bar": "loose"})
    assert (d["relief"], d["excluded_by"], d["basis"]) == ("none", "X2", "inferred")
    # where it also kept out a clause it binds by the act's text (R3), the act's status stands
    d = decide(act, {**rec, "sentence_end": "2026-05-01", "term_months": 34}, readings={"bar": "loose"})
    assert (d["relief"], d["excluded_by"]) == ("none", "X2")
    assert decide(act, {**rec, "sentence_end": "2026-05-01", "term_months": 34})["relief"] == "term_reduction"


def test_the_article_lookup_combines_the_parts(act):
    ctx = Context.make(act)
    plan = ctx.plan
    less, grave, worst = LESS, GRAVE, WORST
    assert lookup_row(plan, ctx.code, None) == {}
    one = lookup_row(plan, ctx.code, less)
    assert (one["_table_category"], one["_unknown_articles"]) == ("less_serious", "")
    both = lookup_row(plan, ctx.code, f"{less};{grave}")
    assert both["_table_category"] == "grave" == lookup_row(plan, ctx.code, f"{grave};{less}")["_table_category"]
    # an unknown part makes the category unknown, unless another part is especially grave
    unknown = lookup_row(plan, ctx.code, f"999.9;{grave};998.1")
    assert (unknown["_table_category"], unknown["_unknown_articles"]) == (None, "998.1;999.9")
    assert lookup_row(plan, ctx.code, f"999.9;{worst}")["_table_category"] == "especially_grave"
    assert lookup_row(plan, ctx.code, worst)["_table_category"] == CATEGORIES[-1]
    # the article column holds when any part falls in the set (by dotted segments)
    (col,) = plan.article_columns
    assert lookup_row(plan, ctx.code, f"{less};126.1")[col] is True
    assert lookup_row(plan, ctx.code, f"126.2.1;{less}")[col] is True
    assert lookup_row(plan, ctx.code, f"{less};{MEANT}")[col] is False


def test_negligence_holds_only_if_every_part_is_negligent(act):
    ctx = Context.make(act)
    plan, code = ctx.plan, ctx.code
    assert code.entry(NEGLIGENT).negligent == "yes" and code.entry(MEANT).negligent == ""
    assert lookup_row(plan, code, NEGLIGENT)["_table_negligent"] is True
    assert lookup_row(plan, code, f"{NEGLIGENT};{NEGLIGENT.rsplit('.', 1)[0]}.2")["_table_negligent"] in (True, None)
    assert lookup_row(plan, code, MEANT)["_table_negligent"] is False
    assert lookup_row(plan, code, f"{NEGLIGENT};{MEANT}")["_table_negligent"] is False
    assert lookup_row(plan, code, f"{MEANT};{NEGLIGENT}")["_table_negligent"] is False
    assert lookup_row(plan, code, f"{NEGLIGENT};999.9")["_table_negligent"] is None
    assert lookup_row(plan, code, f"{NEGLIGENT};{EITHER}")["_table_negligent"] is None
    assert lookup_row(plan, code, f"999.9;{MEANT}")["_table_negligent"] is False
    assert lookup_row(plan, code, f"{EITHER};{MEANT}")["_table_negligent"] is False


def test_a_given_category_or_negligence_wins_over_the_table_and_a_disagreement_is_noted(act):
    ctx = Context.make(act)
    plan = ctx.plan
    less = LESS
    look = lookup_row(plan, ctx.code, less)
    row = {"articles": less, "crime_category": None, "negligent": None, "sex": "M"}
    out = source_row(plan, row, look)
    assert (out["crime_category"], out["negligent"], out["notes"]) == ("less_serious", False, None)
    assert out["sex"] == "M" and out[plan.article_columns[0]] is False
    out = source_row(plan, {**row, "crime_category": "grave", "negligent": True}, look)
    assert (out["crime_category"], out["negligent"]) == ("grave", True)
    assert out["notes"] == "crime_category given as grave, the Criminal Code table says less_serious"
    out = source_row(plan, {**row, "crime_category": "less_serious", "negligent": False}, look)
    assert (out["crime_category"], out["negligent"], out["notes"]) == ("less_serious", False, None)
    unknown = lookup_row(plan, ctx.code, f"{less};999.9")
    out = source_row(plan, {**row, "articles": f"{less};999.9"}, unknown)
    assert out["notes"] == "articles not in the Criminal Code table: 999.9" and out["crime_category"] is None
    out = source_row(plan, {**row, "articles": f"{less};999.9", "crime_category": "grave"}, unknown)
    assert (out["crime_category"], out["notes"]) == ("grave", None)
    out = source_row(plan, {**row, "articles": None}, {})
    assert (out["crime_category"], out["negligent"], out["notes"]) == (None, None, None)


CASES = [
    {},
    {"crime_category": "less_serious", "sex": "F", "sentence_end": "2026-03-01"},
    {"crime_category": "less_serious", "sentence_end": "2026-08-31"},
    {"crime_category": "grave"},
    {"crime_category": "grave", "birth_date": None},
    {"articles": "999.9"},
    {"articles": "126.1", "birth_date": None},
    {"articles": "126.1;999.9", "sex": "F", "sentence_end": "2026-03-01"},
    {"sex": "F", "sentence_end": "2026-04-01", "birth_date": "1966-03-01"},
    {"sex": "F", "sentence_end": "2026-06-01", "birth_date": "1966-02-01"},
    {"sentence_end": "2026-10-01", "term_months": 34},
    {"sentence_end": "2026-05-01", "term_months": 36},
    {"crime_category": "less_serious", "recidivism": "dangerous", "sentence_end": "2026-05-01", "term_months": 34},
    {"recidivism": None, "sentence_end": "2026-05-01", "term_months": 34},
    {"punishment": "fine", "sentence_end": None, "crime_category": "less_serious"},
]


@pytest.mark.parametrize("readings, on", [(None, None), ({"cut": "twelve", "bar": "loose"}, "2026-01-15")])
def test_both_engines_agree_on_every_case(act, readings, on):
    ctx = Context.make(act, readings, on)
    records = [{**RECORD, **c, "person_id": f"P{i}", "case_id": f"K{i}"} for i, c in enumerate(CASES)]
    ref = decide_in_engine(ctx, records, engine="reference")
    sql = decide_in_engine(ctx, records, engine="duckdb")
    assert [r["person_id"] for r in ref] == [r["person_id"] for r in records]     # in registry order
    assert ref == sql
    fast = [decide(act, c, on, readings) for c in CASES]
    assert [{k: r[k] for k in f} for r, f in zip(ref, fast, strict=True)] == fast


def test_of_two_reliefs_to_come_on_the_same_day_the_first_in_preference_is_named(act):
    # R1 (three months before 1 Apr) and R2 (the 60th birthday) both from 1 Jan 2026
    d = decide(act, {"sex": "F", "sentence_end": "2026-04-01", "birth_date": "1966-01-01"})
    assert (d["relief"], d["upcoming_clause"], d["upcoming_from"]) == ("none", "R1", D(2026, 1, 1))
    d = decide(act, {"sex": "F", "sentence_end": "2026-04-01", "birth_date": "1966-01-01"}, on="2026-01-01")
    assert (d["clause"], d["eligible_from"]) == ("R1", D(2026, 1, 1))


def test_the_reference_engine_writes_the_same_decision_file_as_the_duckdb_engine(act, tmp_path):
    ctx = Context.make(act, {"cut": "twelve"})
    records = [{**RECORD, **c, "person_id": f"P{i}", "case_id": f"K{i}"} for i, c in enumerate(CASES)]
    con = connect()
    try:
        load(con, ctx.act, records)
        register_lookup(con, ctx)
        files = {}
        for engine in ("reference", "duckdb"):
            files[engine] = tmp_path / f"{engine}.parquet"
            carried = decide_table(con, ctx, files[engine], engine=engine, metadata={"clemency.act": "prefs"})
    finally:
        con.close()
    ref, sql = pq.read_table(files["reference"]), pq.read_table(files["duckdb"])
    assert ref.schema.names == carried + [n for n, _ in DECISION_TYPES]
    assert [ref.schema.field(n).type for n, _ in DECISION_TYPES] == [t for _, t in DECISION_TYPES]
    assert ref.schema.metadata[b"clemency.act"] == b"prefs"
    assert ref.select(carried).to_pylist() == sql.select(carried).to_pylist()
    names = [n for n, _ in DECISION_TYPES]
    assert ref.select(names).to_pylist() == sql.select(names).to_pylist()
    assert [r["person_id"] for r in ref.to_pylist()] == [r["person_id"] for r in records]
    meta = pq.ParquetFile(files["reference"]).metadata
    assert {meta.row_group(0).column(k).compression for k in range(meta.num_columns)} == {"ZSTD"}


def test_the_registry_is_read_in_row_order_across_batches_whatever_its_column_names():
    con = duckdb.connect()
    try:
        con.execute('CREATE TABLE registry AS SELECT 12000 - i AS _row, i AS "a ""quoted"" name" '
                    "FROM range(12000) t(i)")
        rows = list(registry_rows(con, ["_row", 'a "quoted" name']))
    finally:
        con.close()
    assert len(rows) == 12000
    assert [r["_row"] for r in rows] == list(range(1, 12001))
    assert rows[0]['a "quoted" name'] == 11999 and rows[-1]['a "quoted" name'] == 0


def test_a_clause_of_unknown_content_is_marked_in_the_reasons_on_both_engines(tmp_path):
    """A clause whose content is unknown never decides; its place in the reasons is '-' on every engine."""
    unknown = ("  - id: U1\n    kind: relief\n    relief: release_from_imprisonment\n"
               "    text: a clause whose text is not published\n    status: unknown\n")
    path = tmp_path / "unknown.yaml"
    path.write_text(ACT.replace("  - id: V1\n", unknown + "  - id: V1\n", 1))
    with_unknown = load_act(path)
    order = [c.id for c in with_unknown.clauses]
    change = {"crime_category": "less_serious", "articles": "126.1", "sex": "F", "sentence_end": "2026-03-01",
              "war_participant": True}
    d = decide(with_unknown, change)
    assert d["reasons"][order.index("U1")] == "-" and d["reasons"].count("-") == 1
    assert len(d["reasons"]) == len(order)
    plain = tmp_path / "plain.yaml"
    plain.write_text(ACT)
    assert d["reasons"].replace("-", "") == decide(load_act(plain), change)["reasons"]   # the others unchanged
    assert decide_in_engine(Context.make(with_unknown), [{**RECORD, **change}])[0]["reasons"] == d["reasons"]
