"""The mapping of a list row to the registry format (docs/monitor.md) and the plain-words reasons."""

import datetime as dt

from clemency.monitor.why import decide_rows, map_row

EIF = dt.date(2025, 12, 19)


def test_sentence_end_from_arrest_and_term_counts_detention():
    m = map_row({"id": "1", "full_name": "Babalı Nərgiz Kamran qızı", "articles": "221.3", "status": "convicted",
                 "punishment": "imprisonment", "term_months": "48", "arrest_date": "2023-01-10",
                 "sentence_start": "2023-05-01"}, 1, EIF)
    assert m.record["sentence_end"] == dt.date(2027, 1, 10)
    assert m.record["sex"] == "F"
    assert m.record["offense_date"] == dt.date(2023, 1, 10)
    assert any("pre-trial detention counts day for day" in d for d in m.derived)
    assert any("offence date taken as the arrest date" in d for d in m.derived)


def test_month_end_clamps_and_defaults_are_stated():
    m = map_row({"id": "1", "full_name": "Гасанов Али Вугар оглы", "articles": "234.1", "term_months": "6",
                 "arrest_date": "2025-08-31"}, 1, EIF)
    assert m.record["status"] == "convicted" and m.record["punishment"] == "imprisonment"
    assert m.record["sentence_end"] == dt.date(2026, 2, 28)
    assert m.record["sex"] == "M"
    assert any("status taken as convicted" in d for d in m.derived)
    assert any("punishment taken as imprisonment" in d for d in m.derived)


def test_pending_case_and_unknowns_are_probed():
    m = map_row({"id": "1", "full_name": "Heydərli Aysel", "articles": "221.3", "birth_year": "1994"}, 1, EIF)
    assert m.record["status"] == "accused" and "punishment" not in m.record
    assert set(m.probes) == {"sex", "birth_date"}
    assert len(m.variants()) == 4


def test_rows_that_cannot_be_decided_say_why():
    assert "no articles" in map_row({"id": "1", "full_name": "X"}, 1, EIF).problem
    assert "not a number" in map_row({"id": "1", "full_name": "X", "articles": "221.3", "term_months": "many"}, 1, EIF).problem
    assert "YYYY-MM-DD" in map_row({"id": "1", "full_name": "X", "articles": "221.3", "arrest_date": "May"}, 1, EIF).problem


ROWS = [
    {"id": "b3", "full_name": "Kərimov Cəlil Arif oğlu", "group": "religious", "articles": "234.1", "status": "convicted",
     "punishment": "imprisonment", "term_months": "24", "arrest_date": "2024-05-10"},
    {"id": "f1", "full_name": "Vaqifqızı Sevinc", "sex": "F", "group": "journalists", "articles": "206.3.2",
     "term_months": "90", "arrest_date": "2023-11-30"},
    {"id": "sex", "full_name": "Heydərli Aysel", "group": "activists", "articles": "221.3", "term_months": "36",
     "arrest_date": "2024-09-01"},
    {"id": "gap", "full_name": "Novruzov Emin Elxan oğlu", "group": "activists", "birth_year": "1990", "articles": "221.3",
     "term_months": "30", "arrest_date": "2024-02-12"},
    {"id": "bad", "full_name": "Nobody", "group": "activists", "articles": ""},
]


def test_decisions_reasons_and_alternative_readings():
    res = decide_rows(ROWS, "az-2025")
    by = {r.id: r for r in res.rows}
    assert (by["b3"].relief, by["b3"].clause) == ("release_from_imprisonment", "B3")
    assert "The act gives release from imprisonment under B3" in by["b3"].reason
    assert by["f1"].relief == "none" and by["f1"].excluded_by == ["F1"]
    assert "Kept in by F1" in by["f1"].reason and "206.3.2 grave" in by["f1"].reason
    assert "Without the exclusion A7 (women) would apply" in by["f1"].reason
    assert by["sex"].relief == "indeterminate" and "depends on the sex" in by["sex"].reason
    assert "not in any category" in by["gap"].reason and "Closest: B3" in by["gap"].reason
    assert by["bad"].relief == "indeterminate" and "no articles" in by["bad"].reason
    changes = {(c["reading"], c["id"]) for c in res.changes}
    assert ("chapeau", "f1") in changes
    assert ("f2-drugs", "b3") in changes
    assert ("b3", "gap") in changes        # b3=application: released from 2026-02-12
    assert any("b3=application" in o and "2026-02-12" in o for o in by["gap"].other)
