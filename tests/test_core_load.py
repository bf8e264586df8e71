"""Act files as a drafter writes them: each mistake is reported with its line, clause, field, words and hint,
and what is right loads (written for the mutation benchmark, issue 16: each case fails if one message,
line or check of clemency/act/load.py changes)."""

import shutil
from pathlib import Path

import pytest

from clemency.act.load import load_act, load_shipped_act, resolve_act_path, shipped_acts
from clemency.act.refs import ACTS_DIR as ACTS
from clemency.errors import ActError
from clemency.jurisdictions import default_jurisdiction

BASE = """\
id: test-act
title: A test act
parameters:
  eif: {type: date, value: 2025-12-19, status: reported}
  window_months: {type: int, value: 4, status: reported}
readings:
  b2: {default: inclusive, values: {inclusive: incl, exclusive: excl}}
clauses:
  - id: A1
    kind: relief
    relief: release_from_imprisonment
    text: women
    status: reported
    when: ["sex == 'F'"]
"""
WHEN = "[\"sex == 'F'\"]"
EXCL = "  - {id: F1, kind: exclusion, text: x, status: reported, when: [\"sex == 'M'\"], applies_to: %s}\n"


def load(tmp_path, text):
    path = tmp_path / "act.yaml"
    path.write_text(text)
    return load_act(path)


def problems(tmp_path, text):
    with pytest.raises(ActError) as info:
        load(tmp_path, text)
    return [(p.line, p.clause, p.field, p.message, p.hint) for p in info.value.problems]


CASES = {
    "a misspelt top-level field": (BASE.replace("title:", "titel:"), [
        (2, None, "titel", "unknown field in the act", "did you mean 'title' or 'titles'?"),
        (1, None, "title", "required field is missing", None)]),
    "no clauses": (BASE.split("clauses:")[0], [(1, None, "clauses", "required field is missing", None)]),
    "an act that is a list": ("- 1\n- 2\n", [(1, None, "the act", "expected a mapping, found a list", None)]),
    "a parameter of another type": (BASE.replace("window_months: {type: int", "window_months: {type: float"), [
        (5, None, "parameters.window_months.type", "type 'float' is not date or int", None)]),
    "a date parameter that is not a date": (BASE.replace("value: 2025-12-19", "value: 19.12.2025"), [
        (4, None, "parameters.eif.value", "'19.12.2025' is not a date (YYYY-MM-DD)", None)]),
    "a whole-number parameter that is not one": (BASE.replace("value: 4,", "value: four,"), [
        (5, None, "parameters.window_months.value", "'four' is not a whole number", None)]),
    "a parameter's status": (BASE.replace("value: 4, status: reported", "value: 4, status: rumoured"), [
        (5, None, "parameters.window_months.status",
         "status 'rumoured' is not one of reported, inferred, unknown", None)]),
    "a required parameter missing": (BASE.replace("  window_months: {type: int, value: 4, status: reported}\n", ""),
                                     [(4, None, "parameters.window_months", "required parameter is missing", None)]),
    "parameters as a list": (BASE.replace(BASE[BASE.index("parameters:"):BASE.index("readings:")],
                                          "parameters: [1, 2]\n"), [
        (3, None, "parameters", "expected a mapping of parameters", None)]),
    "a parameter with an unknown field": (BASE.replace("value: 4, status", "value: 4, unit: months, status"), [
        (5, None, "unit", "unknown field in parameters.window_months",
         "expected one of says, sources, status, type, value")]),
    "a reading without values": (BASE.replace("values: {inclusive: incl, exclusive: excl}", "values: {}"), [
        (7, None, "readings.b2.values", "a reading needs its values, each with what it means", None)]),
    "a reading's default not among its values": (BASE.replace("default: inclusive", "default: inclusiv"), [
        (7, None, "readings.b2.default", "default 'inclusiv' is not one of the values",
         "did you mean 'inclusive' or 'exclusive'?")]),
    "a reading of an unknown date parameter": (BASE.replace(BASE.splitlines()[6], "  d: {parameter: eiff}"), [
        (7, None, "readings.d.parameter", "'eiff' is not a date parameter of the act", "did you mean 'eif'?")]),
    "a reading of a parameter that is no date": (BASE.replace(BASE.splitlines()[6], "  d: {parameter: window_months}"), [
        (7, None, "readings.d.parameter", "'window_months' is not a date parameter of the act",
         "did you mean 'window_months'?")]),
    "a field of an unknown type": (BASE.replace("clauses:", "fields:\n  - {name: veteran, type: boolean}\nclauses:"), [
        (9, None, "fields[0].type", "type 'boolean' is not one of bool, int, number, string, date", None)]),
    "a clause's kind": (BASE.replace("kind: relief", "kind: relif"), [
        (10, "A1", "kind", "kind 'relif' is not one of relief, exclusion, provision", "did you mean 'relief'?")]),
    "a relief the jurisdiction does not know": (BASE.replace("relief: release_from_imprisonment",
                                                             "relief: release_from_prison"), [
        (11, "A1", "relief", "relief 'release_from_prison' is not known in Azerbaijan",
         "did you mean 'release_from_imprisonment' or 'release_from_punishment' or "
         "'release_from_criminal_liability'?")]),
    "a term reduction without months": (BASE.replace("relief: release_from_imprisonment", "relief: term_reduction"), [
        (9, "A1", "reduction_months", "a term reduction needs reduction_months, a positive whole number", None)]),
    "a term reduction of zero months": (BASE.replace("relief: release_from_imprisonment",
                                                     "relief: term_reduction\n    reduction_months: 0"), [
        (12, "A1", "reduction_months", "a term reduction needs reduction_months, a positive whole number", None)]),
    "a duplicate clause id": (BASE + BASE[BASE.index("  - id: A1"):], [(15, "A1", "id", "duplicate clause id", None)]),
    "a clause without an id": (BASE.replace("  - id: A1\n    kind", "  - kind"), [
        (9, "#1", "id", "a clause needs an id", None)]),
    "a clause that is not a mapping": (BASE + "  - just text\n", [
        (None, "#2", "clauses[1]", "expected a mapping, found text", None)]),
    "a clause without conditions": (BASE.replace("    when: " + WHEN + "\n", ""), [
        (9, "A1", "when", "a clause needs at least one condition (a clause whose content is unknown has "
                          "status: unknown)", None)]),
    "a clause's status": (BASE.replace("    status: reported\n    when", "    status: likely\n    when"), [
        (13, "A1", "status", "status 'likely' is not one of reported, inferred, unknown", None)]),
    "a number where a condition goes": (BASE.replace("sex == 'F'", "window_months"), [
        (14, "A1", "when[1]", "'window_months' is a whole number, not a yes/no condition", None)]),
    "a date where a condition goes": (BASE.replace("sex == 'F'", "eif"), [
        (14, "A1", "when[1]", "'eif' is a date, not a yes/no condition", None)]),
    "a comparison of text with a number": (BASE.replace("sex == 'F'", "sex == 5"), [
        (14, "A1", "when[1]", "in 'sex == 5': cannot compare string with int in '=='", None)]),
    "a malformed condition": (BASE.replace("sex == 'F'", "sex = 'F'"), [
        (14, "A1", "when[1]", "malformed condition \"sex = 'F'\": unexpected character '=' (use == to compare) "
                              "at column 5", None)]),
    "a malformed status_when": (BASE.replace(WHEN, "[{test: \"sex == 'F'\", status_when: \"a ==\"}]"), [
        (14, "A1", "when[1].status_when", "malformed condition 'a ==': expected a value, a name or '(', found "
                                          "'the end of the condition' at column 5", None)]),
    "a condition's status": (BASE.replace(WHEN, "[{test: \"sex == 'F'\", status: maybe}]"), [
        (14, "A1", "when[1].status", "status 'maybe' is not one of reported, inferred, unknown", None)]),
    "a condition that is not text": (BASE.replace(WHEN, "[5]"), [
        (14, "A1", "when[1]", "a condition must be text, found 5", None)]),
    "a condition with an unknown field": (BASE.replace(WHEN, "[{test: \"sex == 'F'\", because: x}]"), [
        (14, "A1", "because", "unknown field in when[1]", "expected one of says, status, status_when, test")]),
    "an exclusion that excludes from nothing": (BASE + EXCL.replace(", applies_to: %s", ""), [
        (15, "F1", "applies_to", "an exclusion must say which clauses it applies to", None)]),
    "an exclusion naming no clause": (BASE + EXCL % "[Z9]", [(15, "F1", "applies_to", "'Z9' names no clause of the act",
                                                             None)]),
    "an exclusion with a malformed entry": (BASE + EXCL % "[{foo: 1}]", [
        (15, "F1", "applies_to[1]", "expected a clause id, a group letter, or {clauses: [...], when: ...}", None),
        (15, "F1", "applies_to", "an exclusion must say which clauses it applies to", None)]),
    "an exclusion's condition on a group": (BASE + EXCL % "[A, {clauses: [A1], when: \"age_at_offense < 18\"}]", [
        (15, "F1", "applies_to[2].when", "in 'age_at_offense < 18': unknown name 'age_at_offense'", None)]),
    "a conditional binding that names no clause": (BASE + EXCL % "[{when: \"sex == 'F'\"}]", [
        (15, "F1", "applies_to[1].clauses", "a binding with a condition must name the clauses it applies to",
         None),
        (15, "F1", "applies_to", "an exclusion must say which clauses it applies to", None)]),
    "a conditional binding whose clauses are one text": (BASE + EXCL % "[{clauses: A1, when: \"sex == 'F'\"}]", [
        (15, "F1", "applies_to[1].clauses", "expected a list of clause ids or group letters, like [A1, B]",
         None),
        (15, "F1", "applies_to", "an exclusion must say which clauses it applies to", None)]),
    "an exclusion bound to itself": (BASE + EXCL % "[A1, F1]", [
        (15, "F1", "applies_to", "'F1' is an exclusion: an exclusion applies to relief clauses", None)]),
    "a definition named like a field": (BASE.replace("clauses:", "definitions:\n  sex: \"true\"\nclauses:"), [
        (9, None, "definitions.sex", "a definition may not reuse the name of a field or parameter", None)]),
    "a Criminal Code that is a number": (BASE.replace("clauses:", "criminal_code: 5\nclauses:"), [
        (8, None, "criminal_code", "expected {table: NAME, version: VERSION} or NAME@VERSION", None)]),
    "an unknown Criminal Code table": (BASE.replace("clauses:", "criminal_code: nosuch@1\nclauses:"), [
        (8, None, "criminal_code", "Azerbaijan has no Criminal Code table nosuch@1",
         "tables of Azerbaijan: criminal-code@2024")]),
    "not YAML": ("a: [\n", [(2, None, None, "not a readable YAML file: did not find expected node content", None)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_mistake_is_reported_where_it_is(tmp_path, name):
    text, expected = CASES[name]
    assert problems(tmp_path, text) == expected


def test_an_unknown_jurisdiction_is_named(tmp_path):
    ((line, clause, fld, message, hint),) = problems(tmp_path, BASE.replace("clauses:", "jurisdiction: xx\nclauses:"))
    assert (line, clause, fld, message) == (8, None, "jurisdiction", "no jurisdiction 'xx'")
    assert hint.startswith("a jurisdiction is a folder with a jurisdiction.yaml")


def test_a_good_act_loads_with_its_parts(tmp_path):
    act = load(tmp_path, BASE + EXCL % "[A, {clauses: [A1], when: \"age_on(birth_date, eif) < 18\"}]")
    assert (act.id, act.title) == ("test-act", "A test act")
    assert act.parameters["eif"].value.isoformat() == "2025-12-19" and act.parameters["window_months"].value == 4
    assert act.parameters["eif"].status == "reported"
    assert act.readings["b2"].default == "inclusive"
    assert act.readings["b2"].values == {"inclusive": "incl", "exclusive": "excl"}
    a1, f1 = act.clause("A1"), act.clause("F1")
    assert (a1.kind, a1.relief, a1.reduction_months, a1.line, a1.status) == (
        "relief", "release_from_imprisonment", None, 9, "reported")
    assert [c.source for c in a1.when] == ["sex == 'F'"] and a1.when[0].line == 14
    assert (f1.kind, f1.relief) == ("exclusion", None)
    assert [a.clauses for a in f1.applies_to] == [("A",), ("A1",)]
    assert f1.applies_to[0].when is None and f1.applies_to[1].when.source == "age_on(birth_date, eif) < 18"
    assert len(act.sha256) == 64


def test_a_term_reduction_keeps_its_months(tmp_path):
    act = load(tmp_path, BASE.replace("relief: release_from_imprisonment", "relief: term_reduction\n"
                                      "    reduction_months: 6"))
    assert act.clause("A1").reduction_months == 6 and act.clause("A1").relief == "term_reduction"


def test_a_clause_of_unknown_content_needs_no_condition(tmp_path):
    act = load(tmp_path, BASE.replace("    status: reported\n    when: " + WHEN + "\n", "    status: unknown\n"))
    assert act.clause("A1").when == () and act.clause("A1").status == "unknown"


def test_a_single_condition_need_not_be_a_list(tmp_path):
    act = load(tmp_path, BASE.replace(WHEN, "\"sex == 'F'\""))
    assert [c.source for c in act.clause("A1").when] == ["sex == 'F'"]
    assert act.clause("A1").when[0].line == 14


def test_a_condition_named_by_a_definition_takes_its_words_and_status(tmp_path):
    act = load(tmp_path, BASE.replace("clauses:", "definitions:\n  women: {test: \"sex == 'F'\", says: the women, "
                                      "status: inferred}\nclauses:").replace(WHEN, "[women]"))
    (cond,) = act.clause("A1").when
    assert (cond.source, cond.says, cond.status) == ("women", "the women", "inferred")
    assert act.definitions["women"].source == "sex == 'F'"


def test_a_reading_of_a_date_parameter(tmp_path):
    act = load(tmp_path, BASE.replace(BASE.splitlines()[6], "  eif: {parameter: eif, says: another day}"))
    r = act.readings["eif"]
    assert (r.default, r.values, r.parameter) == ("2025-12-19", {"": "any date"}, "eif")


def test_the_criminal_code_table_named_either_way(tmp_path):
    by_text = load(tmp_path, BASE.replace("clauses:", "criminal_code: criminal-code@2024\nclauses:"))
    by_map = load(tmp_path, BASE.replace("clauses:", "criminal_code: {table: criminal-code, version: '2024'}\n"
                                         "clauses:"))
    assert by_text.code_table == by_map.code_table == ("criminal-code", "2024")
    assert load(tmp_path, BASE).code_table is None


def test_shipped_acts_by_id_and_never_by_path(tmp_path):
    assert {"az-2025", "az-2021", "az-2009"} <= set(shipped_acts())
    assert not any(a.endswith(".scenarios") for a in shipped_acts())
    assert resolve_act_path("az-2025").name == "az-2025.yaml"
    assert load_shipped_act("az-2025").id == "az-2025"
    path = tmp_path / "act.yaml"
    path.write_text(BASE)
    assert resolve_act_path(str(path)) == path
    for bad in (str(path), "../az-2025", None):
        with pytest.raises(ActError) as info:
            load_shipped_act(bad)
        (p,) = info.value.problems
        assert (p.file, p.message) == ("(act id)", "no such shipped act")
        assert p.hint == "shipped acts: " + ", ".join(shipped_acts())


def test_an_unknown_act_id_suggests_the_nearest():
    with pytest.raises(ActError) as info:
        resolve_act_path("az-2052")
    (p,) = info.value.problems
    assert (p.file, p.line, p.message) == ("az-2052", None, "no such act file or shipped act")
    assert "az-2025" in p.hint
    with pytest.raises(ActError) as info:
        resolve_act_path("zzzzzzzz")
    assert info.value.problems[0].hint == "shipped acts: " + ", ".join(shipped_acts())


# ---- the whole of a loaded act, as every later stage reads it (issue 16, second pass) --------------------

FULL = """\
id: 2026
title: A full act
titles: {az: Tam akt}
instrument: a decree
adopted: 2025-12-01
summary: everything an act may hold
status_note: a draft
notes: checked by hand
sources:
  gazette: {title: The gazette, url: ''}
parameters:
  eif: {type: date, value: 2025-12-19, status: reported, says: in force on publication, sources: [gazette]}
  window_months: {type: int, value: 4, status: inferred}
  cutoff: {type: date, value: 2025-06-30, status: unknown}
readings:
  b2: {default: inclusive, values: {inclusive: incl, exclusive: excl}, says: whether the day counts}
  start: {parameter: cutoff, says: another cut-off}
  n: {default: 1, values: {1: one, 2: two}}
fields:
  - {name: veteran_years, type: int, default: 0}
  - {name: region, type: string, values: [north, south]}
  - {name: score, type: number}
definitions:
  women: {test: "sex == 'F'", says: the women, status: inferred, status_when: "age_on(birth_date, eif) >= 60"}
  old: {test: "age_on(birth_date, eif) >= 60", says: aged 60 or more}
  plain: "veteran_years > 2"
clauses:
  - id: A1
    kind: relief
    relief: term_reduction
    reduction_months: 1
    text: women
    status: reported
    sources: [gazette]
    says: one month off
    notes: a note
    when:
      - women
      - {test: "region == 'north'", says: in the north, status: unknown, status_when: "veteran_years > 2"}
      - " old "
      - {test: women, status: reported}
      - plain
  - id: A2
    kind: relief
    relief: release_from_imprisonment
    reduction_months: 6
    text: the rest
    status: inferred
    when: "score >= 1.5 and reading('n') == '1'"
  - id: P1
    kind: provision
    text: abroad
    status: reported
    when: [convicted_abroad]
  - id: F1
    kind: exclusion
    text: grave crimes
    status: reported
    when: ["crime_category == 'grave' and on <= window_end and cutoff < eif and reading('start') < on"]
    applies_to: [A, {clauses: [A2], when: "reading('b2') == 'inclusive'"}]
"""


def test_every_part_of_a_full_act_is_kept(tmp_path):
    import hashlib

    from clemency.act.lang import parse
    from clemency.act.model import AppliesTo, Condition, ExtraField, Parameter, Reading

    act = load(tmp_path, FULL)
    assert (act.id, act.title, act.path) == ("2026", "A full act", str(tmp_path / "act.yaml"))
    assert act.sha256 == hashlib.sha256((tmp_path / "act.yaml").read_bytes()).hexdigest()
    assert act.meta == {"titles": {"az": "Tam akt"}, "instrument": "a decree", "adopted": __import__("datetime").date(
        2025, 12, 1), "summary": "everything an act may hold", "status_note": "a draft", "notes": "checked by hand"}
    assert act.sources == {"gazette": {"title": "The gazette", "url": ""}}
    assert (act.jurisdiction, act.code_table) == ("az", None)
    assert act.relief_ranks == {"release_from_imprisonment": 1, "release_from_punishment": 2, "term_reduction": 3,
                                "release_from_criminal_liability": 1}
    eif = act.parameters["eif"]
    assert eif == Parameter("eif", "date", eif.value, "reported", "in force on publication", ("gazette",))
    assert act.parameters["window_months"] == Parameter("window_months", "int", 4, "inferred", "", ())
    assert act.parameters["cutoff"].status == "unknown" and act.parameters["cutoff"].value.isoformat() == "2025-06-30"
    assert act.readings == {
        "b2": Reading("b2", "inclusive", {"inclusive": "incl", "exclusive": "excl"}, "whether the day counts"),
        "start": Reading("start", "2025-06-30", {"": "any date"}, "another cut-off", "cutoff"),
        "n": Reading("n", "1", {"1": "one", "2": "two"}, ""),
    }
    assert act.fields == (ExtraField("veteran_years", "int", 0, ()), ExtraField("region", "string", None,
                                                                                ("north", "south")),
                          ExtraField("score", "number", None, ()))
    women = act.definitions["women"]
    assert women == Condition("sex == 'F'", parse("sex == 'F'"), "the women", "inferred", 24,
                              parse("age_on(birth_date, eif) >= 60"), "age_on(birth_date, eif) >= 60")
    assert act.definitions["plain"] == Condition("veteran_years > 2", parse("veteran_years > 2"), None, None, 26)
    a1 = act.clause("A1")
    assert (a1.kind, a1.relief, a1.reduction_months, a1.text, a1.status, a1.sources, a1.says, a1.notes, a1.line) == (
        "relief", "term_reduction", 1, "women", "reported", ("gazette",), "one month off", "a note", 28)
    w = a1.when
    assert w[0] == Condition("women", parse("women"), "the women", "inferred", 38, women.status_when,
                             women.status_when_source)
    assert w[1] == Condition("region == 'north'", parse("region == 'north'"), "in the north", "unknown", 39,
                             parse("veteran_years > 2"), "veteran_years > 2")
    assert w[2] == Condition(" old ", parse("old"), "aged 60 or more", None, 40)
    assert w[3] == Condition("women", parse("women"), "the women", "reported", 41, women.status_when,
                             women.status_when_source)
    assert w[4] == Condition("plain", parse("plain"), None, None, 42)
    a2 = act.clause("A2")
    assert (a2.relief, a2.reduction_months, a2.status, a2.sources, a2.says, a2.notes, a2.line) == (
        "release_from_imprisonment", None, "inferred", (), "", "", 43)
    assert [(c.source, c.line) for c in a2.when] == [("score >= 1.5 and reading('n') == '1'", 49)]
    p1 = act.clause("P1")
    assert (p1.kind, p1.relief, p1.reduction_months, p1.applies_to) == ("provision", None, None, ())
    f1 = act.clause("F1")
    assert (f1.kind, f1.relief, f1.reduction_months, f1.line) == ("exclusion", None, None, 55)
    assert f1.applies_to == (AppliesTo(("A",)), AppliesTo(("A2",), Condition(
        "reading('b2') == 'inclusive'", parse("reading('b2') == 'inclusive'"), None, None, 60)))


def _field(extra):
    return BASE.replace("clauses:", f"fields:\n{extra}clauses:")


def _define(extra):
    return BASE.replace("clauses:", f"definitions:\n{extra}clauses:")


def _when(condition):
    return BASE.replace("sex == 'F'", condition)


def _reduction(months_line, status="reported"):
    return BASE.replace("relief: release_from_imprisonment", "relief: term_reduction" + months_line).replace(
        "    status: reported\n    when", f"    status: {status}\n    when")


MAPPING = "expected a mapping, found "
NOT_ONE_OF_TYPES = "is not one of bool, int, number, string, date"
MONTHS = "a term reduction needs reduction_months, a positive whole number"
ENTRY = "expected a clause id, a group letter, or {clauses: [...], when: ...}"

MORE_CASES = {
    # every kind of value where a mapping belongs, in plain words
    "a clause that is yes/no": (BASE + "  - true\n", [(None, "#2", "clauses[1]", MAPPING + "yes/no", None)]),
    "a clause that is a whole number": (BASE + "  - 5\n", [(None, "#2", "clauses[1]", MAPPING + "a number", None)]),
    "a clause that is a number": (BASE + "  - 1.5\n", [(None, "#2", "clauses[1]", MAPPING + "a number", None)]),
    "a clause that is a list": (BASE + "  - [a]\n", [(15, "#2", "clauses[1]", MAPPING + "a list", None)]),
    "a clause that is a date": (BASE + "  - 2025-01-01\n", [(None, "#2", "clauses[1]", MAPPING + "a date", None)]),
    "a clause that is empty": (BASE + "  -\n", [(None, "#2", "clauses[1]", MAPPING + "nothing", None)]),
    "a clause that is a set": (BASE + "  - !!set {a}\n", [
        (None, "#2", "clauses[1]", MAPPING + "a value of another kind", None)]),
    "an empty file": ("", [(None, None, "the act", MAPPING + "nothing", None)]),
    "clauses as a mapping": (BASE.split("clauses:")[0] + "clauses: {a: 1}\n", [
        (8, None, "clauses", "expected a list of clauses", None)]),
    "clauses as text": (BASE.split("clauses:")[0] + "clauses: A1\n", [
        (None, None, "clauses", "expected a list of clauses", None)]),
    "readings as a list": (BASE.replace("  b2: {default: inclusive, values: {inclusive: incl, exclusive: excl}}",
                                        "  - b2"), [(7, None, "readings", "expected a mapping of readings", None)]),
    "definitions as a list": (_define("  - d\n"), [(9, None, "definitions", "expected a mapping of definitions",
                                                     None)]),
    "fields as a mapping": (_field("  veteran: {type: bool}\n"), [(9, None, "fields", "expected a list of fields",
                                                                   None)]),
    "fields as text": (BASE.replace("clauses:", "fields: veteran\nclauses:"), [
        (None, None, "fields", "expected a list of fields", None)]),
    "a date parameter with a time of day": (BASE.replace("value: 2025-12-19", "value: 2025-12-19 10:00:00"), [
        (4, None, "parameters.eif.value", "2025-12-19T10:00:00 is not a date (YYYY-MM-DD)", None)]),
    "a whole-number parameter that is yes/no": (BASE.replace("value: 4,", "value: [4],"), [
        (5, None, "parameters.window_months.value", "a list is not a whole number", None)]),
    # the top level
    "no id": (BASE.replace("id: test-act\n", ""), [(1, None, "id", "required field is missing", None)]),
    "not UTF-8": (b"id: \xff\n", [(None, None, None, "not a readable YAML file: 'utf-8' codec can't decode byte 0xff "
                                                    "in position 4: invalid start byte", None)]),
    # parameters
    "a parameter that is not a mapping": (BASE.replace("window_months: {type: int, value: 4, status: reported}",
                                                       "window_months: 4"), [
        (None, None, "parameters.window_months", MAPPING + "a number", None)]),
    "a whole-number parameter given a date": (BASE.replace("window_months: {type: int, value: 4",
                                                           "window_months: {type: int, value: 2025-01-01"), [
        (5, None, "parameters.window_months.value", "2025-01-01 is not a whole number", None)]),
    "a date parameter given a number": (BASE.replace("eif: {type: date, value: 2025-12-19", "eif: {type: date, value: 4"),
                                        [(4, None, "parameters.eif.value", "4 is not a date (YYYY-MM-DD)", None)]),
    "a parameter of no type": (BASE.replace("eif: {type: date, ", "eif: {"), [
        (4, None, "parameters.eif.type", "type (missing) is not date or int", None)]),
    # readings
    "a reading that is not a mapping": (BASE.replace("b2: {default: inclusive, values: {inclusive: incl, exclusive: "
                                                     "excl}}", "b2: inclusive"), [
        (None, None, "readings.b2", MAPPING + "text", None)]),
    "a reading's values as a list": (BASE.replace("values: {inclusive: incl, exclusive: excl}",
                                                  "values: [inclusive, exclusive]"), [
        (7, None, "readings.b2.values", "a reading needs its values, each with what it means", None)]),
    "a reading with an unknown field": (BASE.replace("b2: {default", "b2: {defualt: x, default"), [
        (7, None, "defualt", "unknown field in readings.b2", "did you mean 'default'?")]),
    # fields
    "a field that is not a mapping": (_field("  - veteran\n"), [(None, None, "fields[0]", MAPPING + "text", None)]),
    "a field with an unknown key": (_field("  - {name: v, type: int, unit: x}\n"), [
        (9, None, "unit", "unknown field in fields[0]", "expected one of default, name, type, values")]),
    "a field of no type": (_field("  - {name: v}\n"), [(9, None, "fields[0].type", "type (missing) " + NOT_ONE_OF_TYPES,
                                                        None)]),
    "the second field's type": (_field("  - {name: v, type: int}\n  - {name: w, type: text}\n"), [
        (10, None, "fields[1].type", "type 'text' " + NOT_ONE_OF_TYPES, None)]),
    # conditions: each type that is not yes/no, in words; the act's own names and their types
    "text where a condition goes": (_when("sex"), [(14, "A1", "when[1]", "'sex' is text, not a yes/no condition",
                                                     None)]),
    "a number where a condition goes": (_field("  - {name: s, type: number}\n").replace("sex == 'F'", "s"), [
        (16, "A1", "when[1]", "'s' is a number, not a yes/no condition", None)]),
    "a crime category misspelt": (_when("crime_category == 'graev'"), [
        (14, "A1", "when[1]", "in \"crime_category == 'graev'\": 'graev' is not a value of crime_category",
         "did you mean 'grave'?")]),
    "the day compared with a number": (_when("on > 3"), [
        (14, "A1", "when[1]", "in 'on > 3': cannot compare date with int in '>'", None)]),
    "the window's end compared with a number": (_when("window_end > 3"), [
        (14, "A1", "when[1]", "in 'window_end > 3': cannot compare date with int in '>'", None)]),
    "a date parameter compared with a number": (_when("eif > 3"), [
        (14, "A1", "when[1]", "in 'eif > 3': cannot compare date with int in '>'", None)]),
    "a whole-number parameter compared with a date": (_when("window_months > eif"), [
        (14, "A1", "when[1]", "in 'window_months > eif': cannot compare int with date in '>'", None)]),
    "a field's value misspelt": (_field("  - {name: region, type: string, values: [north, south]}\n").replace(
        "sex == 'F'", "region == 'nort'"), [
        (16, "A1", "when[1]", "in \"region == 'nort'\": 'nort' is not a value of region", "did you mean 'north'?")]),
    "a field's value of a field without values": (_field("  - {name: region, type: string}\n").replace(
        "sex == 'F'", "region == 'nort'"), []),
    "a condition with no test": (BASE.replace(WHEN, "[{says: x}]"), [
        (14, "A1", "when[1]", "a condition must be text, found (missing)", None)]),
    "a status_when that is no condition": (BASE.replace(WHEN, "[{test: \"sex == 'F'\", status_when: window_months}]"), [
        (14, "A1", "when[1].status_when", "'window_months' is a whole number, not a yes/no condition", None)]),
    # definitions
    "a definition naming nothing known": (_define("  d: \"x > 1\"\n"), [
        (9, None, "definitions.d", "in 'x > 1': unknown name 'x'", None)]),
    "a definition that is a number": (_define("  d: window_months\n"), [
        (9, None, "definitions.d", "'window_months' is a whole number, not a yes/no condition", None)]),
    "a malformed definition": (_define("  d: \"a ==\"\n"), [
        (9, None, "definitions.d", "malformed condition 'a ==': expected a value, a name or '(', found 'the end of "
                                   "the condition' at column 5", None)]),
    "a definition that is not text": (_define("  d: 5\n"), [(9, None, "definitions.d",
                                                             "a condition must be text, found 5", None)]),
    "a definition's status": (_define("  d: {test: \"true\", status: maybe}\n"), [
        (9, None, "definitions.d.status", "status 'maybe' is not one of reported, inferred, unknown", None)]),
    "a definition's status_when, where a clause uses it": (_define("  d: {test: \"true\", status_when: \"x > 1\"}\n")
                                                           .replace(WHEN, "[d]"), [
        (16, "A1", "when[1].status_when", "in 'x > 1': unknown name 'x'", None)]),
    # reliefs and their months
    "a term reduction of -1 months": (_reduction("\n    reduction_months: -1"), [(12, "A1", "reduction_months", MONTHS,
                                                                                   None)]),
    "a term reduction of months in quotes": (_reduction("\n    reduction_months: \"6\""), [
        (12, "A1", "reduction_months", MONTHS, None)]),
    "a term reduction of 1.5 months": (_reduction("\n    reduction_months: 1.5"), [
        (12, "A1", "reduction_months", MONTHS, None)]),
    "an inferred term reduction without months": (_reduction("", "inferred"), [
        (9, "A1", "reduction_months", MONTHS, None)]),
    "a relief clause without a relief": (BASE.replace("    relief: release_from_imprisonment\n", ""), [
        (9, "A1", "relief", "relief (missing) is not known in Azerbaijan", "expected one of release_from_imprisonment, "
         "release_from_punishment, term_reduction, release_from_criminal_liability")]),
    # clause ids and what exclusions apply to
    "two clauses without ids": (BASE.replace("  - id: A1\n    kind", "  - kind") * 1 + BASE[BASE.index("  - id: A1"):]
                                .replace("  - id: A1\n    kind", "  - kind"), [
        (9, "#1", "id", "a clause needs an id", None), (14, "#2", "id", "a clause needs an id", None)]),
    "an exclusion naming a clause that is not there": (BASE + EXCL % "[A11]", [
        (15, "F1", "applies_to", "'A11' names no clause of the act", "did you mean 'A1'?")]),
    "a malformed condition on a group": (BASE + EXCL % "[{clauses: [A1], when: \"sex = 1\"}]", [
        (15, "F1", "applies_to[1].when", "malformed condition 'sex = 1': unexpected character '=' (use == to compare) "
                                         "at column 5", None)]),
    "a group without its condition": (BASE + EXCL % "[{clauses: [A1]}]", [
        (15, "F1", "applies_to[1].when", "a condition must be text, found (missing)", None)]),
    "the second entry of applies_to": (BASE + EXCL % "[A1, 5]", [(15, "F1", "applies_to[2]", ENTRY, None)]),
    "two mistakes of one clause, in the order of the file": (BASE.replace("kind: relief", "kind: relif").replace(
        "status: reported\n    when", "status: likely\n    when"), [
        (10, "A1", "kind", "kind 'relif' is not one of relief, exclusion, provision", "did you mean 'relief'?"),
        (13, "A1", "status", "status 'likely' is not one of reported, inferred, unknown", None)]),
    # the Criminal Code it names
    "a Criminal Code without its table": (BASE.replace("clauses:", "criminal_code: {version: \"2024\"}\nclauses:"), [
        (8, None, "criminal_code", "expected {table: NAME, version: VERSION} or NAME@VERSION", None)]),
    "a Criminal Code without its version": (BASE.replace("clauses:", "criminal_code: criminal-code\nclauses:"), [
        (8, None, "criminal_code", "expected {table: NAME, version: VERSION} or NAME@VERSION", None)]),
    "a Criminal Code version holding @": (BASE.replace("clauses:", "criminal_code: criminal-code@2024@x\nclauses:"), [
        (8, None, "criminal_code", "Azerbaijan has no Criminal Code table criminal-code@2024@x",
         "tables of Azerbaijan: criminal-code@2024")]),
}


@pytest.mark.parametrize("name", list(MORE_CASES))
def test_each_further_mistake_is_reported_where_it_is(tmp_path, name):
    text, expected = MORE_CASES[name]
    path = tmp_path / "act.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    if not expected:
        load_act(path)
        return
    with pytest.raises(ActError) as info:
        load_act(path)
    assert [(p.line, p.clause, p.field, p.message, p.hint) for p in info.value.problems] == expected
    assert all(p.file == str(path) for p in info.value.problems)


RURITANIA = Path(__file__).parent / "fixtures" / "jurisdictions" / "ruritania"
RU_BASE = BASE.replace("id: test-act\n", "id: test-act\njurisdiction: ruritania\n")


def _ruritanian(tmp_path, text):
    """An act beside a copy of the fictional jurisdiction (found beside the act file, not by a setting)."""
    shutil.copytree(RURITANIA, tmp_path / "jurisdictions" / "ruritania",
                    ignore=shutil.ignore_patterns("acts", "*.csv"))
    for name in ("penal-code-2023.csv", "penal-code-2024.csv", "holidays.csv"):
        shutil.copy(RURITANIA / name, tmp_path / "jurisdictions" / "ruritania" / name)
    return tmp_path / "act.yaml", text


def test_another_jurisdiction_gives_its_reliefs_fields_and_code(tmp_path):
    from clemency.act.model import ExtraField

    path, text = _ruritanian(tmp_path, RU_BASE)
    path.write_text(text.replace("clauses:", "criminal_code: penal-code@2023\nfields:\n"
                                 "  - {name: good_conduct_years, type: number}\n  - {name: parish, type: string}\n"
                                 "clauses:").replace("sex == 'F'", "lake_war_veteran and good_conduct_years >= 1.5"))
    act = load_act(path)
    assert act.jurisdiction == "ruritania"
    assert act.relief_ranks == {"release_from_imprisonment": 1, "release_on_licence": 2, "term_reduction": 3}
    assert act.code_table == ("penal-code", "2023")
    # the jurisdiction's own fields first, then the act's; the act's own definition of a name wins
    assert act.fields == (ExtraField("lake_war_veteran", "bool", False, ()),
                          ExtraField("harvest_volunteer", "bool", False, ()),
                          ExtraField("good_conduct_years", "number", None, ()), ExtraField("parish", "string", None, ()))
    path.write_text(text.replace("clauses:", "criminal_code: {table: penal-code}\nclauses:"))
    assert load_act(path).code_table == ("penal-code", "2024")       # the jurisdiction's default version


def test_another_jurisdiction_hides_the_default_ones_fields_and_reliefs(tmp_path):
    path, text = _ruritanian(tmp_path, RU_BASE)
    path.write_text(text.replace("sex == 'F'", "war_participant").replace(
        "relief: release_from_imprisonment", "relief: release_from_punishment"))
    with pytest.raises(ActError) as info:
        load_act(path)
    got = [(p.line, p.clause, p.field, p.message, p.hint) for p in info.value.problems]
    assert got == [(12, "A1", "relief", "relief 'release_from_punishment' is not known in Ruritania",
                    "did you mean 'release_from_imprisonment' or 'release_on_licence'?"),
                   (15, "A1", "when[1]", "in 'war_participant': unknown name 'war_participant'", None)]
    path.write_text(text.replace("relief: release_from_imprisonment", "relief: release_on_licence"))
    assert load_act(path).clause("A1").relief == "release_on_licence"


def test_the_registry_fields_given_are_the_ones_a_condition_may_use(tmp_path):
    from clemency.act.vocabulary import VarType

    path = tmp_path / "act.yaml"
    path.write_text(_when("sex == 'F' and term_months > 1"))
    fields = {"sex": VarType("string", ("M", "F"))}
    with pytest.raises(ActError) as info:
        load_act(path, registry_fields=fields)
    (p,) = info.value.problems
    assert p.message == "in \"sex == 'F' and term_months > 1\": unknown name 'term_months'"
    assert load_act(path).fields == ()
    # the jurisdiction's flags that the registry given lacks become the act's fields, and conditions use them
    path.write_text(_when("sex == 'F' and war_participant"))
    act = load_act(path, registry_fields=fields)
    flags = [f.name for f in default_jurisdiction().registry.flags]
    assert [f.name for f in act.fields] == flags and "war_participant" in flags
    assert {(f.type, f.default) for f in act.fields} == {("bool", False)}
    # the crime category is the act's own vocabulary, whatever registry is given
    path.write_text(_when("crime_category == 'graev'"))
    with pytest.raises(ActError) as info:
        load_act(path, registry_fields=fields)
    (p,) = info.value.problems
    assert (p.message, p.hint) == ("in \"crime_category == 'graev'\": 'graev' is not a value of crime_category",
                                   "did you mean 'grave'?")


def test_an_overlay_loads_over_its_base():
    act = load_act(ACTS.parent / "overlays" / "az-2025-no-f2.yaml")
    assert act.id == "az-2025-no-f2" and act.clause("F2").kind == "provision"
    base = load_shipped_act("az-2025")
    assert base.clause("F2").kind == "exclusion" and [c.id for c in act.clauses] == [c.id for c in base.clauses]


def test_a_condition_written_as_a_block_points_at_each_of_its_lines(tmp_path):
    text = BASE.replace("    when: " + WHEN + "\n", """    when:
      - says: the women
        test: "sex == 'F' and war_participant == 1"
        status: maybe
        status_when: "a =="
      - "sex == 'M'"
""")
    assert problems(tmp_path, text) == [
        (17, "A1", "when[1].status", "status 'maybe' is not one of reported, inferred, unknown", None),
        (18, "A1", "when[1].status_when", "malformed condition 'a ==': expected a value, a name or '(', found 'the end "
                                          "of the condition' at column 5", None),
        (16, "A1", "when[1]", "in \"sex == 'F' and war_participant == 1\": cannot compare bool with int in '=='", None)]
    act = load(tmp_path, text.replace(" and war_participant == 1", "").replace("maybe", "inferred").replace(
        "a ==", "war_participant"))
    first, second = act.clause("A1").when
    assert (first.line, first.says, first.status, first.status_when_source) == (16, "the women", "inferred",
                                                                                 "war_participant")
    assert (second.line, second.says, second.status) == (19, None, None)


def test_a_term_reduction_of_unknown_content_needs_no_months_and_one_month_is_enough(tmp_path):
    act = load(tmp_path, _reduction("", "unknown").replace("    when: " + WHEN + "\n", ""))
    a1 = act.clause("A1")
    assert (a1.relief, a1.reduction_months, a1.when, a1.decides) == ("term_reduction", None, (), False)
    assert load(tmp_path, _reduction("\n    reduction_months: 1")).clause("A1").reduction_months == 1
    assert load(tmp_path, _reduction("\n    reduction_months: 120")).clause("A1").reduction_months == 120


MANY = """\
id: test-act
title: A test act
parameters:
  eif:
    type: date
    value: 19.12.2025
    status: reported
  window_months:
    type: int
    value: four
    status: reported
  a:
    status: reported
    type: float
    value: 1
  b: 5
  c: {type: int, value: 1, status: rumoured}
  d: {type: int, value: 2, status: reported}
readings:
  r1:
    says: a day
    parameter: nope
  r2:
    values: {y: why}
    default: x
  r3: {values: {}}
  r4: text
  r5: {default: y, values: {y: why}}
fields:
  - {name: f1, type: boolean}
  - text
  - {name: f3, type: int}
  - {name: f4, type: string, values: [p, q]}
clauses:
  - 5
  - id: A1
    kind: relief
    relief: release_from_imprisonment
    text: women
    status: reported
    when: ["f3 > d and reading('r5') == 'y' and f4 == 'p'", "f1"]
  - text
"""


def test_every_mistake_of_every_section_is_reported_not_only_the_first(tmp_path):
    # a wrong entry is skipped, and the ones after it are still read (and the good ones used: f3, f4, d, r5)
    assert problems(tmp_path, MANY) == [
        (6, None, 'parameters.eif.value', "'19.12.2025' is not a date (YYYY-MM-DD)", None),
        (10, None, 'parameters.window_months.value', "'four' is not a whole number", None),
        (14, None, 'parameters.a.type', "type 'float' is not date or int", None),
        (None, None, 'parameters.b', 'expected a mapping, found a number', None),
        (17, None, 'parameters.c.status', "status 'rumoured' is not one of reported, inferred, unknown", None),
        (22, None, 'readings.r1.parameter', "'nope' is not a date parameter of the act", None),
        (25, None, 'readings.r2.default', "default 'x' is not one of the values", None),
        (26, None, 'readings.r3.values', 'a reading needs its values, each with what it means', None),
        (None, None, 'readings.r4', 'expected a mapping, found text', None),
        (30, None, 'fields[0].type', "type 'boolean' is not one of bool, int, number, string, date", None),
        (None, None, 'fields[1]', 'expected a mapping, found text', None),
        (None, '#1', 'clauses[0]', 'expected a mapping, found a number', None),
        (41, 'A1', 'when[2]', "in 'f1': unknown name 'f1'", None),
        (None, '#3', 'clauses[2]', 'expected a mapping, found text', None),
    ]


LATER_KEYS = {
    # where the key in question is not the first of its mapping, the problem points at the key's own line
    "a later definition named like a field": (_define("  d: \"true\"\n  sex: \"true\"\n"), [
        (10, None, "definitions.sex", "a definition may not reuse the name of a field or parameter", None)]),
    "a duplicate id that is not the first key": (BASE + "  - kind: provision\n    text: again\n    status: reported\n"
                                                 "    when: [\"true\"]\n    id: A1\n", [
        (19, "A1", "id", "duplicate clause id", None)]),
    "a wrong entry of applies_to written below the clause's first line": (
        BASE + "  - id: F1\n    kind: exclusion\n    text: x\n    status: reported\n    when: [\"true\"]\n"
               "    applies_to: [A1, 5]\n", [(20, "F1", "applies_to[2]", ENTRY, None)]),
    "a reading's values below its default": (BASE.replace(
        "  b2: {default: inclusive, values: {inclusive: incl, exclusive: excl}}", "  b2:\n    default: a\n    values: []"), [
        (9, None, "readings.b2.values", "a reading needs its values, each with what it means", None)]),
    "a field's type below its name": (_field("  - name: v\n    type: boolean\n"), [
        (10, None, "fields[0].type", "type 'boolean' " + NOT_ONE_OF_TYPES, None)]),
    "a group's condition below its clauses": (
        BASE + "  - id: F1\n    kind: exclusion\n    text: x\n    status: reported\n    when: [\"true\"]\n"
               "    applies_to:\n      - clauses: [A1]\n        when: \"sex = 1\"\n", [
            (22, "F1", "applies_to[1].when", "malformed condition 'sex = 1': unexpected character '=' (use == to "
                                             "compare) at column 5", None)]),
}


@pytest.mark.parametrize("name", list(LATER_KEYS))
def test_a_problem_points_at_its_key_not_at_the_start_of_its_mapping(tmp_path, name):
    text, expected = LATER_KEYS[name]
    assert problems(tmp_path, text) == expected


def test_a_clause_without_text_says_or_notes_has_them_empty(tmp_path):
    a1 = load(tmp_path, BASE.replace("    text: women\n", "")).clause("A1")
    assert (a1.text, a1.says, a1.notes, a1.sources) == ("", "", "", ())


@pytest.mark.parametrize("name", list(CASES) + list(MORE_CASES))
def test_no_message_shows_a_python_value(tmp_path, name):
    # users read plain words: a missing value, a date or a list is never shown as Python writes it
    text = (CASES | MORE_CASES)[name][0]
    path = tmp_path / "act.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    try:
        load_act(path)
    except ActError as exc:
        for p in exc.problems:
            shown = f"{p.message} {p.hint or ''}"
            assert not any(w in shown for w in ("None", "datetime", "_Seq", "_Map", "{'")), shown


def test_a_missing_field_is_reported_at_the_top_even_beside_an_empty_key(tmp_path):
    # YAML reads `~:` as a key of no value; the act's own line must not be taken for that key's line
    found = problems(tmp_path, BASE.replace("title: A test act\n", "").replace("clauses:", "~: x\nclauses:"))
    assert (1, None, "title", "required field is missing", None) in found
