"""The article lookup: for each distinct `articles` value of a registry, what the Criminal Code table says.

Each distinct article part is resolved once in Python (`CriminalCode.entry`, a few thousand at most); the
parts are then combined per `articles` value in DuckDB by the rules of `CriminalCode.resolve` (the gravest
part's category, unknown if any part is unknown unless one is especially grave; negligent only if every
part is). All engines join the same lookup, so all read the same categories.

A conviction by a foreign court cites a foreign code, whose article numbers mean something else: the
registry import marks each part of such a row's `articles` with FOREIGN_MARK (`abroad:999.9`), and a
marked part is never looked up in the Azerbaijani table (no category, no negligence, in no article set).
Such a row must give its crime_category (a finding otherwise).
"""

from __future__ import annotations

import pyarrow as pa

from clemency.compile.plan import Plan
from clemency.law import CATEGORIES, CriminalCode, any_covered, negligent_flag
from clemency.registry.schema import ARTICLE_TOKEN, FOREIGN_MARK


def is_foreign(part: str) -> bool:
    return part.startswith(FOREIGN_MARK)


def part_table(plan: Plan, code: CriminalCode, parts) -> pa.Table:
    """One row per distinct article part: its category rank (null = unknown), negligence, article sets."""
    cols: dict[str, list] = {"part": [], "rank": [], "neg": []}
    arts: list[list] = [[] for _ in plan.article_sets]
    for part in parts:
        foreign = is_foreign(part)
        entry = None if foreign else code.entry(part)
        category = entry.category if entry is not None else None
        cols["part"].append(part)
        cols["rank"].append(CATEGORIES.index(category) if category else None)
        cols["neg"].append(negligent_flag(entry.negligent) if entry is not None else None)
        for k, refs in enumerate(plan.article_sets):
            arts[k].append(False if foreign else any_covered((part,), refs))
    names = ["part", "rank", "neg"] + plan.article_columns
    data = [pa.array(cols["part"], pa.string()), pa.array(cols["rank"], pa.int8()), pa.array(cols["neg"], pa.bool_())]
    data += [pa.array(a, pa.bool_()) for a in arts]
    return pa.Table.from_arrays(data, names=names)


def register_lookup(con, plan: Plan, code: CriminalCode, table: str = "registry", name: str = "_lookup") -> None:
    """Create the temp table `name`: articles, _table_category, _table_negligent, _unknown_articles, _art*."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _distinct_articles AS SELECT DISTINCT articles FROM {table} "
                "WHERE articles IS NOT NULL")
    con.execute("CREATE OR REPLACE TEMP TABLE _article_parts AS SELECT articles, "
                "unnest(string_split(articles, ';')) AS part FROM _distinct_articles")
    # a part that is no article id can only come from a row with a finding (when `table` holds every row
    # read, as in the streaming pass): it is left out, and such rows are never decided
    token = ARTICLE_TOKEN.replace("'", "''")
    parts = [r[0] for r in con.execute(
        f"SELECT DISTINCT part FROM _article_parts WHERE regexp_full_match(part, '{token}') "
        f"OR (starts_with(part, '{FOREIGN_MARK}') AND regexp_full_match(part[{len(FOREIGN_MARK) + 1}:], '{token}'))"
    ).fetchall()]
    con.register("_parts_arrow", part_table(plan, code, parts))
    cats = ", ".join(f"'{c}'" for c in CATEGORIES)
    worst = len(CATEGORIES) - 1
    arts = "".join(f", bool_or(t.{col}) AS {col}" for col in plan.article_columns)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {name} AS
        SELECT p.articles,
               CASE WHEN max(t.rank) = {worst} THEN '{CATEGORIES[worst]}'
                    WHEN count(*) FILTER (WHERE t.rank IS NULL) > 0 THEN NULL
                    ELSE list_extract([{cats}], max(t.rank) + 1) END AS _table_category,
               CASE WHEN count(*) FILTER (WHERE t.neg = FALSE) > 0 THEN FALSE
                    WHEN count(*) FILTER (WHERE t.neg IS NULL) > 0 THEN NULL ELSE TRUE END AS _table_negligent,
               COALESCE(string_agg(DISTINCT CASE WHEN t.rank IS NULL THEN t.part END, ';' ORDER BY CASE WHEN t.rank IS NULL THEN t.part END), '')
                   AS _unknown_articles
               {arts}
        FROM _article_parts p JOIN _parts_arrow t ON p.part = t.part
        GROUP BY p.articles""")
    con.unregister("_parts_arrow")
    con.execute("DROP TABLE _article_parts")
    con.execute("DROP TABLE _distinct_articles")
