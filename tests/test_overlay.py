"""Reforms as overlays: patch a base act without copying it."""

from __future__ import annotations

import textwrap

import pytest

from clemency.act.load import load_act
from clemency.act.overlay import OVERLAYS_DIR, neutralised, removed
from clemency.apply import Context
from clemency.compile.plan import compile_act
from clemency.errors import ActError
from clemency.explain import decide_records

WOMAN_GRAVE = {"person_id": "W", "sex": "F", "birth_date": "1980-05-05", "status": "convicted",
               "articles": "206.3.2", "punishment": "imprisonment", "term_months": 96,
               "offense_date": "2023-06-01", "sentence_start": "2024-01-10", "sentence_end": "2030-01-10"}


def write(tmp_path, text, name="reform.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def test_shipped_overlays_load_and_compile():
    for p in OVERLAYS_DIR.glob("*.yaml"):
        act = load_act(p)
        compile_act(act)
        assert "overlay" in act.meta["status_note"].lower()


def test_neutralise_keeps_the_clause_in_the_reasons_but_it_blocks_no_one(tmp_path):
    p = write(tmp_path, """
        overlay: az-2025
        id: no-f1
        title: without the chapeau
        neutralise: [F1]
    """)
    act = load_act(p)
    assert act.clause("F1").kind == "provision"
    d = decide_records(Context.make(act), [WOMAN_GRAVE])[0]
    assert d["relief"] == "release_from_imprisonment" and d["clause"] == "A7"
    assert {r["clause"]: r["result"] for r in d["reasons"]}["F1"] == "held"


def test_neutralised_relief_never_holds(tmp_path):
    p = write(tmp_path, """
        overlay: az-2025
        title: without C1
        neutralize: [C1]
    """)
    act = load_act(p)
    assert act.id == "az-2025+reform"
    base = dict(WOMAN_GRAVE, sex="M", articles="177.2", term_months=36, sentence_end="2027-01-10")
    d = decide_records(Context.make(act), [base])[0]
    assert d["relief"] == "none"


def test_remove_add_change_parameters_and_readings(tmp_path):
    p = write(tmp_path, """
        overlay: az-2025
        id: reform
        title: a reform
        parameters: {window_months: {value: 6}}
        readings: {chapeau: {default: a1-a6}}
        remove: [F2, B4]
        change:
          B3:
            when:
              - in_prison
              - serving_on_day
              - "crime_category == 'less_serious'"
              - left_at_most(sentence_end, eif, 12)
        add:
          - id: A12
            after: A11
            kind: relief
            relief: release_from_imprisonment
            text: persons over 50
            status: inferred
            when: [in_prison, serving_on_day, "age_on(birth_date, eif) >= 50"]
    """)
    act = load_act(p)
    ids = [c.id for c in act.clauses]
    assert "F2" not in ids and "B4" not in ids
    assert ids.index("A12") == ids.index("A11") + 1
    assert act.parameters["window_months"].value == 6
    assert act.readings["chapeau"].default == "a1-a6"
    plan = compile_act(act)
    assert plan.window_end.isoformat() == "2026-06-19"
    rec = dict(WOMAN_GRAVE, sex="M", articles="177.2", term_months=36, sentence_end="2026-10-01")
    assert decide_records(Context.make(act), [rec])[0]["clause"] == "B3"      # 9.5 months left: B3 widened
    old = dict(rec, birth_date="1970-01-01", sentence_end="2027-06-01", term_months=42)
    assert decide_records(Context.make(act), [old])[0]["clause"] == "A12"


def test_errors_name_the_overlay_file_and_the_clause(tmp_path):
    p = write(tmp_path, """
        overlay: az-2025
        title: bad
        remove: [F9]
        change: {B7: {when: [x]}, B3: {colour: red}}
        frobnicate: 1
    """)
    with pytest.raises(ActError) as exc:
        load_act(p)
    text = str(exc.value)
    assert "reform.yaml" in text and "F9" in text and "B7" in text and "colour" in text and "frobnicate" in text
    assert "did you mean" in text or "F1" in text


def test_merged_document_goes_through_the_normal_checks(tmp_path):
    p = write(tmp_path, """
        overlay: az-2025
        title: bad condition
        add:
          - {id: G1, kind: relief, relief: release_from_imprisonment, status: reported, text: x, when: [war_particpant]}
    """)
    with pytest.raises(ActError) as exc:
        load_act(p)
    assert "war_participant" in str(exc.value) and "G1" in str(exc.value)


def test_unknown_base(tmp_path):
    with pytest.raises(ActError, match="neither a shipped act"):
        load_act(write(tmp_path, "overlay: az-1999\ntitle: x\n"))


def test_overlay_of_an_overlay(tmp_path):
    first = write(tmp_path, "overlay: az-2025\ntitle: one\nneutralise: [F2]\n", "one.yaml")
    second = write(tmp_path, f"overlay: {first.name}\ntitle: two\nneutralise: [F3]\n", "two.yaml")
    act = load_act(second)
    assert act.clause("F2").kind == "provision" and act.clause("F3").kind == "provision"


def test_programmatic_neutralise_and_remove():
    act = load_act("az-2025")
    assert neutralised(act, ["F1"]).clause("F1").kind == "provision"
    r = removed(act, ["F1"])
    assert "F1" not in [c.id for c in r.clauses]
    compile_act(r)
