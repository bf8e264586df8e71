"""An honest basis: the weakest status among what a decision actually rests on.

- a condition's own status counts only on the records its `status_when` names (B2's inferred boundary at
  exactly 60 months);
- a relief that exists only under a non-default reading names it (`rests_on_readings`) and is at most
  `inferred`;
- explanations: one near-miss rule, and only the unknowns that could change the outcome are named.
"""

from __future__ import annotations

import pytest

from clemency.act.load import load_act
from clemency.apply import Context
from clemency.compile.plan import compile_act
from clemency.errors import ActError
from clemency.explain import decide_records, near_misses, unknowns_that_matter

BASE = {"person_id": "P", "sex": "M", "birth_date": "1985-05-05", "status": "convicted", "articles": "177.2",
        "punishment": "imprisonment", "term_months": 36, "offense_date": "2023-06-01",
        "sentence_start": "2024-01-10", "sentence_end": "2027-01-10"}
NEGLIGENT = {"articles": "263.2", "negligent": True, "crime_category": "less_serious"}
GRAVE_WOMAN = {"sex": "F", "articles": "120.2.1", "term_months": 120, "offense_date": "2019-06-01",
               "sentence_start": "2020-01-10", "sentence_end": "2030-01-10"}


def decide(*records, readings=None, on=None):
    recs = []
    for i, r in enumerate(records):
        rec = {k: v for k, v in {**BASE, **r}.items() if v is not None}
        rec["person_id"] = rec["case_id"] = f"R{i}"
        recs.append(rec)
    return decide_records(Context.make("az-2025", readings, on), recs)


# ---- boundaries ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("term", "basis"), [(48, "reported"), (59, "reported"), (60, "inferred")])
def test_b2_is_inferred_only_at_its_inferred_boundary(term, basis):
    d, = decide({**NEGLIGENT, "term_months": term, "sentence_end": "2027-06-01"})
    assert (d["relief"], d["clause"]) == ("release_from_imprisonment", "B2")
    assert d["basis"] == basis


def test_an_exclusion_that_held_still_weakens_the_basis():
    d, = decide({"war_participant": True, "articles": "124.1"})
    assert d["excluded_by"] == ["F2"] and d["basis"] == "inferred"


def test_an_exclusion_binding_only_under_a_reading_is_at_most_inferred():
    woman, war = decide(GRAVE_WOMAN, {**GRAVE_WOMAN, "sex": "M", "war_participant": True})
    assert (woman["relief"], woman["excluded_by"], woman["basis"]) == ("none", ["F1"], "inferred")
    assert "only under the selected reading" in woman["explanation"]
    assert (war["relief"], war["excluded_by"], war["basis"]) == ("none", ["F1"], "reported")


def test_status_when_may_not_read_the_decision_day(tmp_path):
    text = (load_act("az-2025").path and open(load_act("az-2025").path, encoding="utf-8").read())
    text = text.replace("status_when: term_months == 60", "status_when: on == eif")
    path = tmp_path / "act.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ActError, match="decision date"):
        compile_act(load_act(path))


def test_a_malformed_status_when_is_a_positioned_problem(tmp_path):
    text = open(load_act("az-2025").path, encoding="utf-8").read()
    path = tmp_path / "act.yaml"
    path.write_text(text.replace("status_when: term_months == 60", "status_when: term_months = 60"),
                    encoding="utf-8")
    with pytest.raises(ActError, match="status_when"):
        load_act(path)


# ---- readings ---------------------------------------------------------------------------------------------

def test_a_relief_that_exists_only_under_a_non_default_reading_names_it():
    d, = decide(GRAVE_WOMAN, readings={"chapeau": "a1-a6"})
    assert (d["relief"], d["clause"]) == ("release_from_imprisonment", "A7")
    assert d["rests_on_readings"] == ["chapeau=a1-a6"]
    assert d["basis"] == "inferred"
    assert "only under the reading" in d["explanation"]
    assert "the chapeau binds A1-A6 only" in d["explanation"]     # the reading in words, from the act file
    assert "chapeau=" not in d["explanation"]                     # never the command-line code
    default, = decide(GRAVE_WOMAN)
    assert default["relief"] == "none" and default["rests_on_readings"] == []


def test_a_reading_that_changes_nothing_for_the_person_is_not_named():
    d, = decide({"sex": "F"}, readings={"chapeau": "a1-a6", "f3": "none", "b2": "exclusive"})
    assert d["rests_on_readings"] == [] and d["basis"] == "reported"


def test_several_readings_are_named_each_on_its_own():
    """A recidivist woman with an especially grave crime needs both chapeau=a1-a6 and f3=none."""
    d, = decide({**GRAVE_WOMAN, "recidivism": "dangerous"}, readings={"chapeau": "a1-a6", "f3": "none"})
    assert d["relief"] == "release_from_imprisonment"
    assert d["rests_on_readings"] == ["chapeau=a1-a6", "f3=none"]


def test_a_relief_under_b3_application_later_in_the_window_rests_on_it():
    d, = decide({"sentence_end": "2026-07-01", "term_months": 30}, readings={"b3": "application"},
                on="2026-01-15")
    assert (d["relief"], d["clause"]) == ("release_from_imprisonment", "B3")
    assert d["rests_on_readings"] == ["b3=application"] and d["basis"] == "inferred"


def test_the_reference_engine_finds_the_same_readings_from_its_own_evaluation(tmp_path):
    import csv

    import duckdb

    from clemency.apply import apply_act
    rows = [{**BASE, **GRAVE_WOMAN, "case_id": "C1"}, {**BASE, "sex": "F", "person_id": "Q", "case_id": "C2"},
            {**BASE, **GRAVE_WOMAN, "recidivism": "dangerous", "person_id": "S", "case_id": "C3"}]
    reg = tmp_path / "r.csv"
    with open(reg, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=sorted({k for r in rows for k in r}))
        w.writeheader()
        w.writerows(rows)
    got = {}
    for engine in ("reference", "duckdb"):
        apply_act("az-2025", reg, tmp_path / engine, engine=engine, readings={"chapeau": "a1-a6", "f3": "none"},
                  csv=False)
        got[engine] = duckdb.sql(f"SELECT case_id, clause, rests_on_readings, basis FROM "
                                 f"'{tmp_path / engine / 'decisions.parquet'}' ORDER BY case_id").fetchall()
    assert got["reference"] == got["duckdb"] == [("C1", "A7", "chapeau=a1-a6", "inferred"),
                                                 ("C2", "A7", "", "reported"),
                                                 ("C3", "A7", "chapeau=a1-a6;f3=none", "inferred")]


# ---- explanations ----------------------------------------------------------------------------------------

def test_a_40_year_old_without_impairment_is_no_near_miss_of_the_age_and_impairment_clauses():
    d, = decide({"articles": "177.2", "sentence_end": "2026-09-10", "term_months": 32})
    assert d["relief"] == "none"
    near = {r["clause"] for r, _ in near_misses(d["reasons"])}
    assert not near & {"A8", "A9", "A10"}
    assert near == {"B3", "C1"}
    assert "Missed only on the time left or the term imposed" in d["explanation"]


def test_the_monitor_uses_the_same_near_miss_rule():
    from clemency.monitor import why
    assert why.near_misses is near_misses


def test_only_unknowns_that_could_change_the_outcome_are_named():
    # a woman (A7 holds) whose offence date is missing and whose age at the start was 18+ (A8 unknown):
    # A8 cannot change the release, and she is released
    d, = decide({"sex": "F", "offense_date": None, "birth_date": "2000-01-01"})
    assert d["relief"] == "release_from_imprisonment"
    ctx = Context.make("az-2025")
    assert "A8" not in unknowns_that_matter(ctx.plan, d["reasons_code"])
    # a man with the same data: A8 alone decides between release and the cut of C1
    m, = decide({"offense_date": None, "birth_date": "2000-01-01"})
    assert m["relief"] == "indeterminate"
    assert unknowns_that_matter(ctx.plan, m["reasons_code"]) == ["A8"]
    assert "it depends on A8." in m["explanation"]


def test_an_unknown_that_cannot_change_an_indeterminate_outcome_is_not_named():
    # war participation unknown (A1) and offence date unknown for an adult at the start (A8): both matter;
    # a carer status unknown under a grave crime is blocked by F1 anyway and does not matter
    m, = decide({"offense_date": None, "birth_date": "2000-01-01", "war_participant": "unknown"})
    ctx = Context.make("az-2025")
    named = unknowns_that_matter(ctx.plan, m["reasons_code"])
    assert "A1" in named and "A8" in named
    g, = decide({"articles": "206.3.2", "term_months": 96, "sentence_end": "2031-01-10", "carer_of_child": "unknown"})
    assert g["relief"] == "none"
    assert unknowns_that_matter(ctx.plan, g["reasons_code"]) == []


def test_every_indeterminate_decision_names_an_unknown_that_matters():
    import random
    rng = random.Random(5)
    flags = ["war_participant", "relative_of_fallen", "carer_of_child", "idp", "malicious_regime_violator"]
    records = []
    for _ in range(150):
        rec = {f: rng.choice([False, False, "unknown", True]) for f in flags}
        rec.update({"sex": rng.choice("MF"), "offense_date": rng.choice([None, "2023-06-01"]),
                    "birth_date": rng.choice(["1960-01-01", "2000-01-01", "2006-06-06"]),
                    "articles": rng.choice(["177.2", "206.3.2", "124.1", "999.1", "126.1"])})
        records.append(rec)
    ctx = Context.make("az-2025")
    seen = 0
    for d in decide(*records):
        named = unknowns_that_matter(ctx.plan, d["reasons_code"])
        codes = dict(zip(ctx.plan.reason_order, d["reasons_code"]))
        assert all(codes[c] == "U" for c in named)
        if d["relief"] == "indeterminate":
            seen += 1
            assert named, d["reasons_code"]
        else:
            assert not named, (d["relief"], d["reasons_code"], named)
    assert seen > 10
