"""Act files as a drafter writes them: each mistake is reported with its line, clause, field, words and hint,
and what is right loads (written for the mutation benchmark, issue 16: each case fails if one message,
line or check of clemency/act/load.py changes)."""

import pytest

from clemency.act.load import load_act, load_shipped_act, resolve_act_path, shipped_acts
from clemency.errors import ActError

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
