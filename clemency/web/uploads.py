"""Bounds on uploads, checked before the file is read: the columns of a registry, the rows of a list version.

A registry of a great many columns is refused from its header line by the registry reader itself
(`clemency.registry.read.check_registry_columns`, for every command); a list CSV is held to the same bound.

A list is read whole (every row a dict), so a small file that holds a great many rows (a CSV of two-byte
lines, or a workbook whose sheet compresses a thousand times) would take minutes and gigabytes before the
intake's own row limit could refuse it. Here the rows are counted from the bytes: the line breaks of a CSV,
the row elements of a workbook's sheets as they are decompressed (streamed, never held), after the workbook
archive passed the registry's checks (parts, sizes, compression ratio, entity declarations)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from clemency.errors import ClemencyError, InputError
from clemency.monitor.intake import MAX_ROWS, kind_of
from clemency.registry.read import MAX_COLUMNS, check_registry_columns  # noqa: F401 (MAX_COLUMNS: importable here)
from clemency.web.common import ApiError

CHUNK = 1 << 20
#: a CSV may spend more than one line on a row (a quoted note with line breaks): twice the rows, and the header
MAX_CSV_LINES = 2 * MAX_ROWS + 1
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_TAIL = 64


def _too_many(count: int) -> ApiError:
    return ApiError(413, "the list has too many rows",
                    [f"more than {count:,} rows; a list version holds at most {MAX_ROWS:,}"])


def _csv_lines(path: Path) -> None:
    try:
        check_registry_columns(path)
    except InputError as exc:
        raise ApiError(413, exc.message, [exc.hint] if exc.hint else []) from None
    lines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            lines += chunk.count(b"\n")
            if lines > MAX_CSV_LINES:
                raise _too_many(MAX_ROWS)


def _sheet_rows(path: Path) -> None:
    from clemency.registry.read import _check_xlsx_archive
    try:
        _check_xlsx_archive(path)
    except ClemencyError as exc:
        raise ApiError(400, str(exc).splitlines()[0].split(": ", 1)[-1], []) from None
    rows = 0
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                tail = b""
                with zf.open(info) as fh:
                    while chunk := fh.read(CHUNK):
                        window = tail + chunk
                        rows += len(_ROW.findall(window)) - len(_ROW.findall(tail))
                        if rows > MAX_ROWS + 1:
                            raise _too_many(MAX_ROWS)
                        tail = window[-_TAIL:]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        raise ApiError(400, "cannot read the file as XLSX (it is not an XLSX workbook or it is damaged)", []) from None


def check_list_upload(path: Path) -> None:
    """Refuse (413) an uploaded list file with more rows than a list version may hold (or a CSV of more columns
    than a registry may have, or a first line that does not end), or (400) a workbook
    that is damaged or would decompress beyond the limits, before anything reads it whole."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if kind_of(head) == ".xlsx":
        _sheet_rows(path)
    else:
        _csv_lines(path)



