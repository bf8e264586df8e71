"""Engines run a compiled plan over a registry through one interface (`clemency.engines.base.Engine`).
DuckDB is the default; Spark and the reference engine (row at a time, the oracle) give the same decisions.
Spark, an optional heavy extra, is imported only when asked for."""

from __future__ import annotations

from clemency.engines.base import Engine
from clemency.engines.duckdb import DuckDBEngine
from clemency.engines.reference import ReferenceEngine
from clemency.errors import UsageError

ENGINES = ("duckdb", "spark", "reference")


def get_engine(name: str) -> Engine:
    if name == "duckdb":
        return DuckDBEngine()
    if name == "reference":
        return ReferenceEngine()
    if name == "spark":
        from clemency.engines.spark import SparkEngine  # noqa: PLC0415 (pyspark: an optional heavy extra)
        return SparkEngine()
    raise UsageError(f"unknown engine {name!r}; expected one of {', '.join(ENGINES)}")
