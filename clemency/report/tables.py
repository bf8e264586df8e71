"""Writing query results as XLSX (CSV and Parquet are written by DuckDB itself)."""

from __future__ import annotations

from pathlib import Path

from clemency.errors import ClemencyError

XLSX_MAX_ROWS = 1_048_575


def write_xlsx(con, query: str, path: str | Path, sheet: str = "decisions") -> int:
    """Write the rows of a DuckDB query to one XLSX sheet (streamed); refuses more than a sheet holds."""
    import openpyxl

    n = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
    if n > XLSX_MAX_ROWS:
        raise ClemencyError(f"{n:,} rows do not fit in an XLSX sheet (at most {XLSX_MAX_ROWS:,}); "
                            "use decisions.parquet or decisions.csv")
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    cur = con.execute(query)
    ws.append([d[0] for d in cur.description])
    while rows := cur.fetchmany(10_000):
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return n
