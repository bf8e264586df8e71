"""The article lookup: for each distinct `articles` value of a registry, what the Criminal Code table says.

Resolved once per distinct value in Python (a registry of millions of rows has far fewer distinct article
combinations), then joined by every engine, so that all engines read the same categories.
"""

from __future__ import annotations

import pyarrow as pa

from clemency.compile.plan import Plan
from clemency.law import CriminalCode, any_covered, parse_articles


def lookup_table(plan: Plan, code: CriminalCode, values) -> pa.Table:
    """Columns: articles, _table_category, _table_negligent, _unknown_articles, _art0.._artN."""
    rows: dict[str, list] = {"articles": [], "_table_category": [], "_table_negligent": [],
                             "_unknown_articles": []}
    arts: list[list] = [[] for _ in plan.article_sets]
    for value in values:
        if value is None:
            continue
        parsed = parse_articles(value)
        res = code.resolve(parsed)
        rows["articles"].append(value)
        rows["_table_category"].append(res.category)
        rows["_table_negligent"].append(res.negligent)
        rows["_unknown_articles"].append(";".join(res.unknown_articles))
        for k, refs in enumerate(plan.article_sets):
            arts[k].append(any_covered(parsed, refs))
    schema = [("articles", pa.string()), ("_table_category", pa.string()), ("_table_negligent", pa.bool_()),
              ("_unknown_articles", pa.string())]
    data = [pa.array(rows[n], t) for n, t in schema]
    for k, col in enumerate(arts):
        schema.append((f"_art{k}", pa.bool_()))
        data.append(pa.array(col, pa.bool_()))
    return pa.Table.from_arrays(data, names=[n for n, _ in schema])
