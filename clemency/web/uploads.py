"""Bounds on uploads, checked before the file is read: the columns of a registry, the rows of a list version.

A registry of a great many columns (a 2 MB CSV of 180,000 columns kept a run busy for minutes and took a
gigabyte) is refused from its header line, or a Parquet file from its footer, before the run reads it; no
registry needs more than MAX_COLUMNS columns (the registry format has about forty fields).

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
from clemency.web.common import ApiError

CHUNK = 1 << 20
#: a CSV may spend more than one line on a row (a quoted note with line breaks): twice the rows, and the header
MAX_CSV_LINES = 2 * MAX_ROWS + 1
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_TAIL = 64
MAX_COLUMNS = 2_000
HEADER_BYTES = 1 << 20


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


def check_registry_columns(path: Path) -> None:
    """Refuse (InputError, so that the run fails with it as with any unreadable registry) a registry whose
    header names more than MAX_COLUMNS columns, or whose first line does not end within HEADER_BYTES. CSV
    columns are counted by their separators (',', ';' or tab, in any encoding the reader takes), which may
    count a quoted separator too: a header never needs that many."""
    with open(path, "rb") as fh:
        head = fh.read(HEADER_BYTES)
    if head[:4] == b"PAR1":
        import pyarrow.parquet as pq
        try:
            n = pq.read_metadata(path).num_columns
        except Exception:  # noqa: BLE001 - a damaged file: the reader says how
            return
    elif head[:4] == b"PK\x03\x04":
        return          # a workbook: the XLSX reader checks its declared size and columns itself
    else:
        ends = [i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0]
        end = min(ends) if ends else -1
        if end < 0 and len(head) == HEADER_BYTES:
            raise InputError(f"the first line (the header) is longer than {HEADER_BYTES // 1024:,} KiB",
                             hint="is this a CSV file, with one line per row?")
        line = head if end < 0 else head[:end]
        n = 1 + max(line.count(sep) for sep in (b",", b";", b"\t"))
    if n > MAX_COLUMNS:
        raise InputError(f"the file has {n:,} columns, more than the {MAX_COLUMNS:,} allowed",
                         hint="the registry format has about forty fields; remove the columns it does not use")
