"""The run summary's counts (summary.json): rows and unique persons by relief, clause, crime category and
sex, checked against a count in plain Python on decisions with persons of several rows, persons whose rows
fall in different groups, and rows without a person_id."""

from __future__ import annotations

import random
from collections import defaultdict

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clemency.apply import summarize

DIMS = ("relief", "clause", "crime_category", "sex")


def _rows(seed: int, n: int) -> list[dict]:
    rng = random.Random(seed)
    people = [f"P{i}" for i in range(n // 3)] + [None]
    return [{"person_id": rng.choice(people),
             "relief": rng.choice(["none", "release_from_imprisonment", "term_reduction", "indeterminate"]),
             "clause": rng.choice([None, "A1", "C1", "D2"]),
             "crime_category": rng.choice(["grave", "less_serious", None]),
             "sex": rng.choice(["F", "M"])} for _ in range(n)]


def _expected(rows: list[dict]) -> dict:
    out = {"rows": len(rows), "persons": len({r["person_id"] for r in rows if r["person_id"] is not None})}
    for dim in DIMS:
        groups: dict = defaultdict(list)
        for r in rows:
            groups[str(r[dim])].append(r)
        out[f"by_{dim}"] = {k: {"rows": len(g), "persons": len({r["person_id"] for r in g if r["person_id"]})}
                            for k, g in groups.items()}
    return out


@pytest.mark.parametrize("seed,n", [(1, 1), (2, 40), (3, 3000)])
def test_unique_persons_counted_exactly(tmp_path, seed, n):
    rows = _rows(seed, n)
    path = tmp_path / "decisions.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    got = summarize(duckdb.connect(), path)
    want = _expected(rows)
    assert got["rows"] == want["rows"] and got["persons"] == want["persons"]
    for dim in DIMS:
        assert got[f"by_{dim}"] == want[f"by_{dim}"], dim
    cells = defaultdict(int)
    for r in rows:
        cells[(r["relief"], r["crime_category"], r["sex"])] += 1
    assert {(c["relief"], c["crime_category"], c["sex"]): c["rows"] for c in got["by_relief_category_sex"]} == cells


def test_one_person_in_several_groups_counts_once_in_each(tmp_path):
    rows = [{"person_id": "P1", "relief": "none", "clause": None, "crime_category": "grave", "sex": "M"},
            {"person_id": "P1", "relief": "term_reduction", "clause": "C1", "crime_category": "grave", "sex": "M"},
            {"person_id": "P1", "relief": "term_reduction", "clause": "C1", "crime_category": "grave", "sex": "M"},
            {"person_id": "P2", "relief": "none", "clause": None, "crime_category": "grave", "sex": "F"}]
    path = tmp_path / "decisions.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    got = summarize(duckdb.connect(), path)
    assert (got["rows"], got["persons"]) == (4, 2)
    assert got["by_relief"] == {"none": {"rows": 2, "persons": 2}, "term_reduction": {"rows": 2, "persons": 1}}
    assert got["by_crime_category"] == {"grave": {"rows": 4, "persons": 2}}
