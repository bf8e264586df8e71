"""Inert cells: no value Clemency writes to CSV or XLSX is ever evaluated by a spreadsheet.

A text cell that starts with a character a spreadsheet treats as the start of a formula or a command
(`=`, `+`, `-`, `@`, tab, carriage return, newline) is written with a leading apostrophe: `=1+1` becomes
`'=1+1`. The apostrophe is the convention Excel and LibreOffice themselves use for "this is text", so the
value stays readable and nothing is lost: strip one leading apostrophe to get the original back.
Numbers, dates and booleans are typed values, not text, and are left alone (a negative number is a number).
"""

from __future__ import annotations

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value):
    """The value as it is safe to write into a CSV or XLSX cell (text only; other types unchanged)."""
    if isinstance(value, str) and value.startswith(DANGEROUS_FIRST):
        return "'" + value
    return value


def neutralise_sql(expr: str) -> str:
    """A DuckDB SQL expression that neutralises the VARCHAR expression `expr` the same way."""
    return (f"CASE WHEN regexp_matches({expr}, '^[=+\\-@\\t\\r\\n]') THEN '''' || {expr} ELSE {expr} END")
