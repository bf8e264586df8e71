"""Plausibility checks, order independence and foreign convictions.

A record whose dates or numbers cannot all be true is a finding naming the field, the value, what was
expected and the field it contradicts, and it is not decided. Rows of one person that disagree on sex or
birth date are all findings. Shuffling a registry changes no decision and no finding."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clemency.apply import Context, _columns, _passthrough, _register_lookup
from clemency.engines.duckdb import DuckDBEngine
from clemency.errors import InputError
from clemency.explain import decide_records
from clemency.registry import load_records, load_registry
from clemency.registry.plausible import END_TOLERANCE_DAYS, check_record
from clemency.registry.schema import MAX_AGE, MIN_AGE_CRIMINAL_RESPONSIBILITY

AS_OF = dt.date(2026, 1, 15)
GOOD = {"person_id": "P1", "case_id": "C1", "sex": "M", "birth_date": "1980-05-01", "status": "convicted",
        "articles": "177.2", "punishment": "imprisonment", "term_months": "24", "offense_date": "2023-10-01",
        "sentence_start": "2024-06-01", "sentence_end": "2026-06-01"}


def findings_of(**override) -> list[tuple]:
    rec = dict(GOOD, **override)
    rec = {k: v for k, v in rec.items() if v is not None}
    con = duckdb.connect()
    res = load_records([rec], con, as_of=AS_OF)
    got = con.execute("SELECT field, value, expected FROM findings ORDER BY field, expected").fetchall()
    assert res.rows_ok + res.rows_rejected == 1
    assert res.rows_ok == (0 if got else 1)
    # the single-record twin of the SQL checks agrees on every implausibility
    typed = {k: (dt.date.fromisoformat(v) if k in ("birth_date", "offense_date", "sentence_start", "sentence_end")
                 else float(v) if k == "term_months" else v) for k, v in rec.items()}
    assert sorted(check_record(typed, AS_OF), key=lambda f: (f[0], f[2])) == [g for g in got if not g[2].startswith("required")]
    return got


def test_a_plausible_record_is_decided():
    assert findings_of() == []


@pytest.mark.parametrize("override, field, words", [
    # a typo for 1984 written 2024: born after the offence and after the sentence began
    ({"birth_date": "2024-01-01"}, "birth_date", ["on or before offense_date (2023-10-01)"]),
    ({"offense_date": "2024-07-01"}, "offense_date", ["on or before sentence_start (2024-06-01)"]),
    ({"sentence_end": "2024-05-31"}, "sentence_end", ["on or after sentence_start (2024-06-01)"]),
    # term_months 24 while start and end are 72 months apart
    ({"sentence_end": "2030-06-01"}, "sentence_end", ["sentence_start + term_months", "2026-06-04"]),
    ({"birth_date": "1900-01-01"}, "birth_date", [f"at most {MAX_AGE} years old", "2026-01-15"]),
    ({"birth_date": "2010-01-01"}, "birth_date", [f"at least {MIN_AGE_CRIMINAL_RESPONSIBILITY} years old",
                                                  "offense_date (2023-10-01)"]),
    ({"birth_date": "2011-01-01", "offense_date": None}, "birth_date",
     ["at least 14 years old", "sentence_start (2024-06-01), which the offence preceded"]),
    ({"term_months": "5000", "sentence_end": "2026-06-01"}, "term_months", ["at most 1200 months"]),
])
def test_each_implausible_record_is_a_finding(override, field, words):
    got = findings_of(**override)
    mine = [g for g in got if g[0] == field]
    assert mine, got
    for w in words:
        assert any(w in g[2] for g in mine), (w, mine)


@pytest.mark.parametrize("field", ["birth_date", "offense_date", "sentence_start"])
def test_dates_after_the_as_of_date(field):
    override = {"birth_date": "1980-05-01", "offense_date": "2023-10-01", "sentence_start": "2024-06-01"}
    override[field] = "2026-01-16"
    if field != "sentence_start":
        override["sentence_start"] = "2026-01-16"
        override["sentence_end"] = "2027-01-16"
    got = findings_of(**override)
    assert (field, "2026-01-16", "a date not after the as-of date (2026-01-15)") in got


def test_the_end_tolerance_and_its_boundaries():
    # start + 24 months = 2026-06-01; the tolerance allows a few days of calendar rounding, no more
    limit = dt.date(2026, 6, 1) + dt.timedelta(days=END_TOLERANCE_DAYS)
    assert findings_of(sentence_end=limit.isoformat()) == []
    assert [g[0] for g in findings_of(sentence_end=(limit + dt.timedelta(days=1)).isoformat())] == ["sentence_end"]
    assert findings_of(sentence_end="2024-06-01") == []          # credit may make it as early as the start
    assert findings_of(sentence_end="2025-01-01") == []
    assert findings_of(term_months="23.5") == []                 # a fraction of a month counts as a month


def test_age_boundaries_at_the_offence():
    # 14th birthday on the offence day: old enough; the day before it: not
    assert findings_of(birth_date="2009-10-01") == []
    assert [g[0] for g in findings_of(birth_date="2009-10-02")] == ["birth_date"]
    # 29 February: the birthday falls on 1 March in other years
    assert [g[0] for g in findings_of(birth_date="2008-02-29", offense_date="2022-02-28")] == ["birth_date"]
    assert findings_of(birth_date="2008-02-29", offense_date="2022-03-01") == []


def test_age_limit_at_the_as_of_date():
    born = dt.date(AS_OF.year - MAX_AGE - 1, AS_OF.month, AS_OF.day + 1)   # 110 until tomorrow
    assert findings_of(birth_date=born.isoformat()) == []
    born = dt.date(AS_OF.year - MAX_AGE - 1, AS_OF.month, AS_OF.day)       # 111 today
    assert [g[0] for g in findings_of(birth_date=born.isoformat())] == ["birth_date"]


def test_unknown_dates_contradict_nothing():
    assert findings_of(birth_date=None, offense_date=None, sentence_start=None, term_months=None) == []


def test_as_of_defaults_to_today():
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    con = duckdb.connect()
    res = load_records([dict(GOOD, offense_date=tomorrow, sentence_start=None, sentence_end="2099-01-01")], con)
    assert res.as_of == dt.date.today() and res.rows_rejected == 1


# ---- foreign convictions ------------------------------------------------------------------------------------


def test_a_foreign_conviction_needs_its_category():
    got = findings_of(convicted_abroad="true")
    assert [g[0] for g in got] == ["crime_category"]
    assert "convicted_abroad" in got[0][2] and "not looked up" in got[0][2]
    assert findings_of(convicted_abroad="true", crime_category="less_serious") == []


def test_a_foreign_article_is_never_looked_up_in_the_azerbaijani_table():
    ctx = Context.make("az-2025")
    base = dict(GOOD, term_months="24", sentence_start="2024-09-10", sentence_end="2026-09-10",
                articles="244-1.1", offense_date="2024-01-01")
    home, abroad = decide_records(ctx, [dict(base, case_id="H"),
                                        dict(base, case_id="A", person_id="P2", convicted_abroad="true",
                                             crime_category="not_great_danger")])
    # at home 244-1.1 (organising gambling) is excluded by name; abroad the number means something else
    assert "F2" in (home["excluded_by"] or [])
    assert "F2" not in (abroad["excluded_by"] or []) and abroad["relief"] == "release_from_imprisonment"
    # a given category for a domestic row still disagrees with the table in the notes; abroad there is no table
    with pytest.raises(InputError, match="crime_category"):
        decide_records(ctx, [dict(base, convicted_abroad="true")])


# ---- order independence -------------------------------------------------------------------------------------

COLS = ["person_id", "case_id", "sex", "birth_date", "status", "articles", "punishment", "term_months",
        "offense_date", "sentence_start", "sentence_end", "war_participant"]
ARTICLES = ["177.2", "206.3.2", "234.1", "320.1", "122.1", "999.9"]


@st.composite
def registries(draw):
    rows = []
    n_people = draw(st.integers(1, 6))
    for p in range(n_people):
        sex = draw(st.sampled_from("MF"))
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=draw(st.integers(0, 18000)))
        for k in range(draw(st.integers(1, 3))):
            start = dt.date(2019, 1, 1) + dt.timedelta(days=draw(st.integers(0, 2400)))
            term = draw(st.sampled_from([6, 12, 24, 36, 60, 96]))
            end = start + dt.timedelta(days=term * 30 - draw(st.integers(0, 200)))
            offence = start - dt.timedelta(days=draw(st.integers(1, 400)))
            twist = draw(st.sampled_from(["none"] * 5 + ["sex", "birth", "dup", "implausible", "bad"]))
            row = {"person_id": f"P{p}", "case_id": f"P{p}-{k}", "sex": sex, "birth_date": birth.isoformat(),
                   "status": "convicted", "articles": draw(st.sampled_from(ARTICLES)), "punishment": "imprisonment",
                   "term_months": str(term), "offense_date": offence.isoformat(),
                   "sentence_start": start.isoformat(), "sentence_end": end.isoformat(),
                   "war_participant": draw(st.sampled_from(["false", "true", "unknown"]))}
            if twist == "sex":
                row["sex"] = "F" if sex == "M" else "M"
            elif twist == "birth":
                row["birth_date"] = (birth + dt.timedelta(days=1)).isoformat()
            elif twist == "dup" and rows:
                row["case_id"] = rows[-1]["case_id"]
            elif twist == "implausible":
                row["sentence_end"] = (start - dt.timedelta(days=5)).isoformat()
            elif twist == "bad":
                row["sex"] = "X"
            rows.append(row)
    order = draw(st.permutations(range(len(rows))))
    return rows, [rows[i] for i in order]


def _run(tmp: Path, rows: list[dict], ctx: Context):
    path = tmp / "r.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, COLS)
        w.writeheader()
        w.writerows(rows)
    con = duckdb.connect()
    res = load_registry(path, con, as_of=AS_OF)
    by_row = dict(con.execute("SELECT _row, case_id FROM registry").fetchall())
    findings = sorted(con.execute("SELECT case_id, field, value, expected FROM findings").fetchall(),
                      key=lambda f: tuple("" if x is None else str(x) for x in f))
    _register_lookup(con, ctx)
    cols = _columns(con)
    rel = DuckDBEngine().decide_relation(con, ctx.plan, ctx.on, cols, _passthrough(cols))
    names = [d[0] for d in rel.description]
    decisions = {}
    for values in rel.fetchall():
        d = dict(zip(names, values, strict=True))
        d.pop("_row")
        decisions[d["case_id"]] = d
    assert len(decisions) == res.rows_ok and set(by_row.values()) == set(decisions)
    return (res.rows_in, res.rows_ok, res.rows_rejected, res.n_findings), decisions, findings


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(registries())
def test_shuffling_a_registry_changes_no_decision_and_no_finding(tmp_path, data):
    ctx = _CTX
    rows, shuffled = data
    a = _run(tmp_path, rows, ctx)
    b = _run(tmp_path, shuffled, ctx)
    assert a == b


_CTX = Context.make("az-2025")


def test_a_person_conflict_makes_every_row_a_finding_in_any_order(tmp_path):
    rows = [dict(GOOD, case_id="C1"), dict(GOOD, case_id="C2", sex="F"), dict(GOOD, case_id="C3")]
    for order in ([0, 1, 2], [1, 0, 2], [2, 1, 0]):
        counts, decisions, findings = _run(tmp_path, [{k: r.get(k, "") for k in COLS} for r in
                                                      [rows[i] for i in order]], _CTX)
        assert counts[:3] == (3, 0, 3) and decisions == {}
        assert sorted(f[0] for f in findings) == ["C1", "C2", "C3"]


def test_csv_parquet_and_xlsx_go_through_the_same_checks(tmp_path):
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq
    rows = [dict(GOOD), dict(GOOD, case_id="C2", person_id="P2", birth_date="2024-01-01"),
            dict(GOOD, case_id="C3", person_id="P3", sentence_end="2030-06-01", full_name="NaN")]
    cols = list(dict.fromkeys(k for r in rows for k in r))
    with open(tmp_path / "r.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, cols)
        w.writeheader()
        w.writerows(rows)
    pq.write_table(pa.table({c: [r.get(c) for r in rows] for c in cols}), tmp_path / "r.parquet")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(cols)
    for r in rows:
        ws.append([r.get(c) for c in cols])
    wb.save(tmp_path / "r.xlsx")
    got = []
    for ext in ("csv", "parquet", "xlsx"):
        con = duckdb.connect()
        res = load_registry(tmp_path / f"r.{ext}", con, as_of=AS_OF)
        got.append(((res.rows_in, res.rows_ok, res.rows_rejected),
                    con.execute("SELECT row, field, value, expected FROM findings ORDER BY ALL").fetchall()))
    assert got[0] == got[1] == got[2]
    assert got[0][0] == (3, 1, 2)
    assert {(f[0], f[1]) for f in got[0][1]} == {(2, "birth_date"), (3, "sentence_end"), (3, "full_name")}
