"""The Criminal Code table (article parts, sanctions, Art. 15 categories, negligence) and the
resolution of a case's articles into a crime category and a negligence flag.

Lookup of one citation (`CriminalCode.entry`):
1. a row of the table with exactly that id;
2. else, if the table lists parts below it (a bare article such as `177`, or a part whose
   points are listed): the category they all share, or no category (unknown) if they differ;
3. else the nearest listed ancestor (`320.1.1` → `320.1`), since points carry their part's
   sanction;
4. else nothing: the article is unknown.

Resolution of a case (`CriminalCode.resolve`), after Art. 15 and docs/registry-format.md:
- the case's category is that of its gravest article part; a category given in the input
  wins over the table (a difference is flagged as a disagreement);
- if some article has no known category and none is given, the category is unknown (None),
  unless a known article is already especially grave (nothing can be graver);
- negligent: a given value wins; else each article is negligent if the table says `yes`,
  unknown if it says `consequence` (negligence only as to a consequence) or the article is
  unknown, and not negligent otherwise; the case is negligent only if all its articles are
  (three-valued AND: any False → False, else any unknown → None, else True).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from clemency.errors import ClemencyError, InputError
from clemency.law.articles import (
    CATEGORIES,
    ArticleError,
    ancestors,
    covers,
    parse_article,
    parse_articles,
    segments,
)

__all__ = [
    "DEFAULT_TABLE",
    "CriminalCode",
    "Entry",
    "Resolution",
    "default_code",
    "negligent_flag",
    "resolve",
]

DEFAULT_TABLE = "az-criminal-code-2024.csv"
_NEGLIGENT_VALUES = ("yes", "consequence", "")
_COLUMNS = ("article", "name", "negligent", "min_years", "max_years", "category", "source", "confidence")


@dataclass(frozen=True)
class Entry:
    """What the table says about one citation. `article` is the table id it came from (the
    citation itself for an exact or descendant-based match); `matched` is `exact`, `ancestor`
    or `descendants`; `category` None means unknown; `negligent` is `yes`, `consequence`, ``
    or None (unknown: the listed parts differ)."""

    article: str
    name: str
    negligent: str | None
    min_years: str
    max_years: str
    category: str | None
    source: str
    confidence: str
    matched: str = "exact"


@dataclass(frozen=True)
class Resolution:
    """The category and negligence of a case with the given articles."""

    articles: tuple[str, ...]
    category: str | None
    negligent: bool | None
    unknown_articles: tuple[str, ...]
    table_category: str | None
    disagreement: bool


def negligent_flag(value: str | None) -> bool | None:
    """Table negligence → flag: `yes` → True, `consequence` → None (unknown), `` → False,
    None (unknown article or mixed parts) → None."""
    if value is None or value == "consequence":
        return None
    return value == "yes"


def _norm_category(value: Any, where: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if text not in CATEGORIES:
        raise ClemencyError(f"unknown crime category {text!r}", where=where,
                            hint="one of " + ", ".join(CATEGORIES))
    return text


def _norm_negligent(value: Any, where: str) -> str:
    if value is True:
        return "yes"
    if value is False:
        return ""
    text = str(value).strip().lower()
    if text in ("yes", "true", "1"):
        return "yes"
    if text in ("", "no", "false", "0"):
        return ""
    if text in ("consequence", "unknown"):
        return "consequence"
    raise ClemencyError(f"bad negligent value {value!r}", where=where,
                        hint="true/yes, false/no/empty, or consequence/unknown")


def _override_fields(article: str, value: Any) -> dict[str, str | None]:
    """An override is a category string or a mapping with `category` and/or `negligent`."""
    where = f"Criminal Code override for {article}"
    if isinstance(value, str):
        return {"category": _norm_category(value, where)}
    if not isinstance(value, Mapping):
        raise ClemencyError("an override is a category or a mapping with category/negligent", where=where)
    unknown = set(value) - {"category", "negligent"}
    if unknown:
        raise ClemencyError(f"unknown override field(s) {sorted(unknown)}", where=where,
                            hint="only category and negligent can be overridden")
    out: dict[str, str | None] = {}
    if "category" in value:
        out["category"] = _norm_category(value["category"], where)
    if "negligent" in value:
        out["negligent"] = _norm_negligent(value["negligent"], where)
    return out


class CriminalCode:
    """The table of article parts. Build with `CriminalCode.load`."""

    def __init__(self, rows: dict[str, Entry], version: str, overrides: dict[str, dict] | None = None):
        self.rows = rows
        self.version = version
        self.overrides = overrides or {}
        self._children: dict[str, list[str]] = {}
        for article in rows:
            for anc in ancestors(article):
                self._children.setdefault(anc, []).append(article)
        self._entries: dict[str, Entry | None] = {}
        self._resolve_cached = lru_cache(maxsize=1 << 16)(self._resolve)

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"CriminalCode({self.version!r}, {len(self.rows)} rows)"

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, path: str | Path | None = None, overrides: Mapping[str, Any] | None = None) -> CriminalCode:
        """Read the table (default: the shipped az-criminal-code-2024.csv) and apply user
        overrides ({article: category} or {article: {category, negligent}}). An override of a
        part applies to its listed sub-parts too (they carry the part's sanction), a more
        specific override winning; the version then reads `<table>+overrides-<hash>`."""
        if path is None:
            source = resources.files("clemency").joinpath("data", "law", DEFAULT_TABLE)
            name, text = DEFAULT_TABLE, source.read_text(encoding="utf-8")
        else:
            p = Path(path)
            try:
                name, text = p.name, p.read_text(encoding="utf-8")
            except OSError as exc:
                raise InputError(f"cannot read the Criminal Code table: {exc.strerror}", where=str(p)) from None
        rows = cls._parse(text, name)
        version = name.rsplit(".", 1)[0]
        norm: dict[str, dict] = {}
        if overrides:
            for raw, value in overrides.items():
                try:
                    article = parse_article(raw)
                except ArticleError as exc:
                    raise ClemencyError(exc.message, where="Criminal Code overrides") from None
                norm[article] = _override_fields(article, value)
            rows = cls._apply_overrides(rows, norm)
            digest = hashlib.sha256(json.dumps(norm, sort_keys=True).encode()).hexdigest()[:12]
            version += f"+overrides-{digest}"
        return cls(rows, version, norm)

    @staticmethod
    def _parse(text: str, name: str) -> dict[str, Entry]:
        reader = csv.DictReader(text.splitlines())
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"missing column(s) {', '.join(missing)}", where=name)
        rows: dict[str, Entry] = {}
        for line, rec in enumerate(reader, start=2):
            where = f"{name}:{line}"
            try:
                article = parse_article(rec["article"])
            except ArticleError:
                raise InputError(f"bad article id {rec['article']!r}", where=where) from None
            if article in rows:
                raise InputError(f"duplicate article {article}", where=where)
            negligent = (rec["negligent"] or "").strip()
            if negligent not in _NEGLIGENT_VALUES:
                raise InputError(f"bad negligent value {negligent!r}", where=where,
                                 hint="yes, consequence or empty")
            try:
                category = _norm_category(rec["category"], where)
            except ClemencyError as exc:
                raise InputError(exc.message, where=where, hint=exc.hint) from None
            rows[article] = Entry(article, rec["name"] or "", negligent, (rec["min_years"] or "").strip(),
                                  (rec["max_years"] or "").strip(), category, rec["source"] or "",
                                  rec["confidence"] or "")
        return rows

    @staticmethod
    def _apply_overrides(rows: dict[str, Entry], overrides: dict[str, dict]) -> dict[str, Entry]:
        rows = dict(rows)
        for ref in sorted(overrides, key=lambda a: len(segments(a))):  # general first, specific last
            fields = overrides[ref]
            targets = [a for a in rows if covers(ref, a)]
            if not targets:  # a new row, based on the nearest listed ancestor if any
                base = next((rows[a] for a in ancestors(ref) if a in rows), None)
                rows[ref] = Entry(ref, base.name if base else "", base.negligent if base else "",
                                  base.min_years if base else "", base.max_years if base else "",
                                  base.category if base else None, "override", "U")
                targets = [ref]
            for a in targets:
                rows[a] = replace(rows[a], source="override", confidence="U", **fields)
        return rows

    # ------------------------------------------------------------------ lookup

    def entry(self, article: str) -> Entry | None:
        """What the table says about one citation (see the module docstring), None if unknown."""
        article = parse_article(article)
        if article not in self._entries:
            self._entries[article] = self._lookup(article)
        return self._entries[article]

    def _lookup(self, article: str) -> Entry | None:
        if article in self.rows:
            return self.rows[article]
        children = self._children.get(article)
        if children:
            cats = {self.rows[c].category for c in children}
            negl = {self.rows[c].negligent for c in children}
            first = self.rows[min(children, key=lambda c: len(segments(c)))]
            return Entry(article, first.name.split(" - ")[0], negl.pop() if len(negl) == 1 else None, "", "",
                         cats.pop() if len(cats) == 1 else None, first.source, first.confidence,
                         matched="descendants")
        for anc in ancestors(article):
            if anc in self.rows:
                return replace(self.rows[anc], matched="ancestor")
        return None

    # ------------------------------------------------------------------ resolution

    def resolve(self, articles: str | Iterable[str], given_category: str | None = None,
                given_negligent: bool | None = None) -> Resolution:
        """Category and negligence of a case (rules in the module docstring). `articles` is a
        ';'-separated string or a list; raises ArticleError on junk ids. Cached per distinct
        (articles, given values)."""
        key = articles if isinstance(articles, str) else tuple(articles)
        if given_category is not None and not str(given_category).strip():
            given_category = None
        return self._resolve_cached(key, given_category, given_negligent)

    def _resolve(self, key: str | tuple[str, ...], given_category: str | None,
                 given_negligent: bool | None) -> Resolution:
        given = _norm_category(given_category, "crime_category")
        ids = parse_articles(key)
        entries = [(a, self.entry(a)) for a in ids]
        unknown = tuple(a for a, e in entries if e is None or e.category is None)
        known = [e.category for _, e in entries if e is not None and e.category is not None]
        if "especially_grave" in known:
            table_category: str | None = "especially_grave"
        elif unknown or not known:
            table_category = None
        else:
            table_category = max(known, key=CATEGORIES.index)
        category = given if given is not None else table_category
        disagreement = given is not None and table_category is not None and given != table_category

        if given_negligent is not None:
            negligent: bool | None = bool(given_negligent)
        elif not ids:
            negligent = None
        else:
            flags = [negligent_flag(e.negligent if e is not None else None) for _, e in entries]
            negligent = False if False in flags else (None if None in flags else True)
        return Resolution(ids, category, negligent, unknown, table_category, disagreement)


@lru_cache(maxsize=1)
def default_code() -> CriminalCode:
    """The shipped table without overrides (loaded once)."""
    return CriminalCode.load()


def resolve(articles: str | Iterable[str], given_category: str | None = None,
            given_negligent: bool | None = None, code: CriminalCode | None = None) -> Resolution:
    """`CriminalCode.resolve` on `code` (default: the shipped table)."""
    return (code or default_code()).resolve(articles, given_category, given_negligent)


def read_overrides(path: str | Path) -> dict[str, dict]:
    """Overrides from a CSV file with columns article, category and/or negligent (e.g. to apply an
    amendment of 2024-2025 the shipped table does not reflect)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the overrides: {exc.strerror}", where=str(p)) from None
    reader = csv.DictReader(text.splitlines())
    if "article" not in (reader.fieldnames or []):
        raise InputError("the overrides file needs a column 'article' (and category and/or negligent)", where=str(p))
    out = {}
    for i, row in enumerate(reader, start=1):
        value = {k: row[k] for k in ("category", "negligent") if row.get(k) not in (None, "")}
        if not value:
            raise InputError(f"row {i}: override of {row['article']!r} gives neither category nor negligent",
                             where=str(p))
        out[row["article"]] = value
    return out
