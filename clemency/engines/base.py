"""The engine interface, in the manner of splink's database API: one final template method runs a compiled
plan over a registry; each engine implements two small abstract methods.

    decide(con, plan, on, columns, passthrough, out_path, metadata)   final: decisions into one Parquet file
    decide_rows(con, plan, on, columns, passthrough)                  final: decisions as dicts (few rows)

An engine implements
    _write(con, plan, on, columns, passthrough, out_path, metadata) -> bool
        decide every row of the `registry` table of `con` (with the article lookup `_lookup` registered)
        into `out_path`; returns whether the file already carries `metadata`
    _rows(con, plan, on, columns, passthrough) -> list[dict]
        the same decisions as dicts, in registry order (the base class offers a default through `_write`)

The base class checks what every engine must honour: the decision columns of `clemency.engines.schema`,
in their order, after the passthrough columns; the run's key-value metadata on the file.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar, final

import pyarrow.parquet as pq

from clemency.compile.plan import Plan
from clemency.engines.schema import DECISION_FIELDS
from clemency.errors import ClemencyError

FINAL = ("decide", "decide_rows")


def sql_path(path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def sql_text(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def kv_metadata_sql(metadata: dict[str, str]) -> str:
    """DuckDB's COPY option for Parquet key-value metadata (keys and values as SQL string literals)."""
    return "KV_METADATA {" + ", ".join(f"{sql_text(k)}: {sql_text(v)}" for k, v in metadata.items()) + "}"


class Engine(ABC):
    name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for method in FINAL:
            if method in cls.__dict__:
                raise TypeError(f"{cls.__name__} may not override Engine.{method}; implement _write/_rows")

    @final
    def decide(self, con, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str], out_path,
               metadata: dict[str, str] | None = None) -> None:
        """Decide every row of the `registry` table of `con` into the Parquet file `out_path`."""
        passthrough = list(passthrough)
        _check_passthrough(columns, passthrough)
        out_path = Path(out_path)
        carries = self._write(con, plan, on, columns, passthrough, out_path, metadata or {})
        if metadata and not carries:
            _add_metadata(con, out_path, metadata)
        _check_schema(self.name, pq.read_schema(out_path).names, passthrough)

    @final
    def decide_rows(self, con, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str]) -> list[dict]:
        """The decisions of every row of the `registry` table as dicts, in registry order (for few rows)."""
        passthrough = list(passthrough)
        _check_passthrough(columns, passthrough)
        rows = self._rows(con, plan, on, columns, passthrough)
        if rows:
            _check_schema(self.name, list(rows[0]), passthrough)
        return rows

    @abstractmethod
    def _write(self, con, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str], out_path: Path,
               metadata: dict[str, str]) -> bool:
        """Write the decisions into `out_path`; True when the file already carries `metadata`."""

    def _rows(self, con, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str]) -> list[dict]:
        fd, name = tempfile.mkstemp(suffix=".parquet", prefix="clemency-rows-")
        os.close(fd)
        try:
            self._write(con, plan, on, columns, passthrough, Path(name), {})
            return pq.read_table(name).to_pylist()
        finally:
            os.unlink(name)


def _check_passthrough(columns: list[str], passthrough: list[str]) -> None:
    missing = [p for p in passthrough if p not in columns and p != "notes"]
    if missing:
        raise ClemencyError(f"the registry lacks the columns {', '.join(missing)} to carry into the decisions")


def _check_schema(engine: str, names: list[str], passthrough: list[str]) -> None:
    expected = list(passthrough) + list(DECISION_FIELDS)
    if list(names) != expected:
        raise ClemencyError(f"the {engine} engine wrote the columns {', '.join(names)}; "
                            f"expected {', '.join(expected)}")


def _add_metadata(con, path: Path, metadata: dict[str, str]) -> None:
    """Rewrite the file once with the run's key-value metadata (streamed by DuckDB, row order kept)."""
    raw = path.with_name(path.name + ".raw")
    os.replace(path, raw)
    try:
        con.execute(f"COPY (SELECT * FROM read_parquet({sql_path(raw)})) TO {sql_path(path)} "
                    f"(FORMAT PARQUET, {kv_metadata_sql(metadata)})")
    finally:
        raw.unlink()
