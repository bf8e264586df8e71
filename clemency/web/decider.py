"""Deciding single records fast enough for a web request, with exactly the output of `clemency check`.

`clemency.explain.decide_records` runs the registry import and the decision query in DuckDB; for one
record that costs most of a second (planning and running a query of tens of thousands of characters).
Here a record whose every value is already in canonical form (the common case: the form and API clients
send clean values) is typed in Python by the same rules as `clemency.registry.sql` (the registry import
itself costs a second), then handed to the reference engine (`clemency.engines.reference.decide_typed`:
the article lookup's row, the source row, the decision; the oracle the SQL engines are tested against),
with the lookup's rows cached, and explained by `clemency.explain.explain`. Anything else (an unusual spelling, an invalid value, an unknown column)
goes the slow, exact way, which also produces the precise error. tests/test_web_decider.py checks both
ways agree on every scenario of the shipped act and on synthetic records.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from functools import lru_cache

from clemency.engines.reference import decide_typed, lookup_row, source_row
from clemency.explain import decide_records, explain
from clemency.pipeline import Context, extra_fields
from clemency.registry.plausible import check_record
from clemency.registry.read import cell_text
from clemency.registry.schema import ARTICLE_TOKEN, CUSTODIAL_END, FIELDS, Field

_TOKEN = ARTICLE_TOKEN[1:-1]
_ARTICLES = re.compile(f"{_TOKEN}(;{_TOKEN})*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")
_LOOKUP: OrderedDict[tuple, dict] = OrderedDict()
_LOOKUP_LOCK = threading.Lock()


class _Slow(Exception):
    """The record needs the exact (DuckDB) path."""


def _typed(f: Field, raw):
    """The typed value of one field, as `clemency.registry.sql.typed_expr` gives it; _Slow otherwise."""
    text = cell_text(raw)
    x = None if text is None else (text.strip() or None)
    if f.type == "string":
        return x if x is not None else f.default
    if x is None:
        return f.default if f.type != "number" or f.default is None else float(f.default)
    if f.type == "enum":
        norm = x.upper() if f.name == "sex" else x.lower()
        if norm in (f.values or ()):
            return norm
        raise _Slow
    if f.type == "bool":
        if x.lower() in _TRUE:
            return True
        if x.lower() in _FALSE:
            return False
        if x.lower() == "unknown":
            return None
        raise _Slow
    if f.type == "date":
        if not _DATE.fullmatch(x):
            raise _Slow
        try:
            return dt.date.fromisoformat(x)
        except ValueError:
            raise _Slow from None
    if not _NUMBER.fullmatch(x):
        raise _Slow
    d = float(x)
    if (f.minimum is not None and d < f.minimum) or (f.maximum is not None and d > f.maximum):
        raise _Slow
    if f.type == "int":
        if d != int(d):
            raise _Slow
        return int(d)
    return d


def _required(f: Field, typed: dict) -> bool:
    if f.required is True:
        return True
    if f.required == "convicted":
        return typed.get("status") == "convicted"
    if f.required == "custodial_end":
        return typed.get("punishment") in CUSTODIAL_END
    return False


class Decider:
    """One act under one choice of readings on one day, ready to decide single records quickly."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.fields = list(FIELDS.values()) + [f for f in extra_fields(ctx.act) if f.name not in FIELDS]
        self.names = {f.name for f in self.fields}

    def lookup(self, articles: str) -> dict:
        """The `_lookup` row of `clemency.engines.lookup` for one canonical `articles` value, combined in
        Python by the same rules as its SQL; cached across readings that share the article sets."""
        key = (self.ctx.code.version, tuple(self.ctx.plan.article_sets), articles)
        with _LOOKUP_LOCK:
            hit = _LOOKUP.get(key)
            if hit is not None:
                _LOOKUP.move_to_end(key)
                return hit
        value = lookup_row(self.ctx.plan, self.ctx.code, articles)
        with _LOOKUP_LOCK:
            _LOOKUP[key] = value
            while len(_LOOKUP) > 50_000:
                _LOOKUP.popitem(last=False)
        return value

    def typed_row(self, record: dict) -> dict:
        """The row the registry import would give for this record; _Slow when it needs the exact path."""
        if any(k not in self.names for k in record):
            raise _Slow
        typed: dict = {}
        for f in self.fields:
            if f.name == "articles":
                text = cell_text(record.get("articles"))
                x = None if text is None else (text.strip() or None)
                if x is None or not _ARTICLES.fullmatch(x):
                    raise _Slow
                typed["articles"] = x
            elif f.name == "case_id":
                typed["case_id"] = _typed(f, record.get("case_id")) or _typed(FIELDS["person_id"],
                                                                                record.get("person_id"))
            else:
                typed[f.name] = _typed(f, record.get(f.name))
        for f in self.fields:
            if typed[f.name] is None and _required(f, typed):
                raw = cell_text(record.get(f.name))
                if raw is None or not raw.strip():
                    raise _Slow   # a missing required value: the exact path says so
        if typed.get("convicted_abroad") or check_record(typed):
            raise _Slow   # a foreign article or an implausible record: the exact path (registry import) says so
        typed["_row"] = 1
        return typed

    def source_row(self, record: dict) -> dict:
        """The row the reference engine decides for this record; _Slow when it needs the exact path."""
        typed = self.typed_row(record)
        return source_row(self.ctx.plan, typed, self.lookup(typed["articles"]))

    def needs_exact(self, record: dict) -> bool:
        """Whether this record is decided the exact (DuckDB) way: about a second, not milliseconds. A record
        whose values cannot even be typed counts as one (the exact way gives its error)."""
        try:
            self.typed_row(record)
        except _Slow:
            return True
        except (TypeError, ValueError, AttributeError, OverflowError, ArithmeticError):
            return True
        return False

    def decide(self, record: dict, exact: bool = False) -> dict:
        """The decision of one record exactly as `clemency check` prints it (InputError when invalid)."""
        if not exact:
            try:
                typed = self.typed_row(record)
            except _Slow:
                pass
            else:   # the reference engine on the typed record, with the cached article lookup
                row, decision = next(decide_typed(self.ctx.plan, self.ctx.on, [typed], self.lookup))
                return explain(self.ctx, row, decision)
        return decide_records(self.ctx, [record])[0]


@lru_cache(maxsize=64)
def _decider(act: str, readings: tuple, on: str | None) -> Decider:
    return Decider(Context.make(act, dict(readings), on))


def decider(act: str, readings: dict | None = None, on: str | None = None) -> Decider:
    """A cached Decider per (act, readings, on). Raises the library's errors for a bad act or reading."""
    return _decider(act, tuple(sorted((readings or {}).items())), on or None)

