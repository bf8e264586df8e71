"""Messages from the library in the page's language: a failed run's error, an upload's error, and the
"expected" text of a finding (what a valid value looks like).

The library writes these in English, some with values in them ("the file has 2,500 columns, more than the
2,000 allowed", "required: one of M, F"). Each is matched whole against a fixed English template of the table
below; the template is what the catalogue translates, and the values (numbers, field names, listed values, a
file's name, the bad tokens) are filled in after, as they were. A message no template matches whole is shown
as it is, in English: nothing is translated by guessing. Files (findings.csv) and the JSON API stay English.

A placeholder named in NESTED holds a message of its own (the expected text after "required: "), translated
the same way; one in NUMBERS is a whole number written the English way (2,000), written as the locale writes
it; one in LISTS is a list of values joined with " and ", whose joining word is translated."""

from __future__ import annotations

import re
from functools import lru_cache

from clemency.locale import N_, gettext_for, number

NESTED = frozenset({"expected", "problem"})
NUMBERS = frozenset({"n", "max", "rows", "cols", "a", "b", "line"})
LISTS = frozenset({"given"})

TEMPLATES = (
    # reading a registry, and what a failed run says (clemency/registry/read.py, load.py; clemency/web/jobs.py)
    N_("the file has {n} columns, more than the {max} allowed"),
    N_("the first line (the header) is longer than {n} KiB"),
    N_("is this a CSV file, with one line per row?"),
    N_("the registry format has about forty fields; remove the columns it does not use"),
    N_("missing required column(s) {missing}; none of the columns is a registry field (does the first line name "
       "the columns?); required: {required}"),
    N_("missing required column(s) {missing}; registry fields present: {present} (and {n} other column(s)); "
       "required: {required}"),
    N_("missing required column(s) {missing}; registry fields present: {present}; required: {required}"),
    N_("the registry format is described in docs/registry-format.md"),
    N_("the header names the column '{name}' twice (columns {a} and {b}), so it is not clear which one to read"),
    N_("the header names a column twice (columns {a} and {b}), so it is not clear which one to read"),
    N_("rename or remove one of them"),
    N_("the header holds a NUL character"),
    N_("the file is empty (no header line)"),
    N_("the first line is empty (no header)"),
    N_("the header line cannot be read as CSV"),
    N_("internal error: the run stopped unexpectedly (the server log has the kind of error)"),
    N_("cannot read the file as XLSX (it is not an XLSX workbook or it is damaged)"),
    N_("cannot read the file as XLSX (a part of the workbook is damaged)"),
    N_("the workbook has {n} parts, more than the {max} allowed"),
    N_("the workbook has no sheet"),
    N_("the first sheet is empty (no header row)"),
    N_("the first sheet declares {rows} rows by {cols} columns, more than the {max} cells allowed"),
    N_("the first sheet has more than {n} cells or {rows} rows"),
    N_("save the registry as CSV or Parquet"),
    # uploading a list version (clemency/web/uploads.py)
    N_("the list has too many rows"),
    N_("more than {n} rows; a list version holds at most {max}"),
    # the JSON API's batch limit (clemency/web/api_runs.py)
    N_("not decided: too many records of this batch need the exact way"),
    N_("at most {max} records of a batch may have extra fields, unusual spellings or invalid values (each takes "
       "about a second); send this record on its own or in a later batch, or in canonical form"),
    # what a finding expected: a registry's fields (clemency/registry/schema.py, sql.py)
    N_("required: article parts like 206.3.2;193-1.3.1"),
    N_("article parts like 206.3.2 or 193-1.3.1, not: {bad}"),
    N_("required when convicted_abroad is true (a foreign article is not looked up in the Azerbaijani Criminal "
       "Code): {expected}"),
    N_("required: {expected}"),
    N_("one of {values}"),
    N_("a date YYYY-MM-DD"),
    N_("true/false, 1/0, yes/no or unknown"),
    N_("an integer >= {n}"),
    N_("an integer {lo}-{hi}"),
    N_("an integer"),
    N_("a number >= {n}"),
    N_("a number"),
    N_("a value"),
    N_("a value, not NaN or infinity (an export's mark for a missing number)"),
    N_("text without NUL characters (a sign of a damaged or binary file)"),
    N_("text in the file's encoding (this cell holds bytes that cannot be decoded)"),
    N_("a case_id that only one row has ({n} rows have this one, so none of them is decided)"),
    N_("one sex in every row of this person_id (its rows give {given})"),
    N_("one birth_date in every row of this person_id (its rows give {given})"),
    # a line of a CSV registry that is not read (clemency/registry/read.py)
    N_("a CSV line with {n} fields as in the header (line {line} of the file: {problem})"),
    N_("{problem} (the quote opened on line {line} runs over the next lines, which are read on their own)"),
    N_("it has {n} fields"),
    N_("it has another number of fields"),
    N_("a line that is not valid CSV"),
    N_("a line longer than the reader allows"),
    N_("a quote inside a cell that is not doubled, or text after a closing quote"),
    N_("a quote that is never closed"),
    N_("a cell longer than {n} characters"),
    # dates and terms that contradict each other (clemency/registry/plausible.py)
    N_("a date on or before offense_date ({date}): no one offends before being born"),
    N_("a date on or before sentence_start ({date}): a sentence follows the offence"),
    N_("a date on or before sentence_start ({date})"),
    N_("a date on or after sentence_start ({date})"),
    N_("a date on or before sentence_start + term_months + {days} days ({start} + {term} months = {limit}): credit "
       "for time already served can make the end earlier, never later"),
    N_("at most {n} months (100 years)"),
    N_("a person at least {years} years old (the minimum age of criminal responsibility) on offense_date ({date})"),
    N_("a person at least {years} years old (the minimum age of criminal responsibility) on sentence_start "
       "({date}), which the offence preceded"),
    N_("a person at most {years} years old on the as-of date ({date})"),
    N_("a date not after the as-of date ({date})"),
    # a list version's findings (clemency/monitor/intake.py)
    N_("an id, stable across versions (rows that share an id are one person)"),
    N_("the person's name, in any script"),
    N_("one or more Criminal Code articles, e.g. 206.3.2;193-1.3.1 (without them no clause can be tested)"),
    N_("a date written YYYY-MM-DD"),
    N_("a year of birth, e.g. 1985"),
    N_("a number of months, or life"),
    N_("M or F (or empty: then taken from the patronymic)"),
    N_("a CSV file in UTF-8 with a header row, or an XLSX workbook whose first sheet has a header row"),
    N_("a column named articles (without it no row can be decided under an act)"),
    N_("a column named {column}"),
    N_("at least one row under the header"),
    N_("at most {n} rows"),
    # a workbook refused before it is read (clemency/registry/read.py), and an upload's own errors (the web app)
    N_("the workbook would decompress to {size} GiB, more than the {max} GiB allowed"),
    N_("split the registry, or save it as CSV or Parquet"),
    N_("a part of the workbook would decompress {n} times its stored size (more than {max} times is refused as a "
       "decompression bomb)"),
    N_("a part of the workbook declares XML entities (a document type), which spreadsheets never write; it is "
       "refused as a possible entity bomb"),
    N_("the request body is too large"),
    N_("the limit here is {n} bytes"),
    N_("more than {n} bytes received; the limit here is {max} bytes"),
    N_("the request body came too slowly"),
    N_("no registry file in the upload"),
    N_("choose a CSV, XLSX or Parquet file"),
    N_("no list file in the upload"),
    N_("choose a CSV or XLSX file"),
    N_("bad list name"),
    N_("letters, digits, '.', '_' or '-', starting with a letter or digit"),
    N_("the list cannot be decided"),
    N_("missing or wrong CSRF token"),
    N_("reload the page and try again; API clients send the token in X-CSRF-Token"),
    N_("the run has not finished"),
    N_("the upload of this run is no longer kept"),
    N_("no such download"),
    N_("no such row in this run"),
    N_("no such list version"),
    N_("unknown act"),
    N_("shipped acts: {acts}"),
    N_("bad decision date"),
    N_("expected a date YYYY-MM-DD"),
    N_("not found"),
    N_("method not allowed"),
    N_("bad request"),
    N_("internal error"),
    N_("the error was logged; no data was changed"),
)
#: what a finding names in its field column when no one field is meant
FIELD_MARKS = frozenset({N_("(whole row)"), N_("(file)")})
HINT = N_("hint")
AND = N_(" and ")
AND_OTHERS = N_(" and others")

_SLOT = re.compile(r"\{(\w+)\}")
_ENGLISH_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_WHERE = re.compile(r"([^\s:]+): (.+)")          # "registry.csv: the file has ..." (a file's name, no spaces)


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[re.Pattern, str], ...]:
    """Each template as a pattern matching the whole English message, its slots as named groups."""
    out = []
    for template in TEMPLATES:
        parts, pos = [], 0
        for m in _SLOT.finditer(template):
            parts.append(re.escape(template[pos:m.start()]))
            parts.append(f"(?P<{m.group(1)}>.+?)")
            pos = m.end()
        parts.append(re.escape(template[pos:]))
        out.append((re.compile("".join(parts), re.S), template))
    return tuple(out)


def _fill(name: str, value: str, lang: str) -> str | None:
    g = gettext_for(lang)
    if name in NESTED:
        return _one(value, lang)
    if name in NUMBERS and _ENGLISH_NUMBER.fullmatch(value):
        return number(int(value.replace(",", "")), lang)
    if name in LISTS:
        return value.replace(AND_OTHERS, g(AND_OTHERS)).replace(AND, g(AND))
    return value


def _one(text: str, lang: str) -> str | None:
    """One message in `lang`, or None when no template matches it whole."""
    g = gettext_for(lang)
    if g(text) != text:
        return g(text)
    for pattern, template in _patterns():
        m = pattern.fullmatch(text)
        if not m:
            continue
        values = {}
        for name, value in m.groupdict().items():
            filled = _fill(name, value, lang)
            if filled is None:
                break
            values[name] = filled
        else:
            try:
                return g(template).format(**values)
            except (KeyError, IndexError, ValueError):     # a translation whose slots differ: the English
                return template.format(**values)
    return None


def _line(line: str, lang: str) -> str:
    body = line.lstrip()
    indent = line[:len(line) - len(body)]
    if body.startswith("hint: "):
        found = _one(body[len("hint: "):], lang)
        return indent + gettext_for(lang)(HINT) + ": " + found if found is not None else line
    found = _one(body, lang)
    if found is not None:
        return indent + found
    m = _WHERE.fullmatch(body)
    if m and (found := _one(m.group(2), lang)) is not None:
        return indent + m.group(1) + ": " + found
    return gettext_for(lang)(line)


def localise(text, lang: str):
    """A library message (one line or several: 'file: message', '  hint: ...') in `lang`; English, anything
    that is not text, and any line no template matches are returned as they are."""
    if lang == "en" or not isinstance(text, str) or not text:
        return text
    whole = gettext_for(lang)(text)
    if whole != text:
        return whole
    return "\n".join(_line(x, lang) for x in text.split("\n"))
