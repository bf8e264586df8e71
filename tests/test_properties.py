"""Properties of decisions under the 2025 act, on generated records:
- deciding twice gives the same result;
- adding an excluded article never improves a decision;
- whoever is released with T left is also released with less than T left (the exit date itself is not
  monotone: 12 months left gets nothing, 12 months and a day gets the cut of C1).
Each example decides a batch of records in one engine call."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clemency import calendar as cal
from clemency.apply import Context
from clemency.explain import decide_records

CTX = Context.make("az-2025")
EIF = dt.date(2025, 12, 19)
ARTICLES = ["177.1", "177.2", "177.3", "178.2", "320.1", "234.1", "234.4", "206.3.2", "192.3.2", "187.4",
            "225.3", "263.2", "120.1", "126.1", "221.3", "213.2.1", "999.1", "177"]
EXCLUDED = ["122.1", "186.2", "244-1.1", "151", "193-1.1", "335.2"]
RANK = {"release_from_imprisonment": 3, "release_from_criminal_liability": 3, "release_from_punishment": 2,
        "term_reduction": 1, "none": 0, "indeterminate": None}

dates = st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2012, 12, 31))


@st.composite
def records(draw):
    status = draw(st.sampled_from(["convicted"] * 4 + ["suspect", "accused"]))
    punishment = draw(st.sampled_from(["imprisonment"] * 4 + ["restriction_of_liberty", "conditional", "fine",
                                       "corrective_work", "other", "life_imprisonment"]))
    start = EIF + dt.timedelta(days=draw(st.integers(-3000, 60)))
    end = EIF + dt.timedelta(days=draw(st.integers(-30, 3000)))
    rec = {
        "sex": draw(st.sampled_from(["M", "M", "M", "F"])),
        "birth_date": draw(st.one_of(st.none(), dates)),
        "status": status,
        "articles": ";".join(draw(st.lists(st.sampled_from(ARTICLES), min_size=1, max_size=3, unique=True))),
        "offense_date": (start - dt.timedelta(days=draw(st.integers(1, 400)))).isoformat(),
        "term_months": draw(st.integers(3, 180)),
        "recidivism": draw(st.sampled_from(["none", "none", "repeat", "dangerous"])),
        "war_participant": draw(st.sampled_from(["false", "false", "true", "unknown"])),
        "disability_percent": draw(st.sampled_from([0, 0, 40, 61, 100])),
        "carer_of_child": draw(st.booleans()),
    }
    if status == "convicted":
        rec.update(punishment=punishment, sentence_start=start.isoformat(), sentence_end=end.isoformat())
    if rec["birth_date"]:
        rec["birth_date"] = rec["birth_date"].isoformat()
    return rec


def batch(recs):
    for i, r in enumerate(recs):
        r["person_id"] = r["case_id"] = f"R{i}"
    return recs


def decide(recs, ctx=CTX):
    return {d["case_id"]: d for d in decide_records(ctx, recs)}


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(records(), min_size=1, max_size=40))
def test_deciding_twice_gives_the_same_result(recs):
    recs = batch(recs)
    assert decide([dict(r) for r in recs]) == decide([dict(r) for r in recs])


@SETTINGS
@given(st.lists(records(), min_size=1, max_size=40), st.sampled_from(EXCLUDED))
def test_adding_an_excluded_article_never_improves_a_decision(recs, extra):
    recs = batch(recs)
    worse = [dict(r, articles=r["articles"] + ";" + extra) for r in recs]
    before, after = decide(recs), decide(worse)
    for cid, b in before.items():
        a = after[cid]
        if RANK[b["relief"]] is None or RANK[a["relief"]] is None:
            continue
        assert RANK[a["relief"]] <= RANK[b["relief"]], (cid, b["relief"], a["relief"], a["explanation"])


@SETTINGS
@given(st.lists(records(), min_size=1, max_size=40), st.integers(1, 400))
def test_less_time_left_never_loses_a_release(recs, days):
    """Whoever is released from prison with T left is also released with less than T left
    (sentence_end earlier, everything else equal, as long as the sentence has not ended)."""
    recs = [r for r in batch(recs) if r.get("punishment") == "imprisonment"]
    if not recs:
        return
    before = decide(recs)
    sooner = []
    for r in recs:
        end = dt.date.fromisoformat(r["sentence_end"]) - dt.timedelta(days=days)
        if end > EIF:
            sooner.append(dict(r, sentence_end=end.isoformat()))
    if not sooner:
        return
    after = decide(sooner)
    for cid, a in after.items():
        if before[cid]["relief"] == "release_from_imprisonment":
            assert a["relief"] == "release_from_imprisonment", (cid, a["explanation"])


def test_the_exit_date_is_not_monotone_in_time_left():
    """12 months left gets nothing; 12 months and a day gets the cut of C1 (release 6 months earlier)."""
    base = {"person_id": "X", "sex": "M", "birth_date": "1980-01-01", "status": "convicted", "articles": "177.2",
            "punishment": "imprisonment", "term_months": 36, "offense_date": "2023-01-01",
            "sentence_start": "2024-01-01"}
    twelve = dict(base, case_id="a", person_id="a", sentence_end=cal.add_months(EIF, 12).isoformat())
    more = dict(base, case_id="b", person_id="b", sentence_end=cal.add_days(cal.add_months(EIF, 12), 1).isoformat())
    d = decide([twelve, more])
    assert d["a"]["relief"] == "none"
    assert d["b"]["relief"] == "term_reduction" and d["b"]["new_sentence_end"] < twelve["sentence_end"]
