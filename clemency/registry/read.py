"""Reading a registry file (CSV, Parquet, XLSX) or JSON records into a DuckDB staging relation of strings.

The staging relation has `_row` (1 = first data row) and every input column as VARCHAR under its
original name. Parquet is read by DuckDB itself, XLSX through openpyxl in chunks into Arrow (after
checking the archive against decompression bombs), CSV as follows:

1. one streaming pass over the bytes: the SHA-256, the encoding (UTF-8 with or without BOM, UTF-16,
   Windows-1251, or the one named by the caller), NUL bytes, and the line endings;
2. a file that is not plain UTF-8 with one kind of line ending is rewritten (streaming) to a temporary
   UTF-8 file with `\\n` line endings;
3. DuckDB reads it strictly (every line must have exactly the header's fields): the fast, vectorised path;
4. when that fails because some lines are malformed, a Python csv pass reads the file record by record:
   each malformed record becomes a finding (row, line, what was wrong) and the others are staged.

Messages never quote registry contents, DuckDB's own text or an absolute path; raw values appear only
in the findings.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import json
import re
import shutil
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from clemency.errors import InputError, UsageError
from clemency.registry.schema import REQUIRED_COLUMNS
from clemency.registry.sql import lit, q

SUFFIXES = (".csv", ".parquet", ".pq", ".xlsx")
XLSX_CHUNK = 50_000
CSV_CHUNK = 50_000
BLOCK = 1 << 22                 # bytes read at a time in the streaming passes
SAMPLE = 1 << 20                # bytes looked at to tell the encoding of a file that is not UTF-8

# XLSX limits, checked before the workbook is opened (a zip bomb never gets decompressed) and while reading.
XLSX_MAX_UNCOMPRESSED = 4 << 30         # all parts together, as the archive declares them
XLSX_MAX_RATIO = 200                    # uncompressed / compressed, for any part above 1 MB
XLSX_MAX_PARTS = 10_000
XLSX_MAX_ROWS = 1_048_576               # Excel's own limits
XLSX_MAX_COLUMNS = 16_384
XLSX_MAX_CELLS = 50_000_000             # rows x columns of the first sheet
# a CSV or Parquet registry: no registry needs more columns (the format has about forty fields); a 2 MB CSV of
# 180,000 columns kept a run busy for minutes and took a gigabyte before this bound
MAX_COLUMNS = 2_000
HEADER_BYTES = 1 << 20                  # the header line of a CSV must end within this

# Encodings told apart without being named; any other must be named (`encoding=`, `--encoding`).
DETECTED = ("UTF-8 (with or without BOM)", "UTF-16 (with BOM)", "Windows-1251")
_CYRILLIC_PUNCT = set("№«»—–“”„‘’…•")


@dataclass
class Staged:
    """What reading a file gave: the input columns in file order, the SHA-256 of the file, the records
    that could not be read at all (`rejects`: row, field, value, expected), and whether cells may hold
    NUL characters or undecodable bytes (then every column is checked for them)."""

    columns: list[str]
    digest: str
    rejects: list[tuple[int, str, str, str]] = field(default_factory=list)
    check_cells: bool = True
    encoding: str = "utf-8"


def file_hash(path: Path) -> str:
    """sha256 of the file bytes, streamed."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def records_hash(records: list[dict]) -> str:
    return hashlib.sha256(json.dumps(records, sort_keys=True, default=str).encode()).hexdigest()


def _name(path: Path) -> str:
    """The file as messages name it: its name, never its absolute path."""
    return path.name


def stage_file(path: Path, con: duckdb.DuckDBPyConnection, stage: str, encoding: str | None = None) -> list[str]:
    """Create view or table `stage` from the file; return the input column names in file order.
    (Lines that cannot be read are left out; `read_file` also returns them.)"""
    return read_file(Path(path), con, stage, encoding=encoding).columns


def read_file(path: Path, con: duckdb.DuckDBPyConnection, stage: str, *, encoding: str | None = None) -> Staged:
    """Stage the registry file `path` as `stage` (see the module text)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file (or not a regular file)", where=_name(path))
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"unsupported file type {suffix or '(no extension)'}; expected one of {', '.join(SUFFIXES)}",
                         where=_name(path))
    kind = {".csv": "CSV", ".xlsx": "XLSX"}.get(suffix, "Parquet")
    try:
        check_registry_columns(path)
        if suffix == ".csv":
            return _stage_csv(path, con, stage, encoding)
        if encoding is not None:
            raise UsageError(f"an encoding applies to CSV files only, not to {kind}", where=_name(path))
        if suffix == ".xlsx":
            return _stage_xlsx(path, con, stage)
        return _stage_parquet(path, con, stage)
    except (InputError, UsageError):
        raise
    except MemoryError:
        raise InputError(f"the file is too large to read as {kind} with the memory available",
                         where=_name(path)) from None
    except (duckdb.Error, OSError, ValueError, KeyError, EOFError, pa.ArrowException) as exc:
        # never the library's own text: it may quote a registry row or a path
        raise InputError(f"cannot read the file as {kind} ({_plain_reason(exc)})", where=_name(path),
                         hint=f"check that it is a complete {kind} file") from None


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
                             where=_name(path), hint="is this a CSV file, with one line per row?")
        line = head if end < 0 else head[:end]
        n = 1 + max(line.count(sep) for sep in (b",", b";", b"\t"))
    if n > MAX_COLUMNS:
        raise InputError(f"the file has {n:,} columns, more than the {MAX_COLUMNS:,} allowed",
                         where=_name(path),
                         hint="the registry format has about forty fields; remove the columns it does not use")


def _plain_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return "the file could not be opened or read"
    if isinstance(exc, UnicodeError):
        return "its text is not in the expected encoding"
    text = str(exc).lower()
    if "magic" in text or "parquet" in text and ("footer" in text or "corrupt" in text):
        return "it is not a Parquet file or it is damaged"
    if "zip" in text:
        return "it is not an XLSX workbook or it is damaged"
    return "its structure is damaged or of a kind that is not supported"


# ---- CSV ---------------------------------------------------------------------------------------------


@dataclass
class _Scan:
    digest: str
    head: bytes
    nul: bool
    lf: int
    cr: int

    @property
    def mixed_endings(self) -> bool:
        """Line endings other than all \n or all \r\n (a pure \r\n file has as many \r as \n; any
        other mix, such as two exports concatenated or old Mac \r, is rewritten)."""
        return self.cr > 0 and self.cr != self.lf


def _scan(path: Path) -> _Scan:
    """One streaming pass over the bytes: hash, NUL bytes, line endings, the first megabyte. (UTF-8
    validity is left to DuckDB's reader, which checks it anyway; only when that read fails is the whole
    file checked in Python, see `_first_bad_utf8`.)"""
    h = hashlib.sha256()
    nul, head, lf_alone = False, b"", False
    n_lf = n_cr = 0
    with open(path, "rb") as fh:
        while block := fh.read(BLOCK):
            h.update(block)
            if len(head) < SAMPLE:
                head += block[:SAMPLE - len(head)]
            if not nul and b"\0" in block:
                nul = True
            if b"\r" in block:          # counted only where there is a \r at all (memchr is cheap)
                n_cr += block.count(b"\r")
                n_lf += block.count(b"\n")
            elif not lf_alone and b"\n" in block:
                lf_alone = True
    return _Scan(h.hexdigest(), head, nul, n_lf, n_cr + (1 if lf_alone and n_cr else 0))


def _first_bad_utf8(path: Path) -> int | None:
    """The byte offset of the first byte that is not valid UTF-8, or None (a streaming pass)."""
    dec = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as fh:
        while True:
            block = fh.read(BLOCK)
            try:
                if not (block and block.isascii() and not dec.getstate()[0]):
                    dec.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                return max(0, offset + exc.start - len(dec.getstate()[0]))
            if not block:
                return None
            offset += len(block)


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 16:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _looks_cp1251(text: str) -> bool:
    """Whether text decoded as Windows-1251 reads as Cyrillic: nearly every character above ASCII is a
    Cyrillic letter or the punctuation of Russian typing, and the Cyrillic letters make words of their own
    (Latin-1 or Windows-1252 text decoded this way gives Cyrillic letters inside Latin words: "Mцller")."""
    non_ascii = [c for c in text if ord(c) > 127]
    cyrillic = sum(1 for c in non_ascii if "\u0400" <= c <= "\u04ff" or c in _CYRILLIC_PUNCT)
    if not non_ascii or cyrillic < 0.8 * len(non_ascii):
        return False
    words = [w for w in re.findall(r"[^\W\d_]+", text) if any("\u0400" <= c <= "\u04ff" for c in w)]
    mixed = sum(1 for w in words if any("a" <= c.lower() <= "z" for c in w))
    return bool(words) and mixed <= 0.1 * len(words)


def _detect_head(head: bytes) -> str:
    """The encoding told by the first bytes: a byte order mark, UTF-16 without one, else UTF-8 (to be
    confirmed by reading the whole file)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return _utf16_without_bom(head) or "utf-8"


def _detect_damaged(sample: bytes, first_bad_line: int, where: str) -> str:
    """The encoding of a file that is not valid UTF-8 throughout, judged on `sample` (the megabyte from
    the line of the first bad byte): UTF-8 with a few damaged lines (they become findings), Windows-1251,
    or a refusal in plain words."""
    lines = sample.split(b"\n")
    if len(sample) == SAMPLE and len(lines) > 1:
        lines = lines[:-1]   # the last line of the sample may be cut
    valid_non_ascii = bad = 0
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            valid_non_ascii += 1
        except UnicodeDecodeError:
            bad += 1
    if valid_non_ascii >= bad:
        return "utf-8"
    if _looks_cp1251(sample.decode("cp1251", errors="replace")):
        return "cp1251"
    raise InputError(f"cannot tell the text encoding of the file: it is not {', '.join(DETECTED[:-1])} or "
                     f"{DETECTED[-1]} (line {first_bad_line} holds the first byte that is not valid UTF-8)",
                     where=where, hint="save it as UTF-8, or name its encoding (--encoding, e.g. cp1252)")


def _damaged_sample(path: Path, offset: int) -> tuple[bytes, int]:
    """The megabyte of the file from the start of the line that holds byte `offset`, and that line's number."""
    start = max(0, offset - SAMPLE)
    with open(path, "rb") as fh:
        fh.seek(start)
        before = fh.read(offset - start)
        cut = before.rfind(b"\n") + 1
        fh.seek(start + cut)
        sample = fh.read(SAMPLE)
    with open(path, "rb") as fh:
        line_no = 1
        remaining = start + cut
        while remaining > 0:
            block = fh.read(min(BLOCK, remaining))
            line_no += block.count(b"\n")
            remaining -= len(block)
    return sample, line_no


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise UsageError(f"unknown text encoding {name!r}",
                         hint="a name such as utf-8, utf-16, cp1251, cp1252, latin-1") from None


def _rewrite(path: Path, enc: str, out: Path) -> int:
    """Transcode `path` from `enc` to UTF-8 with \\n line endings (streaming); return the number of
    characters that could not be decoded (each written as U+FFFD, so its cell becomes a finding)."""
    dec = codecs.getincrementaldecoder(enc)(errors="replace")
    bad = 0
    first = True
    with open(path, "rb") as src, open(out, "w", encoding="utf-8", newline="") as dst:
        carry = ""
        while True:
            block = src.read(BLOCK)
            text = carry + dec.decode(block, final=not block)
            carry = ""
            if block and text.endswith("\r"):
                text, carry = text[:-1], "\r"
            if first:
                text = text.removeprefix("\ufeff")
                first = False
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            bad += text.count("\ufffd")
            dst.write(text)
            if not block:
                break
    return bad


def _header(values: Iterable[Any], where: str) -> list[str]:
    names = [("" if v is None else str(v)).strip() for v in values]
    while names and names[-1] == "":
        names.pop()
    names = [n or f"column{i + 1}" for i, n in enumerate(names)]
    seen: dict[str, int] = {}
    for i, n in enumerate(names, 1):
        key = n.lower()
        if key in seen:
            raise InputError(f"the header names the column {n!r} twice (columns {seen[key]} and {i}), so it is "
                             "not clear which one to read", where=where, hint="rename or remove one of them")
        seen[key] = i
    if "\0" in "".join(names):
        raise InputError("the header holds a NUL character", where=where)
    return names


def _stage_csv(path: Path, con: duckdb.DuckDBPyConnection, stage: str, encoding: str | None) -> Staged:
    where = _name(path)
    scan = _scan(path)
    if not scan.head.strip(b"\r\n"):
        raise InputError("the file is empty (no header line)", where=where)
    enc = _codec(encoding) if encoding else _detect_head(scan.head)
    tmp = Path(tempfile.mkdtemp(prefix="clemency-read-"))
    try:
        src, undecodable = path, 0
        if enc not in ("utf-8", "utf-8-sig") or scan.mixed_endings:
            src = tmp / "registry.csv"
            undecodable = _rewrite(path, enc, src)
        cols = _csv_header(src, where)
        slow = False
        try:
            _csv_fast(src, con, stage, cols)   # DuckDB checks UTF-8 as it reads
            rejects: list | str | None = []
        except duckdb.Error as exc:
            # malformed lines, or bytes that are not UTF-8 (DuckDB's message is looked at, never shown)
            rejects = "unicode" if any(w in str(exc).lower() for w in ("unicode", "encoding")) else _csv_rejects(src, con, stage, cols)
            bad = _first_bad_utf8(src) if rejects == "unicode" and src == path else None
            if bad is not None:
                if encoding is None:
                    enc = _detect_damaged(*_damaged_sample(path, bad), where)
                src = tmp / "registry.csv"
                undecodable = _rewrite(path, enc, src)
                try:
                    _csv_fast(src, con, stage, cols)
                    rejects = []
                except duckdb.Error:
                    rejects = _csv_rejects(src, con, stage, cols)
                    if not isinstance(rejects, list):
                        rejects, slow = _csv_slow(src, con, stage, cols), True
            elif not isinstance(rejects, list):
                rejects, slow = _csv_slow(src, con, stage, cols), True
        return Staged(cols, scan.digest, rejects, check_cells=scan.nul or undecodable > 0 or slow, encoding=enc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _csv_header(src: Path, where: str) -> list[str]:
    with open(src, encoding="utf-8-sig", newline="", errors="replace") as fh:
        try:
            first = next(csv.reader(fh, strict=True), None)
        except csv.Error:
            raise InputError("the header line cannot be read as CSV", where=where) from None
    if not first:
        raise InputError("the first line is empty (no header)", where=where)
    cols = _header(first, where)
    if len(first) != len(cols):   # trailing empty names still count as columns
        cols = cols + [f"column{i + 1}" for i in range(len(cols), len(first))]
    return cols


def _csv_fast(src: Path, con: duckdb.DuckDBPyConnection, stage: str, cols: list[str]) -> None:
    """DuckDB's strict reader: any line with the wrong number of fields or a stray quote fails it."""
    raw = stage + "_raw"
    columns = "{" + ", ".join(f"{lit(c)}: 'VARCHAR'" for c in cols) + "}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {q(raw)} AS SELECT * FROM read_csv({lit(str(src))}, "
                f"columns = {columns}, header = true, delim = ',', quote = '\"', escape = '\"', "
                "auto_detect = false, strict_mode = true)")
    select = ", ".join(q(c) for c in cols)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {q(stage)} AS SELECT rowid + 1 AS _row, {select} FROM {q(raw)}")


_DUCKDB_PROBLEMS = {
    "UNQUOTED VALUE": "a quote inside a cell that is not doubled, or text after a closing quote",
    "LINE SIZE OVER MAXIMUM": "a line longer than the reader allows",
}


def _data_lines(src: Path) -> int:
    """The number of lines after the header (a last line without a line break counts)."""
    n, last = 0, b""
    with open(src, "rb") as fh:
        while block := fh.read(BLOCK):
            n += block.count(b"\n")
            last = block[-1:]
    return n + (1 if last not in (b"\n", b"") else 0) - 1


def _csv_rejects(src: Path, con: duckdb.DuckDBPyConnection, stage: str, cols: list[str]) -> list | str | None:
    """DuckDB's strict reader again, now setting the malformed lines aside (vectorised). Used only when every
    record is one line (then a line number is a row number); None when that is not so (blank lines,
    cells that span lines, a quote never closed): the caller reads record by record instead; "unicode" when
    some bytes are not UTF-8."""
    raw, rej, scan = stage + "_raw", stage + "_rejects", stage + "_rejects_scan"
    columns = "{" + ", ".join(f"{lit(c)}: 'VARCHAR'" for c in cols) + "}"
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {q(raw)} AS SELECT * FROM read_csv({lit(str(src))}, "
                    f"columns = {columns}, header = true, delim = ',', quote = '\"', escape = '\"', "
                    f"auto_detect = false, strict_mode = true, store_rejects = true, rejects_table = {lit(rej)}, "
                    f"rejects_scan = {lit(scan)})")
        bad = con.execute(f"SELECT line, min(error_type), any_value(csv_line) FROM {q(rej)} GROUP BY line "
                          "ORDER BY line").fetchall()
    except duckdb.Error:
        return None
    finally:
        for t in (rej, scan):
            con.execute(f"DROP TABLE IF EXISTS {q(t)}")
    if any("UNICODE" in kind or "ENCODING" in kind for _, kind, _ in bad):
        return "unicode"
    accepted = con.execute(f"SELECT count(*) FROM {q(raw)}").fetchall()[0][0]
    if any("\n" in (text or "") for _, _, text in bad) or accepted + len(bad) != _data_lines(src):
        return None
    n = len(cols)
    rejects = []
    for line_no, kind, text in bad:
        text = (text or "").rstrip("\r")
        if kind in ("TOO MANY COLUMNS", "MISSING COLUMNS"):
            try:
                problem = f"it has {len(next(csv.reader([text])))} fields"
            except (csv.Error, StopIteration):
                problem = "it has another number of fields"
        else:
            problem = _DUCKDB_PROBLEMS.get(kind, "a line that is not valid CSV")
        rejects.append((line_no - 1, "(whole row)", _shown(text),
                        f"a CSV line with {n} fields as in the header (line {line_no} of the file: {problem})"))
    # the k-th accepted row is row k + (the number of rejected rows before it): with g_i = r_i - i for the
    # sorted rejected rows r_i, that number is the largest i whose g_i < k (an ASOF join)
    gaps = stage + "_gaps"
    con.register(gaps + "_in", pa.table({"r": pa.array([r[0] for r in rejects], pa.int64())}))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {q(gaps)} AS SELECT g, max(i) AS c FROM (SELECT r - i AS g, i FROM "
                f"(SELECT r, row_number() OVER (ORDER BY r) AS i FROM {q(gaps + '_in')})) GROUP BY g")
    con.unregister(gaps + "_in")
    select = ", ".join(f"a.{q(c)}" for c in cols)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {q(stage)} AS SELECT a._k + coalesce(gp.c, 0) AS _row, {select} "
                f"FROM (SELECT rowid + 1 AS _k, * FROM {q(raw)}) a ASOF LEFT JOIN {q(gaps)} gp ON a._k > gp.g "
                "ORDER BY a._k")   # an ASOF join does not keep the file's order
    return rejects


class _Lines:
    """The physical lines of a text file for csv.reader, numbered, with the lines of the current record
    kept (`taken`) so that a malformed multi-line record can be given back line by line."""

    def __init__(self, fh):
        self._it = iter(fh)
        self._back: deque = deque()
        self.no = 0
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self._back:
            no, text = self._back.popleft()
        else:
            text = next(self._it)
            self.no += 1
            no = self.no
        self.taken.append((no, text))
        return text

    def give_back(self, lines: list[tuple[int, str]]) -> None:
        self._back.extendleft(reversed(lines))


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "expected after" in text:
        return "a quote inside a cell that is not doubled, or text after a closing quote"
    if "end of data" in text or "EOF" in text:
        return "a quote that is never closed"
    if "field larger" in text:
        return f"a cell longer than {csv.field_size_limit():,} characters"
    return "a line that is not valid CSV"


def _shown(text: str, limit: int = 300) -> str:
    """A raw line for the findings file: NUL characters made visible, cut to `limit` characters."""
    text = text.rstrip("\r\n").replace("\0", "\u2400")
    return text if len(text) <= limit else text[:limit] + "..."


def _csv_slow(src: Path, con: duckdb.DuckDBPyConnection, stage: str, cols: list[str]) -> list:
    """Record by record with Python's csv module: a malformed record is a finding, the rest is staged."""
    n = len(cols)
    rejects: list[tuple[int, str, str, str]] = []
    with open(src, encoding="utf-8-sig", newline="", errors="replace") as fh:
        lines = _Lines(fh)
        reader = csv.reader(lines, strict=True)
        next(reader)   # the header
        row = 0

        def reject(problem: str) -> None:
            taken = lines.taken
            first_no, first_text = taken[0] if taken else (lines.no, "")
            if len(taken) > 1:   # the record ran over several lines: keep the first, read the others again
                lines.give_back(taken[1:])
                problem += f" (the quote opened on line {first_no} runs over the next lines, which are read on their own)"
            rejects.append((row, "(whole row)", _shown(first_text), f"a CSV line with {n} fields as in the header "
                            f"(line {first_no} of the file: {problem})"))

        def chunks() -> Iterator[tuple[list[int], list[list]]]:
            nonlocal reader, row
            nums: list[int] = []
            buf: list[list] = []
            while True:
                lines.taken = []
                try:
                    rec = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    row += 1
                    reject(_csv_problem(exc))
                    reader = csv.reader(lines, strict=True)
                    continue
                if not rec:
                    continue    # a blank line is no row
                row += 1
                if len(rec) != n:
                    reject(f"it has {len(rec)} fields")
                    continue
                nums.append(row)
                buf.append(rec)
                if len(buf) >= CSV_CHUNK:
                    yield nums, buf
                    nums, buf = [], []
            if buf:
                yield nums, buf

        _stage_numbered(con, stage, cols, chunks())
    return rejects


def _stage_numbered(con: duckdb.DuckDBPyConnection, stage: str, cols: list[str],
                    chunks: Iterable[tuple[list[int], list[list]]]) -> None:
    """Create `stage` from chunks of (row numbers, rows of strings); an empty string is an empty cell."""
    raw = stage + "_raw"
    defs = ", ".join(f"{q(c)} VARCHAR" for c in cols)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {q(raw)} (_row BIGINT, {defs})")
    for nums, rows in chunks:
        arrays = [pa.array(nums, pa.int64())]
        arrays += [pa.array([r[i] or None for r in rows], pa.string()) for i in range(len(cols))]
        chunk = pa.Table.from_arrays(arrays, names=["_row"] + [f"c{i}" for i in range(len(cols))])
        con.register("_clemency_chunk", chunk)
        con.execute(f"INSERT INTO {q(raw)} SELECT * FROM _clemency_chunk")
        con.unregister("_clemency_chunk")
    select = ", ".join(q(c) for c in cols)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {q(stage)} AS SELECT _row, {select} FROM {q(raw)}")


# ---- Parquet ---------------------------------------------------------------------------------------------


def _as_varchar(col: str, sql_type: str) -> str:
    c = q(col)
    t = sql_type.upper()
    if t == "VARCHAR":
        return c
    if t.startswith("TIMESTAMP") or t == "DATE":
        return f"CAST(CAST({c} AS DATE) AS VARCHAR)"
    if t == "BOOLEAN":
        return f"CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END"
    if t.endswith("[]"):
        return f"array_to_string({c}, ';')"
    if t in ("DOUBLE", "FLOAT") or t.startswith("DECIMAL"):
        return (f"CASE WHEN isfinite({c}) AND {c} = floor({c}) AND abs({c}) < 1e18 "
                f"THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) ELSE CAST({c} AS VARCHAR) END")
    return f"CAST({c} AS VARCHAR)"


NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
           "UBIGINT", "FLOAT", "DOUBLE")


def _native(col: str, sql_type: str) -> str | None:
    """A typed Parquet column kept in its type when it already is what the field needs (a date column for a
    date field, and so on): the validation then skips parsing it from text. None: convert to text."""
    from clemency.registry.schema import FIELDS
    field_ = FIELDS.get(col.strip().lower())
    t = sql_type.upper()
    if field_ is None:
        return None
    if field_.type == "date" and (t == "DATE" or t.startswith("TIMESTAMP")):
        return f"CAST({q(col)} AS DATE)"
    if field_.type == "bool" and t == "BOOLEAN":
        return q(col)
    if field_.type in ("int", "number") and (t in NUMERIC or t.startswith("DECIMAL")):
        return f"CAST({q(col)} AS DOUBLE)"
    return None


def _stage_parquet(path: Path, con: duckdb.DuckDBPyConnection, stage: str) -> Staged:
    src = f"read_parquet({lit(str(path))})"
    described = con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()
    cols = [r[0] for r in described]
    _header(cols, _name(path))
    select = ", ".join(f"{_native(name, typ) or _as_varchar(name, typ)} AS {q(name)}" for name, typ, *_ in described)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {q(stage)} AS SELECT file_row_number + 1 AS _row, {select} "
                f"FROM read_parquet({lit(str(path))}, file_row_number = true)")
    return Staged(cols, file_hash(path), check_cells=True, encoding="")


# ---- XLSX and records ---------------------------------------------------------------------------------------


def cell_text(value: Any) -> str | None:
    """One XLSX/JSON cell as the string the validation SQL expects."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ";".join(str(x) for x in value)
    return str(value)


def stage_rows(con: duckdb.DuckDBPyConnection, stage: str, cols: list[str], chunks: Iterable[list[list]]) -> None:
    """Create table `stage` from chunks of rows of cell values (via Arrow, one insert per chunk);
    rows are numbered from 1 in order."""
    def numbered() -> Iterator[tuple[list[int], list[list]]]:
        start = 1
        for rows in chunks:
            texts = [[cell_text(r[i]) if i < len(r) else None for i in range(len(cols))] for r in rows]
            yield list(range(start, start + len(rows))), texts
            start += len(rows)
    _stage_numbered(con, stage, cols, numbered())


def _check_xlsx_archive(path: Path) -> None:
    """Refuse a workbook whose parts would decompress beyond the limits, before anything is decompressed."""
    import zipfile

    where = _name(path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError("cannot read the file as XLSX (it is not an XLSX workbook or it is damaged)",
                         where=where) from None
    if len(infos) > XLSX_MAX_PARTS:
        raise InputError(f"the workbook has {len(infos):,} parts, more than the {XLSX_MAX_PARTS:,} allowed",
                         where=where)
    total = sum(i.file_size for i in infos)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise InputError(f"the workbook would decompress to {total / 2**30:.1f} GiB, more than the "
                         f"{XLSX_MAX_UNCOMPRESSED / 2**30:.0f} GiB allowed", where=where,
                         hint="split the registry, or save it as CSV or Parquet")
    for i in infos:
        if i.file_size > 1 << 20 and i.file_size > XLSX_MAX_RATIO * max(i.compress_size, 1):
            raise InputError(f"a part of the workbook would decompress {i.file_size // max(i.compress_size, 1):,} "
                             f"times its stored size (more than {XLSX_MAX_RATIO} times is refused as a "
                             "decompression bomb)", where=where, hint="save the registry as CSV or Parquet")
    try:
        with zipfile.ZipFile(path) as zf:
            for i in infos:
                if i.filename.endswith((".xml", ".rels")) and _declares_entities(zf, i):
                    raise InputError("a part of the workbook declares XML entities (a document type), which "
                                     "spreadsheets never write; it is refused as a possible entity bomb", where=where)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        raise InputError("cannot read the file as XLSX (it is not an XLSX workbook or it is damaged)",
                         where=where) from None


def _declares_entities(zf, info) -> bool:
    """Whether an XML part has a document type (where entities are declared) before its root element;
    reads at most its first megabyte."""
    with zf.open(info) as fh:
        head = fh.read(1 << 20)
    m = re.search(rb"<[A-Za-z_]", head)
    prolog = head if m is None else head[:m.start()]
    return b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper() or (m is None and len(head) == 1 << 20)


def _stage_xlsx(path: Path, con: duckdb.DuckDBPyConnection, stage: str) -> Staged:
    from zipfile import BadZipFile

    import openpyxl  # a heavy import, only for XLSX

    where = _name(path)
    _check_xlsx_archive(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError, TypeError, EOFError):
        raise InputError("cannot read the file as XLSX (it is not an XLSX workbook or it is damaged)",
                         where=where) from None
    try:
        if not wb.worksheets:
            raise InputError("the workbook has no sheet", where=where)
        ws = wb.worksheets[0]
        declared_rows, declared_cols = ws.max_row, ws.max_column
        if declared_rows and declared_cols and (declared_rows > XLSX_MAX_ROWS + 1 or declared_cols > XLSX_MAX_COLUMNS
                                                or declared_rows * declared_cols > XLSX_MAX_CELLS):
            raise InputError(f"the first sheet declares {declared_rows:,} rows by {declared_cols:,} columns, more "
                             f"than the {XLSX_MAX_CELLS:,} cells allowed", where=where,
                             hint="save the registry as CSV or Parquet")
        rows = ws.iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            raise InputError("the first sheet is empty (no header row)", where=where)
        cols = _header(first, where)

        def chunks() -> Iterable[list[list]]:
            buf: list[list] = []
            n_rows = cells = 0
            for r in rows:
                n_rows += 1
                cells += len(r)
                if n_rows > XLSX_MAX_ROWS or cells > XLSX_MAX_CELLS or len(r) > XLSX_MAX_COLUMNS:
                    raise InputError(f"the first sheet has more than {XLSX_MAX_CELLS:,} cells or "
                                     f"{XLSX_MAX_ROWS:,} rows", where=where, hint="save the registry as CSV or Parquet")
                if all(x is None for x in r):
                    continue
                buf.append(list(r))
                if len(buf) >= XLSX_CHUNK:
                    yield buf
                    buf = []
            if buf:
                yield buf

        try:
            stage_rows(con, stage, cols, chunks())
        except (BadZipFile, KeyError, ValueError, TypeError, EOFError):
            raise InputError("cannot read the file as XLSX (a part of the workbook is damaged)", where=where) from None
        return Staged(cols, file_hash(path), check_cells=True, encoding="")
    finally:
        wb.close()


def stage_records(records: list[dict], con: duckdb.DuckDBPyConnection, stage: str) -> list[str]:
    """Create `stage` from JSON-like records; a missing key is an empty cell."""
    cols: list[str] = []
    for rec in records:
        if not isinstance(rec, dict):
            raise InputError(f"a record must be a JSON object, not {type(rec).__name__}", where="records")
        for k in rec:
            if k not in cols:
                cols.append(str(k))
    cols += [c for c in REQUIRED_COLUMNS if c not in {x.strip().lower() for x in cols}]
    rows = [[rec.get(c) for c in cols] for rec in records]
    stage_rows(con, stage, cols, [rows] if rows else [])
    return cols
