"""Criminal Code article ids: parsing and hierarchical matching (docs/registry-format.md).

An id is a dotted list of segments; each segment is a number optionally followed by `-N`
suffixes: `206.3.2` (article 206, part 3, point 2), `193-1.3.1` (article 193-1),
`177.2.3-1`, `116.0.8-1`. A reference covers an article when its segments are the first
segments of the article's: `206.3` covers `206.3.2`, `244-1` covers `244-1.1`; `193-1` does
not cover `193`, `193` does not cover `193-1.1`, `234.1` does not cover `234.1-1`.
Matching is never by string prefix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from clemency.errors import ClemencyError

__all__ = [
    "CATEGORIES",
    "ArticleError",
    "ancestors",
    "any_covered",
    "category_rank",
    "covers",
    "gravest",
    "parse_article",
    "parse_articles",
    "segments",
    "try_parse_articles",
]

#: Art. 15 categories, from the least to the most grave.
CATEGORIES: tuple[str, ...] = ("not_great_danger", "less_serious", "grave", "especially_grave")
_RANK = {c: i for i, c in enumerate(CATEGORIES)}

_SEGMENT = r"\d+(?:-\d+)*"
_ARTICLE = re.compile(rf"{_SEGMENT}(?:\.{_SEGMENT})*")
_SPACE = re.compile(r"\s+")


class ArticleError(ClemencyError):
    """An article citation that is not a valid id; `bad` lists the offending tokens."""

    def __init__(self, bad: Sequence[str], *, where: str | None = None):
        self.bad = tuple(bad)
        super().__init__(
            "not an article id: " + ", ".join(repr(b) for b in self.bad),
            where=where,
            hint="ids look like 206.3.2 or 193-1.3.1; several are separated by ';'",
        )


@lru_cache(maxsize=65536)
def parse_article(s: str) -> str:
    """Normalise one article id: remove whitespace and a trailing '.'; raise ArticleError if
    what is left is not dotted segments of the form N or N-M (`' 206.3.2. '` → `'206.3.2'`)."""
    text = _SPACE.sub("", str(s))
    text = text.removesuffix(".")
    if not _ARTICLE.fullmatch(text):
        raise ArticleError([str(s)])
    return text


def try_parse_articles(value: str | Iterable[str] | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split a citation list into (normalised ids, bad tokens). `value` is a ';'-separated string
    or (from JSON) a list of strings; empty tokens are dropped and duplicates kept once."""
    if value is None:
        return (), ()
    tokens = value.split(";") if isinstance(value, str) else [t for v in value for t in str(v).split(";")]
    ids: list[str] = []
    bad: list[str] = []
    for token in tokens:
        if not token.strip():
            continue
        try:
            article = parse_article(token)
        except ArticleError:
            bad.append(token.strip())
            continue
        if article not in ids:
            ids.append(article)
    return tuple(ids), tuple(bad)


def parse_articles(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Like `try_parse_articles` but raise ArticleError (with `.bad`) if any token is junk."""
    ids, bad = try_parse_articles(value)
    if bad:
        raise ArticleError(bad)
    return ids


@lru_cache(maxsize=65536)
def segments(article: str) -> tuple[str, ...]:
    """The dotted segments of an article id (`'193-1.3.1'` → `('193-1', '3', '1')`)."""
    return tuple(parse_article(article).split("."))


def covers(ref: str, article: str) -> bool:
    """True if `ref` is `article` or one of its ancestors by whole dotted segments."""
    r, a = segments(ref), segments(article)
    return len(r) <= len(a) and a[: len(r)] == r


def any_covered(articles: Iterable[str], refs: Iterable[str]) -> bool:
    """True if any of `articles` is covered by any of `refs`."""
    refs = tuple(refs)
    return any(covers(ref, a) for a in articles for ref in refs)


def ancestors(article: str) -> tuple[str, ...]:
    """The proper ancestors of an id, nearest first (`'320.1.1'` → `('320.1', '320')`)."""
    seg = segments(article)
    return tuple(".".join(seg[:i]) for i in range(len(seg) - 1, 0, -1))


def category_rank(category: str) -> int:
    """0 for not_great_danger … 3 for especially_grave; raise ClemencyError for other values."""
    try:
        return _RANK[category]
    except KeyError:
        raise ClemencyError(f"unknown crime category {category!r}",
                            hint="one of " + ", ".join(CATEGORIES)) from None


def gravest(categories: Iterable[str]) -> str | None:
    """The gravest of the given categories, None if there are none."""
    cats = list(categories)
    return max(cats, key=category_rank) if cats else None
