"""One comparison of two engines' outputs, shared by the conformance tests (tests/test_conformance.py), the
Spark tests at scale (tests/test_spark_scale.py) and on a standalone cluster (tests/test_spark_cluster.py).

`differences` compares two decisions.parquet files row by row (joined on `_row`): same columns and types,
same rows decided, and every decision field identical. `finding_differences` compares two findings.csv
files as multisets of (row, case_id, field, value, expected). `bad_registry` writes a synthetic registry
with bad rows of every kind."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from clemency.registry.synth import synth

COMPARED = ["relief", "clause", "basis", "reduction_months", "new_sentence_end", "eligible_from",
            "eligible_until", "upcoming_relief", "upcoming_clause", "upcoming_from", "reasons", "excluded_by",
            "crime_category", "notes"]


def spark_missing() -> str | None:
    """Why the Spark engine cannot run here (pyspark or Java missing), or None."""
    from clemency.engines.spark import check_available
    from clemency.errors import EngineUnavailable
    try:
        check_available()
    except EngineUnavailable as exc:
        return str(exc)
    return None


def _lit(path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def differences(registry: Path | None, left: Path, right: Path, limit: int = 5) -> tuple[int, list[str]]:
    """(rows decided, up to `limit` rows whose decisions differ, each with its differing fields and, for a
    CSV registry, its input). Asserts that both files have the same columns and types and decided the
    same rows."""
    con = duckdb.connect()
    con.execute(f"CREATE VIEW a AS SELECT * FROM read_parquet({_lit(left)})")
    con.execute(f"CREATE VIEW b AS SELECT * FROM read_parquet({_lit(right)})")
    assert con.sql("DESCRIBE a").fetchall() == con.sql("DESCRIBE b").fetchall(), "column names or types differ"
    n = con.execute("SELECT count(*) FROM a").fetchone()[0]
    assert n == con.execute("SELECT count(*) FROM b").fetchone()[0], "the engines decided different numbers of rows"
    assert con.execute("SELECT count(*) FROM a FULL JOIN b USING (_row) WHERE a._row IS NULL OR b._row IS NULL"
                       ).fetchone()[0] == 0, "the engines decided different rows"
    differ = " OR ".join(f"a.{c} IS DISTINCT FROM b.{c}" for c in COMPARED)
    shown = ", ".join(f"a.{c}, b.{c}" for c in COMPARED)
    bad = con.execute(f"SELECT a._row, {shown} FROM a JOIN b USING (_row) WHERE {differ} ORDER BY a._row").fetchall()
    inputs = []
    if registry is not None and Path(registry).suffix.lower() == ".csv":
        with open(registry, encoding="utf-8") as f:
            inputs = list(csv.DictReader(f))
    out = []
    for rec in bad[:limit]:
        row = rec[0]
        pairs = {c: (rec[1 + 2 * k], rec[2 + 2 * k]) for k, c in enumerate(COMPARED)
                 if rec[1 + 2 * k] != rec[2 + 2 * k]}
        line = f"row {row}: {pairs}"
        if inputs:
            given_ = {k: v for k, v in inputs[row - 1].items() if v not in ("", "false", "no", "0")}
            line += f"\n    input: {given_}"
        out.append(line)
    if len(bad) > limit:
        out.append(f"... {len(bad) - limit} more rows differ")
    return n, out


def finding_differences(left: Path, right: Path, limit: int = 5) -> tuple[int, list[str]]:
    """(findings on the left, up to `limit` findings that only one side has)."""
    con = duckdb.connect()
    read = "read_csv({}, all_varchar = true, header = true)"
    con.execute(f"CREATE VIEW a AS SELECT * FROM {read.format(_lit(left))}")
    con.execute(f"CREATE VIEW b AS SELECT * FROM {read.format(_lit(right))}")
    n = con.execute("SELECT count(*) FROM a").fetchone()[0]
    only = con.execute("SELECT 'left' AS side, * FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b) "
                       "UNION ALL SELECT 'right', * FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a) "
                       "ORDER BY 2, 1").fetchall()
    return n, [str(r) for r in only[:limit]] + ([f"... {len(only) - limit} more"] if len(only) > limit else [])


# (column, SQL giving the bad cell on some rows of `i`, the row number): every kind of finding the import
# reports - unreadable and out-of-range values, a missing required value, bad article ids, NaN text, case
# and spacing that the import accepts, duplicate case_ids, people whose rows disagree, implausible dates
BAD_CELLS = {
    "birth_date": "CASE WHEN i % 997 = 0 THEN 'not a date' WHEN i % 991 = 0 THEN '2031-01-01' "
                  "WHEN i % 1201 = 0 THEN '2025-02-30' END",
    "sex": "CASE WHEN i % 1009 = 0 THEN 'X' WHEN i % 1013 = 0 THEN ' f ' WHEN i % 1301 = 0 THEN '' END",
    "articles": "CASE WHEN i % 1019 = 0 THEN '12.a; 5' WHEN i % 1021 = 0 THEN '' WHEN i % 1303 = 0 THEN ' 126.1 ;; 127.2' END",
    "term_months": "CASE WHEN i % 1031 = 0 THEN '-5' WHEN i % 1033 = 0 THEN 'nan' WHEN i % 1039 = 0 THEN '1.5d' "
                   "WHEN i % 1307 = 0 THEN '99999' END",
    "case_id": "CASE WHEN i % 1049 = 0 THEN 'DUP-1' WHEN i % 1319 = 0 THEN '' END",
    "institution": "CASE WHEN i % 1051 = 0 THEN 'Inf' END",
    "war_participant": "CASE WHEN i % 1061 = 0 THEN 'maybe' WHEN i % 1063 = 0 THEN 'YES' END",
    "disability_percent": "CASE WHEN i % 1069 = 0 THEN '101' WHEN i % 1087 = 0 THEN '3.5' END",
    "status": "CASE WHEN i % 1091 = 0 THEN 'Convicted' WHEN i % 1321 = 0 THEN 'free' END",
    "offense_date": "CASE WHEN i % 1097 = 0 THEN '2099-01-01' END",
    "person_id": "CASE WHEN i % 1103 = 0 THEN 'P-SAME' END",
}



def bad_registry(path, rows: int, seed: int, row_group: int) -> None:
    """A synthetic registry written as text columns (so that every cell goes through the checks), with the
    bad cells above, an extra column holding formulas and one named like a decision field."""
    typed = path.with_name("typed-" + path.name)
    synth(rows, typed, seed)
    con = duckdb.connect()
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{typed}')").fetchall()]
    items = [f"coalesce({BAD_CELLS[c]}, CAST(\"{c}\" AS VARCHAR)) AS \"{c}\"" if c in BAD_CELLS
             else f"CAST(\"{c}\" AS VARCHAR) AS \"{c}\"" for c in cols]
    items += ["CASE WHEN i % 1093 = 0 THEN '=1+1' ELSE 'x' END AS \"my col\"", "'kept' AS notes"]
    con.execute(f"COPY (SELECT {', '.join(items)} FROM (SELECT *, row_number() OVER () AS i "
                f"FROM read_parquet('{typed}'))) TO '{path}' (FORMAT PARQUET, ROW_GROUP_SIZE {row_group})")
    typed.unlink()
