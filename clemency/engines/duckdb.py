"""The DuckDB engine: the compiled plan as one SQL query over the registry table, written to Parquet."""

from __future__ import annotations

import datetime as dt

from clemency.compile.plan import Plan
from clemency.engines.sqlgen import SqlGen


def sql_path(path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _lit(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


class DuckDBEngine:
    name = "duckdb"

    def __init__(self):
        self.sql = SqlGen("duckdb")

    def query(self, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str],
              registry: str = "registry", lookup: str = "_lookup") -> str:
        source = self.sql.source_query(plan, registry, lookup, columns)
        return self.sql.decision_query(plan, source, on, passthrough)

    def decide(self, con, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str], out_path,
               metadata: dict[str, str] | None = None) -> None:
        """Decide every row of the `registry` table of `con` (with `_lookup` registered) into Parquet, with
        `metadata` as the file's key-value metadata."""
        query = self.query(plan, on, columns, passthrough)
        kv = ""
        if metadata:
            kv = ", KV_METADATA {" + ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in metadata.items()) + "}"
        con.execute(f"COPY ({query}) TO {sql_path(out_path)} (FORMAT PARQUET{kv})")   # snappy: faster than zstd

    def decide_relation(self, con, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str]):
        return con.sql(self.query(plan, on, columns, passthrough))
