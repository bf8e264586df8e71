"""Timelines of the 2021 and 2009 acts: bodies start relative to each act's own entry into force, people are
applied, not everyone is overdue, holidays are the act's years', and what cannot be placed is said."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from clemency.act.load import load_act
from clemency.jurisdictions import jurisdiction_of
from clemency.registry.synth import synth
from clemency.timeline import run_timeline

SYNTH_EIF = dt.date(2025, 12, 19)      # the synthetic registry is drawn around this day


def shifted_registry(tmp, eif: dt.date):
    """The synthetic registry with every date moved by the same number of days, so it sits around `eif`."""
    base = tmp / "synth.parquet"
    if not base.exists():
        synth(2000, base, seed=1)
    out = tmp / f"synth-{eif.isoformat()}.parquet"
    con = duckdb.connect()
    cols = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{base}')").fetchall()
    shift = (eif - SYNTH_EIF).days
    sel = ", ".join(f"CAST({c} + INTERVAL ({shift}) DAY AS DATE) AS {c}" if t == "DATE" else c
                    for c, t, *_ in cols)
    con.execute(f"COPY (SELECT {sel} FROM read_parquet('{base}')) TO '{out}' (FORMAT PARQUET)")
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("acts")
    out = {}
    for act_id in ("az-2021", "az-2009"):
        act = load_act(act_id)
        reg = shifted_registry(tmp, act.entry_into_force)
        out[act_id] = (act, run_timeline(act_id, reg, tmp / act_id))
    return out


@pytest.mark.parametrize("act_id", ["az-2021", "az-2009"])
def test_bodies_start_relative_to_the_acts_own_entry_into_force(runs, act_id):
    act, res = runs[act_id]
    eif = act.entry_into_force
    jur = jurisdiction_of(act)
    for name, body in res.manifest["bodies"].items():
        assert body["start"] == (eif + dt.timedelta(days=jur.bodies[name].start_after_days)).isoformat()
        assert dt.date.fromisoformat(body["start"]).year in (eif.year, eif.year + 1)


@pytest.mark.parametrize("act_id", ["az-2021", "az-2009"])
def test_people_are_applied_and_not_everyone_is_overdue(runs, act_id):
    _act, res = runs[act_id]
    eligible = sum(t["eligible"] for t in res.totals)
    applied = sum(t["applied"] for t in res.totals)
    overdue = sum(t["overdue"] for t in res.totals)
    assert eligible > 50
    assert applied > 0.8 * eligible
    assert overdue < 0.2 * eligible
    assert res.manifest["warnings"] == []


@pytest.mark.parametrize("act_id", ["az-2021", "az-2009"])
def test_nobody_is_applied_before_the_body_starts(runs, act_id):
    _act, res = runs[act_id]
    sim = res.sim
    for body in sim.bodies.values():
        for lane in body.lanes:
            m = sim.g_lane == lane
            if not m.any():
                continue
            served = sim.g_served[m].sum(axis=0)
            days = [sim.days[i] for i in served.nonzero()[0]]
            assert not days or min(days) >= body.start


def test_holidays_are_the_acts_years(runs):
    act, res = runs["az-2021"]
    days = [dt.date.fromisoformat(d) for d in res.manifest["holidays"]]
    assert days and all(act.entry_into_force <= d <= dt.date.fromisoformat(res.manifest["window_end"]) for d in days)
    assert dt.date(2022, 1, 1) in days          # New Year inside the 2021 act's window
    assert not any(d.year >= 2025 for d in days)


def test_a_body_starting_after_the_window_is_warned_about(tmp_path):
    act = load_act("az-2009")
    reg = shifted_registry(tmp_path, act.entry_into_force)
    res = run_timeline("az-2009", reg, tmp_path / "o", start={"penitentiary": "2009-12-01"})
    warn = [w for w in res.warnings if "after the window ends" in w]
    assert len(warn) == 1 and "Penitentiary" in warn[0]
    prison = [t for t in res.totals if t["lane"] == "release_from_imprisonment"]
    assert prison and prison[0]["applied"] == 0 and prison[0]["overdue"] + prison[0]["lapsed"] == prison[0]["eligible"]
    meta = json.loads((tmp_path / "o" / "timeline.json").read_text())
    assert meta["warnings"] == res.warnings
