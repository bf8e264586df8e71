"""The registry's validation on Spark: the rules of the DuckDB import (registry/sql.py, registry/plausible.py)
in the Spark SQL dialect, with the same findings (row, case_id, field, value, expected) in the same words.

Every rule is spelled once, in registry/sql.py and registry/plausible.py, parameterised by a dialect;
this module only adds what is Spark's own: how a typed Parquet column is staged (`stage_column`) and the
findings as separate queries that the Spark engine unites with the unreadable records
(clemency/engines/spark_apply.py). tests/test_registry_dialects.py checks that both imports report the
same findings for the same rows.
"""

from __future__ import annotations

import datetime as dt

from clemency.registry import plausible, sql
from clemency.registry.schema import Field
from clemency.registry.sql import SPARK

__all__ = ["cell_checks", "checked_sql", "findings_sqls", "lit", "q", "shown_value", "stage_column", "typed_sql"]

q, lit = SPARK.q, SPARK.lit


# --- the stage: one column per input column, as text unless it already has its field's type ------------

NUMERIC = ("byte", "short", "integer", "long", "float", "double")


def stage_column(name: str, kind: str, field: Field | None) -> tuple[str, bool]:
    """(the Spark expression of input column `name` of Spark type `kind` (simpleString), whether it stays
    in its own type) by the DuckDB reader's rules for typed Parquet columns."""
    c = q(name)
    is_date = kind == "date" or kind.startswith("timestamp")
    is_num = kind in NUMERIC or kind.startswith("decimal")
    if field is not None:
        if field.type == "date" and is_date:
            return f"CAST({c} AS DATE)", True
        if field.type == "bool" and kind == "boolean":
            return c, True
        if field.type in ("int", "number") and is_num:
            return f"CAST({c} AS DOUBLE)", True
    if kind == "string":
        return c, False
    if is_date:
        return f"CAST(CAST({c} AS DATE) AS STRING)", False
    if kind == "boolean":
        return f"CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END", False
    if kind.startswith("array"):
        return f"array_join({c}, ';')", False
    if kind in ("float", "double") or kind.startswith("decimal"):
        d = f"CAST({c} AS DOUBLE)"
        return (f"CASE WHEN {SPARK.isfinite(d)} AND {SPARK.integral(d)} AND abs({d}) < 1e18 "
                f"THEN CAST(CAST({d} AS BIGINT) AS STRING) ELSE {SPARK.number_text(d)} END"), False
    return f"CAST({c} AS STRING)", False


# --- the checks, in the shared spelling ----------------------------------------------------------------

def cell_checks(fields: list[Field], native: frozenset, passthrough: list[str], check_cells: bool) -> list[tuple]:
    return sql.cell_checks(fields, native, passthrough, check_cells, SPARK)


def checked_sql(source: str, fields: list[Field], by_lower: dict[str, str], passthrough: list[str],
                native: frozenset, cells: list[tuple]) -> str:
    """Every staged row with its trimmed, parsed and typed values and its finding flags."""
    return sql.checked_sql(source, fields, by_lower, passthrough, native, cells, SPARK)


def typed_sql(checked: str, fields: list[Field], passthrough: list[str]) -> str:
    """The typed registry (every row, `_bad` marking those with a finding in a field)."""
    extra = "".join(f", {q('x_' + c)} AS {q(c)}" for c in passthrough)
    return f"SELECT {sql.typed_columns(fields, SPARK)}, CAST(_row AS BIGINT) AS _row{extra}, _bad FROM ({checked})"


def findings_sqls(checked: str, typed: str, fields: list[Field], native: frozenset, cells: list[tuple],
                  as_of: dt.date) -> dict[str, str]:
    """The queries of the findings: `rows` (per field and plausibility, from one scan each), `dups` and
    `disagree` (groupings over the whole registry), each (row, case_id, field, value, expected)."""
    structs = [sql.finding_struct(f, f.name in native, SPARK) for f in fields] + sql.cell_structs(cells, SPARK)
    plaus, plaus_any = plausible.sql_structs(as_of, SPARK)
    per_field = sql.field_findings_sql(checked, structs, SPARK)
    implausible = sql.struct_findings_sql(f"({typed})", "case_id", plaus, plaus_any, SPARK)
    rows = (f"SELECT row, case_id, f.field AS field, f.value AS value, f.expected AS expected FROM ({per_field}) "
            f"UNION ALL SELECT row, case_id, f.field, f.value, f.expected FROM ({implausible})")
    t = f"({typed})"
    return {"rows": rows, "dups": sql.dups_sql(t, SPARK), "disagree": sql.disagree_sql(t, SPARK),
            "any_plausibility": plaus_any}


def shown_value(col: str) -> str:
    """A finding's value with NUL characters made visible."""
    return sql.shown_value(col, SPARK)
