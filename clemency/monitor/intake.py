"""Taking in a list version: every row checked field by field, findings as (row, field, value, expected), and
the version stored in the monitor's data directory under its list name and date, never under a name the file
brought with it.

`check_list(path)` reads a CSV or XLSX list (docs/monitor.md, section 4) and returns its rows and findings;
`import_version(src, root, name, date)` checks a file and, unless a finding blocks it (a required column or an
id missing, an unreadable file), stores it as <root>/lists/<name>/<date>.csv|.xlsx. Row 0 is the file itself
(its header); rows count from 1, the first row under the header. A finding that does not block leaves the row
in the list: the "why" decision then says the row cannot be decided and why.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from clemency.errors import InputError
from clemency.monitor.files import read_table
from clemency.monitor.lists import REQUIRED as LIST_REQUIRED
from clemency.monitor.why import _PUNISHMENTS, _SEX, _STATUSES, _term
from clemency.outdir import pid_alive

LIST_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
MAX_ROWS = 100_000
DATE_FIELDS = ("birth_date", "arrest_date", "sentence_start", "sentence_end", "offense_date")
SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True, slots=True)
class ListFinding:
    row: int            # 0: the file or its header; 1: the first row under the header
    field: str
    value: str
    expected: str
    blocks: bool = False   # the version is not stored


@dataclass(slots=True)
class Intake:
    """What a list file holds: rows, persons, groups, and the findings; `stored` once it is in the data."""

    rows: int = 0
    persons: int = 0
    groups: dict[str, int] = field(default_factory=dict)
    findings: list[ListFinding] = field(default_factory=list)
    stored: bool = False
    replaced: bool = False

    @property
    def blocked(self) -> bool:
        return any(f.blocks for f in self.findings)


def _date_ok(value: str) -> bool:
    """As the "why" decision reads a date: its first ten characters, YYYY-MM-DD."""
    try:
        dt.date.fromisoformat(value.strip()[:10])
        return True
    except ValueError:
        return False


def row_findings(n: int, row: dict) -> list[ListFinding]:
    """The findings of one row (n counts from 1), by the rules the "why" decision applies."""
    out: list[ListFinding] = []

    def bad(name: str, expected: str, blocks: bool = False) -> None:
        out.append(ListFinding(n, name, str(row.get(name) or ""), expected, blocks))

    if not (row.get("id") or "").strip():
        bad("id", "an id, stable across versions (rows that share an id are one person)", blocks=True)
    if not (row.get("full_name") or "").strip():
        bad("full_name", "the person's name, in any script")
    if "articles" in row and not (row.get("articles") or "").strip():
        bad("articles", "one or more Criminal Code articles, e.g. 206.3.2;193-1.3.1 (without them no clause can be tested)")
    for name in DATE_FIELDS:
        v = (row.get(name) or "").strip()
        if v and not _date_ok(v):
            bad(name, "a date written YYYY-MM-DD")
    year = (row.get("birth_year") or "").strip()
    if year:
        try:
            y = int(float(year))
            if not 1900 <= y <= dt.date.today().year:
                raise ValueError(year)
        except ValueError:
            bad("birth_year", "a year of birth, e.g. 1985")
    try:
        _term(row.get("term_months"))
    except ValueError:
        bad("term_months", "a number of months, or life")
    sex = (row.get("sex") or "").strip().lower()
    if sex and sex not in _SEX:
        bad("sex", "M or F (or empty: then taken from the patronymic)")
    status = (row.get("status") or "").strip().lower()
    if status and status not in _STATUSES:
        bad("status", "one of " + ", ".join(_STATUSES))
    punishment = (row.get("punishment") or "").strip().lower().replace(" ", "_")
    if punishment and punishment not in _PUNISHMENTS:
        bad("punishment", "one of " + ", ".join(p.replace("_", " ") for p in _PUNISHMENTS))
    return out


def check_list(path: str | Path) -> tuple[list[dict], Intake]:
    """Rows and findings of a CSV or XLSX list file (nothing stored)."""
    intake = Intake()
    try:
        rows = read_table(path)
    except InputError:
        intake.findings.append(ListFinding(0, "(file)", "", "a CSV file in UTF-8 with a header row, or an XLSX "
                                           "workbook whose first sheet has a header row", True))
        return [], intake
    header = set(rows[0]) if rows else set(_header(path))
    for col in LIST_REQUIRED:
        if col not in header:
            intake.findings.append(ListFinding(0, col, "", f"a column named {col}", True))
    if "articles" not in header:
        intake.findings.append(ListFinding(0, "articles", "", "a column named articles (without it no row can be "
                                           "decided under an act)"))
    if not rows:
        intake.findings.append(ListFinding(0, "(file)", "", "at least one row under the header", True))
    if len(rows) > MAX_ROWS:
        intake.findings.append(ListFinding(0, "(file)", f"{len(rows):,} rows", f"at most {MAX_ROWS:,} rows", True))
        return [], intake
    if intake.blocked:
        return rows, intake
    persons: set[str] = set()
    groups: dict[str, set[str]] = {}
    for n, row in enumerate(rows, 1):
        intake.findings.extend(row_findings(n, row))
        key = str(row.get("person_id") or row.get("id") or "")
        persons.add(key)
        groups.setdefault(row.get("group") or "", set()).add(key)
    intake.rows, intake.persons = len(rows), len(persons)
    intake.groups = {g: len(s) for g, s in sorted(groups.items())}
    return rows, intake


def _header(path: str | Path) -> list[str]:
    """The header of a file without data rows."""
    import csv
    p = Path(path)
    if p.suffix.lower() == ".xlsx":
        return []
    with p.open(encoding="utf-8-sig", newline="") as fh:
        return [(h or "").strip().lower() for h in next(csv.reader(fh), [])]


def kind_of(head: bytes) -> str:
    """`.xlsx` for a ZIP container (an XLSX workbook), `.csv` otherwise: told by the content, not a name."""
    return ".xlsx" if head[:4] == b"PK\x03\x04" else ".csv"


def version_path(root: Path, name: str, date: str, suffix: str) -> Path:
    """Where a list version lives: <root>/lists/<name>/<date><suffix>; name and date are checked here."""
    if not LIST_NAME.fullmatch(name or ""):
        raise InputError("a list name is letters, digits, '.', '_' or '-' (up to 100), starting with a letter "
                         "or digit")
    try:
        day = dt.date.fromisoformat(date or "")
    except ValueError:
        raise InputError("the list date is a real date written YYYY-MM-DD") from None
    if suffix not in SUFFIXES or len(date) != 10:
        raise InputError("the list date is a real date written YYYY-MM-DD")
    return root / "lists" / name / f"{day.isoformat()}{suffix}"


def import_version(src: Path, root: Path, name: str, date: str, replace: bool = False) -> Intake:
    """Check the file `src` and store it as the version `date` of the list `name` (moved into place, owner-only).
    An existing version is replaced only with `replace`; `src` is removed either way."""
    try:
        with open(src, "rb") as fh:
            suffix = kind_of(fh.read(4))
        target = version_path(root, name, date, suffix)
        staged = src.with_name(src.name + suffix) if src.suffix != suffix else src
        if staged != src:
            os.replace(src, staged)
            src = staged
        _rows, intake = check_list(src)
        if intake.blocked:
            return intake
        existing = [target.with_suffix(s) for s in SUFFIXES if target.with_suffix(s).exists()]
        if existing and not replace:
            raise InputError("this version of the list exists already", hint="ask for it to be replaced (the upload's 'replace' box, or --replace)")
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(src, 0o600)
        os.replace(src, target)
        for old in existing:
            if old != target:
                old.unlink()
        intake.stored, intake.replaced = True, bool(existing)
        return intake
    finally:
        if src.exists():
            src.unlink()


STAGED = re.compile(r"cli-(\d+)(\..*)?")


def tidy_incoming(root: Path, uploads: bool = False) -> int:
    """Remove what killed imports left in <root>/incoming (copies of lists: personal data): the files staged
    by a `lists import` whose process is gone and, with `uploads` (when the server starts, before it takes
    any upload), every web upload. The number removed."""
    removed = 0
    incoming = Path(root) / "incoming"
    for p in incoming.glob("*") if incoming.is_dir() else ():
        m = STAGED.fullmatch(p.name)
        if not (uploads and p.name.startswith("upload-")) and not (m and not pid_alive(int(m.group(1)))):
            continue
        try:
            p.unlink()
            removed += 1
        except OSError:
            pass
    return removed


__all__ = ["Intake", "ListFinding", "check_list", "import_version", "kind_of", "row_findings", "tidy_incoming",
           "version_path"]
