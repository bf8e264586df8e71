"""The commands as a user runs them: outputs, exit codes, and clear messages for bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from clemency.act.load import ACTS_DIR
from clemency.cli import main

HEADER = ["person_id", "case_id", "sex", "birth_date", "status", "articles", "punishment", "term_months",
          "offense_date", "sentence_start", "sentence_end", "war_participant", "recidivism"]
GOOD = ["P1", "C1", "F", "1980-01-01", "convicted", "177.2", "imprisonment", "36", "2023-01-01", "2024-01-01",
        "2027-01-01", "false", "none"]


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def write_csv(path: Path, rows, header=HEADER):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_check_prints_the_decision(tmp_path):
    record = dict(zip(HEADER, GOOD))
    res = run("check", "--act", "az-2025", "--json", "-", input=json.dumps(record))
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["relief"] == "release_from_imprisonment" and d["clause"] == "A7"
    assert d["act"] == "az-2025" and len(d["act_hash"]) == 64 and d["readings"]["b3"] == "eif"
    assert d["code_version"].startswith("az-criminal-code-2024")
    assert "A7" in d["explanation"] and {r["clause"] for r in d["reasons"]} >= {"A1", "F3", "T1"}


def test_check_with_a_reading_and_a_date(tmp_path):
    record = dict(zip(HEADER, GOOD), sex="M", sentence_end="2026-07-19")
    res = run("check", "--act", "az-2025", "--json", "-", "--reading", "b3=application", "--on", "2026-01-19",
              input=json.dumps(record))
    d = json.loads(res.output)
    assert (d["relief"], d["clause"], d["eligible_from"], d["on"]) == (
        "release_from_imprisonment", "B3", "2026-01-19", "2026-01-19")


@pytest.mark.parametrize("reading, message", [("b3=sometime", "valid values: eif, application"),
                                               ("b33=eif", "valid readings"), ("b3", "NAME=VALUE")])
def test_unknown_reading_is_bad_usage(reading, message):
    res = CliRunner().invoke(main, ["check", "--act", "az-2025", "--json", "-", "--reading", reading],
                             input=json.dumps(dict(zip(HEADER, GOOD))))
    assert res.exit_code == 2 and message in res.output


def test_check_bad_json_and_bad_record():
    res = CliRunner().invoke(main, ["check", "--act", "az-2025", "--json", "-"], input="{not json")
    assert res.exit_code == 1 and "not valid JSON" in res.output
    bad = dict(zip(HEADER, GOOD), sex="X", birth_date="1980-02-30")
    res = CliRunner().invoke(main, ["check", "--act", "az-2025", "--json", "-"], input=json.dumps(bad))
    assert res.exit_code == 1
    assert "field 'sex' = 'X', expected one of M, F" in res.output and "birth_date" in res.output


def test_apply_writes_everything_and_accounts_for_every_row(tmp_path):
    rows = [GOOD,
            ["P2", "C2", "X", "1980-01-01", "convicted", "177.2", "imprisonment", "36", "", "", "2027-01-01", "", ""],
            ["P3", "C3", "M", "1980-02-30", "convicted", "177.2", "imprisonment", "36", "", "", "2027-01-01", "", ""],
            ["P4", "C1", "M", "1970-01-01", "convicted", "177.2", "imprisonment", "36", "", "", "2027-01-01", "", ""],
            ["P5", "C5", "M", "1970-01-01", "convicted", "177.2", "prison", "36", "", "", "2027-01-01", "maybe", ""],
            ["P6", "C6", "M", "1950-01-01", "suspect", "177.2", "", "", "2024-05-05", "", "", "", ""],
            ["P7"] + GOOD[1:]]
    rows[-1][1] = "C7"
    reg = write_csv(tmp_path / "reg.csv", rows)
    res = run("apply", "--act", "az-2025", "--registry", reg, "--out", tmp_path / "out")
    assert res.exit_code == 0, res.output
    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["rows"] == {"in": 7, "decided": 2, "rejected": 5, "findings": 6}
    assert manifest["engine"] == "duckdb" and len(manifest["registry_hash"]) == 64
    findings = list(csv.DictReader(open(out / "findings.csv")))
    got = {(f["row"], f["field"], f["value"]) for f in findings}
    # a duplicated case_id leaves both rows undecided, whichever comes first (order-independent)
    assert got == {("1", "case_id", "C1"), ("2", "sex", "X"), ("3", "birth_date", "1980-02-30"),
                   ("4", "case_id", "C1"), ("5", "punishment", "prison"), ("5", "war_participant", "maybe")}
    assert all(f["expected"] for f in findings)
    decisions = list(csv.DictReader(open(out / "decisions.csv")))
    assert {d["case_id"]: d["relief"] for d in decisions} == {
        "C7": "release_from_imprisonment", "C6": "release_from_criminal_liability"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["rows"] == 2 and summary["by_relief"]["release_from_imprisonment"]["persons"] == 1
    assert (out / "decisions.parquet").exists()


def test_apply_unreadable_file_and_missing_column(tmp_path):
    res = CliRunner().invoke(main, ["apply", "--act", "az-2025", "--registry", str(tmp_path / "none.csv"),
                                    "--out", str(tmp_path / "o")])
    assert res.exit_code == 1 and "no such file" in res.output
    reg = write_csv(tmp_path / "reg.csv", [[v for h, v in zip(HEADER, GOOD) if h != "articles"]],
                    header=[h for h in HEADER if h != "articles"])
    res = CliRunner().invoke(main, ["apply", "--act", "az-2025", "--registry", str(reg), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1 and "missing required column(s) articles" in res.output
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"this is not parquet")
    res = CliRunner().invoke(main, ["apply", "--act", "az-2025", "--registry", str(junk), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1 and "cannot read the file" in res.output


def _act_with(tmp_path, old, new):
    text = (ACTS_DIR / "az-2025.yaml").read_text()
    assert old in text
    path = tmp_path / "act.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


def test_act_file_with_a_typo_in_a_field_name(tmp_path):
    act = _act_with(tmp_path, "    relief: release_from_imprisonment\n    text: women",
                    "    releif: release_from_imprisonment\n    text: women")
    res = CliRunner().invoke(main, ["check", "--act", str(act), "--json", "-"], input="{}")
    assert res.exit_code == 1
    assert "clause A7, field 'releif'" in res.output and "did you mean 'relief'" in res.output
    assert f"{act}:" in res.output


def test_act_file_with_a_malformed_condition(tmp_path):
    act = _act_with(tmp_path, "test: disability_percent >= 61", "test: disability_percent >= ")
    res = CliRunner().invoke(main, ["check", "--act", str(act), "--json", "-"], input="{}")
    assert res.exit_code == 1 and "clause A10" in res.output and "malformed condition" in res.output


def test_synth_refuses_an_oversize_xlsx(tmp_path):
    res = CliRunner().invoke(main, ["synth", "--rows", "2000000", "--out", str(tmp_path / "r.xlsx")])
    assert res.exit_code in (1, 2) and "1,048,575" in res.output.replace("1048575", "1,048,575")
    assert not (tmp_path / "r.xlsx").exists()


def test_synth_then_apply_on_the_reference_engine_agrees_with_duckdb(tmp_path):
    reg = tmp_path / "reg.csv"
    assert run("synth", "--rows", 400, "--out", reg, "--seed", 3).exit_code == 0
    for engine in ("duckdb", "reference"):
        res = run("apply", "--act", "az-2025", "--registry", reg, "--out", tmp_path / engine, "--engine", engine)
        assert res.exit_code == 0, res.output
    a = list(csv.DictReader(open(tmp_path / "duckdb" / "decisions.csv")))
    b = list(csv.DictReader(open(tmp_path / "reference" / "decisions.csv")))
    decided = json.loads((tmp_path / "duckdb" / "manifest.json").read_text())["rows"]["decided"]
    assert len(a) == decided >= 390 and a == b


def test_apply_with_code_overrides_and_xlsx(tmp_path):
    reg = write_csv(tmp_path / "reg.csv", [dict(zip(HEADER, GOOD), sex="M", articles="999.1").values()])
    overrides = tmp_path / "code.csv"
    overrides.write_text("article,category,negligent\n999.1,not_great_danger,\n")
    res = run("apply", "--act", "az-2025", "--registry", reg, "--out", tmp_path / "o", "--xlsx",
              "--code-overrides", overrides)
    assert res.exit_code == 0, res.output
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert "+overrides-" in manifest["code_version"] and "999.1" in manifest["code_overrides"]
    import openpyxl
    ws = openpyxl.load_workbook(tmp_path / "o" / "decisions.xlsx").active
    rows = list(ws.values)
    assert rows[1][rows[0].index("clause")] == "B1"   # the override made 999.1 not posing great danger


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx"])
def test_results_on_a_synthetic_registry_say_so(tmp_path, suffix):
    reg = tmp_path / f"registry{suffix}"
    assert run("synth", "--rows", 50, "--out", reg).exit_code == 0
    res = run("apply", "--act", "az-2025", "--registry", reg, "--out", tmp_path / "o")
    assert "This registry is synthetic" in res.output
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert manifest["synthetic"] is True and "calibration" in summary["note"]


# --- bad usage: exit 2 with a message, never a traceback ---------------------------------------------------

BAD_DATES = [("--on", "19.12.2025", "not a date written YYYY-MM-DD"),
             ("--on", "2026-02-30", "February 2026 has 28 days"),
             ("--on", "20251219", "not a date written YYYY-MM-DD"),
             ("--on", "0001-01-01", "outside the years"),
             ("--reading", "eif=9999-12-31", "outside the years"),
             ("--reading", "eif=2025-13-01", "the month must be 01 to 12"),
             ("--reading", "eif=19.12.2025", "not a date written YYYY-MM-DD"),
             ("--reading", "nosuch=1", "valid readings"),
             ("--reading", "b2=sometimes", "valid values: inclusive, exclusive")]


def _commands(tmp_path):
    reg = write_csv(tmp_path / "reg.csv", [GOOD])
    record = tmp_path / "rec.json"
    record.write_text(json.dumps(dict(zip(HEADER, GOOD))))
    lst = Path(__file__).parent / "fixtures" / "monitor" / "e2e" / "list_2025-12-01.csv"
    out = tmp_path / "out"
    return {"check": ["check", "--act", "az-2025", "--json", record],
            "apply": ["apply", "--act", "az-2025", "--registry", reg, "--out", out],
            "compare": ["compare", "--registry", reg, "--base", "az-2025", "--alt", "az-2025", "--out", out],
            "attribution": ["attribution", "--registry", reg, "--out", out],
            "timeline": ["timeline", "--act", "az-2025", "--registry", reg, "--out", out],
            "bounds": ["bounds", "--registry", reg, "--out", out],
            "monitor why": ["monitor", "why", "--list", lst, "--act", "az-2025", "--out", out]}


@pytest.mark.parametrize("option, value, message", BAD_DATES)
def test_bad_dates_and_readings_are_bad_usage_on_every_command(tmp_path, option, value, message):
    for name, args in _commands(tmp_path).items():
        if option == "--on" and name in ("timeline", "bounds"):
            continue                                  # these decide over the whole window: no --on
        if name == "compare" and option == "--reading":
            option_here = "--alt-reading"
        else:
            option_here = option
        res = CliRunner().invoke(main, [str(a) for a in args] + [option_here, value])
        assert res.exit_code == 2, (name, res.output)
        assert message in res.output, (name, res.output)
        assert "Traceback" not in res.output and not isinstance(res.exception, (ValueError, OverflowError))
        assert not (tmp_path / "out").exists()


def test_timeline_start_dates_and_monitor_dates_are_validated(tmp_path):
    reg = write_csv(tmp_path / "reg.csv", [GOOD])
    res = CliRunner().invoke(main, ["timeline", "--act", "az-2025", "--registry", str(reg), "--out",
                                    str(tmp_path / "o"), "--start", "courts=2026-02-30"])
    assert res.exit_code == 2 and "February 2026 has 28 days" in res.output
    lst = Path(__file__).parent / "fixtures" / "monitor" / "e2e" / "list_2025-12-01.csv"
    res = CliRunner().invoke(main, ["monitor", "report", "--list", str(lst), "--act", "az-2025", "--out",
                                    str(tmp_path / "o"), "--list-date", "1.12.2025"])
    assert res.exit_code == 2 and "YYYY-MM-DD" in res.output


@pytest.mark.parametrize("on, side", [("2027-01-01", "after the implementation window closed"),
                                      ("2025-01-01", "before the entry into force")])
def test_a_decision_date_outside_the_window_warns_and_says_the_window(tmp_path, on, side):
    reg = write_csv(tmp_path / "reg.csv", [GOOD])
    res = run("apply", "--act", "az-2025", "--registry", reg, "--out", tmp_path / "o", "--on", on)
    assert res.exit_code == 0
    assert "warning:" in res.output and side in res.output and "2025-12-19 to 2026-04-19" in res.output
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert any("2025-12-19 to 2026-04-19" in w for w in manifest["warnings"])
    res = run("check", "--act", "az-2025", "--json", "-", "--on", on, input=json.dumps(dict(zip(HEADER, GOOD))))
    assert res.exit_code == 0 and "2025-12-19 to 2026-04-19" in res.output
    lst = Path(__file__).parent / "fixtures" / "monitor" / "e2e" / "list_2025-12-01.csv"
    res = run("monitor", "why", "--list", lst, "--act", "az-2025", "--out", tmp_path / "w", "--on", on)
    assert res.exit_code == 0 and side in res.output and "2025-12-19 to 2026-04-19" in res.output
    inside = run("apply", "--act", "az-2025", "--registry", reg, "--out", tmp_path / "o2", "--on", "2026-01-10")
    assert "warning" not in inside.output


def test_the_manifest_records_the_environment_and_every_file(tmp_path):
    reg = write_csv(tmp_path / "reg.csv", [GOOD])
    assert run("apply", "--act", "az-2025", "--registry", reg, "--out", tmp_path / "o", "--xlsx").exit_code == 0
    import duckdb
    import pyarrow
    m = json.loads((tmp_path / "o" / "manifest.json").read_text())
    env = m["environment"]
    assert env["duckdb"] == duckdb.__version__ and env["pyarrow"] == pyarrow.__version__
    assert env["python"].count(".") == 2 and env["clemency"]
    assert set(m["files"]) == {"decisions.parquet", "decisions.csv", "decisions.xlsx", "findings.csv", "summary.json"}
    import hashlib
    for name, info in m["files"].items():
        assert hashlib.sha256((tmp_path / "o" / name).read_bytes()).hexdigest() == info["sha256"]
    assert m["files"]["decisions.xlsx"]["rows"] == 1 and m["files"]["decisions.csv"]["rows"] == 1


def test_the_lock_pins_every_dependency_of_every_extra():
    import re
    import tomllib
    root = Path(__file__).parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for deps in project["optional-dependencies"].values():
        wanted += [d for d in deps if not d.startswith("clemency")]
    lock = (root / "requirements.lock").read_text()
    pinned = {m[0].lower().replace("_", "-"): m[1] for m in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", lock, re.M)}
    for dep in wanted:
        name = re.match(r"[A-Za-z0-9_.-]+", dep)[0].lower().replace("_", "-")
        assert name in pinned, f"{name} is in pyproject.toml but not in requirements.lock: run make lock"
    lines = lock.splitlines()
    pins = [i for i, line in enumerate(lines) if re.match(r"^[A-Za-z0-9_.-]+==", line)]
    assert pins and all("--hash=sha256:" in lines[i + 1] for i in pins)
    import duckdb
    assert pinned["duckdb"] == duckdb.__version__, "the environment is not the locked one"
