"""Engines run a compiled plan over a registry. DuckDB is the default; Spark and the reference engine
(row at a time, the oracle) give the same decisions. Heavy engines are imported only when asked for."""

from __future__ import annotations

from clemency.errors import UsageError

ENGINES = ("duckdb", "spark", "reference")


def get_engine(name: str):
    if name == "duckdb":
        from clemency.engines.duckdb import DuckDBEngine
        return DuckDBEngine()
    if name == "spark":
        from clemency.engines.spark import SparkEngine
        return SparkEngine()
    if name == "reference":
        from clemency.engines.reference import ReferenceEngine
        return ReferenceEngine()
    raise UsageError(f"unknown engine {name!r}; expected one of {', '.join(ENGINES)}")
