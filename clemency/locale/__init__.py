"""The gettext catalogues of what a user sees, managed with Babel.

English is the source language: a message id is the English text itself. `messages.pot` holds every message,
extracted from three places (see `babel.cfg`):

- the code and the templates (strings marked with `N_(...)` or `_(...)`, e.g. the web app's catalogue in
  `clemency/web/i18n.py` and the sentence templates of the plain-words explanation in `clemency/explain.py`);
- the act files: clause texts, what each condition and definition says, readings and their values;
- the jurisdiction files: what each status flag means.

`az/LC_MESSAGES/messages.po` and `ru/LC_MESSAGES/messages.po` hold the translations; the compiled `.mo`
files are committed beside them so that an installed package needs no build step. To refresh after changing
a string (from the repository's root):

    pybabel extract -F clemency/locale/babel.cfg -o clemency/locale/messages.pot --no-location --sort-output .
    pybabel update -i clemency/locale/messages.pot -d clemency/locale --no-fuzzy-matching
    python -m clemency.locale.compile      # (pybabel compile rejects "61-100%" in act texts)

The Azerbaijani and Russian translations are machine translations that no fluent speaker has checked; every
page in those languages says so.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent
LANGS = ("en", "az", "ru")


def N_(message: str) -> str:
    """Marks an English message for extraction (pybabel); it is translated where it is shown."""
    return message


@lru_cache(maxsize=8)
def catalogue(lang: str) -> _gettext.NullTranslations:
    if lang not in LANGS or lang == "en":
        return _gettext.NullTranslations()
    return _gettext.translation("messages", str(LOCALE_DIR), languages=[lang], fallback=True)


def gettext_for(lang: str):
    """`_(english)`: the message in `lang`, or the English text where the catalogue has none."""
    return catalogue(lang).gettext


def number(value, lang: str) -> str:
    """A number as the locale writes it (1,234 in English; 1 234 in Russian; 1.234 in Azerbaijani)."""
    from babel.numbers import format_decimal
    return format_decimal(value, locale=lang if lang in LANGS else "en")


def date(value, lang: str) -> str:
    """A date (or an ISO date string) as the locale writes it; English keeps ISO dates (YYYY-MM-DD)."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if not isinstance(value, dt.date):
        return "" if value is None else str(value)
    if lang not in LANGS or lang == "en":
        return value.isoformat()
    from babel.dates import format_date
    return format_date(value, format="long", locale=lang)

#: keys of an act or jurisdiction file whose string values a user reads
TEXT_KEYS = frozenset({"text", "says", "meaning", "title", "instrument"})


def extract_yaml(fileobj, keywords, comment_tags, options):
    """Babel extraction method for act and jurisdiction YAML: every string under a key in TEXT_KEYS, and the
    meanings of a reading's values (`values: {name: meaning}`); for one file, babel.cfg may add keys (`keys`)
    and keys whose every string is text (`parents`): a jurisdiction's body labels, notes, sources. Yields (line,
    funcname, message, comments)."""
    import yaml
    data = yaml.safe_load(fileobj.read().decode("utf-8"))
    seen = set()
    keys = TEXT_KEYS | set(str((options or {}).get("keys", "")).split())
    parents = {"values"} | set(str((options or {}).get("parents", "")).split())     # every string under these

    def walk(node, parent=None):
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, str) and (k in keys or parent in parents) and v.strip():
                    if k == "title" and parent not in (None, "root"):
                        continue          # sources' titles are citations, kept as published
                    if v not in seen:
                        seen.add(v)
                        yield 0, None, v, []
                else:
                    yield from walk(v, k)
        elif isinstance(node, list):
            for v in node:
                yield from walk(v, parent)

    yield from walk(data, "root")
