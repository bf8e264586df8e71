"""The implementation simulation, report checks, reconciliation and the `timeline` command."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from clemency.cli import main
from clemency.jurisdictions import default_jurisdiction
from clemency.report.figures import FIGURES_DIR
from clemency.timeline import reports as R
from clemency.timeline.simulate import Body, Window, _allocate, bodies_for, configure, simulate

FIX = Path(__file__).parent / "fixtures" / "timeline"
EIF = dt.date(2025, 12, 19)
END = dt.date(2026, 4, 19)


def cells(rows):
    """rows: (lane, entry, until, n[, elig, category, sex, clause])"""
    cols = {k: [] for k in ("lane", "entry", "until", "elig", "crime_category", "sex", "clause", "n")}
    for r in rows:
        lane, entry, until, n, *rest = r
        elig = rest[0] if rest else entry
        cat, sex, clause = (rest[1:] + ["less_serious", "M", "B3"][len(rest[1:]):]) if rest else ("less_serious", "M", "B3")
        for k, v in zip(cols, (lane, entry, until, elig, cat, sex, clause, n)):
            cols[k].append(v)
    return {k: np.array(v) for k, v in cols.items()}


def one_body(capacity, lanes=None, start=EIF, ramp=0, lead=0, spill=True):
    lanes = lanes or {"release_from_imprisonment": 1.0}
    return {"penitentiary": Body("penitentiary", "P", lanes, start, capacity, ramp, lead, spill=spill)}


EVERY = Window(EIF, END, "every-day")


def test_window_has_122_days_both_ends_included():
    assert len(EVERY.days) == 122 and EVERY.days[0] == EIF and EVERY.days[-1] == END


def test_fifo_capacity_per_day():
    sim = simulate(cells([("release_from_imprisonment", 0, 121, 25)]), EVERY, one_body(10))
    assert sim.g_served[0, :4].tolist() == [10, 10, 5, 0]
    assert sim.remaining().sum() == 0


def test_later_eligibility_waits_and_earlier_entries_go_first():
    sim = simulate(cells([("release_from_imprisonment", 0, 121, 15), ("release_from_imprisonment", 1, 121, 10)]),
                   EVERY, one_body(10))
    by_entry = {int(e): sim.g_served[g] for g, e in enumerate([0, 1])}
    assert by_entry[0][:2].tolist() == [10, 5] and by_entry[1][:3].tolist() == [0, 5, 5]


def test_lapse_when_relief_stops_before_reached_and_overdue_at_the_deadline():
    # 30 eligible from day 0 whose sentence ends on day 2 (last eligible day 1), 5 a day: 10 applied, 20 lapse
    # on day 2; 500 who stay eligible to the end: not all can be reached -> overdue
    sim = simulate(cells([("release_from_imprisonment", 0, 1, 30), ("release_from_imprisonment", 0, 121, 1000)]),
                   EVERY, one_body(5))
    short = 0 if sim.g_count[0] == 30 else 1
    assert sim.g_served[short].sum() == 10 and sim.g_lapsed[short, 2] == 20
    long = 1 - short
    assert sim.g_served[long].sum() == 5 * 122 - 10
    assert sim.remaining()[long] == 1000 - (5 * 122 - 10)


def test_the_most_urgent_first_among_same_day_entries():
    sim = simulate(cells([("release_from_imprisonment", 0, 121, 5), ("release_from_imprisonment", 0, 0, 5)]),
                   EVERY, one_body(5))
    urgent = int(np.flatnonzero(sim.cells["until"] == 0)[0])
    assert sim.g_served[sim.gid[urgent], 0] == 5


def test_working_days_start_and_weekends():
    w = Window.of(default_jurisdiction(), EIF, END, "working")
    work = w.working()
    assert not work[0 + 1] and not work[2]            # 20, 21 Dec 2025: Saturday, Sunday
    assert not work[(dt.date(2026, 1, 1) - EIF).days]  # New Year
    sim = simulate(cells([("release_from_imprisonment", 0, 121, 100)]), w,
                   one_body(10, start=dt.date(2025, 12, 22)))
    served_days = [EVERY.days[i] for i in np.flatnonzero(sim.g_served[0])]
    assert served_days[0] == dt.date(2025, 12, 22)
    assert all(d.weekday() < 5 and d not in w.holidays for d in served_days)


def test_entry_moves_to_next_working_day():
    w = Window.of(default_jurisdiction(), EIF, END, "working")
    sim = simulate(cells([("release_from_imprisonment", 1, 121, 3)]), w, one_body(10))  # Saturday
    assert EVERY.days[int(np.flatnonzero(sim.g_served[0])[0])] == dt.date(2025, 12, 22)


def test_ramp():
    sim = simulate(cells([("release_from_imprisonment", 0, 121, 1000)]), EVERY, one_body(100, ramp=4))
    assert sim.g_served[0, :5].tolist() == [25, 50, 75, 100, 100]


def test_shares_and_spill():
    lanes = {"release_from_imprisonment": 0.8, "term_reduction:custodial": 0.2}
    c = cells([("release_from_imprisonment", 0, 121, 16), ("term_reduction:custodial", 0, 121, 100)])
    sim = simulate(c, EVERY, one_body(10, lanes, spill=True))
    red = int(np.flatnonzero(sim.g_lane == "term_reduction:custodial")[0])
    assert sim.g_served[red, :3].tolist() == [2, 2, 10]
    sim = simulate(c, EVERY, one_body(10, lanes, spill=False))
    assert sim.g_served[red, :3].tolist() == [2, 2, 2]


def test_allocate_never_exceeds_capacity_or_waiting():
    rng = np.random.default_rng(1)
    for _ in range(200):
        k = rng.integers(1, 4)
        shares = rng.random(k)
        waiting = rng.integers(0, 50, k)
        cap = int(rng.integers(0, 80))
        for spill in (True, False):
            a = _allocate(cap, shares / shares.sum(), waiting.copy(), spill)
            assert (a >= 0).all() and (a <= waiting).all() and a.sum() <= cap
            if spill:
                assert a.sum() == min(cap, waiting.sum())


def test_configure_overrides_and_errors(tmp_path):
    az = default_jurisdiction()
    b = configure(az, EIF, {"penitentiary": "7"}, {"probation": "0"}, {"investigation": "2026-01-05"})
    assert b["penitentiary"].capacity == 7 and b["probation"].lead_days == 0
    assert b["investigation"].start == dt.date(2026, 1, 5)
    assert bodies_for(az, EIF)["penitentiary"].capacity != 7
    assert configure(az, EIF, start={"probation": "+10"})["probation"].start == dt.date(2025, 12, 29)
    from clemency.errors import UsageError
    with pytest.raises(UsageError, match="unknown body"):
        configure(az, EIF, {"nobody": "1"})
    with pytest.raises(UsageError):
        configure(az, EIF, {"penitentiary": "many"})
    t = tmp_path / "bodies.csv"
    t.write_text("name,capacity,share:release_from_imprisonment\npenitentiary,11,0.5\n")
    b = configure(az, EIF, table=t)
    assert b["penitentiary"].capacity == 11 and b["penitentiary"].lanes["release_from_imprisonment"] == 0.5


# ---- reports ---------------------------------------------------------------------------------------

def test_official_figures_add_up_and_drift_is_explicit():
    reps, findings = R.load_reports(FIGURES_DIR / "az-2025.csv")
    assert findings == []
    by = {r.name: r for r in reps}
    assert by["announced"].projection
    assert by["moj-2026-01-07"].minors_in_men is False and by["moj-2026-01-26"].minors_in_men is True
    assert by["moj-2026-01-07"].bodies == ("penitentiary", "probation")
    assert "prosecution_courts" in by["moj-2026-02-08"].bodies and "investigation" in by["moj-2026-02-08"].bodies
    changes = [(d["report"], d["change"]) for d in R.drift(reps)]
    assert ("moj-2026-01-26", "minors: a separate bucket -> inside men") in changes


def test_bad_reports_are_findings_not_crashes():
    reps, findings = R.load_reports(FIX / "reports_bad.csv")
    problems = {}
    for f in findings:
        problems.setdefault(f["report"], []).append(f["problem"])
    assert "ok-1" not in problems and "minors-apart" not in problems
    assert any("reliefs do not add up" in p for p in problems["parts-off"])
    assert any("sexes do not add up" in p for p in problems["sexes-off"])
    assert any("not a count" in p for p in problems["bad-count"])
    assert any("not a date" in p for p in problems["bad-date"])
    assert "bad-date" not in [r.name for r in reps]


def test_categories_must_add_up():
    rep = R.Report("x", EIF, values={"total": 10, "cat_less_serious": 4, "cat_grave": 5})
    assert any("categories" in p for p in R.check_sums(rep))


def test_missing_columns_and_missing_file():
    reps, findings = R.load_reports(FIX / "reports_missing_columns.csv")
    assert any("missing required column(s) total" in f["problem"] for f in findings)
    reps, findings = R.load_reports(FIX / "no-such-file.csv")
    assert reps == [] and "cannot read" in findings[0]["problem"]
    bad = FIX / "reports_missing_columns.csv"
    text = bad.read_text().replace("cut_off", "date")
    other = Path(str(bad)).with_name("x.csv")
    try:
        other.write_text(text)
        reps, findings = R.load_reports(other)
        assert reps == [] and "cut_off" in findings[0]["problem"]
    finally:
        other.unlink()


# ---- the command ------------------------------------------------------------------------------------

def run_cli(args):
    return CliRunner().invoke(main, ["timeline", *args], catch_exceptions=False)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("tl")
    reg = out / "synth-small.csv"        # "synth" in the name: treated as synthetic
    shutil.copy(FIX / "registry.csv", reg)
    res = run_cli(["--act", "az-2025", "--registry", str(reg), "--reports", str(FIX / "reports_bad.csv"),
                   "--reading", "b3=application", "--calendar", "every-day", "--out", str(out / "o")])
    assert res.exit_code == 0, res.output
    return out / "o", res.output


def test_command_writes_contract_files(small_run):
    out, output = small_run
    for name in ("series.csv", "series.parquet", "reconciliation.csv", "findings.csv", "timeline.html",
                 "timeline_cumulative.svg", "timeline_backlog.svg", "overdue.csv", "timeline.json"):
        assert (out / name).exists(), name
    series = read_csv(out / "series.csv")
    assert {"date", "body", "relief", "applied", "eligible_not_applied"} <= set(series[0])
    assert {r["date"] for r in series} >= {"2025-12-19", "2026-04-19"}
    for r in series:
        assert int(r["eligible"]) == int(r["applied"]) + int(r["lapsed"]) + int(r["eligible_not_applied"])
    recon = read_csv(out / "reconciliation.csv")
    assert {"report", "cut_off", "measure", "reported", "simulated", "gap"} <= set(recon[0])
    findings = read_csv(out / "findings.csv")
    assert {"report", "problem"} == set(findings[0])
    assert {"parts-off", "sexes-off"} <= {f["report"] for f in findings}
    assert "by body and relief" in output


def test_command_series_follows_the_spans(small_run):
    out, _ = small_run
    series = read_csv(out / "series.csv")
    prison = {r["date"]: r for r in series if r["relief"] == "release_from_imprisonment"}
    # eligible from EIF: P3 (ends 2026-04-19), P4 (ends 04-20); from 2026-01-19: P1; from 2026-03-01: P5
    assert prison["2025-12-19"]["eligible"] == "2"
    assert prison["2026-01-18"]["eligible"] == "2" and prison["2026-01-19"]["eligible"] == "3"
    assert prison["2026-03-01"]["eligible"] == "4"
    assert prison["2026-04-19"]["applied"] == "4"   # every day, ample capacity: all applied after lead time
    first_p1 = min(d for d, r in prison.items() if int(r["applied"]) >= 3)
    assert first_p1 == "2026-01-22"                  # eligible 01-19 + the penitentiary's 3-day lead


def test_page_is_stamped_and_says_synthetic(small_run):
    out, _ = small_run
    html = (out / "timeline.html").read_text()
    meta = json.loads((out / "timeline.json").read_text())
    assert meta["synthetic"] is True
    from html import escape

    from clemency.apply import SYNTHETIC_NOTE
    assert escape(SYNTHETIC_NOTE) in html
    assert meta["act_hash"][:16] in html and "As of 2025-12-19" in html
    assert "measured on the day the act is applied" in html and "b3=" not in html   # the reading in words
    assert not re.search(r"\s--[a-z]", html)        # a report tells readers no command-line flag
    assert "<script" not in html and 'src="http' not in html and "<link" not in html   # offline


def test_command_applies_the_act_once(tmp_path, monkeypatch):
    import clemency.apply as ap
    calls = []
    real = ap.apply_act

    def counting(*a, **k):
        calls.append(k.get("on"))
        return real(*a, **k)
    monkeypatch.setattr(ap, "apply_act", counting)
    res = run_cli(["--act", "az-2025", "--registry", str(FIX / "registry.csv"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert calls == [None]
    assert not (tmp_path / "o" / "reconciliation.csv").exists()


def test_overdue_when_capacity_is_too_small(tmp_path):
    res = run_cli(["--act", "az-2025", "--registry", str(FIX / "registry.csv"), "--capacity", "penitentiary=0",
                   "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    overdue = read_csv(tmp_path / "o" / "overdue.csv")
    # nobody applied in prison: P4 (ends 2026-04-20) still eligible on the last day -> overdue;
    # P3 (ends 2026-04-19) served out first -> lapsed, not overdue
    ids = {r["person_id"] for r in overdue}
    assert "P4" in ids and "P3" not in ids
    meta = json.loads((tmp_path / "o" / "timeline.json").read_text())
    prison = next(t for t in meta["totals"] if t["lane"] == "release_from_imprisonment")
    assert prison["applied"] == 0 and prison["lapsed"] >= 1 and prison["overdue"] == len(
        [r for r in overdue if r["relief"] == "release_from_imprisonment"])


def test_bad_usage_and_bad_input(tmp_path):
    res = run_cli(["--act", "az-2025", "--registry", str(FIX / "registry.csv"), "--capacity", "x=1",
                   "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "unknown body" in res.output
    res = run_cli(["--act", "az-2025", "--registry", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1


def test_reconciliation_against_shipped_figures_on_a_synthetic_registry(tmp_path):
    from clemency.registry.synth import synth
    from clemency.timeline import run_timeline
    reg = tmp_path / "synth.parquet"
    synth(4000, reg, seed=0)
    res = run_timeline("az-2025", reg, tmp_path / "o", reports=FIGURES_DIR / "az-2025.csv")
    rows = {(r["report"], r["measure"]): r for r in res.reconciliation}
    assert rows[("moj-2026-01-07", "minors")]["simulated"] is None
    assert rows[("announced", "total")]["kind"].startswith("projection")
    assert rows[("moj-2026-01-07", "total")]["bodies"] == "penitentiary;probation"
    # cumulative and monotone
    r1, r2, r3 = (rows[(n, "total")]["simulated"] for n in ("moj-2026-01-07", "moj-2026-01-26", "moj-2026-02-08"))
    assert 0 < r1 <= r2 <= r3
    for r in res.reconciliation:
        if r["simulated"] is not None:
            assert r["gap"] == r["reported"] - r["simulated"]


# ---- routing and starts from the jurisdiction ---------------------------------------------------------

def test_lanes_route_by_punishment_share_and_rest():
    import duckdb

    from clemency.timeline.simulate import lane_sql
    az = default_jurisdiction()
    rows = [("term_reduction", "imprisonment", "c1"), ("term_reduction", None, "c2"),
            ("term_reduction", "fine", "c3"), ("release_from_punishment", "fine", "c4"),
            ("no_such_relief", "fine", "c5")]
    rows += [("release_from_criminal_liability", None, f"p{i}") for i in range(2000)]
    con = duckdb.connect()
    con.execute("CREATE TABLE d (r VARCHAR, punishment VARCHAR, case_id VARCHAR, person_id VARCHAR)")
    con.executemany("INSERT INTO d VALUES (?, ?, ?, ?)", [(r, p, c, c) for r, p, c in rows])
    got = dict(con.execute(f"SELECT case_id, {lane_sql(az.lanes)} FROM d").fetchall())
    assert got["c1"] == got["c2"] == "term_reduction:custodial"          # unknown punishment: custodial
    assert got["c3"] == "term_reduction:noncustodial"
    assert got["c4"] == "release_from_punishment"
    assert got["c5"] is None                                               # cannot be placed
    inv = sum(v == "release_from_criminal_liability:investigation" for k, v in got.items() if k[0] == "p")
    assert 10 <= inv <= 80                                                 # about 2 % of 2,000


def test_bodies_start_from_the_entry_into_force_of_the_reading(tmp_path):
    from clemency.timeline import run_timeline
    res = run_timeline("az-2025", FIX / "registry.csv", tmp_path / "o", readings={"eif": "2026-01-15"})
    assert res.manifest["entry_into_force"] == "2026-01-15"
    assert res.manifest["bodies"]["penitentiary"]["start"] == "2026-01-18"
    assert res.manifest["bodies"]["prosecution_courts"]["start"] == "2026-03-01"
