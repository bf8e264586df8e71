"""Reading a registry file (CSV, Parquet, XLSX) or JSON records into a DuckDB staging relation of strings.

The staging relation has `_row` (1 = first data row) and every input column as VARCHAR under its
original name. CSV and Parquet are read by DuckDB itself; XLSX through openpyxl in chunks into Arrow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from clemency.errors import InputError
from clemency.registry.schema import REQUIRED_COLUMNS
from clemency.registry.sql import lit, q

SUFFIXES = (".csv", ".parquet", ".pq", ".xlsx")
XLSX_CHUNK = 50_000


def file_hash(path: Path) -> str:
    """sha256 of the file bytes, streamed."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def records_hash(records: list[dict]) -> str:
    return hashlib.sha256(json.dumps(records, sort_keys=True, default=str).encode()).hexdigest()


def stage_file(path: Path, con: duckdb.DuckDBPyConnection, stage: str) -> list[str]:
    """Create view or table `stage` from the file; return the input column names in file order."""
    if not path.is_file():
        raise InputError("no such file (or not a regular file)", where=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return _stage_csv(path, con, stage)
        if suffix in (".parquet", ".pq"):
            return _stage_parquet(path, con, stage)
        if suffix == ".xlsx":
            return _stage_xlsx(path, con, stage)
    except InputError:
        raise
    except (duckdb.Error, OSError, ValueError, KeyError, pa.ArrowException) as exc:
        raise InputError(f"cannot read the file as {suffix[1:].upper()}: {exc}".strip(), where=str(path)) from exc
    raise InputError(f"unsupported file type {suffix!r}; expected one of {', '.join(SUFFIXES)}", where=str(path))


def _stage_csv(path: Path, con: duckdb.DuckDBPyConnection, stage: str) -> list[str]:
    raw = stage + "_raw"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {q(raw)} AS SELECT * FROM read_csv({lit(str(path))}, "
                "all_varchar = true, header = true, delim = ',', quote = '\"', escape = '\"', "
                "auto_detect = true, sample_size = -1)")
    cols = [r[0] for r in con.execute(f"DESCRIBE {q(raw)}").fetchall()]
    select = ", ".join(q(c) for c in cols)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {q(stage)} AS SELECT rowid + 1 AS _row, {select} FROM {q(raw)}")
    return cols


def _as_varchar(col: str, sql_type: str) -> str:
    c = q(col)
    t = sql_type.upper()
    if t == "VARCHAR":
        return c
    if t.startswith("TIMESTAMP") or t == "DATE":
        return f"CAST(CAST({c} AS DATE) AS VARCHAR)"
    if t == "BOOLEAN":
        return f"CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END"
    if t.endswith("[]"):
        return f"array_to_string({c}, ';')"
    if t in ("DOUBLE", "FLOAT") or t.startswith("DECIMAL"):
        return f"CASE WHEN {c} = floor({c}) THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) ELSE CAST({c} AS VARCHAR) END"
    return f"CAST({c} AS VARCHAR)"


NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
           "UBIGINT", "FLOAT", "DOUBLE")


def _native(col: str, sql_type: str) -> str | None:
    """A typed Parquet column kept in its type when it already is what the field needs (a date column for a
    date field, and so on): the validation then skips parsing it from text. None: convert to text."""
    from clemency.registry.schema import FIELDS
    field = FIELDS.get(col.strip().lower())
    t = sql_type.upper()
    if field is None:
        return None
    if field.type == "date" and (t == "DATE" or t.startswith("TIMESTAMP")):
        return f"CAST({q(col)} AS DATE)"
    if field.type == "bool" and t == "BOOLEAN":
        return q(col)
    if field.type in ("int", "number") and (t in NUMERIC or t.startswith("DECIMAL")):
        return f"CAST({q(col)} AS DOUBLE)"
    return None


def _stage_parquet(path: Path, con: duckdb.DuckDBPyConnection, stage: str) -> list[str]:
    src = f"read_parquet({lit(str(path))})"
    described = con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()
    cols = [r[0] for r in described]
    select = ", ".join(f"{_native(name, typ) or _as_varchar(name, typ)} AS {q(name)}" for name, typ, *_ in described)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {q(stage)} AS SELECT file_row_number + 1 AS _row, {select} "
                f"FROM read_parquet({lit(str(path))}, file_row_number = true)")
    return cols


def cell_text(value: Any) -> str | None:
    """One XLSX/JSON cell as the string the validation SQL expects."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ";".join(str(x) for x in value)
    return str(value)


def _header(values: Iterable[Any]) -> list[str]:
    names = [("" if v is None else str(v)).strip() for v in values]
    while names and names[-1] == "":
        names.pop()
    return [n or f"column{i + 1}" for i, n in enumerate(names)]


def stage_rows(con: duckdb.DuckDBPyConnection, stage: str, cols: list[str], chunks: Iterable[list[list]]) -> None:
    """Create table `stage` from chunks of rows of strings (via Arrow, one insert per chunk)."""
    raw = stage + "_raw"
    defs = ", ".join(f"{q(c)} VARCHAR" for c in cols)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {q(raw)} ({defs})")
    for rows in chunks:
        arrays = [pa.array([cell_text(r[i]) if i < len(r) else None for r in rows], pa.string())
                  for i in range(len(cols))]
        chunk = pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(len(cols))])
        con.register("_clemency_chunk", chunk)
        con.execute(f"INSERT INTO {q(raw)} SELECT * FROM _clemency_chunk")
        con.unregister("_clemency_chunk")
    select = ", ".join(q(c) for c in cols)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {q(stage)} AS SELECT rowid + 1 AS _row, {select} FROM {q(raw)}")


def _stage_xlsx(path: Path, con: duckdb.DuckDBPyConnection, stage: str) -> list[str]:
    from zipfile import BadZipFile

    import openpyxl  # a heavy import, only for XLSX

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(f"cannot read the file as XLSX: {exc}", where=str(path)) from exc
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            raise InputError("the first sheet is empty (no header row)", where=str(path))
        cols = _header(first)

        def chunks() -> Iterable[list[list]]:
            buf: list[list] = []
            for r in rows:
                if all(x is None for x in r):
                    continue
                buf.append(list(r))
                if len(buf) >= XLSX_CHUNK:
                    yield buf
                    buf = []
            if buf:
                yield buf

        stage_rows(con, stage, cols, chunks())
        return cols
    finally:
        wb.close()


def stage_records(records: list[dict], con: duckdb.DuckDBPyConnection, stage: str) -> list[str]:
    """Create `stage` from JSON-like records; a missing key is an empty cell."""
    cols: list[str] = []
    for rec in records:
        if not isinstance(rec, dict):
            raise InputError(f"a record must be a JSON object, not {type(rec).__name__}", where="records")
        for k in rec:
            if k not in cols:
                cols.append(str(k))
    cols += [c for c in REQUIRED_COLUMNS if c not in {x.strip().lower() for x in cols}]
    rows = [[rec.get(c) for c in cols] for rec in records]
    stage_rows(con, stage, cols, [rows] if rows else [])
    return cols
