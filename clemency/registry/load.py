"""The registry import: a file (or JSON records) into a typed DuckDB table `registry` plus `findings`.

Every column is read as VARCHAR, then validated and typed by one SQL plan (TRY_CAST, IN-lists, regexp):
no Python loop per row for CSV and Parquet. A row with any finding is left out of `registry`.

    registry(<every contract field in its SQL type>, _row BIGINT, <extra input columns as VARCHAR>)
    findings(row BIGINT, case_id VARCHAR, field VARCHAR, value VARCHAR, expected VARCHAR)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from clemency.errors import InputError
from clemency.registry import sql
from clemency.registry.read import file_hash, records_hash, stage_file, stage_records
from clemency.registry.schema import FIELDS, REQUIRED_COLUMNS, Field
from clemency.registry.sql import q

FINDINGS_COLUMNS = ("row", "case_id", "field", "value", "expected")


@dataclass(frozen=True)
class LoadResult:
    rows_in: int
    rows_ok: int
    rows_rejected: int
    n_findings: int
    registry_hash: str
    columns: tuple[str, ...]
    path: str

    def __post_init__(self) -> None:
        assert self.rows_ok + self.rows_rejected == self.rows_in, "registry import lost or invented rows"


def load_registry(path: str | Path, con: duckdb.DuckDBPyConnection, *, extra_fields: Iterable[Field] = (),
                  table: str = "registry", findings_table: str = "findings") -> LoadResult:
    """Read a CSV, Parquet or XLSX registry into `table` (typed, valid rows) and `findings_table`."""
    path = Path(path)
    stage = f"_clemency_stage_{table}"
    cols = stage_file(path, con, stage)
    _check_required(cols, str(path))
    return _validate(con, stage, cols, tuple(extra_fields), table, findings_table, str(path), file_hash(path))


def load_records(records: list[dict], con: duckdb.DuckDBPyConnection, *, extra_fields: Iterable[Field] = (),
                 table: str = "registry", findings_table: str = "findings") -> LoadResult:
    """JSON records (one or a few; `articles` a list or a string) through the same validation SQL.

    A key missing from a record is an empty cell (a finding where the field is required)."""
    if isinstance(records, dict):
        records = [records]
    stage = f"_clemency_stage_{table}"
    cols = stage_records(list(records), con, stage)
    return _validate(con, stage, cols, tuple(extra_fields), table, findings_table, "<records>",
                     records_hash(list(records)))


def write_findings_csv(con: duckdb.DuckDBPyConnection, path: str | Path, findings_table: str = "findings") -> None:
    """Write the findings (row, case_id, field, value, expected), ordered by row, as CSV with a header."""
    con.execute(f"COPY (SELECT * FROM {q(findings_table)} ORDER BY row, field) TO {sql.lit(str(path))} "
                "(HEADER, DELIMITER ',')")


def _check_required(cols: list[str], where: str) -> None:
    present = {c.strip().lower() for c in cols}
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if missing:
        raise InputError(f"missing required column(s) {', '.join(missing)}; columns present: "
                         f"{', '.join(cols) or '(none)'}; required: {', '.join(REQUIRED_COLUMNS)}", where=where,
                         hint="the registry format is described in docs (contracts §1)")


def _checked_sql(source: str, fields: list[Field], by_lower: dict[str, str], passthrough: list[str],
                 native: frozenset = frozenset()) -> str:
    """The layered validation query over `source` (a relation with `_row` and the input columns);
    `native` names the fields whose input column already has the field's type (typed Parquet)."""
    raw = ", ".join(f"{q(by_lower[f.name]) if f.name in by_lower else 'CAST(NULL AS VARCHAR)'} AS {q('r_' + f.name)}"
                    for f in fields)
    extras = "".join(f", {q(c)} AS {q('x_' + c)}" for c in passthrough)
    trimmed = ", ".join((f"{q('r_' + f.name)} AS {sql.v(f.name)}" if f.name in native else
                         f"{sql.trimmed(q('r_' + f.name))} AS {sql.v(f.name)}") for f in fields)
    fast, parts, bad_tokens = sql.articles_parts()
    typed = ", ".join(f"{sql.typed_expr(f, f.name in native)} AS {q('t_' + f.name)}" for f in fields)
    flags = ", ".join(f"{sql.bad_expr(f, f.name in native)} AS {q('e_' + f.name)}" for f in fields)
    any_bad = " OR ".join(q("e_" + f.name) for f in fields)
    return f"""
        SELECT *, ({any_bad}) AS _bad FROM (
          SELECT *, {flags} FROM (
            SELECT *, {typed} FROM (
              SELECT *, {bad_tokens} AS p_articles_bad FROM (
                SELECT *, {parts} AS p_articles FROM (
                  SELECT *, {fast} AS p_articles_fast FROM (
                    SELECT *, {trimmed} FROM (SELECT _row, {raw}{extras} FROM {source})))))))"""


def _validate(con: duckdb.DuckDBPyConnection, stage: str, cols: list[str], extra_fields: tuple[Field, ...],
              table: str, findings_table: str, where: str, digest: str) -> LoadResult:
    fields = list(FIELDS.values()) + [f for f in extra_fields if f.name not in FIELDS]
    by_lower: dict[str, str] = {}
    for c in cols:
        by_lower.setdefault(c.strip().lower(), c)
    known = {f.name for f in fields}
    passthrough = [c for c in cols if (c.strip().lower() not in known or by_lower[c.strip().lower()] != c)
                   and c != "_row"]

    staged = {r[0]: r[1] for r in con.execute(f"DESCRIBE {q(stage)}").fetchall()}
    native = frozenset(f.name for f in fields if f.name in by_lower and staged.get(by_lower[f.name], "VARCHAR") != "VARCHAR")

    # one pass: every row typed, with its "any finding" flag
    columns = ", ".join(f"CAST({q('t_' + f.name)} AS {f.sql_type}) AS {q(f.name)}" for f in fields)
    passthrough_cols = "".join(f", {q('x_' + c)} AS {q(c)}" for c in passthrough)
    con.execute(f"""CREATE OR REPLACE TABLE {q(table)} AS
        SELECT {columns}, CAST(_row AS BIGINT) AS _row{passthrough_cols}, _bad
        FROM ({_checked_sql(q(stage), fields, by_lower, passthrough, native)})""")

    # the findings: field by field on the (few) bad rows, then duplicates and disagreements on all rows
    bad_stage = f"_clemency_bad_{table}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {q(bad_stage)} AS SELECT * FROM {q(stage)} "
                f"WHERE _row IN (SELECT _row FROM {q(table)} WHERE _bad)")
    structs = ", ".join(sql.finding_struct(f, f.name in native) for f in fields)
    t = q(table)
    con.execute(f"""CREATE OR REPLACE TABLE {q(findings_table)} AS
        WITH per_field AS (
            SELECT _row AS row, t_case_id AS case_id, unnest(list_filter([{structs}], lambda x: x.bad)) AS f
            FROM ({_checked_sql(q(bad_stage), fields, by_lower, passthrough, native)})),
        dup_keys AS (
            SELECT case_id AS k, min(_row) AS first_row FROM {t} GROUP BY case_id HAVING count(*) > 1),
        dups AS (
            SELECT c._row AS row, c.case_id AS case_id, 'case_id' AS field, c.case_id AS value,
                   'a unique case_id (already in row ' || d.first_row || ')' AS expected
            FROM {t} c JOIN dup_keys d ON c.case_id = d.k WHERE c._row > d.first_row),
        people AS (
            SELECT person_id AS p,
                   arg_min(sex, _row) FILTER (WHERE sex IS NOT NULL) AS sex0,
                   min(_row) FILTER (WHERE sex IS NOT NULL) AS sex_row,
                   arg_min(birth_date, _row) FILTER (WHERE birth_date IS NOT NULL) AS birth0,
                   min(_row) FILTER (WHERE birth_date IS NOT NULL) AS birth_row
            FROM {t} WHERE person_id IN (
                SELECT person_id FROM {t} WHERE person_id IS NOT NULL GROUP BY person_id
                HAVING min(sex) <> max(sex) OR min(birth_date) <> max(birth_date))
            GROUP BY person_id),
        disagree AS (
            SELECT c._row AS row, c.case_id AS case_id, 'sex' AS field, c.sex AS value,
                   p.sex0 || ' (as in row ' || p.sex_row || ', same person_id)' AS expected
            FROM {t} c JOIN people p ON c.person_id = p.p WHERE c.sex <> p.sex0
            UNION ALL
            SELECT c._row, c.case_id, 'birth_date', CAST(c.birth_date AS VARCHAR),
                   CAST(p.birth0 AS VARCHAR) || ' (as in row ' || p.birth_row || ', same person_id)'
            FROM {t} c JOIN people p ON c.person_id = p.p WHERE c.birth_date <> p.birth0)
        SELECT CAST(row AS BIGINT) AS row, case_id, field, value, expected FROM (
            SELECT row, case_id, f.field AS field, f.value AS value, f.expected AS expected FROM per_field
            UNION ALL SELECT * FROM dups
            UNION ALL SELECT * FROM disagree)
        ORDER BY row, field""")
    con.execute(f"DROP TABLE {q(bad_stage)}")

    rows_in = con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
    con.execute(f"DELETE FROM {t} WHERE _bad OR _row IN (SELECT row FROM {q(findings_table)})")
    con.execute(f"ALTER TABLE {t} DROP COLUMN _bad")
    rows_ok = con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
    n_findings, rejected = con.execute(f"SELECT count(*), count(DISTINCT row) FROM {q(findings_table)}").fetchall()[0]
    return LoadResult(rows_in=rows_in, rows_ok=rows_ok, rows_rejected=rejected, n_findings=n_findings,
                      registry_hash=digest, columns=tuple(cols), path=where)
