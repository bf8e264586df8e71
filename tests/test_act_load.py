"""Act files: every mistake is reported with file, line, clause and field, with a 'did you mean'."""

import textwrap

import pytest

from clemency.act.load import load_act
from clemency.errors import ActError

BASE = """
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
    when: [{CLAUSE_WHEN}]
"""


def write(tmp_path, when="sex == 'F'", extra=""):
    text = BASE.replace("{CLAUSE_WHEN}", f'"{when}"') + textwrap.indent(textwrap.dedent(extra).strip("\n") + "\n", "  ")
    path = tmp_path / "act.yaml"
    path.write_text(text)
    return path


def problems(path):
    with pytest.raises(ActError) as info:
        load_act(path)
    return info.value.problems


def test_a_good_act_loads(tmp_path):
    act = load_act(write(tmp_path))
    assert act.id == "test-act" and act.clause("A1").when[0].source == "sex == 'F'"


def test_typo_in_a_field_name_of_the_clause(tmp_path):
    path = write(tmp_path)
    path.write_text(path.read_text().replace("    status: reported\n    when", "    statsu: reported\n    when"))
    found = problems(path)
    typo = next(p for p in found if p.field == "statsu")
    assert typo.clause == "A1" and typo.line == 14 and "did you mean 'status'" in typo.hint
    assert str(path) in str(typo)


def test_unknown_registry_field_in_a_condition(tmp_path):
    (p,) = problems(write(tmp_path, when="war_particpant"))
    assert p.clause == "A1" and p.field == "when[1]" and p.line == 15
    assert "unknown name 'war_particpant'" in p.message and "war_participant" in p.hint


def test_malformed_condition(tmp_path):
    (p,) = problems(write(tmp_path, when="sex == 'F' and"))
    assert p.clause == "A1" and "malformed condition" in p.message and "column 15" in p.message


def test_unknown_function_and_enum_value(tmp_path):
    (p,) = problems(write(tmp_path, when="age(birth_date, eif) >= 60"))
    assert "unknown function 'age'" in p.message and "age_on" in p.hint
    (p,) = problems(write(tmp_path, when="sex == 'W'"))
    assert "'W' is not a value of sex" in p.message and "M, F" in p.hint


def test_type_errors(tmp_path):
    (p,) = problems(write(tmp_path, when="birth_date >= 60"))
    assert "cannot compare date with int" in p.message
    (p,) = problems(write(tmp_path, when="term_months"))
    assert "not a yes/no condition" in p.message


def test_unknown_reading_and_reading_value(tmp_path):
    (p,) = problems(write(tmp_path, when="reading('b22') == 'inclusive'"))
    assert "unknown reading 'b22'" in p.message and "b2" in p.hint
    (p,) = problems(write(tmp_path, when="reading('b2') == 'inclusiv'"))
    assert "not a value of reading 'b2'" in p.message


def test_all_problems_reported_at_once(tmp_path):
    path = write(tmp_path, when="war_particpant", extra="""
      - id: F9
        kind: exclusoin
        text: x
        status: guessed
        when: [sex == 'F']
    """)
    found = problems(path)
    fields = {p.field for p in found}
    assert {"when[1]", "kind", "status"} <= fields


def test_not_yaml(tmp_path):
    path = tmp_path / "act.yaml"
    path.write_text("id: [unclosed\n")
    (p,) = problems(path)
    assert "not a readable YAML file" in p.message and p.line


def test_unknown_act_id():
    with pytest.raises(ActError, match="az-2025"):
        load_act("az-2052")


@pytest.mark.parametrize("bad", ['""', "A-1", "'A 1'", "[x]", "\"A1'; DROP TABLE x\"", "Ä1", "true", "1.5",
                                 "A" * 41])
def test_a_clause_id_that_is_no_plain_name_is_reported_not_a_crash(tmp_path, bad):
    """A clause id names SQL columns and appears in every output: letters A-Z, digits and _ only (an empty,
    spaced, quoted or non-text id was taken and crashed the decision query later)."""
    path = write(tmp_path)
    path.write_text(path.read_text().replace("  - id: A1\n", f"  - id: {bad}\n"))
    (p,) = problems(path)
    assert p.field == "id" and p.line == 10 and "letters A-Z, digits and _" in p.message
    assert "True" not in p.message and "[" not in p.message   # in plain words, never a Python repr


@pytest.mark.parametrize("value", ["true", "false", "4.0", "'4'"])
def test_a_whole_number_parameter_is_not_a_truth_value_or_a_decimal(tmp_path, value):
    path = write(tmp_path)
    path.write_text(path.read_text().replace("window_months: {type: int, value: 4", f"window_months: {{type: int, value: {value}"))
    found = problems(path)
    assert [p.field for p in found] == ["parameters.window_months.value"]
    assert "is not a whole number" in found[0].message


def test_a_term_reduction_of_true_months_is_reported(tmp_path):
    path = write(tmp_path)
    path.write_text(path.read_text().replace("relief: release_from_imprisonment",
                                             "relief: term_reduction\n    reduction_months: true"))
    (p,) = problems(path)
    assert p.clause == "A1" and p.field == "reduction_months"
