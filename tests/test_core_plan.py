"""Compiling an act: the day a relief starts or stops for each form of a date test, readings chosen by name,
and the mistakes the compiler names (mutation benchmark, issue 16: clemency/compile/plan.py). Each decision
is checked on the DuckDB engine and on the reference engine, which finds the days by trying every one."""

import datetime as dt

import pytest

from clemency.act.load import load_act
from clemency.compile.plan import compile_act, parse_reading_args, resolve_readings
from clemency.errors import ActError, UsageError
from clemency.pipeline import Context, decide_records

ACT = """\
id: spans
title: days on which a relief holds
parameters:
  eif: {type: date, value: 2025-12-19, status: reported}
  window_months: {type: int, value: 4, status: reported}
readings:
  cut: {default: six, values: {six: six months, twelve: twelve months}}
clauses:
  - id: R1
    kind: relief
    relief: release_from_imprisonment
    text: one test on the decision day
    status: reported
    when: ["WHEN"]
"""
RECORD = {"person_id": "P1", "case_id": "K1", "sex": "M", "birth_date": "1990-05-05", "status": "convicted",
          "articles": "177.2", "punishment": "imprisonment", "term_months": 36, "offense_date": "2023-06-01",
          "sentence_start": "2024-01-10", "sentence_end": "2026-05-31"}


def act_with(tmp_path, when, text=ACT):
    path = tmp_path / "act.yaml"
    path.write_text(text.replace("WHEN", when))
    return load_act(path)


def decide(act, record=None, on=None, readings=None):
    ctx = Context.make(act, readings, on)
    out = []
    for engine in ("duckdb", "reference"):
        (d,) = decide_records(ctx, [{**RECORD, **(record or {})}], engine=engine)
        out.append({k: d[k] for k in ("relief", "clause", "eligible_from", "eligible_until", "upcoming_from",
                                      "reasons")})
    assert out[0] == out[1], "the DuckDB and reference engines disagree"
    return out[0]


D = dt.date


@pytest.mark.parametrize("chosen, message", [
    ({"cutt": "six"}, "unknown reading 'cutt' for act spans; valid readings: cut=six|twelve"),
    ({"cut": "seven"}, "reading cut='seven' is not valid; valid values: six, twelve"),
])
def test_a_wrong_reading_is_named_with_the_valid_ones(tmp_path, chosen, message):
    with pytest.raises(UsageError) as info:
        resolve_readings(act_with(tmp_path, "true"), chosen)
    assert info.value.message == message


def test_a_date_reading_takes_a_date(tmp_path):
    act = act_with(tmp_path, "true", ACT.replace("  cut:", "  eif: {parameter: eif, says: another day}\n  cut:"))
    assert resolve_readings(act, {"eif": "2026-01-01"})["eif"] == "2026-01-01"
    assert compile_act(act, {"eif": "2026-01-01"}).window_end == D(2026, 5, 1)
    with pytest.raises(UsageError) as info:
        resolve_readings(act, {"eif": "soon"})
    assert info.value.message == "reading eif='soon': expected a date YYYY-MM-DD"
    with pytest.raises(UsageError) as info:
        resolve_readings(act, {"nope": "x"})
    assert info.value.message.endswith("valid readings: eif=YYYY-MM-DD; cut=six|twelve")


def test_reading_arguments_are_name_equals_value():
    assert parse_reading_args(["b3 = application", "eif=2026-01-01=x"]) == {"b3": "application",
                                                                           "eif": "2026-01-01=x"}
    assert parse_reading_args(None) == {}
    with pytest.raises(UsageError) as info:
        parse_reading_args(["b3"])
    assert info.value.message == "--reading 'b3': expected NAME=VALUE"


@pytest.mark.parametrize("when, first, last", [
    ("on >= 2026-01-10", D(2026, 1, 10), D(2026, 4, 19)),
    ("on > 2026-01-10", D(2026, 1, 11), D(2026, 4, 19)),
    ("on < 2026-01-10", D(2025, 12, 19), D(2026, 1, 9)),
    ("on <= 2026-01-10", D(2025, 12, 19), D(2026, 1, 10)),
    ("on == 2026-01-10", D(2026, 1, 10), D(2026, 1, 10)),
    ("2026-01-10 <= on", D(2026, 1, 10), D(2026, 4, 19)),
    ("2026-01-10 > on", D(2025, 12, 19), D(2026, 1, 9)),
    ("age_on(birth_date, on) >= 36", D(2026, 5, 5), None),
    ("age_on(birth_date, on) > 35", D(2026, 5, 5), None),
    ("age_on(birth_date, on) < 36", D(2025, 12, 19), D(2026, 4, 19)),
    ("age_on(birth_date, on) <= 35", D(2025, 12, 19), D(2026, 4, 19)),
    ("left_at_most(sentence_end, on, 4)", D(2026, 1, 31), D(2026, 4, 19)),
    ("left_more_than(sentence_end, on, 4)", D(2025, 12, 19), D(2026, 1, 30)),
    ("left_at_most(sentence_end, on, 6)", D(2025, 12, 19), D(2026, 4, 19)),
])
def test_the_days_a_relief_holds_for_each_form_of_date_test(tmp_path, when, first, last):
    act = act_with(tmp_path, when)
    on = first if first is not None else D(2025, 12, 19)
    d = decide(act, on=on)
    if last is None:      # the 36th birthday (5 May 2026) falls after the window: never within it
        assert d["relief"] == "none"
        return
    assert (d["relief"], d["clause"]) == ("release_from_imprisonment", "R1")
    assert (d["eligible_from"], d["eligible_until"]) == (first, last)
    if first > D(2025, 12, 19):     # the day before, it is still to come
        before = decide(act, on=first - dt.timedelta(days=1))
        assert (before["relief"], before["upcoming_from"]) == ("none", first)


def test_a_relief_never_holds_outside_the_window(tmp_path):
    act = act_with(tmp_path, "on >= 2025-01-01")
    assert decide(act, on=D(2026, 4, 19))["relief"] == "release_from_imprisonment"
    assert decide(act, on=D(2026, 4, 20))["relief"] == "none"
    assert decide(act, on=D(2025, 12, 18))["relief"] == "none"


def test_a_reading_decides_the_condition_it_names(tmp_path):
    act = act_with(tmp_path, "(reading('cut') == 'six' and left_at_most(sentence_end, eif, 6)) or "
                             "(reading('cut') == 'twelve' and left_at_most(sentence_end, eif, 12))")
    later = {"sentence_end": "2026-08-31"}
    assert decide(act, later)["relief"] == "none"
    assert decide(act, later, readings={"cut": "twelve"})["relief"] == "release_from_imprisonment"
    assert compile_act(act, {"cut": "twelve"}).readings == {"cut": "twelve"}
    assert compile_act(act).readings == {"cut": "six"}


def test_the_window_and_its_end_come_from_the_parameters(tmp_path):
    plan = compile_act(act_with(tmp_path, "true"))
    assert (plan.eif, plan.window_end) == (D(2025, 12, 19), D(2026, 4, 19))
    shorter = act_with(tmp_path, "true", ACT.replace("value: 4,", "value: 1,"))
    assert compile_act(shorter).window_end == D(2026, 1, 19)


EXCLUSION = """\
  - id: F1
    kind: exclusion
    text: an exclusion
    status: reported
    when: ["XWHEN"]
    applies_to: APPLIES
"""


def test_an_exclusion_may_not_depend_on_the_decision_day(tmp_path):
    act = act_with(tmp_path, "true", ACT + EXCLUSION.replace("XWHEN", "on >= 2026-01-01").replace("APPLIES", "[R1]"))
    with pytest.raises(ActError) as info:
        compile_act(act)
    (p,) = info.value.problems
    assert (p.clause, p.field, p.line) == ("F1", "when", 15)
    assert p.message == ("the condition 'on >= 2026-01-01' depends on the decision date in a form whose span "
                         "cannot be computed")
    assert p.hint.endswith("exclusions may not depend on the decision date")


def test_a_relief_on_a_day_in_no_computable_form_is_refused(tmp_path):
    act = act_with(tmp_path, "add_months(on, 1) > sentence_end")
    with pytest.raises(ActError) as info:
        compile_act(act)
    (p,) = info.value.problems
    assert (p.clause, p.field) == ("R1", "when") and "depends on the decision date" in p.message


def test_a_binding_may_depend_on_a_reading_but_not_on_the_record(tmp_path):
    by_reading = "[{clauses: [R1], when: \"reading('cut') == 'twelve'\"}]"
    act = act_with(tmp_path, "true", ACT + EXCLUSION.replace("XWHEN", "sex == 'M'").replace("APPLIES", by_reading))
    assert compile_act(act).clause("R1").exclusions == ()
    plan = compile_act(act, {"cut": "twelve"})
    assert plan.clause("R1").exclusions == ("F1",) and plan.clause("F1").reading_bound == ("R1",)
    assert decide(act, readings={"cut": "twelve"})["relief"] == "none"
    assert decide(act)["relief"] == "release_from_imprisonment"
    by_record = "[{clauses: [R1], when: \"sex == 'M'\"}]"
    act = act_with(tmp_path, "true", ACT + EXCLUSION.replace("XWHEN", "true").replace("APPLIES", by_record))
    with pytest.raises(ActError) as info:
        compile_act(act)
    (p,) = info.value.problems
    assert (p.clause, p.field, p.message) == ("F1", "applies_to.when", "may use readings and parameters only")


def test_a_firm_binding_is_not_reading_bound(tmp_path):
    act = act_with(tmp_path, "true", ACT + EXCLUSION.replace("XWHEN", "sex == 'M'").replace("APPLIES", "[R1]"))
    plan = compile_act(act)
    assert plan.clause("R1").exclusions == ("F1",) and plan.clause("F1").reading_bound == ()
    assert plan.clause("F1").exclusions == ()
    d = decide(act)
    assert d["relief"] == "none" and d["reasons"] == "HH"
    assert decide(act, {"sex": "F"})["relief"] == "release_from_imprisonment"


def test_a_condition_on_whether_a_date_is_recorded(tmp_path):
    act = act_with(tmp_path, "known(offense_date)")
    assert decide(act)["relief"] == "release_from_imprisonment"
    assert decide(act, {"offense_date": None})["relief"] == "none"
