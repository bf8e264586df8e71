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
  cutoff: {type: date, value: 2026-01-10, status: reported}
readings:
  cut: {default: six, values: {six: six months, twelve: twelve months}}
  cut2: {parameter: cutoff, says: a cut-off day}
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
    ({"cutt": "six"}, "unknown reading 'cutt' for act spans; valid readings: cut=six|twelve; cut2=YYYY-MM-DD"),
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
    assert info.value.message.endswith("valid readings: eif=YYYY-MM-DD; cut=six|twelve; cut2=YYYY-MM-DD")


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
    ("left_at_most(sentence_end, on, window_months)", D(2026, 1, 31), D(2026, 4, 19)),
    ("left_more_than(sentence_end, on, window_months)", D(2025, 12, 19), D(2026, 1, 30)),
    ("age_on(birth_date, on) >= window_months", D(2025, 12, 19), D(2026, 4, 19)),
    ("on >= reading('cut2')", D(2026, 1, 10), D(2026, 4, 19)),
    ("on < reading('cut2')", D(2025, 12, 19), D(2026, 1, 9)),
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
    assert compile_act(act, {"cut": "twelve"}).readings == {"cut": "twelve", "cut2": "2026-01-10"}
    assert compile_act(act).readings == {"cut": "six", "cut2": "2026-01-10"}


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
    assert (p.clause, p.field, p.line) == ("F1", "when", (ACT + EXCLUSION).splitlines().index("  - id: F1") + 1)
    assert p.message == ("the condition 'on >= 2026-01-01' depends on the decision date in a form whose span "
                         "cannot be computed")
    assert p.hint == ("use left_at_most / left_more_than / age_on(x, on) compared with a number / on compared "
                      "with a date; exclusions may not depend on the decision date")


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


@pytest.mark.parametrize("when, first, last", [
    ("2026-01-10 >= on", D(2025, 12, 19), D(2026, 1, 10)),
    ("2026-01-10 < on", D(2026, 1, 11), D(2026, 4, 19)),
    ("2026-01-10 <= on", D(2026, 1, 10), D(2026, 4, 19)),
    ("2026-01-10 == on", D(2026, 1, 10), D(2026, 1, 10)),
    ("on >= add_days(eif, 22)", D(2026, 1, 10), D(2026, 4, 19)),
    ("on < add_days(eif, 112)", D(2025, 12, 19), D(2026, 4, 9)),
    ("on >= 2026-01-10 and on <= 2026-02-20", D(2026, 1, 10), D(2026, 2, 20)),
    ("age_on(birth_date, on) == 35", D(2025, 12, 19), D(2026, 2, 9)),
    ("age_on(birth_date, on) == 36", D(2026, 2, 10), D(2026, 4, 19)),
    ("age_on(birth_date, on) >= 36", D(2026, 2, 10), D(2026, 4, 19)),
    ("age_on(birth_date, on) > 35", D(2026, 2, 10), D(2026, 4, 19)),
    ("age_on(birth_date, on) < 36", D(2025, 12, 19), D(2026, 2, 9)),
    ("age_on(birth_date, on) <= 35", D(2025, 12, 19), D(2026, 2, 9)),
    ("36 <= age_on(birth_date, on)", D(2026, 2, 10), D(2026, 4, 19)),
    ("35 >= age_on(birth_date, on)", D(2025, 12, 19), D(2026, 2, 9)),
    ("left_at_most(sentence_end, on, 4) and age_on(birth_date, on) >= 36", D(2026, 2, 10), D(2026, 4, 19)),
])
def test_the_days_of_a_birthday_or_a_day_within_the_window(tmp_path, when, first, last):
    """A 36th birthday on 10 February 2026, inside the window: each form starts or stops on the right day,
    on both engines (the DuckDB engine uses the compiled thresholds, the reference engine tries every day)."""
    act = act_with(tmp_path, when)
    person = {"birth_date": "1990-02-10", "sentence_end": "2026-03-31"}
    d = decide(act, person, on=first)
    assert (d["relief"], d["clause"]) == ("release_from_imprisonment", "R1")
    assert (d["eligible_from"], d["eligible_until"]) == (first, last)
    if first > D(2025, 12, 19):
        before = decide(act, person, on=first - dt.timedelta(days=1))
        assert (before["relief"], before["upcoming_from"]) == ("none", first)
    if last < D(2026, 4, 19):
        after = decide(act, person, on=last + dt.timedelta(days=1))
        assert (after["relief"], after["eligible_from"]) == ("none", None)


@pytest.mark.parametrize("when", [
    "on != 2026-01-10",
    "age_on(birth_date, on) >= term_months",
    "left_at_most(add_months(on, 1), on, 3)",
    "left_at_most(sentence_end, on, age_on(birth_date, on))",
    "age_on(on, on) >= 3",
    "on >= sentence_start or on < add_months(on, 2)",
    "not (on < 2026-01-10)",
    "on < add_months(on, 2)",
    "add_days(on, 1) > on",
    "left_more_than(sentence_end, on, 4) or age_on(birth_date, on) < 36",
])
def test_a_date_test_whose_days_cannot_be_computed_is_refused(tmp_path, when):
    act = act_with(tmp_path, when)
    with pytest.raises(ActError) as info:
        compile_act(act)
    (p,) = info.value.problems
    assert (p.clause, p.field, p.line) == ("R1", "when", ACT.splitlines().index("  - id: R1") + 1)
    assert "depends on the decision date in a form whose span cannot be computed" in p.message


@pytest.mark.parametrize("when, record, relief", [
    ("on >= sentence_start", {}, "release_from_imprisonment"),
    ("on < sentence_end", {"sentence_end": "2026-01-31"}, "release_from_imprisonment"),
])
def test_a_date_test_against_a_field_uses_the_records_day(tmp_path, when, record, relief):
    act = act_with(tmp_path, when)
    assert decide(act, record)["relief"] == relief


def test_a_status_confined_to_some_records_may_not_read_the_decision_day(tmp_path):
    cond = '{test: "sex == \'M\'", says: men, status: inferred, status_when: "on >= 2026-01-01"}'
    act = act_with(tmp_path, "true", ACT.replace('when: ["WHEN"]', f"when: [{cond}]"))
    with pytest.raises(ActError) as info:
        compile_act(act)
    (p,) = info.value.problems
    assert (p.clause, p.field, p.message, p.hint) == ("R1", "status_when", "may not depend on the decision date",
                                                     "name the values of the record only")


SHORT = {"sentence_start": "2025-12-01", "sentence_end": "2026-03-01"}
FOLDING = ACT.replace("clauses:", """\
  year: {parameter: eif, says: another day}
  pun: {default: imprisonment, values: {imprisonment: prison, fine: a fine}}
definitions:
  older: {test: "age_on(birth_date, eif) >= limit", says: old enough}
clauses:""").replace("  window_months: {type: int, value: 4, status: reported}\n",
                     "  window_months: {type: int, value: 4, status: reported}\n"
                     "  limit: {type: int, value: 35, status: reported}\n")


@pytest.mark.parametrize("when, record, readings, relief", [
    ("older", {}, None, "release_from_imprisonment"),                    # a definition with a parameter
    ("older", {"birth_date": "1991-01-01"}, None, "none"),
    ("not older", {"birth_date": "1991-01-01"}, None, "release_from_imprisonment"),
    ("offense_date < reading('year')", {}, None, "release_from_imprisonment"),
    ("offense_date < reading('year')", {}, {"year": "2023-01-01"}, "none"),
    ("sentence_end <= window_end", {"sentence_end": "2026-04-19"}, None, "release_from_imprisonment"),
    ("sentence_end <= window_end", {"sentence_end": "2026-04-20"}, None, "none"),
    ("sentence_end <= window_end", {"sentence_end": "2026-05-20"}, {"year": "2026-01-20"}, "release_from_imprisonment"),
    ("reading('cut') in ['six'] and sex == 'M'", {}, None, "release_from_imprisonment"),
    ("reading('cut') in ['six'] and sex == 'M'", {}, {"cut": "twelve"}, "none"),
    ("reading('cut') not in ['six'] or sex == 'F'", {}, None, "none"),
    ("reading('cut') not in ['six'] or sex == 'F'", {}, {"cut": "twelve"}, "release_from_imprisonment"),
    ("not (reading('cut') == 'six') or sex == 'F'", {"sex": "F"}, None, "release_from_imprisonment"),
    ("not (reading('cut') == 'six') or sex == 'F'", {}, None, "none"),
    ("add_months(eif, 1) > 2026-01-18 and sex == 'M'", {}, None, "release_from_imprisonment"),
    ("add_months(eif, 1) > 2026-01-19 or sex == 'F'", {}, None, "none"),
    ("age_on(1990-01-01, eif) == limit and known(birth_date)", {}, None, "release_from_imprisonment"),
    ("age_on(1990-12-20, eif) == limit or sex == 'F'", {}, None, "none"),
    ("term_months > limit", {}, None, "release_from_imprisonment"),
    ("term_months > limit", {"term_months": 35}, None, "none"),
    ("term_months >= window_months", {"term_months": 4, **SHORT}, None, "release_from_imprisonment"),
    ("term_months >= window_months", {"term_months": 3, **SHORT}, None, "none"),
    ("(true and sex == 'M') or false", {}, None, "release_from_imprisonment"),
    ("true and sex == 'F'", {}, None, "none"),
    ("false or sex == 'F'", {}, None, "none"),
    ("offense_date < add_days(eif, 1)", {"offense_date": None}, None, "release_from_imprisonment"),
    ("offense_date >= add_days(eif, 1)", {"offense_date": None}, None, "none"),
    ("disability_percent >= first_known(40.5)", {"disability_percent": 41}, None, "release_from_imprisonment"),
    ("disability_percent >= first_known(40.5)", {"disability_percent": 40}, None, "none"),
    ("punishment == reading('pun')", {}, None, "release_from_imprisonment"),
    ("punishment == reading('pun')", {}, {"pun": "fine"}, "none"),
    ("punishment != reading('pun') and sex == 'M'", {}, {"pun": "fine"}, "release_from_imprisonment"),
    ("(false or sex == 'F') and true", {}, None, "none"),
    ("unknown and sex == 'M'", {}, None, "indeterminate"),
    ("unknown or sex == 'M'", {}, None, "release_from_imprisonment"),
    ("unknown or sex == 'F'", {}, None, "indeterminate"),
    ("unknown and unknown", {}, None, "indeterminate"),
    ("unknown or true", {}, None, "release_from_imprisonment"),
    ("unknown and false", {}, None, "none"),
])
def test_readings_parameters_and_definitions_fold_into_the_condition(tmp_path, when, record, readings, relief):
    act = act_with(tmp_path, when, FOLDING)
    assert decide(act, record, readings=readings)["relief"] == relief


def test_the_fields_an_act_reads(tmp_path):
    act = act_with(tmp_path, "older and sex == 'M' and left_at_most(sentence_end, on, 3)", FOLDING)
    assert compile_act(act).fields == ("birth_date", "sentence_end", "sex")
    by_reading = act_with(tmp_path, "(reading('cut') == 'six' and war_participant) or "
                                    "(reading('cut') == 'twelve' and idp)", FOLDING)
    # every field a condition names, whichever reading is chosen
    assert compile_act(by_reading).fields == ("idp", "war_participant")
    assert compile_act(by_reading, {"cut": "twelve"}).fields == ("idp", "war_participant")


def test_only_readings_chosen_otherwise_than_by_default_are_alternatives(tmp_path):
    act = act_with(tmp_path, "sex == 'M'", FOLDING)
    assert compile_act(act).alternatives == ()
    assert compile_act(act, {"year": "2026-01-01", "cut": "six"}).alternatives == ()
    plan = compile_act(act, {"year": "2026-01-01", "cut": "twelve"})
    ((name, value, alt),) = plan.alternatives
    assert (name, value, alt.readings["cut"], alt.readings["year"], alt.alternatives) == \
        ("cut", "twelve", "six", "2026-01-01", ())
    assert alt.article_sets == plan.article_sets


def test_the_articles_a_clause_tests_in_order_once_each(tmp_path):
    act = act_with(tmp_path, "any_article('126', '120', '126') and not any_article('120', '126.1', '234')")
    plan = compile_act(act)
    assert plan.articles_tested_by("R1") == ["120", "126", "126.1", "234"]
    assert plan.article_sets == (("120", "126"), ("120", "126.1", "234"))
    d = decide(act, {"articles": "126.2"})
    assert d["relief"] == "release_from_imprisonment"
    assert decide(act, {"articles": "126.1"})["relief"] == "none"
    assert decide(act, {"articles": "177.2"})["relief"] == "none"


def test_the_status_of_a_clause_is_its_weakest_condition(tmp_path):
    weak = '{test: "term_months <= 36", says: short, status: inferred, status_when: "term_months == 36"}'
    firm = '{test: "sex == \'M\'", says: men, status: reported, status_when: "term_months == 36"}'
    act = act_with(tmp_path, "true", ACT.replace('when: ["WHEN"]', f"when: [{weak}, {firm}]"))
    r1 = compile_act(act).clause("R1")
    assert (r1.status, r1.base_status, len(r1.boundaries)) == ("inferred", "reported", 1)
    assert r1.status_for({"term_months": 36}) == "inferred"
    assert r1.status_for({"term_months": 30}) == "reported"
    assert r1.status_for({"term_months": None}) == "inferred"
    d = decide(act, {"term_months": 30, "sentence_end": "2026-05-31"})
    assert decide(act)["relief"] == "release_from_imprisonment"
    assert d["relief"] == "release_from_imprisonment"
    unknown = act_with(tmp_path, "true", ACT.replace("status: reported\n    when", "status: unknown\n    when"))
    r1 = compile_act(unknown).clause("R1")
    assert (r1.status, r1.decides, compile_act(unknown).candidates) == ("unknown", False, ())
    assert decide(unknown)["relief"] == "none" and decide(unknown)["reasons"] == "-"


def test_every_date_test_that_cannot_be_computed_is_named(tmp_path):
    act = act_with(tmp_path, "true", ACT.replace('when: ["WHEN"]',
                                                 'when: ["on != 2026-01-10", "sex == \'M\'", "age_on(on, on) >= 3"]'))
    with pytest.raises(ActError) as info:
        compile_act(act)
    assert [p.message.split("'")[1] for p in info.value.problems] == ["on != 2026-01-10", "age_on(on, on) >= 3"]


def test_a_refused_date_test_is_shown_with_the_readings_values(tmp_path):
    act = act_with(tmp_path, "punishment == reading('pun') or on >= first_known(2026-01-10)", FOLDING)
    with pytest.raises(ActError) as info:
        compile_act(act, {"pun": "fine"})
    (p,) = info.value.problems
    assert p.message == ("the condition \"punishment == 'fine' or on >= 2026-01-10\" depends on the decision date "
                         "in a form whose span cannot be computed")
