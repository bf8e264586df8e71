"""The web app's fast single-record path gives exactly what `clemency check` prints (decide_records)."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from clemency.act.load import ACTS_DIR
from clemency.apply import Context
from clemency.errors import ClemencyError
from clemency.explain import decide_records
from clemency.registry.synth import synth
from clemency.web.alternatives import window_alternatives
from clemency.web.decider import Decider, _Slow, decider
from tests.test_scenarios import load


def _scenario_groups():
    groups: dict = {}
    for path in sorted(ACTS_DIR.glob("*.scenarios.yaml")):
        act, cases = load(path)
        for sc, record in cases:
            key = (act, tuple(sorted((sc.get("readings") or {}).items())),
                   str(sc["decided_on"]) if sc.get("decided_on") else None)
            groups.setdefault(key, []).append(record)
    return groups


@pytest.mark.parametrize("key", list(_scenario_groups()), ids=str)
def test_fast_path_agrees_on_every_scenario(key):
    act, readings, on = key
    records = _scenario_groups()[key]
    ctx = Context.make(act, dict(readings), on)
    exact = {d["case_id"]: d for d in decide_records(ctx, records)}
    fast = Decider(ctx)
    for rec in records:
        assert fast.decide(rec) == exact[rec["case_id"]], rec


def test_fast_path_agrees_on_synthetic_records(tmp_path):
    path = synth(200, tmp_path / "r.csv", seed=3)
    with open(path, newline="", encoding="utf-8") as fh:
        records = [{k: v for k, v in r.items() if v != ""} for r in csv.DictReader(fh)]
    ctx = Context.make("az-2025")
    exact = {d["case_id"]: d for d in decide_records(ctx, records)}
    fast = Decider(ctx)
    n_fast = 0
    for rec in records:
        try:
            fast.source_row(rec)
            n_fast += 1
        except _Slow:
            pass
        assert fast.decide(rec) == exact[rec.get("case_id") or rec["person_id"]]
    assert n_fast > 150


def test_unusual_values_take_the_exact_path():
    d = decider("az-2025")
    rec = {"person_id": "P", "sex": "m", "status": "Convicted", "articles": " 177.2 ; 178.1",
           "punishment": "imprisonment", "sentence_end": "2027-01-10", "war_participant": "YES"}
    with pytest.raises(_Slow):
        d.source_row(rec)
    assert d.decide(rec) == d.decide(rec, exact=True)
    with pytest.raises(ClemencyError):
        d.decide({"person_id": "P", "sex": "X", "status": "convicted", "articles": "177.2"})


def test_alternatives_list_readings_that_change_the_outcome():
    """The check page's panel (web/alternatives.window_alternatives): every flip on the day changes what
    `clemency compare` compares; every later flip leaves the day alone and changes what comes later."""
    from clemency.compare.core import DIFFERS
    rec = {"person_id": "P1", "sex": "M", "birth_date": "1980-05-05", "status": "convicted", "articles": "122.1",
           "punishment": "imprisonment", "term_months": 36, "sentence_start": "2024-01-10",
           "sentence_end": "2027-01-10", "war_participant": True}
    base = decider("az-2025").decide(rec)
    alts = window_alternatives("az-2025", rec, {}, None, base)
    f2 = [a for a in alts if a["reading"] == "f2" and a["value"] == "abcde"]
    assert len(f2) == 1 and f2[0]["when"] == "on the day"
    assert (f2[0]["relief"], f2[0]["clause"]) != (base["relief"], base["clause"])
    on_day = [a for a in alts if a["when"] == "on the day"]
    assert on_day and all(tuple(a.get(f) for f in DIFFERS) != tuple(base.get(f) for f in DIFFERS) for a in on_day)
    for a in on_day:   # each one re-decided under its reading gives exactly what the panel says
        again = decider("az-2025", {a["reading"]: a["value"]}).decide(rec)
        assert (again["relief"], again["clause"]) == (a["relief"], a["clause"])
    later = [a for a in alts if a["when"] == "later in the window"]
    assert all(tuple(a.get(f) for f in DIFFERS) == tuple(base.get(f) for f in DIFFERS) for a in later)
    assert {a["when"] for a in alts} <= {"on the day", "later in the window"}
    assert isinstance(dt.date.fromisoformat(base["on"]), dt.date)


@pytest.mark.parametrize("articles,extra", [
    ("177.2;999.9", {}), ("177", {}), ("120.2.1;177.2", {}), ("999.1;999.1", {}), ("234.1", {}),
    ("206.3.2;193-1.3.1", {}), ("177.2", {"crime_category": "grave"}), ("124.1", {"negligent": "true"}),
    ("320.1.1", {}), ("177.2;122.1", {"war_participant": "unknown"}), ("177", {"crime_category": "less_serious"}),
])
def test_fast_path_agrees_on_article_combinations(articles, extra):
    rec = {"person_id": "P", "sex": "F", "birth_date": "1960-02-29", "status": "convicted", "articles": articles,
           "punishment": "imprisonment", "term_months": 30, "offense_date": "2024-02-01",
           "sentence_start": "2024-03-01", "sentence_end": "2026-05-31", **extra}
    d = decider("az-2025")
    d.source_row(rec)  # takes the fast path
    assert d.decide(rec) == d.decide(rec, exact=True)
    status = {**rec, "status": "accused"}
    status.pop("punishment")
    status.pop("sentence_end")
    assert d.decide(status) == d.decide(status, exact=True)
