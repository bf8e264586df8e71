"""The explanation of one decision reads the same resolved record as the decision: the category the Criminal
Code gives the articles, and whether the articles fall under an exclusion by name (mutation benchmark,
issue 16: clemency/engines/reference.py, source_rows)."""

from clemency.explain import decide_records
from clemency.pipeline import Context
from clemency.pipeline import decide_records as decide

RECORD = {"person_id": "P1", "case_id": "K1", "sex": "M", "birth_date": "1980-05-05", "status": "convicted",
          "articles": "124.1", "punishment": "imprisonment", "term_months": 36, "offense_date": "2023-06-01",
          "sentence_start": "2024-01-10", "sentence_end": "2027-01-10", "war_participant": True}


def test_the_explanation_shows_the_article_exclusion_and_the_category_that_held():
    (d,) = decide_records(Context.make("az-2025"), [RECORD])
    assert (d["relief"], d["clause"]) == ("term_reduction", "C1")
    reasons = {r["clause"]: r for r in d["reasons"]}
    assert reasons["F2"]["result"] == "held"
    assert [c["result"] for c in reasons["F2"]["conditions"]] == ["held"]
    assert reasons["F1"]["result"] == "failed" and reasons["F1"]["values"] == {"crime_category": "less_serious"}
    c1 = {c["test"]: c["result"] for c in reasons["C1"]["conditions"]}
    assert c1["crime_category == 'less_serious'"] == "held"


def test_an_article_missing_from_the_code_is_noted_by_every_engine():
    ctx = Context.make("az-2025")
    record = {**RECORD, "articles": "177.2;999.9", "war_participant": False}
    for engine in ("duckdb", "reference"):
        (d,) = decide(ctx, [record], engine=engine)
        assert d["notes"] == "articles not in the Criminal Code table: 999.9", engine
    (x,) = decide_records(ctx, [record])
    assert x["notes"] == "articles not in the Criminal Code table: 999.9"
