"""The registry import: every kind of bad input gives its exact finding; counts in = counts out."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from clemency.errors import ClemencyError, InputError
from clemency.registry import FIELDS, Field, load_records, load_registry, write_findings_csv

GOOD = {"person_id": "P1", "case_id": "C1", "sex": "M", "birth_date": "1980-05-01", "status": "convicted",
        "articles": "177.2", "punishment": "imprisonment", "term_months": "24",
        "sentence_start": "2024-06-01", "sentence_end": "2026-06-01"}


def write_csv(path: Path, rows: list[dict]) -> Path:
    cols: list[str] = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, cols)
        w.writeheader()
        w.writerows(rows)
    return path


def load(tmp_path: Path, rows: list[dict], **kw):
    con = duckdb.connect()
    res = load_registry(write_csv(tmp_path / "r.csv", rows), con, **kw)
    findings = con.execute("SELECT row, field, value, expected FROM findings ORDER BY row, field").fetchall()
    return con, res, findings


def row(**kw) -> dict:
    r = dict(GOOD)
    r.update(kw)
    return r


def test_clean_row_is_typed(tmp_path):
    con, res, findings = load(tmp_path, [row(articles=" 206.3.2 ; 193-1.3.1 ;", case_id="")])
    assert findings == [] and (res.rows_in, res.rows_ok, res.rows_rejected) == (1, 1, 0)
    r = con.execute("SELECT case_id, articles, birth_date, term_months, war_participant, disability_percent, "
                    "recidivism, crime_category, negligent, _row FROM registry").fetchall()[0]
    assert r == ("P1", "206.3.2;193-1.3.1", dt.date(1980, 5, 1), 24.0, False, 0, "none", None, None, 1)
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                             "WHERE table_name = 'registry'").fetchall())
    for f in FIELDS.values():
        assert types[f.name] == f.sql_type
    assert types["_row"] == "BIGINT"


@pytest.mark.parametrize("override, finding", [
    ({"person_id": ""}, ("person_id", "", "required: a value")),
    ({"sex": ""}, ("sex", "", "required: one of M, F")),
    ({"sex": "X"}, ("sex", "X", "one of M, F")),
    ({"status": "free"}, ("status", "free", "one of convicted, suspect, accused")),
    ({"articles": ""}, ("articles", "", "required: article parts like 206.3.2;193-1.3.1")),
    ({"articles": "177.2;abc;12..3"}, ("articles", "177.2;abc;12..3",
                                       "article parts like 206.3.2 or 193-1.3.1, not: abc 12..3")),
    ({"punishment": ""}, ("punishment", "", "required: " + FIELDS["punishment"].expected)),
    ({"punishment": "exile"}, ("punishment", "exile", FIELDS["punishment"].expected)),
    ({"sentence_end": ""}, ("sentence_end", "", "required: a date YYYY-MM-DD")),
    ({"sentence_end": "2025-02-30"}, ("sentence_end", "2025-02-30", "a date YYYY-MM-DD")),
    ({"birth_date": "01.05.1980"}, ("birth_date", "01.05.1980", "a date YYYY-MM-DD")),
    ({"offense_date": "2023-13-01"}, ("offense_date", "2023-13-01", "a date YYYY-MM-DD")),
    ({"war_participant": "maybe"}, ("war_participant", "maybe", "true/false, 1/0, yes/no or unknown")),
    ({"negligent": "2"}, ("negligent", "2", "true/false, 1/0, yes/no or unknown")),
    ({"disability_percent": "101"}, ("disability_percent", "101", "an integer 0-100")),
    ({"disability_percent": "-1"}, ("disability_percent", "-1", "an integer 0-100")),
    ({"disability_percent": "50.5"}, ("disability_percent", "50.5", "an integer 0-100")),
    ({"term_months": "-3"}, ("term_months", "-3", "a number >= 0")),
    ({"term_months": "ten"}, ("term_months", "ten", "a number >= 0")),
    ({"recidivism": "often"}, ("recidivism", "often", "one of none, repeat, dangerous, especially_dangerous")),
    ({"crime_category": "petty"}, ("crime_category", "petty", FIELDS["crime_category"].expected)),
])
def test_each_bad_field_is_a_finding(tmp_path, override, finding):
    rows = [row(), row(**{"person_id": "P2", "case_id": "C2", **override}), row(person_id="P3", case_id="C3")]
    con, res, findings = load(tmp_path, rows)
    assert findings == [(2, *finding)]
    assert (res.rows_in, res.rows_ok, res.rows_rejected, res.n_findings) == (3, 2, 1, 1)
    assert con.execute("SELECT list(_row ORDER BY _row) FROM registry").fetchall()[0][0] == [1, 3]


def test_conditional_requirements(tmp_path):
    rows = [row(status="suspect", punishment="", sentence_end=""),            # pending: no punishment needed
            row(case_id="C2", punishment="fine", sentence_end=""),            # fine: no sentence_end needed
            row(case_id="C3", punishment="restriction_of_liberty", sentence_end="")]
    _, res, findings = load(tmp_path, rows)
    assert findings == [(3, "sentence_end", "", "required: a date YYYY-MM-DD")]
    assert res.rows_ok == 2


def test_several_findings_in_one_row(tmp_path):
    _, res, findings = load(tmp_path, [row(sex="?", birth_date="1980-02-30", disability_percent="x")])
    assert [f[1] for f in findings] == ["birth_date", "disability_percent", "sex"]
    assert (res.rows_rejected, res.n_findings, res.rows_ok) == (1, 3, 0)


DUP = "a case_id that only one row has ({} rows have this one, so none of them is decided)"


def test_duplicate_case_id_rejects_every_row_of_it(tmp_path):
    # which of two rows with one case_id is right cannot be told, and keeping the first would make the
    # result depend on row order: every row of a duplicated case_id is a finding
    _, res, findings = load(tmp_path, [row(), row(person_id="P2"), row(person_id="P3", case_id="C3"),
                                       row(person_id="P4")])
    assert findings == [(1, "case_id", "C1", DUP.format(3)), (2, "case_id", "C1", DUP.format(3)),
                        (4, "case_id", "C1", DUP.format(3))]
    assert (res.rows_ok, res.rows_rejected) == (1, 3)


def test_empty_case_id_is_person_id_and_can_collide(tmp_path):
    _, _, findings = load(tmp_path, [row(case_id=""), row(case_id="")])
    assert findings == [(1, "case_id", "P1", DUP.format(2)), (2, "case_id", "P1", DUP.format(2))]


def test_one_person_disagreeing_on_sex_or_birth_date(tmp_path):
    # every row of the person is a finding, naming the conflict (never "as in row 1": order must not matter)
    rows = [row(), row(case_id="C2", sex="F"), row(case_id="C3", birth_date="1981-05-01"),
            row(case_id="C4", birth_date=""), row(case_id="C5"),
            row(person_id="P2", case_id="C6", sex="F"), row(person_id="P2", case_id="C7", sex="F")]
    _, res, findings = load(tmp_path, rows)
    sex = "one sex in every row of this person_id (its rows give F and M)"
    birth = "one birth_date in every row of this person_id (its rows give 1980-05-01 and 1981-05-01)"
    assert [f for f in findings if f[1] == "sex"] == [(i, "sex", v, sex) for i, v in
                                                       [(1, "M"), (2, "F"), (3, "M"), (4, "M"), (5, "M")]]
    assert [f for f in findings if f[1] == "birth_date"] == [
        (1, "birth_date", "1980-05-01", birth), (2, "birth_date", "1980-05-01", birth),
        (3, "birth_date", "1981-05-01", birth), (4, "birth_date", "", birth), (5, "birth_date", "1980-05-01", birth)]
    assert (res.rows_ok, res.rows_rejected) == (2, 5)


def test_booleans_and_unknown(tmp_path):
    rows = [row(case_id=f"C{i}", war_participant=v, negligent=v) for i, v in
            enumerate(["true", "FALSE", "1", "0", "Yes", "no", "unknown", "UNKNOWN", ""])]
    con, res, findings = load(tmp_path, rows)
    assert findings == [] and res.rows_ok == 9
    got = con.execute("SELECT war_participant, negligent FROM registry ORDER BY _row").fetchall()
    assert [g[0] for g in got] == [True, False, True, False, True, False, None, None, False]
    assert [g[1] for g in got] == [True, False, True, False, True, False, None, None, None]


def test_passthrough_extra_column_and_act_field(tmp_path):
    rows = [row(region="Gəncə", Score="7", ABROAD_DAYS="12"), row(case_id="C2", region="", ABROAD_DAYS="x")]
    con, res, findings = load(tmp_path, rows, extra_fields=[Field("abroad_days", "int", 0)])
    assert findings == [(2, "abroad_days", "x", "an integer")]
    assert con.execute("SELECT region, Score, abroad_days FROM registry").fetchall() == [("Gəncə", "7", 12)]
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                             "WHERE table_name = 'registry'").fetchall())
    assert types["region"] == "VARCHAR" and types["abroad_days"] == "INTEGER"
    assert "region" in res.columns


def test_case_insensitive_headers(tmp_path):
    r = {k.upper(): v for k, v in GOOD.items()}
    con, _res, findings = load(tmp_path, [r])
    assert findings == [] and con.execute("SELECT person_id FROM registry").fetchall() == [("P1",)]


def test_missing_required_column(tmp_path):
    r = dict(GOOD)
    del r["sex"], r["articles"]
    with pytest.raises(InputError) as e:
        load(tmp_path, [r])
    msg = str(e.value)
    assert "r.csv" in msg and "sex, articles" in msg and "person_id" in msg and "columns present" in msg


@pytest.mark.parametrize("name, content", [("bad.xlsx", b"not a zip"), ("bad.parquet", b"PAR1 nope"),
                                           ("bad.txt", b"a,b\n")])
def test_unreadable_or_unsupported_file(tmp_path, name, content):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(InputError) as e:
        load_registry(p, duckdb.connect())
    assert name in str(e.value)
    assert isinstance(e.value, ClemencyError)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="nope.csv"):
        load_registry(tmp_path / "nope.csv", duckdb.connect())


def test_same_table_from_csv_parquet_xlsx(tmp_path):
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [row(), row(case_id="C2", person_id="P2", sex="F", war_participant="unknown", articles="206.3.2;177.1",
                    extra="x"),
            row(case_id="C3", person_id="P3", status="accused", punishment="", sentence_end="", term_months="",
                disability_percent="70", extra="")]
    write_csv(tmp_path / "r.csv", rows)
    cols = list(dict.fromkeys(k for r in rows for k in r))
    table = pa.table({c: [r.get(c) or None for r in rows] for c in cols})
    # Parquet with real DATE and integer columns, as another tool would write it
    typed = table.set_column(cols.index("birth_date"), "birth_date",
                             pa.array([dt.date(1980, 5, 1)] * 3, pa.date32()))
    typed = typed.set_column(cols.index("disability_percent"), "disability_percent",
                             pa.array([None, None, 70], pa.int64()))
    pq.write_table(typed, tmp_path / "r.parquet")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(cols)
    for r in rows:
        cells = [r.get(c) or None for c in cols]
        cells[cols.index("birth_date")] = dt.datetime(1980, 5, 1)
        cells[cols.index("term_months")] = int(r["term_months"]) if r.get("term_months") else None
        ws.append(cells)
    wb.save(tmp_path / "r.xlsx")
    got = []
    for ext in ("csv", "parquet", "xlsx"):
        con = duckdb.connect()
        res = load_registry(tmp_path / f"r.{ext}", con)
        assert (res.rows_in, res.rows_ok, res.n_findings) == (3, 3, 0), ext
        got.append(con.execute("SELECT * FROM registry ORDER BY _row").fetchall())
    assert got[0] == got[1] == got[2]


def test_json_records_with_articles_list():
    con = duckdb.connect()
    rec = {"person_id": "J1", "sex": "F", "status": "convicted", "articles": ["206.3.2", " 193-1.3.1"],
           "punishment": "imprisonment", "sentence_end": "2026-03-01", "war_participant": True,
           "disability_percent": 65, "term_months": 36.0, "idp": "unknown"}
    res = load_records([rec], con)
    assert (res.rows_in, res.rows_ok, res.n_findings, res.path) == (1, 1, 0, "<records>")
    got = con.execute("SELECT case_id, articles, war_participant, disability_percent, term_months, idp "
                      "FROM registry").fetchall()
    assert got == [("J1", "206.3.2;193-1.3.1", True, 65, 36.0, None)]
    res = load_records({"person_id": "J2", "status": "suspect", "articles": "177.1"}, con)
    assert res.rows_ok == 0
    assert con.execute("SELECT field, expected FROM findings").fetchall() == [("sex", "required: one of M, F")]


def test_findings_csv_and_hash(tmp_path):
    con, res, _ = load(tmp_path, [row(), row(sex="Z", case_id="C2")])
    out = tmp_path / "findings.csv"
    write_findings_csv(con, out)
    lines = out.read_text().splitlines()
    assert lines == ["row,case_id,field,value,expected", "2,C2,sex,Z,\"one of M, F\""]
    import hashlib
    assert res.registry_hash == hashlib.sha256((tmp_path / "r.csv").read_bytes()).hexdigest()


def test_table_names_are_parameters(tmp_path):
    con = duckdb.connect()
    load_registry(write_csv(tmp_path / "r.csv", [row(), row(sex="")]), con, table="reg2", findings_table="f2")
    assert con.execute("SELECT count(*) FROM reg2").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM f2").fetchall() == [(3,)]  # a bad sex and two rows of one case_id


@pytest.mark.parametrize("kind", ["csv", "parquet", "long-header"])
def test_a_registry_of_a_great_many_columns_is_refused_before_it_is_read(tmp_path, kind):
    """Every command reads the registry through the same reader: a file of more columns than any registry
    needs (or a header line that never ends) is refused from its header or footer, in plain words, before
    DuckDB reads it (a 2 MB CSV of 180,000 columns kept a run busy for minutes)."""
    import time

    import pyarrow as pa
    import pyarrow.parquet as pq

    from clemency.registry.read import HEADER_BYTES, MAX_COLUMNS
    cols = ["person_id", "case_id", "sex", "status", "articles"] + [f"x{i}" for i in range(MAX_COLUMNS)]
    if kind == "csv":
        path = tmp_path / "wide.csv"
        path.write_text(",".join(cols) + "\n" + ",".join("1" for _ in cols) + "\n")
    elif kind == "parquet":
        path = tmp_path / "wide.parquet"
        pq.write_table(pa.table({c: ["1"] for c in cols}), path)
    else:
        path = tmp_path / "long.csv"
        path.write_text("person_id," + "y" * HEADER_BYTES + "\n1,2\n")
    t = time.perf_counter()
    with pytest.raises(InputError) as info:
        load_registry(path, duckdb.connect())
    assert time.perf_counter() - t < 5
    text = str(info.value)
    assert path.name in text and ("columns, more than the 2,000 allowed" in text or "longer than 1,024 KiB" in text)


def test_a_registry_of_many_but_allowed_columns_is_read(tmp_path):
    from clemency.registry.read import MAX_COLUMNS
    cols = ["person_id", "case_id", "sex", "status", "articles"] + [f"x{i}" for i in range(MAX_COLUMNS - 5)]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(cols) + "\n" + ",".join("1" for _ in cols) + "\n")
    loaded = load_registry(path, duckdb.connect())
    assert loaded.rows_in == 1 and len(loaded.columns) == MAX_COLUMNS
