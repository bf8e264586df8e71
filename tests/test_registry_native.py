"""Typed Parquet columns (dates, numbers, booleans) are validated in their own type, with the same findings
as text input."""

import datetime as dt

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from clemency.registry.load import load_registry


def test_typed_parquet_gives_the_same_table_and_findings_as_csv(tmp_path):
    table = pa.table({
        "person_id": ["P1", "P2", "P3"],
        "sex": ["M", "F", "M"],
        "birth_date": pa.array([dt.date(1960, 2, 29), None, dt.date(1990, 1, 1)], pa.date32()),
        "status": ["convicted"] * 3,
        "articles": ["177.2", "320.1", "177.2"],
        "punishment": ["imprisonment"] * 3,
        "term_months": pa.array([36.0, -1.0, 12.5]),
        "sentence_end": pa.array([dt.datetime(2027, 1, 1), dt.datetime(2026, 5, 1), dt.datetime(2026, 2, 1)]),
        "disability_percent": pa.array([0, 150, None], pa.int32()),
        "idp": pa.array([True, None, False]),
    })
    pq.write_table(table, tmp_path / "r.parquet")
    csv_path = tmp_path / "r.csv"
    duckdb.sql(f"COPY (SELECT * REPLACE (CAST(sentence_end AS DATE) AS sentence_end) "
               f"FROM '{tmp_path / 'r.parquet'}') TO '{csv_path}' (HEADER)")
    out = {}
    for path in (tmp_path / "r.parquet", csv_path):
        con = duckdb.connect()
        res = load_registry(path, con)
        rows = con.execute("SELECT person_id, birth_date, term_months, sentence_end, disability_percent, idp "
                           "FROM registry ORDER BY person_id").fetchall()
        findings = con.execute("SELECT row, field, value FROM findings ORDER BY row, field").fetchall()
        out[path.suffix] = (res.rows_ok, res.rows_rejected, rows, findings)
    assert out[".parquet"][:3] == out[".csv"][:3]
    ok, rejected, rows, findings = out[".parquet"]
    assert (ok, rejected) == (2, 1)
    assert findings == [(2, "disability_percent", "150"), (2, "term_months", "-1")]
    assert out[".csv"][3] == [(2, "disability_percent", "150"), (2, "term_months", "-1.0")]  # the text as written
    assert rows[0] == ("P1", dt.date(1960, 2, 29), 36.0, dt.date(2027, 1, 1), 0, True)
    assert rows[1][4:] == (0, False)   # empty disability_percent -> 0; idp false
