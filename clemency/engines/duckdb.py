"""The DuckDB engine: the compiled plan as one SQL query over the registry table, written to Parquet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from clemency.compile.plan import Plan
from clemency.engines.base import Engine, kv_metadata_sql, sql_path
from clemency.engines.sqlgen import SqlGen

__all__ = ["DuckDBEngine", "sql_path"]


class DuckDBEngine(Engine):
    name = "duckdb"

    def __init__(self):
        self.sql = SqlGen("duckdb")

    def query(self, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str],
              registry: str = "registry", lookup: str = "_lookup") -> str:
        source = self.sql.source_query(plan, registry, lookup, columns)
        return self.sql.decision_query(plan, source, on, passthrough)

    def ordered_query(self, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str]) -> str:
        """The decision query in registry order. DuckDB keeps the order of a scan through filters and
        projections, not through joins (the article lookup; a large IN list): a hash join may emit whole
        chunks out of order, so the rows are sorted by `_row` (measured: +7% at 1M rows)."""
        query = self.query(plan, on, columns, passthrough)
        return query + " ORDER BY _row" if "_row" in passthrough else query

    def _write(self, con, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str], out_path: Path,
               metadata: dict[str, str]) -> bool:
        kv = f", {kv_metadata_sql(metadata)}" if metadata else ""
        query = self.ordered_query(plan, on, columns, passthrough)
        con.execute(f"COPY ({query}) TO {sql_path(out_path)} (FORMAT PARQUET{kv})")   # snappy: faster than zstd
        return True

    def _rows(self, con, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str]) -> list[dict]:
        cur = con.execute(self.ordered_query(plan, on, columns, passthrough))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def decide_relation(self, con, plan: Plan, on: dt.date, columns: list[str], passthrough: list[str]):
        """The decision query as a lazy DuckDB relation (for the Spark engine's column types and for tests)."""
        return con.sql(self.query(plan, on, columns, passthrough))
