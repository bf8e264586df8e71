"""The Criminal Code as data: article ids and their hierarchical matching (`articles`), the
table of article parts with Art. 15 categories and negligence, and case resolution (`code`)."""

from clemency.law.articles import (
    CATEGORIES,
    ArticleError,
    ancestors,
    any_covered,
    category_rank,
    covers,
    gravest,
    parse_article,
    parse_articles,
    segments,
    try_parse_articles,
)
from clemency.law.code import (
    DEFAULT_TABLE,
    CriminalCode,
    Entry,
    Resolution,
    default_code,
    negligent_flag,
    resolve,
)

__all__ = [
    "CATEGORIES",
    "DEFAULT_TABLE",
    "ArticleError",
    "CriminalCode",
    "Entry",
    "Resolution",
    "ancestors",
    "any_covered",
    "category_rank",
    "covers",
    "default_code",
    "gravest",
    "negligent_flag",
    "parse_article",
    "parse_articles",
    "resolve",
    "segments",
    "try_parse_articles",
]
