"""The synthetic registry: deterministic, valid against the importer, boundary-rich, chunked."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pytest

from clemency.errors import ClemencyError
from clemency.registry import load_registry
from clemency.registry.synth import ASSUMPTIONS, SEGMENTS, XLSX_MAX_ROWS, add_months, synth


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    path = tmp_path_factory.mktemp("synth") / "r.parquet"
    synth(40_000, path, seed=3)
    con = duckdb.connect()
    res = load_registry(path, con)
    return con, res


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_same_seed_same_bytes(tmp_path, ext):
    a, b, c = (synth(3_000, tmp_path / f"{n}.{ext}", seed=s) for n, s in (("a", 7), ("b", 7), ("c", 8)))
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_row_counts_and_progress(tmp_path):
    seen: list[int] = []
    for rows in (0, 1, 1234):
        out = synth(rows, tmp_path / f"r{rows}.csv", progress=seen.append)
        res = load_registry(out, duckdb.connect())
        assert res.rows_in == rows
    assert seen[-1] == 1234


def test_clean_synth_has_no_findings(registry):
    con, res = registry
    assert (res.rows_in, res.rows_ok, res.n_findings) == (40_000, 40_000, 0)
    assert con.execute("SELECT count(DISTINCT case_id) FROM registry").fetchall()[0][0] == 40_000


def test_shape(registry):
    con, _ = registry
    q = lambda sql: con.execute(sql).fetchall()[0]
    prisoners, = q("SELECT count(*) FROM registry WHERE punishment = 'imprisonment'")
    assert 22_000 < prisoners < 26_000
    women, = q("SELECT avg(CASE WHEN sex = 'F' THEN 1.0 ELSE 0 END) FROM registry")
    assert 0.03 < women < 0.07
    # women have female names and surnames
    bad, = q("SELECT count(*) FROM registry WHERE sex = 'F' AND NOT (full_name LIKE '%qızı' AND "
             "split_part(full_name, ' ', 1) SIMILAR TO '.*(ova|yeva)')")
    assert bad == 0
    ages = q("SELECT min(date_diff('year', birth_date, DATE '2025-12-19')), "
             "max(date_diff('year', birth_date, DATE '2025-12-19')) FROM registry")
    assert ages[0] >= 14 and ages[1] <= 86
    assert q("SELECT count(*) FROM registry WHERE offense_date >= sentence_start")[0] == 0
    assert q("SELECT count(*) FROM registry WHERE sentence_end <= DATE '2025-12-19'")[0] == 0
    assert q("SELECT count(*) FROM registry WHERE punishment IN ('imprisonment', 'restriction_of_liberty') "
             "AND sentence_end <> sentence_start + to_months(CAST(term_months AS INTEGER))")[0] == 0
    assert q("SELECT count(*) FROM registry WHERE status <> 'convicted' AND punishment IS NOT NULL")[0] == 0
    assert q("SELECT max(len(string_split(articles, ';'))) FROM registry")[0] == 3


def test_boundary_rich(registry):
    con, _ = registry
    count = lambda where: con.execute(f"SELECT count(*) FROM registry WHERE {where}").fetchall()[0][0]
    assert count("strftime(birth_date, '%m-%d') = '02-29'") > 0
    assert count("sentence_end = DATE '2026-06-19'") > 0      # exactly 6 months after EIF
    assert count("sentence_end = DATE '2026-12-19'") > 0      # exactly 12 months
    assert count("sentence_end = DATE '2026-12-20'") > 0      # a day over 12 months
    assert count("sentence_end BETWEEN DATE '2025-12-19' AND DATE '2026-04-19'") > 0   # inside the window
    assert count("sentence_end > DATE '2030-01-01'") > 0
    assert count("birth_date BETWEEN DATE '1965-12-14' AND DATE '1965-12-24'") > 0     # turning 60 at EIF
    assert count("sentence_start = DATE '2024-02-29'") > 0
    assert count("date_diff('day', birth_date, offense_date) < 18 * 365") > 0           # minors at offence
    assert count("birth_date IS NULL") > 0
    # about 0.2% of the rows give one status flag as `unknown` (read as NULL)
    from clemency.registry.schema import STATUS_FLAGS
    unknown = count(" OR ".join(f"{f} IS NULL" for f in STATUS_FLAGS))
    assert 20 < unknown < 200, unknown
    assert count("crime_category IS NOT NULL") > 0 and count("negligent") > 0
    assert count("term_months = 60") > 0


def test_xlsx_refusal_and_small_xlsx(tmp_path):
    with pytest.raises(ClemencyError, match="1,048,575"):
        synth(XLSX_MAX_ROWS + 1, tmp_path / "big.xlsx")
    assert not (tmp_path / "big.xlsx").exists()
    with pytest.raises(ClemencyError):
        synth(10, tmp_path / "r.json")
    synth(500, tmp_path / "r.xlsx", seed=1)
    synth(500, tmp_path / "r.csv", seed=1)
    tables = []
    for ext in ("xlsx", "csv"):
        con = duckdb.connect()
        res = load_registry(tmp_path / f"r.{ext}", con)
        assert res.n_findings == 0
        tables.append(con.execute("SELECT * FROM registry ORDER BY _row").fetchall())
    assert tables[0] == tables[1]


def test_chunked_600k(tmp_path):
    out = synth(600_000, tmp_path / "r.parquet", seed=2)
    import pyarrow.parquet as pq
    meta = pq.ParquetFile(out).metadata
    assert meta.num_rows == 600_000
    ids = duckdb.sql(f"SELECT count(DISTINCT case_id), count(DISTINCT person_id) FROM '{out}'").fetchall()[0]
    assert ids[0] == 600_000 and 500_000 < ids[1] < 600_000


def test_assumptions_are_documented():
    from pathlib import Path
    doc = (Path(__file__).parents[1] / "docs" / "synthetic.md").read_text(encoding="utf-8")
    assert "synthetic" in doc.lower()
    for name in list(SEGMENTS) + [k for k in ASSUMPTIONS if k != "segment_shares"]:
        assert name in doc, name
    assert abs(sum(s["share"] for s in SEGMENTS.values()) - 1) < 1e-9


def test_add_months_clamps():
    d = np.array(["2025-08-31", "2024-02-29", "2025-12-19"], dtype="datetime64[D]")
    assert [str(x) for x in add_months(d, 6)] == ["2026-02-28", "2024-08-29", "2026-06-19"]
    assert [str(x) for x in add_months(d, -12)] == ["2024-08-31", "2023-02-28", "2024-12-19"]
    assert dt.date(2026, 2, 28) == add_months(d[:1], 6)[0].astype(dt.date)
