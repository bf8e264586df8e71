"""The registry import: a file (or JSON records) into a typed DuckDB table `registry` plus `findings`.

Every column is read as VARCHAR, then validated and typed by one SQL plan (TRY_CAST, IN-lists, regexp):
no Python loop per row for CSV and Parquet. A row with any finding is left out of `registry`.

    registry(<every contract field in its SQL type>, _row BIGINT, <extra input columns as VARCHAR>)
    findings(row BIGINT, case_id VARCHAR, field VARCHAR, value VARCHAR, expected VARCHAR)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from clemency.errors import InputError
from clemency.registry import plausible, sql
from clemency.registry.read import Staged, read_file, records_hash, stage_records
from clemency.registry.schema import FIELDS, REQUIRED_COLUMNS, Field
from clemency.registry.sql import NAN_TEXTS, lit, q  # noqa: F401  (NAN_TEXTS: kept importable here)

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
    as_of: dt.date | None = None
    encoding: str = ""

    def __post_init__(self) -> None:
        assert self.rows_ok + self.rows_rejected == self.rows_in, "registry import lost or invented rows"


def load_registry(path: str | Path, con: duckdb.DuckDBPyConnection, *, extra_fields: Iterable[Field] = (),
                  table: str = "registry", findings_table: str = "findings", encoding: str | None = None,
                  as_of: dt.date | None = None, stream: bool = False,
                  rename: Callable[[list[str]], dict[str, str]] | None = None) -> LoadResult:
    """Read a CSV, Parquet or XLSX registry into `table` (typed, valid rows) and `findings_table`.

    `encoding` names the text encoding of a CSV file (default: detected). `as_of` is the day the
    registry's facts are true as of (default: today): no birth, offence or sentence start lies after it.
    `stream`: `table` is a VIEW over the file that types and checks rows as they are read and leaves out
    the rows with findings (nothing of the registry is materialised; `open_registry`); otherwise a table.
    `rename`: given the extra input columns, the ones to carry under another name {old: new}."""
    if stream:
        opened = open_registry(path, con, extra_fields=extra_fields, table=table, findings_table=findings_table,
                               encoding=encoding, as_of=as_of, rename=rename)
        loaded = opened.finish()
        opened.exact()
        return loaded
    path = Path(path)
    stage = f"_clemency_stage_{table}"
    staged = read_file(path, con, stage, encoding=encoding)
    _check_required(staged.columns, path.name)
    return _validate(con, stage, staged, tuple(extra_fields), table, findings_table, path.name,
                     as_of or dt.date.today(), rename=rename)


def load_records(records: list[dict], con: duckdb.DuckDBPyConnection, *, extra_fields: Iterable[Field] = (),
                 table: str = "registry", findings_table: str = "findings",
                 as_of: dt.date | None = None) -> LoadResult:
    """JSON records (one or a few; `articles` a list or a string) through the same validation SQL.

    A key missing from a record is an empty cell (a finding where the field is required)."""
    if isinstance(records, dict):
        records = [records]
    stage = f"_clemency_stage_{table}"
    cols = stage_records(list(records), con, stage)
    staged = Staged(cols, records_hash(list(records)), check_cells=True, encoding="")
    return _validate(con, stage, staged, tuple(extra_fields), table, findings_table, "<records>",
                     as_of or dt.date.today())


def write_findings_csv(con: duckdb.DuckDBPyConnection, path: str | Path, findings_table: str = "findings") -> None:
    """Write the findings (row, case_id, field, value, expected), ordered by row, as CSV with a header.
    Text cells that a spreadsheet would evaluate as a formula are written inert."""
    from clemency.report.cells import neutralise_sql
    cols = ", ".join(f"{neutralise_sql(q(c))} AS {q(c)}" if c != "row" else q(c) for c in FINDINGS_COLUMNS)
    con.execute(f"COPY (SELECT {cols} FROM {q(findings_table)} ORDER BY row, field) TO {sql.lit(str(path))} "
                "(HEADER, DELIMITER ',')")


def _check_required(cols: list[str], where: str) -> None:
    present = {c.strip().lower() for c in cols}
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if missing:
        raise InputError(f"missing required column(s) {', '.join(missing)}; columns present: "
                         f"{', '.join(cols) or '(none)'}; required: {', '.join(REQUIRED_COLUMNS)}", where=where,
                         hint="the registry format is described in docs/registry-format.md")


def _validate(con: duckdb.DuckDBPyConnection, stage: str, staged: Staged, extra_fields: tuple[Field, ...],
              table: str, findings_table: str, where: str, as_of: dt.date, *, stream: bool = False,
              rename: Callable[[list[str]], dict[str, str]] | None = None) -> LoadResult | Streamed:
    cols = staged.columns
    fields = list(FIELDS.values()) + [f for f in extra_fields if f.name not in FIELDS]
    by_lower: dict[str, str] = {}
    for c in cols:
        by_lower.setdefault(c.strip().lower(), c)
    known = {f.name for f in fields}
    passthrough = [c for c in cols if (c.strip().lower() not in known or by_lower[c.strip().lower()] != c)
                   and c != "_row"]
    renamed = rename(passthrough) if rename else {}

    staged_types = {r[0]: r[1] for r in con.execute(f"DESCRIBE {q(stage)}").fetchall()}
    native = frozenset(f.name for f in fields
                       if f.name in by_lower and staged_types.get(by_lower[f.name], "VARCHAR") != "VARCHAR")
    cells = sql.cell_checks(fields, native, passthrough, staged.check_cells)

    def checked_sql(source: str) -> str:
        return sql.checked_sql(source, fields, by_lower, passthrough, native, cells)
    checked = checked_sql(q(stage))

    # one pass: every row typed, with its "any finding" flag
    columns = sql.typed_columns(fields)
    passthrough_cols = "".join(f", {q('x_' + c)} AS {q(renamed.get(c, c))}" for c in passthrough)
    structs = [sql.finding_struct(f, f.name in native) for f in fields] + sql.cell_structs(cells)
    plaus, plaus_any = plausible.sql_structs(as_of)

    # the records that could not be read at all (malformed CSV lines)
    rejected_lines = pa.table({
        "row": pa.array([r[0] for r in staged.rejects], pa.int64()),
        "field": pa.array([r[1] for r in staged.rejects], pa.string()),
        "value": pa.array([r[2] for r in staged.rejects], pa.string()),
        "expected": pa.array([r[3] for r in staged.rejects], pa.string())})
    if stream:
        def typed_sql(source: str) -> str:
            return f"""SELECT {columns}, CAST(_row AS BIGINT) AS _row{passthrough_cols}, _bad,
                CASE WHEN _bad THEN {sql.DUCKDB.bad_structs(structs)} END AS _field_findings
                FROM ({checked_sql(source)})"""
        return _stream(con, stage, staged, typed_sql, (plaus, plaus_any), table, findings_table, rejected_lines,
                       where, as_of)
    rejects = f"_clemency_rejects_{table}"
    con.register(rejects, rejected_lines)
    try:
        con.execute(f"""CREATE OR REPLACE TABLE {q(table)} AS
            SELECT {columns}, CAST(_row AS BIGINT) AS _row{passthrough_cols}, _bad
            FROM ({checked})""")

        # the findings: field by field on the (few) bad rows; then, on all rows, plausibility, duplicate
        # case_ids and people whose rows disagree (every row concerned, so that row order never matters)
        bad_stage = f"_clemency_bad_{table}"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {q(bad_stage)} AS SELECT * FROM {q(stage)} "
                    f"WHERE _row IN (SELECT _row FROM {q(table)} WHERE _bad)")
        per_field = sql.field_findings_sql(checked_sql(q(bad_stage)), structs)
        t = q(table)
        con.execute(f"CREATE OR REPLACE TABLE {q(findings_table)} AS "
                    f"{_findings_sql(per_field, t, plaus, plaus_any, rejects)}")
        con.execute(f"DROP TABLE {q(bad_stage)}")
    finally:
        con.unregister(rejects)

    staged_rows = con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
    rows_in = staged_rows + len({r[0] for r in staged.rejects})
    con.execute(f"DELETE FROM {t} WHERE _bad OR _row IN (SELECT row FROM {q(findings_table)})")
    con.execute(f"ALTER TABLE {t} DROP COLUMN _bad")
    rows_ok = con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
    n_findings, rejected = con.execute(f"SELECT count(*), count(DISTINCT row) FROM {q(findings_table)}").fetchall()[0]
    return LoadResult(rows_in=rows_in, rows_ok=rows_ok, rows_rejected=rejected, n_findings=n_findings,
                      registry_hash=staged.digest, columns=tuple(cols), path=where, as_of=as_of,
                      encoding=staged.encoding)


def _findings_sql(per_field: str, t: str, plaus: str, plaus_any: str, rejects: str) -> str:
    """The findings query: `per_field` (rows of row, case_id and a finding struct f) for the rows that fail a
    field's check; then, over the typed rows `t`, plausibility, duplicate case_ids and people whose rows
    disagree (every row concerned, so that row order never matters); then the unreadable records."""
    return f"""
        WITH per_field AS ({per_field}),
        implausible AS ({sql.struct_findings_sql(t, "case_id", plaus, plaus_any)}),
        dups AS ({sql.dups_sql(t)}),
        disagree AS ({sql.disagree_sql(t)})
        SELECT CAST(row AS BIGINT) AS row, case_id, field, {sql.shown_value('value')} AS value, expected FROM (
            SELECT row, case_id, f.field AS field, f.value AS value, f.expected AS expected FROM per_field
            UNION ALL SELECT row, case_id, f.field, f.value, f.expected FROM implausible
            UNION ALL SELECT * FROM dups
            UNION ALL SELECT * FROM disagree
            UNION ALL SELECT row, CAST(NULL AS VARCHAR), field, value, expected FROM {q(rejects)})
        ORDER BY row, field"""


# hash of a key for the grouping scan that finds repeated case_ids and people whose rows disagree: a 64-bit
# hash groups faster and in less memory than the strings; a collision only adds candidates (tests replace it)
KEY_HASH = "hash({})"


class Streamed:
    """A registry opened for one streaming pass (see `open_registry`): `table` is a view that types and
    checks the file's rows as a query reads them and leaves out every row that may have a finding; the
    findings are computed afterwards (`finish`) from the rows that were not decided.

        view = open_registry(path, con)          # narrow grouping scans; `registry` is a view
        ... COPY (decide over `registry`) ...    # the one full pass: read, type, check, decide, write
        loaded = view.finish("SELECT _row FROM read_parquet('decisions.parquet')")
        if loaded.rows_ok != decided: view.exact(), and decide again (only after a hash collision)
    """

    def __init__(self, con, stage: str, staged: Staged, typed: str, typed_sql: Callable[[str], str], table: str,
                 findings_table: str, plausibility: tuple[str, str], rejects: pa.Table, where: str, as_of: dt.date,
                 kept: str, keys: str):
        self.con, self.stage, self.staged, self.typed, self.typed_sql = con, stage, staged, typed, typed_sql
        #: a small table whose `articles` column holds every distinct articles value read (for the lookup)
        self.articles = keys
        self.table, self.findings_table, self.plausibility = table, findings_table, plausibility
        self.rejects, self.where, self.as_of, self.kept = rejects, where, as_of, kept

    def finish(self, decided: str | None = None) -> LoadResult:
        """Compute `findings_table` from the rows that `decided` (a query giving the `_row` of every row
        decided; default: the rows of the view) does not hold, and return the import's accounting. Rows
        whose `_row` is not decided are few: only they are typed again, checked field by field, and
        grouped by case_id and person (all rows of a repeated case_id or of a person whose rows disagree
        are among them, since the view leaves out every row whose key hash is a candidate)."""
        con, plaus, plaus_any = self.con, *self.plausibility
        decided = decided or f"SELECT _row FROM {q(self.table)}"
        suspect, rejects = f"_clemency_suspect_{self.table}", f"_clemency_rejects_{self.table}"
        staged_rows = con.execute(f"SELECT count(*) FROM {q(self.stage)}").fetchall()[0][0]
        if con.execute(f"SELECT count(*) FROM ({decided})").fetchall()[0][0] == staged_rows:
            undecided = f"(SELECT * FROM {q(self.stage)} WHERE FALSE)"   # every row decided: nothing to check
        else:
            # the row numbers first (one integer column each side), then the undecided rows' cells
            con.execute(f"""CREATE OR REPLACE TEMP TABLE _clemency_undecided AS
                SELECT _row FROM (SELECT _row FROM {q(self.stage)}) s ANTI JOIN ({decided}) d ON s._row = d._row""")
            undecided = f"(SELECT * FROM {q(self.stage)} WHERE _row IN (SELECT _row FROM _clemency_undecided))"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {q(suspect)} AS {self.typed_sql(undecided)}")
        con.execute("DROP TABLE IF EXISTS _clemency_undecided")
        per_field = f"SELECT _row AS row, case_id, unnest(_field_findings) AS f FROM {q(suspect)} WHERE _bad"
        con.register(rejects, self.rejects)
        try:
            con.execute(f"CREATE OR REPLACE TABLE {q(self.findings_table)} AS "
                        f"{_findings_sql(per_field, q(suspect), plaus, plaus_any, rejects)}")
        finally:
            con.unregister(rejects)
        con.execute(f"DROP TABLE {q(suspect)}")
        rows_in = staged_rows + len({r[0] for r in self.staged.rejects})
        n_findings, rejected = con.execute(
            f"SELECT count(*), count(DISTINCT row) FROM {q(self.findings_table)}").fetchall()[0]
        return LoadResult(rows_in=rows_in, rows_ok=rows_in - rejected, rows_rejected=rejected,
                          n_findings=n_findings, registry_hash=self.staged.digest,
                          columns=tuple(self.staged.columns), path=self.where, as_of=self.as_of,
                          encoding=self.staged.encoding)

    def exact(self) -> None:
        """Redefine the view as the typed rows without findings (after `finish`): exact even when a key hash
        collided, at the cost of an anti-join with the findings."""
        self.con.execute(f"""CREATE OR REPLACE TEMP VIEW {q(self.table)} AS
            SELECT {self.kept} FROM {q(self.typed)}
            ANTI JOIN (SELECT DISTINCT row FROM {q(self.findings_table)}) f ON _row = f.row""")


def open_registry(path: str | Path, con: duckdb.DuckDBPyConnection, *, extra_fields: Iterable[Field] = (),
                  table: str = "registry", findings_table: str = "findings", encoding: str | None = None,
                  as_of: dt.date | None = None,
                  rename: Callable[[list[str]], dict[str, str]] | None = None) -> Streamed:
    """Open a CSV, Parquet or XLSX registry for one streaming pass: `table` becomes a view over the file
    (nothing of the registry is materialised); `finish` then gives the findings and the accounting."""
    path = Path(path)
    stage = f"_clemency_stage_{table}"
    staged = read_file(path, con, stage, encoding=encoding)
    _check_required(staged.columns, path.name)
    return _validate(con, stage, staged, tuple(extra_fields), table, findings_table, path.name,
                     as_of or dt.date.today(), stream=True, rename=rename)


def _stream(con: duckdb.DuckDBPyConnection, stage: str, staged: Staged, typed_sql: Callable[[str], str],
            plausibility: tuple[str, str], table: str, findings_table: str, rejects: pa.Table, where: str,
            as_of: dt.date) -> Streamed:
    """The views of a streaming pass:

    - `_clemency_typed_<table>`: every row typed and checked as it is read (with `_bad`, and its per-field
      finding structs on the bad rows only);
    - three narrow grouping scans keep the hashes of case_ids held by several rows and of
      person_ids whose rows disagree in sex or birth date (candidates: a collision only adds some);
    - `table`: the typed rows that are not bad, not implausible and whose key hashes are no candidates."""
    plaus, plaus_any = plausibility
    typed, keys = f"_clemency_typed_{table}", f"_clemency_keys_{table}"
    # the view's many filters make DuckDB estimate it at a few hundred rows, and it would then build its hash
    # joins (the article lookup) on the registry instead of probing with it: all of it held in memory, and
    # the rows out of the registry's order. The registry is always the probe side.
    con.execute("SET disabled_optimizers = 'build_side_probe_side'")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {q(typed)} AS {typed_sql(q(stage))}")
    hc = f"CASE WHEN case_id IS NOT NULL THEN {KEY_HASH.format('case_id')} END"
    hp = f"CASE WHEN person_id IS NOT NULL THEN {KEY_HASH.format('person_id')} END"
    # the distinct `articles` values too, which the article lookup needs. Three plain groupings, one
    # after the other, each reading only its columns: measured 10% less CPU than one GROUPING SETS query
    # (whose hash tables are all built at once, fed by a materialised CTE)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {q(keys)} AS
        SELECT hc, CAST(NULL AS UBIGINT) AS hp, CAST(NULL AS VARCHAR) AS articles
          FROM (SELECT {hc} AS hc FROM {q(typed)}) WHERE hc IS NOT NULL GROUP BY hc HAVING count(*) > 1
        UNION ALL
        SELECT NULL, hp, NULL FROM (SELECT {hp} AS hp, sex, birth_date FROM {q(typed)}) WHERE hp IS NOT NULL
          GROUP BY hp HAVING min(sex) <> max(sex) OR min(birth_date) <> max(birth_date)
        UNION ALL
        SELECT NULL, NULL, articles FROM {q(typed)} WHERE articles IS NOT NULL GROUP BY articles""")
    kept = ", ".join(q(r[0]) for r in con.execute(f"DESCRIBE {q(typed)}").fetchall()
                     if r[0] not in ("_bad", "_field_findings"))
    con.execute(f"""CREATE OR REPLACE TEMP VIEW {q(table)} AS
        SELECT {kept} FROM {q(typed)}
        WHERE NOT _bad AND NOT ({plaus_any})
          AND coalesce({hc} NOT IN (SELECT hc FROM {q(keys)} WHERE hc IS NOT NULL), FALSE)
          AND coalesce({hp} NOT IN (SELECT hp FROM {q(keys)} WHERE hp IS NOT NULL), FALSE)""")
    return Streamed(con, stage, staged, typed, typed_sql, table, findings_table, plausibility, rejects, where, as_of,
                    kept, keys)
