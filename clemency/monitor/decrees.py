"""Pardon decrees as data: the decree (date, number, source) and the people it names as published.

A pardon is a presidential decree naming individuals; an amnesty is an act of parliament covering
categories. They are different instruments and are never summed together (docs/monitor.md).

Two ways in:

* a table (CSV/XLSX): `full_name` and `birth_year` (or `birth_date`), optional `relief`, and the decree's
  `decree_date`, `decree_number`, `source` either as columns or given by the caller;
* the decree's text pasted as published. Names stand one a line, "Həsənov Əli Vüqar oğlu, 1985-ci il
  təvəllüdlü;", possibly numbered ("1. ..."), under headings that say the relief ("... cəzanın
  çəkilməmiş hissəsindən əfv edilsinlər:"). A line inside a list of names that does not read as a name
  and a birth year is a finding, never silently dropped. A small header ("Date: 2025-05-27", "Number:
  1234", "Source: ...") may precede the text; "Bakı şəhəri, 27 may 2025-ci il" gives the date too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from clemency.errors import InputError
from clemency.monitor.files import read_table
from clemency.monitor.names import parse_name

#: What a decree does for a person it names.
RELIEFS = ("released", "term_reduced", "noncustodial_lifted", "life_commuted", "not_stated")
RELIEF_WORDS = {
    "released": "pardoned: released from the rest of the sentence",
    "term_reduced": "pardoned: the unserved term reduced",
    "noncustodial_lifted": "pardoned: the rest of a non-custodial punishment lifted",
    "life_commuted": "pardoned: life imprisonment replaced by a term",
    "not_stated": "pardoned (the relief is not stated)",
}
#: Relief headings, tried in order on the folded heading text (Azerbaijani as published; a few
#: Russian and English equivalents for translated decrees).
_HEADINGS = [
    ("life_commuted", ("ömürlük", "пожизненн", "life imprisonment")),
    ("term_reduced", ("azaldılsın", "azaldilsin", "yarıdək", "сократить", "сокращ", "reduced")),
    ("noncustodial_lifted", ("şərti məhkum", "sınaq müddət", "islah işlər", "azadlığın məhdudlaşdırıl",
                             "cərimə", "ictimai işlər", "условн", "исправительн", "probation", "non-custodial",
                             "conditional")),
    ("released", ("çəkilməmiş hissəsindən", "qalan hissəsinin çəkilməsindən", "azad edilsin", "əfv edilsin",
                  "освободить", "помилова", "released", "pardoned")),
]
_MONTHS = {"yanvar": 1, "fevral": 2, "mart": 3, "aprel": 4, "may": 5, "iyun": 6, "iyul": 7, "avqust": 8,
           "sentyabr": 9, "oktyabr": 10, "noyabr": 11, "dekabr": 12}

_BORN = (r"(?P<year>1[89]\d\d|20[0-2]\d)\s*-?\s*(?:c[iıuü])?\s*(?:il\s*)?(?:t[əe]v[əe]ll[üu]dl[üu]"
         r"|ild[əe]\s+anadan\s+olmu[şs])")
_BORN_RU = r"(?P<year2>1[89]\d\d|20[0-2]\d)\s*(?:г\.?\s*р\.?|года\s+рождения)"
_PERSON = re.compile(r"^\s*(?:[-–—•*]\s*)?(?:\d{1,4}\s*[.)]\s*)?(?P<name>[^,;:\d]+?)\s*,?\s*(?:" + _BORN + "|" + _BORN_RU +
                     r")\s*[;.,]?\s*$", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*\d{1,3}\s*[.)]\s*(?P<rest>.*)$")
_HEADER = re.compile(r"^\s*(date|number|source|tarix|nömrə|mənbə)\s*:\s*(?P<value>.+?)\s*$", re.IGNORECASE)
_PLACE_DATE = re.compile(r"(?P<d>\d{1,2})\s+(?P<m>[a-zəğıöüçş]+)\s+(?P<y>\d{4})\s*-?\s*c[iıuü]\s+il", re.IGNORECASE)
_NUMBER = re.compile(r"№\s*(?P<n>[\w./-]+)")
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*$")
_MARKS = ("təvəllüd", "oğlu", "qızı", "оглы", "кызы", "oglu", "qizi", "gizi", "kyzy")


@dataclass(frozen=True, slots=True)
class DecreePerson:
    """One person named by a decree, as published."""

    line: int               # line of the text, or row of the table (1 = first data row)
    full_name: str
    birth_year: int | None
    relief: str             # one of RELIEFS
    heading: str = ""       # the heading the name stood under, as published


@dataclass(frozen=True, slots=True)
class DecreeFinding:
    """A line or row that could not be read as a person; nothing is dropped silently."""

    line: int
    text: str
    problem: str


@dataclass
class Decree:
    date: date
    number: str
    source: str
    people: list[DecreePerson] = field(default_factory=list)
    findings: list[DecreeFinding] = field(default_factory=list)
    name: str = ""          # the file name

    @property
    def label(self) -> str:
        return f"pardon decree {self.number or '(no number)'} of {self.date.isoformat()}"

    def counts(self) -> dict[str, int]:
        out = {"named": len(self.people), "findings": len(self.findings)}
        for r in RELIEFS:
            n = sum(p.relief == r for p in self.people)
            if n:
                out[r] = n
        return out


def relief_of_heading(text: str) -> str | None:
    """The relief a heading announces, or None when the line is not a relief heading."""
    folded = text.lower()
    for relief, words in _HEADINGS:
        if any(w in folded for w in words):
            return relief
    return None


def _check_name(name: str) -> str | None:
    """Why ``name`` is not a person's full name as decrees print it, or None when it is."""
    words = name.split()
    if len(words) < 2:
        return "a full name needs at least a surname and a given name"
    if len(words) > 6:
        return "too many words for a name"
    bad = [w for w in words if not _NAME_WORD.match(w)]
    if bad:
        return "a name holds letters only"
    p = parse_name(name)
    if not (p.surname and p.given):
        return "no surname and given name could be told apart"
    return None


def parse_decree_text(text: str, *, date_: date | None = None, number: str | None = None,
                      source: str | None = None, name: str = "") -> Decree:
    """A decree's text as published -> the people it names, with findings for the lines that don't parse."""
    meta: dict[str, str] = {}
    people: list[DecreePerson] = []
    findings: list[DecreeFinding] = []
    relief: str | None = None       # the relief of the list of names we are in, None outside a list
    heading = ""
    found_date: date | None = None
    found_number: str | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        h = _HEADER.match(line)
        if h and not people:
            key = h.group(1).lower()
            key = {"tarix": "date", "nömrə": "number", "mənbə": "source"}.get(key, key)
            meta[key] = h.group("value")
            continue
        m = _PERSON.match(line)
        if m:
            full = " ".join(m.group("name").strip(" -–—").split())
            year = int(m.group("year") or m.group("year2"))
            problem = _check_name(full)
            if problem:
                findings.append(DecreeFinding(n, line, problem))
            else:
                people.append(DecreePerson(n, full, year, relief or "not_stated", heading))
            continue
        numbered = _NUMBERED.match(line)
        r = relief_of_heading(line)
        if r is not None and (line.endswith(":") or numbered or "aşağıda" in line.lower()):
            relief, heading = r, line
            continue
        pd = _PLACE_DATE.search(line)
        if pd and pd.group("m").lower() in _MONTHS:
            try:
                found_date = date(int(pd.group("y")), _MONTHS[pd.group("m").lower()], int(pd.group("d")))
            except ValueError:
                findings.append(DecreeFinding(n, line, "the date of signature is not a real date"))
            num = _NUMBER.search(line)
            if num:  # "Bakı şəhəri, 16 mart 2019-cu il, № 1196"
                found_number = num.group("n")
            continue
        num = _NUMBER.search(line)
        if num and len(line) < 40:
            found_number = num.group("n")
            continue
        folded = line.lower()
        personal = any(k in folded for k in _MARKS)
        if numbered and relief is not None and not personal:  # the next numbered paragraph closes the list
            relief, heading = None, ""
            continue
        if relief is not None or personal:
            why = ("no birth year in the form 'YYYY-ci il təvəllüdlü'" if not re.search(r"\d{4}", line)
                   else "not a line 'Surname Given Patronymic, YYYY-ci il təvəllüdlü'")
            findings.append(DecreeFinding(n, line, why))
    d = _meta_date(date_, meta.get("date"), found_date, name)
    return Decree(d, str(number or meta.get("number") or found_number or ""),
                  str(source or meta.get("source") or ""), people, findings, name)


def _meta_date(given: date | str | None, header: str | None, found: date | None, where: str) -> date:
    for v in (given, header):
        if isinstance(v, date):
            return v
        if v:
            try:
                return date.fromisoformat(str(v).strip()[:10])
            except ValueError:
                raise InputError(f"decree date {v!r} is not a date", where=where or None, hint="YYYY-MM-DD") from None
    if found:
        return found
    raise InputError("the decree's date is not known", where=where or None,
                     hint="give --date YYYY-MM-DD, a 'Date: YYYY-MM-DD' line, or keep the 'Bakı şəhəri, "
                          "27 may 2025-ci il' line of the text")


def _relief_value(value: str) -> str:
    v = (value or "").strip().lower().replace(" ", "_").replace("-", "_")
    if not v:
        return "not_stated"
    if v in RELIEFS:
        return v
    r = relief_of_heading(value)
    if r is None:
        raise InputError(f"relief {value!r}", hint=f"one of {', '.join(RELIEFS)}")
    return r


def load_decree(path: str | Path, *, date_: date | str | None = None, number: str | None = None,
                source: str | None = None) -> Decree:
    """A decree from a text file (.txt, .md: the text as published) or a table (.csv, .xlsx)."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", where=path.name)
    if path.suffix.lower() in (".txt", ".md", ".text"):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InputError("the decree text is not UTF-8", where=path.name) from None
        d = date_ if isinstance(date_, date) else (_meta_date(date_, None, None, path.name) if date_ else None)
        return parse_decree_text(text, date_=d, number=number, source=source, name=path.name)
    rows = read_table(path, required=("full_name",))
    first = rows[0] if rows else {}
    d = _meta_date(date_, first.get("decree_date"), None, path.name)
    dec = Decree(d, str(number or first.get("decree_number") or ""), str(source or first.get("source") or ""),
                 name=path.name)
    for n, r in enumerate(rows, 1):
        full = " ".join((r.get("full_name") or "").split())
        year_text = (r.get("birth_year") or (r.get("birth_date") or "")[:4]).strip()
        problem = _check_name(full) if full else "no name"
        year = None
        if year_text:
            try:
                year = int(float(year_text))
            except ValueError:
                problem = problem or f"birth year {year_text!r} is not a year"
        if problem is None and (year is None or not 1880 <= year <= 2030):
            problem = "no birth year" if year is None else f"birth year {year} is out of range"
        try:
            relief = _relief_value(r.get("relief", ""))
        except InputError as exc:
            problem = problem or exc.message
            relief = "not_stated"
        if problem:
            dec.findings.append(DecreeFinding(n, full, problem))
        else:
            dec.people.append(DecreePerson(n, full, year, relief))
    return dec
