"""Scenario files beside each act (`<act>.scenarios.yaml`): a base record, changes, the expected decision.

All scenarios of a file that share readings and decision date are decided in one batch."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from clemency.act.load import ACTS_DIR
from clemency.apply import Context
from clemency.explain import decide_records

FILES = sorted(ACTS_DIR.glob("*.scenarios.yaml"))


def _plain(v):
    return v.isoformat() if isinstance(v, dt.date) else v


def load(path: Path):
    doc = yaml.safe_load(path.read_text())
    cases = []
    for i, sc in enumerate(doc["scenarios"]):
        record = {k: _plain(v) for k, v in doc["base"].items()}
        for k, v in (sc.get("input") or {}).items():
            if v is None:
                record.pop(k, None)
            else:
                record[k] = _plain(v)
        record["case_id"] = record["person_id"] = f"S{i + 1}"
        cases.append((sc, record))
    return doc["act"], cases


def all_cases():
    for path in FILES:
        act, cases = load(path)
        for sc, record in cases:
            yield pytest.param(path, act, sc, record, id=f"{path.stem.split('.')[0]}-{sc.get('clause')}-{record['case_id']}")


_cache: dict = {}


def decided(path, act, sc):
    key = (str(path), tuple(sorted((sc.get("readings") or {}).items())), str(sc.get("decided_on")))
    if key not in _cache:
        _, cases = load(path)
        same = [rec for s, rec in cases
                if (tuple(sorted((s.get("readings") or {}).items())), str(s.get("decided_on"))) == key[1:]]
        ctx = Context.make(act, sc.get("readings"), sc.get("decided_on"))
        _cache[key] = {d["case_id"]: d for d in decide_records(ctx, same)}
    return _cache[key]


def test_every_clause_has_three_scenarios():
    for path in FILES:
        act_id, cases = load(path)
        counts = defaultdict(int)
        for sc, _ in cases:
            counts[sc["clause"]] += 1
        ctx = Context.make(act_id)
        missing = {c.id: counts[c.id] for c in ctx.act.clauses if counts[c.id] < 3}
        assert not missing, f"{path.name}: clauses with fewer than three scenarios: {missing}"


@pytest.mark.parametrize("path, act, sc, record", list(all_cases()))
def test_scenario(path, act, sc, record):
    d = decided(path, act, sc)[record["case_id"]]
    expect = sc["expect"]
    for key, want in expect.items():
        if key == "reasons":
            got = {r["clause"]: r["result"] for r in d["reasons"]}
            for cid, result in want.items():
                assert got[cid] == result, f"{sc['name']}: clause {cid} {got[cid]}, expected {result}\n{d['explanation']}"
        elif key.startswith("upcoming_"):
            up = d["upcoming"] or {}
            field = {"upcoming_relief": "relief", "upcoming_clause": "clause", "upcoming_from": "eligible_from"}[key]
            assert up.get(field) == _plain(want), f"{sc['name']}: {key} {up}\n{d['explanation']}"
        else:
            assert d[key] == _plain(want), f"{sc['name']}: {key} = {d[key]!r}, expected {want!r}\n{d['explanation']}"
