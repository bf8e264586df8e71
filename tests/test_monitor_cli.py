"""`clemency match` and `clemency monitor ...` through click, including bad inputs (exit 1, clear message)."""

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from clemency.cli import main

E2E = Path(__file__).parent / "fixtures" / "monitor" / "e2e"
LIST = E2E / "list_2025-12-01.csv"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def rows(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_match_writes_pairs_explanations_and_honours_the_ledger(tmp_path):
    out = tmp_path / "pairs.csv"
    r = run("match", "--left", LIST, "--right", E2E / "release_2026-04-10.csv", "--out", out, "--explain")
    assert r.exit_code == 0, r.output
    got = rows(out)
    assert list(got[0]) == ["left_id", "right_id", "score", "band"]
    assert {(g["left_id"], g["right_id"], g["band"]) for g in got} == {("e10", "R3-01", "match"), ("e26", "R3-02", "review")}
    ex = rows(tmp_path / "pairs.explain.csv")
    assert ex[0]["surname"] == "0.300" and "surnames " in ex[0]["explanation"]
    r = run("match", "--left", LIST, "--right", E2E / "release_2026-04-10.csv", "--out", out,
            "--ledger", E2E / "ledger.jsonl")
    assert {g["band"] for g in rows(out)} == {"match"}
    log = [json.loads(x) for x in (tmp_path / "export-log.jsonl").read_text().splitlines()]
    assert len(log) == 2 and log[0]["command"] == "match" and "pairs.csv" in log[0]["outputs"]
    assert "Akhmedov" not in (tmp_path / "export-log.jsonl").read_text()


def test_match_missing_column_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\n1,Ali\n")
    r = run("match", "--left", bad, "--right", LIST, "--out", tmp_path / "o.csv")
    assert r.exit_code == 1
    assert "missing required column(s): full_name" in r.output
    r = run("match", "--left", tmp_path / "nope.csv", "--right", LIST, "--out", tmp_path / "o.csv")
    assert r.exit_code == 1 and "file not found" in r.output


def test_review_is_reversible(tmp_path):
    led = tmp_path / "ledger.jsonl"
    out = tmp_path / "pairs.csv"
    right = E2E / "release_2026-04-10.csv"
    assert run("monitor", "review", "--ledger", led, "--left", "e26", "--right", "R3-02", "--judgement", "different",
               "--reviewer", "aa").exit_code == 0
    run("match", "--left", LIST, "--right", right, "--out", out, "--ledger", led)
    assert "e26" not in {g["left_id"] for g in rows(out)}
    r = run("monitor", "review", "--ledger", led, "--left", "R3-02", "--right", "e26", "--judgement", "same",
            "--reviewer", "bb")
    assert "(was different)" in r.output
    run("match", "--left", LIST, "--right", right, "--out", out, "--ledger", led)
    assert ("e26", "match") in {(g["left_id"], g["band"]) for g in rows(out)}
    assert len(led.read_text().splitlines()) == 2
    r = run("monitor", "review", "--ledger", led, "--left", "a", "--right", "b", "--judgement", "maybe", "--reviewer", "x")
    assert r.exit_code == 2


def test_why_small_list(tmp_path):
    small = tmp_path / "list.csv"
    with open(LIST, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    small.write_text("\n".join([lines[0]] + [ln for ln in lines[1:] if ln.split(",")[0] in ("e02", "e07", "e10")]) + "\n",
                     encoding="utf-8")
    r = run("monitor", "why", "--list", small, "--act", "az-2025", "--out", tmp_path / "out")
    assert r.exit_code == 0, r.output
    got = {g["id"]: g for g in rows(tmp_path / "out" / "why.csv")}
    assert list(next(iter(got.values())))[:11] == ["id", "full_name", "group", "relief", "clause", "excluded_by",
                                                    "eligible_from", "new_sentence_end", "upcoming_relief",
                                                    "upcoming_from", "reason"]
    assert got["e07"]["clause"] == "B3" and got["e02"]["excluded_by"] == "F1"
    assert "offence date taken as the arrest date" in got["e07"]["derived"]
    ch = rows(tmp_path / "out" / "readings.csv")
    assert {(c["reading"], c["id"]) for c in ch} >= {("chapeau", "e02"), ("b3", "e10"), ("f2-drugs", "e07")}
    r = run("monitor", "why", "--list", small, "--act", "az-2025", "--on", "2026-03-01", "--reading", "b3=application",
            "--out", tmp_path / "out2")
    got = {g["id"]: g for g in rows(tmp_path / "out2" / "why.csv")}
    assert got["e10"]["relief"] == "release_from_imprisonment" and got["e10"]["eligible_from"] == "2026-02-20"


def test_why_bad_inputs(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,full_name\n1,Ali\n")
    r = run("monitor", "why", "--list", bad, "--act", "az-2025", "--out", tmp_path / "o")
    assert r.exit_code == 1 and "missing required column(s): articles" in r.output
    r = run("monitor", "why", "--list", LIST, "--act", "az-2025", "--reading", "b3=sometimes", "--out", tmp_path / "o")
    assert r.exit_code == 2 and "valid values" in r.output
    r = run("monitor", "why", "--list", LIST, "--act", "no-such-act", "--out", tmp_path / "o")
    assert r.exit_code == 1


def test_lists_diff_gives_exit_reasons(tmp_path):
    r = run("monitor", "lists", "diff", "--old", LIST, "--old-date", "2025-12-01", "--new", E2E / "list_2026-04-20.csv",
            "--new-date", "2026-04-20", "--events", E2E / "events.csv", "--out", tmp_path)
    assert r.exit_code == 0, r.output
    got = {g["person"]: g for g in rows(tmp_path / "diff.csv")}
    assert got["e17"]["exit_reason"] == "died_in_custody" and "family statement" in got["e17"]["evidence"]
    assert got["e18"]["exit_reason"] == "end_of_term"
    assert got["e06"]["exit_reason"] == "removed (reason not recorded)"
    assert sum(g["change"] == "left" for g in got.values()) == 11
    r = run("monitor", "lists", "diff", "--old", LIST, "--old-date", "yesterday", "--new", LIST, "--new-date",
            "2026-01-01", "--out", tmp_path)
    assert r.exit_code == 2 and "not a date" in r.output


def test_alerts_reclassified_charge(tmp_path):
    r = run("monitor", "alerts", "--lists", LIST, E2E / "list_2026-01-15.csv", E2E / "list_2026-04-20.csv",
            "--act", "az-2025", "--out", tmp_path / "alerts.csv")
    assert r.exit_code == 0, r.output
    assert "1 alert(s)" in r.output and "e21" in r.output and "after the act's adoption" in r.output
    got = rows(tmp_path / "alerts.csv")
    assert got[0]["after_articles"] == "206.3.2" and got[0]["now_excluded"] == "category grave"
    r = run("monitor", "alerts", "--lists", LIST, "--act", "az-2025")
    assert r.exit_code == 2
    nodate = tmp_path / "list.csv"
    nodate.write_text(LIST.read_text(encoding="utf-8"), encoding="utf-8")
    r = run("monitor", "alerts", "--lists", LIST, nodate, "--act", "az-2025")
    assert r.exit_code == 1 and "no date for this file" in r.output


def test_alerts_excluded_from_act_follow_readings():
    from clemency.monitor.report import act_exclusions
    refs, cats = act_exclusions("az-2025")
    assert cats == ["especially_grave", "grave"] and "193-1" in refs and "234" not in refs
    refs, _ = act_exclusions("az-2025", {"f2-drugs": "all-234"})
    assert "234" in refs


def test_totals(tmp_path):
    r = run("monitor", "totals", "--events", E2E / "events.csv", "--out", tmp_path / "totals.csv")
    assert r.exit_code == 0, r.output
    got = [g for g in rows(tmp_path / "totals.csv") if g["report"] == "moj-2026-01-26"
           and g["category"] == "released_from_imprisonment"]
    assert got[0]["named_confirmed"] == "1" and got[0]["named_reported_only"] == "1"
    bad = tmp_path / "ev.csv"
    bad.write_text("person,date\nx,2026-01-01\n")
    r = run("monitor", "totals", "--events", bad)
    assert r.exit_code == 1 and "missing required column(s)" in r.output


def test_past_acts(tmp_path):
    r = run("monitor", "past-acts", "--out", tmp_path)
    assert r.exit_code == 0, r.output
    got = rows(tmp_path / "past-acts.csv")
    insts = [g["instrument"] for g in got]
    assert insts == sorted(insts)  # amnesty acts first, then pardons: never interleaved or summed
    assert (tmp_path / "past-acts.svg").read_text().startswith("<svg")
    import openpyxl
    assert openpyxl.load_workbook(tmp_path / "past-acts.xlsx").sheetnames == ["amnesty_act", "pardon_decree"]
    assert json.loads((tmp_path / "export-log.jsonl").read_text())["command"] == "monitor past-acts"


def test_report_bad_inputs(tmp_path):
    r = run("monitor", "report", "--list", LIST, "--act", "az-2025", "--out", tmp_path, "--releases",
            E2E / "events.csv")
    assert r.exit_code == 1 and "missing required column(s): id, full_name" in r.output
    r = run("monitor", "report", "--list", tmp_path / "missing.csv", "--act", "az-2025", "--out", tmp_path)
    assert r.exit_code == 1 and "file not found" in r.output


def test_review_undo_and_reviewer_from_the_users(tmp_path, monkeypatch):
    from clemency.store import open_store
    led = str(tmp_path / "l.jsonl")
    data = tmp_path / "data"
    st = open_store(data)
    st.users.add("amina", "operator", "a long enough password 1")
    st.users.add("vera", "viewer", "a long enough password 2")
    st.close()
    base = ["monitor", "review", "--ledger", led, "--left", "e1", "--right", "R1"]
    r = run(*base, "--judgement", "same", "--reviewer", "amina", "--data", str(data))
    assert r.exit_code == 0, r.output
    r = run(*base, "--judgement", "same", "--reviewer", "vera", "--data", str(data))
    assert r.exit_code == 2 and "operator" in r.output
    r = run(*base, "--judgement", "same", "--reviewer", "nobody", "--data", str(data))
    assert r.exit_code == 2 and "no user named" in r.output
    monkeypatch.setenv("CLEMENCY_USER", "amina")
    r = run(*base, "--undo")
    assert r.exit_code == 0 and "same withdrawn by amina" in r.output and "no judgement holds now" in r.output
    r = run(*base)
    assert r.exit_code == 2
    lines = (tmp_path / "l.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and '"undo"' in lines[1] and '"amina"' in lines[1]
