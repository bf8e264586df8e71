"""No CSV or XLSX cell Clemency writes is a formula: a registry and a list full of formula-like values go
through every command that writes files, and every cell of every CSV and XLSX that comes out is inert."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from clemency.cli import main
from clemency.outdir import NUMBER

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")
HOSTILE = ["=HYPERLINK(\"http://example.invalid\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "=1+1"]
LIST = Path(__file__).parent / "fixtures" / "monitor" / "e2e" / "list_2025-12-01.csv"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def live_cells(folder: Path):
    """(file, cell) for every cell a spreadsheet would evaluate, in every CSV and XLSX under `folder`."""
    import openpyxl
    for p in sorted(folder.rglob("*")):
        if p.suffix == ".csv":
            with open(p, newline="", encoding="utf-8") as f:
                for row in csv.reader(f):
                    for c in row:
                        if c.startswith(DANGEROUS) and not NUMBER.match(c):
                            yield p.name, c
        elif p.suffix == ".xlsx":
            wb = openpyxl.load_workbook(p)
            for ws in wb.worksheets:
                for row in ws.iter_rows():
                    for cell in row:
                        v = cell.value
                        if cell.data_type == "f" or (isinstance(v, str) and v.startswith(DANGEROUS)):
                            yield p.name, v


@pytest.fixture(scope="module")
def hostile_registry(tmp_path_factory):
    """A synthetic registry whose ids, notes and an extra column (with a formula for a name) are formulas,
    plus a row with a formula where a category is expected (so that it lands in findings.csv)."""
    return _hostile(tmp_path_factory.mktemp("hostile"), evil_column=True)


@pytest.fixture(scope="module")
def hostile_values(tmp_path_factory):
    """The same, without the column whose name is a formula."""
    return _hostile(tmp_path_factory.mktemp("hostile"), evil_column=False)


def _hostile(d: Path, evil_column: bool) -> Path:
    plain = d / "plain.csv"
    assert run("synth", "--rows", 600, "--out", plain, "--seed", 11).exit_code == 0
    with open(plain, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for i, r in enumerate(rows):
        h = HOSTILE[i % len(HOSTILE)]
        r["person_id"] = f"{h}{r['person_id']}"
        r["case_id"] = f"{HOSTILE[(i + 1) % len(HOSTILE)]}{r['case_id']}"
        r["notes"] = h
        if evil_column:
            r["=evil()"] = h
        r["institution"] = "@" + (r.get("institution") or "x")
    rows[0]["sex"] = "=1+1"
    path = d / "registry.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def test_apply_writes_no_formula_in_csv_or_xlsx(tmp_path, hostile_registry):
    out = tmp_path / "run"
    res = run("apply", "--act", "az-2025", "--registry", hostile_registry, "--out", out, "--xlsx")
    assert res.exit_code == 0, res.output
    assert list(live_cells(out)) == []
    with open(out / "decisions.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert all(r["evil"] in [f"'{h}" for h in HOSTILE] for r in rows)   # renamed to a plain name, values inert
    assert any(r["person_id"].startswith("'=HYPERLINK(") for r in rows)
    assert any(r["input_notes"] == "'-2+3" for r in rows)   # the registry's notes (renamed: the engine writes `notes`)
    with open(out / "findings.csv", newline="", encoding="utf-8") as f:
        findings = list(csv.DictReader(f))
    assert any(r["field"] == "sex" and r["value"] == "'=1+1" for r in findings)
    import openpyxl
    ws = openpyxl.load_workbook(out / "decisions.xlsx").active
    values = [c.value for row in ws.iter_rows(max_row=5) for c in row]
    assert "evil" in values and any(isinstance(v, str) and v.startswith("'") for v in values[1:])
    assert "'=evil()" in res.output or "=evil()" in res.output    # the renaming is said


def test_compare_timeline_and_attribution_write_no_formula(tmp_path, hostile_values):
    hostile_registry = hostile_values
    cmp_out = tmp_path / "cmp"
    res = run("compare", "--registry", hostile_registry, "--base", "az-2025", "--alt", "az-2025",
              "--alt-reading", "chapeau=a1-a6", "--alt-reading", "f3=none", "--out", cmp_out)
    assert res.exit_code == 0, res.output
    with open(cmp_out / "flips.csv", newline="", encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) > 0, "the readings chosen must flip someone for this test to bite"
    tl = tmp_path / "tl"
    assert run("timeline", "--act", "az-2025", "--registry", hostile_registry, "--out", tl).exit_code == 0
    attr = tmp_path / "attr"
    assert run("attribution", "--registry", hostile_registry, "--out", attr).exit_code == 0
    for folder in (cmp_out, tl, attr):
        assert list(live_cells(folder)) == [], folder.name


def test_monitor_and_match_write_no_formula(tmp_path):
    with open(LIST, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for i, r in enumerate(rows):
        r["full_name"] = HOSTILE[i % len(HOSTILE)] + r["full_name"]
        r["id"] = HOSTILE[(i + 2) % len(HOSTILE)] + r["id"]
        r["group"] = "@" + r["group"]
    hostile = tmp_path / "list_2025-12-01.csv"
    with open(hostile, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    why = tmp_path / "why"
    res = run("monitor", "why", "--list", hostile, "--act", "az-2025", "--out", why)
    assert res.exit_code == 0, res.output
    assert list(live_cells(why)) == []
    with open(why / "why.csv", newline="", encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    assert len(got) == len(rows) and all(r["full_name"].startswith("'") for r in got)
    pairs = tmp_path / "m" / "pairs.csv"
    assert run("match", "--left", hostile, "--right", hostile, "--out", pairs).exit_code == 0
    assert list(live_cells(pairs.parent)) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=6), min_size=1, max_size=20))
def test_the_sql_rule_is_the_python_rule(values):
    import duckdb

    from clemency.report.cells import neutralise, neutralise_sql
    from clemency.report.tables import inert_sql
    values = [v.replace("\x00", "") for v in values]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, x VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    fast = [r[0] for r in con.execute(f"SELECT {inert_sql('x')} FROM t ORDER BY i").fetchall()]
    regexp = [r[0] for r in con.execute(f"SELECT {neutralise_sql('x')} FROM t ORDER BY i").fetchall()]
    assert fast == regexp == [neutralise(v) for v in values]
