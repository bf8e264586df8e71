"""One spelling of the registry's validation for DuckDB and Spark (clemency/registry/sql.py, plausible.py):
the Spark checks spell no rule of their own, literals and names survive both dialects, and on registries
with every kind of bad cell (tricky text in every field, NUL and undecodable bytes, repeated case_ids,
people whose rows disagree, implausible dates, typed Parquet columns) DuckDB's and Spark's findings are
identical row by row."""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import io
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from decisions_compare import bad_registry, differences, finding_differences, spark_missing

from clemency.apply import apply_act
from clemency.registry import plausible, spark_checks
from clemency.registry.schema import FIELDS
from clemency.registry.sql import DUCKDB, SPARK

GOOD = {"person_id": "P1", "case_id": "C1", "sex": "M", "birth_date": "1980-05-01", "status": "convicted",
        "articles": "177.2", "punishment": "imprisonment", "term_months": "24",
        "sentence_start": "2024-06-01", "sentence_end": "2026-06-01"}

# text that each field's parsing must read the same way on both engines: empty, spaces, case, NaN and
# infinity, Java and grouped number forms, impossible and loose dates, booleans, article lists
TRICKY = ["", "  ", " x ", "nan", "NaN", "Inf", "-infinity", "1.5d", "2F", "1_000", "1e3", "1e400", "0x10", "+5",
          ".5", "5.", " 7 ", "-5", "99999", "12.5", "2025-02-30", "2025-1-1", " 2025-01-01 ", "2031-01-01",
          "1900-01-01", "YES", "No", "1", "0", "unknown", "Unknown", "maybe", "m", " f ", "CONVICTED",
          "12.a; 5", ";", " 126.1 ;; 127.2", "206.3.2;193-1.3.1", "abroad:1.1", "it's", "back\\slash",
          "=1+1", "Ağdam", "Иванов",
          # a line break at the end: Java's `$` matches before it, DuckDB's does not
          "2025-01-01\n", "M\n", "177.2\n", "5\n", "true\n", "1.5d\n", "convicted\r\n"]

NUMBERS = [float("nan"), float("inf"), -float("inf"), 0.0, -0.0, 0.5, -12.25, 0.001, 0.0001, 0.00012345, 1e-5,
           -2.5e-7, 123456.125, 1234567.5, 12345678.5, 1.5e7, -9.87654321e12, 1e15 + 0.5, 1e16, 1.0000000000000002e16,
           1.234e17, 1e300, -1e-300]   # not 5e-324: Java before version 19 writes it 4.9E-324

TEXTS = ["", "it's", "back\\slash", "a\\'b", "''", "\\", "Ağdam Иванов", "tab\there", "new\nline", "`tick`",
         '"quoted"', "\u2400", "\ufffd"]


def test_the_spark_checks_spell_no_rule_of_their_own():
    """Every word of a finding and every rule lives in the shared module: none of the expected texts, the
    plausibility limits or the article token is written again in the Spark checks."""
    source = inspect.getsource(spark_checks)
    words = {f.expected for f in FIELDS.values()} | {"required: ", "a case_id that only one row has",
                                                     "one sex in every row", "NaN or infinity", "text without NUL",
                                                     "article parts like", "no one offends", "as-of date",
                                                     "convicted", "isnan", "RLIKE", "named_struct"}
    assert not [w for w in words if w in source]
    assert str(plausible.MAX_TERM_MONTHS) not in source and "ARTICLE_TOKEN" not in source


@pytest.mark.parametrize("text", TEXTS)
def test_duckdb_literals_and_names_round_trip(text):
    con = duckdb.connect()
    assert con.execute(f"SELECT {DUCKDB.lit(text)} AS {DUCKDB.q(text or 'x')}").fetchall() == [(text,)]
    assert con.execute(f"SELECT {DUCKDB.lit(text)} AS {DUCKDB.q(text or 'x')}").description[0][0] == (text or "x")


def _csv(path: Path) -> Path:
    """One row per field and tricky value, and rows of every other kind of finding; a NUL and an
    undecodable byte; an extra column holding a formula."""
    rows = []
    for f in FIELDS:
        for value in TRICKY:
            rows.append({**GOOD, "case_id": f"C{len(rows)}", "person_id": f"P{len(rows)}", f: value})
    n = len(rows)
    rows += [{**GOOD, "case_id": "DUP", "person_id": f"PD{i}"} for i in range(3)]                # repeated case_id
    rows += [{**GOOD, "case_id": f"S{i}", "person_id": "PS", "sex": s, "birth_date": b}          # rows disagree
             for i, (s, b) in enumerate([("M", "1980-05-01"), ("F", "1981-05-01"), ("M", "1982-05-01"),
                                         ("F", "1983-01-01"), ("M", "1984-01-01"), ("F", "1985-01-01"),
                                         ("M", "1986-01-01")])]
    rows += [{**GOOD, "case_id": f"I{i}", "person_id": f"PI{i}", **kw} for i, kw in enumerate([
        {"birth_date": "2020-01-01"}, {"offense_date": "2024-07-01"}, {"sentence_end": "2024-01-01"},
        {"sentence_end": "2030-01-01"}, {"term_months": "1300"}, {"birth_date": "2010-01-01"},
        {"birth_date": "1890-01-01"}, {"sentence_start": "2099-01-01", "sentence_end": "2100-01-01"},
        {"term_months": "23.5", "sentence_end": "2026-09-01"}])]
    # a NUL in an institution and an undecodable byte in the extra column, on rows of their own
    rows += [{**GOOD, "case_id": "CNUL", "person_id": "PNUL", "institution": "Ward@NUL@7"},
             {**GOOD, "case_id": "CBAD", "person_id": "PBAD", "my col": "caf@BAD@"}]
    cols = list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO()
    w = csv.DictWriter(buf, cols, lineterminator="\n")
    w.writeheader()
    for i, r in enumerate(rows):
        w.writerow({"my col": "=1+1" if i % 7 == 0 else ("nan" if i % 11 == 0 else "x"), **r})
    text = buf.getvalue().replace("@NUL@", "\x00").replace("@BAD@", "\udcff")
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    assert n > 1000
    return path


def _typed_parquet(path: Path) -> Path:
    """Typed columns (dates, numbers, booleans) holding out-of-range numbers, NaN and infinity, fractions
    where an integer belongs, and implausible dates: checked in their own type on both engines."""
    n = 40
    nums = [36.0, -1.0, 12.5, float("nan"), float("inf"), -float("inf"), 1e300, 0.0, 1200.0, 1201.0] * 4
    pct = [0, 150, None, -1, 100, 101, 50, 7, None, 0] * 4
    table = pa.table({
        "person_id": [f"P{i % 37}" for i in range(n)],
        "case_id": [f"C{i % 39}" for i in range(n)],
        "sex": ["M", "F", "x", None] * 10,
        "birth_date": pa.array([dt.date(1960, 2, 29), None, dt.date(2030, 1, 1), dt.date(1990, 1, 1)] * 10,
                               pa.date32()),
        "status": ["convicted"] * n,
        "articles": ["177.2", "320.1", "12.a", None] * 10,
        "punishment": ["imprisonment"] * n,
        "term_months": pa.array(nums),
        "sentence_start": pa.array([dt.date(2024, 1, 1)] * n, pa.date32()),
        "sentence_end": pa.array([dt.datetime(2027, 1, 1), dt.datetime(2026, 5, 1), None,
                                  dt.datetime(2023, 2, 1)] * 10),
        "disability_percent": pa.array(pct, pa.int32()),
        "idp": pa.array([True, None, False, True] * 10),
        "score": pa.array([1.0, float("nan"), 2.5, None] * 10),
    })
    pq.write_table(table, path)
    return path


# a short-lived JVM: the C1 compiler only and the serial collector warm up faster
SPARK_CONF = {"spark.sql.shuffle.partitions": "2",
              "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}


@pytest.fixture(scope="module")
def spark_session():
    if spark_missing():
        pytest.skip(f"Spark engine unavailable: {spark_missing()}")
    from clemency.engines.spark import get_session
    return get_session(conf=SPARK_CONF)


@pytest.mark.spark
def test_spark_literals_and_names_round_trip(spark_session):
    for text in TEXTS:
        row = spark_session.sql(f"SELECT {SPARK.lit(text)} AS {SPARK.q(text or 'x')}").collect()
        assert row[0][0] == text and row[0].__fields__[0] == (text or "x")
    # a number as text: as DuckDB writes it (Python's repr), not as Java does
    df = spark_session.createDataFrame([(x,) for x in NUMBERS], "n DOUBLE")
    got = [r[0] for r in df.selectExpr(SPARK.number_text("n")).collect()]
    assert got == [repr(x) for x in NUMBERS]


def test_duckdb_writes_numbers_as_python_does():
    con = duckdb.connect()   # its own connection: the module's default one is shared by every test of the run
    got = [con.execute(f"SELECT {DUCKDB.number_text('?')}", [x]).fetchone()[0] for x in NUMBERS]
    assert got == [repr(x) for x in NUMBERS]


@pytest.mark.spark
@pytest.mark.parametrize("kind", ["csv", "bad-parquet", "typed-parquet"])
def test_duckdb_and_spark_find_the_same_row_by_row(spark_session, tmp_path, kind):
    if kind == "csv":
        reg, encoding = _csv(tmp_path / "registry.csv"), "utf-8"
    elif kind == "bad-parquet":
        reg, encoding = tmp_path / "registry.parquet", None
        bad_registry(reg, 4500, 20251219, row_group=1000)
    else:
        reg, encoding = _typed_parquet(tmp_path / "registry.parquet"), None
    ref = apply_act("az-2025", reg, tmp_path / "duckdb", engine="duckdb", csv=False, encoding=encoding)
    got = apply_act("az-2025", reg, tmp_path / "spark", engine="spark", csv=False, encoding=encoding)
    assert got.manifest["rows"] == ref.manifest["rows"]
    nf, only = finding_differences(tmp_path / "duckdb" / "findings.csv", tmp_path / "spark" / "findings.csv")
    assert not only, "findings that only one engine reports:\n" + "\n".join(only)
    n, bad = differences(None, tmp_path / "duckdb" / "decisions.parquet", tmp_path / "spark" / "decisions.parquet")
    assert not bad, "duckdb vs spark differ:\n" + "\n".join(bad)
    # not vacuous: many findings of many kinds, and rows decided
    fields = {r[0] for r in duckdb.connect().sql(f"SELECT DISTINCT field FROM read_csv('{tmp_path / 'duckdb' / 'findings.csv'}', "
                                       "all_varchar = true)").fetchall()}
    want = {"csv": 15, "bad-parquet": 10, "typed-parquet": 5}[kind]
    assert len(fields) >= want and nf > want and n > 0


@pytest.mark.parametrize(("value", "ok"), [("7", True), ("-3", True), ("2147483647", True), ("2147483648", False),
                                           ("1e12", False), ("1e300", False), ("2.5", False)])
def test_a_whole_number_too_large_for_an_int_field_is_a_finding_not_a_crash(value, ok):
    from clemency.registry import Field, load_records
    con = duckdb.connect()
    rec = {**GOOD, "n_kids": value}
    res = load_records([rec], con, extra_fields=[Field("n_kids", "int")], as_of=dt.date(2026, 1, 1))
    assert res.rows_ok == ok
    found = con.execute("SELECT field, value, expected FROM findings").fetchall()
    assert found == ([] if ok else [("n_kids", value, "an integer")])
