"""The decision schema, declared once: every engine writes these columns, in this order, after the
passthrough columns of the input row. `docs/decisions.md` describes each field in words."""

from __future__ import annotations

import pyarrow as pa

# (name, Arrow type, SQL type) of every decision column
DECISION_SCHEMA: tuple[tuple[str, pa.DataType, str], ...] = (
    ("relief", pa.string(), "VARCHAR"),
    ("clause", pa.string(), "VARCHAR"),
    ("basis", pa.string(), "VARCHAR"),
    ("reduction_months", pa.int32(), "INTEGER"),
    ("new_sentence_end", pa.date32(), "DATE"),
    ("eligible_from", pa.date32(), "DATE"),
    ("eligible_until", pa.date32(), "DATE"),
    ("upcoming_relief", pa.string(), "VARCHAR"),
    ("upcoming_clause", pa.string(), "VARCHAR"),
    ("upcoming_from", pa.date32(), "DATE"),
    ("reasons", pa.string(), "VARCHAR"),
    ("excluded_by", pa.string(), "VARCHAR"),
    ("rests_on_readings", pa.string(), "VARCHAR"),
)
DECISION_FIELDS: tuple[str, ...] = tuple(name for name, _, _ in DECISION_SCHEMA)
DECISION_TYPES: list[tuple[str, pa.DataType]] = [(name, t) for name, t, _ in DECISION_SCHEMA]

# Columns every decision carries from its input row (besides the decision itself).
PASSTHROUGH: tuple[str, ...] = ("person_id", "case_id", "_row", "sex", "status", "punishment", "crime_category",
                                "sentence_end", "notes")


def reserved(name: str) -> bool:
    """Whether an input column of this name would collide with a decision or an internal column: a decision
    field, the `notes` the engines write, or any name beginning with `_` (internal columns such as `_row`,
    the article columns, the stages' working columns). Such input columns are renamed on the way in."""
    return name.startswith("_") or name in DECISION_FIELDS or name == "notes"


def arrow_schema(passthrough_types: dict[str, pa.DataType] | None = None) -> pa.Schema:
    fields = [pa.field(n, t) for n, t in (passthrough_types or {}).items()]
    return pa.schema(fields + [pa.field(n, t) for n, t in DECISION_TYPES])
