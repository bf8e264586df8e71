"""A run's decisions as a results browser (in the manner of datasette): facets with counts, sorting on any
column, search by id or name, filters read from the URL, page numbers, and the filtered view as rows.

Everything is a parameterised DuckDB query over the run's `decisions.parquet` (joined on `_row` with the
name and institution of `input.parquet`). Column names come from fixed lists, never from a request; values
from a request are only ever bound parameters."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

import duckdb

PAGE = 50
# facet -> the SQL expression over the view `v` (fixed text; no request value ever reaches it)
FACETS = {
    "relief": "relief", "clause": "clause", "basis": "basis", "crime_category": "crime_category", "sex": "sex",
    "institution": "institution", "excluded_by": "excluded_by",
}
COLUMNS = ("person_id", "case_id", "full_name", "sex", "status", "punishment", "crime_category", "institution",
           "relief", "clause", "basis", "reduction_months", "new_sentence_end", "eligible_from", "upcoming_relief",
           "upcoming_from", "excluded_by")
NONE = "(none)"
MAX_VALUE = 200


@dataclass
class Query:
    """What a request asks of a run's decisions (every value bounded; unknown keys ignored)."""

    filters: dict = field(default_factory=dict)
    q: str = ""
    sort: str = ""
    desc: bool = False
    page: int = 1
    size: int = PAGE

    @classmethod
    def from_params(cls, params, size: int = PAGE) -> Query:
        filters = {k: str(params.get(k))[:MAX_VALUE] for k in FACETS if params.get(k)}
        sort = str(params.get("sort") or "")
        desc = sort.startswith("-")
        sort = sort.lstrip("-")
        if sort not in COLUMNS:
            sort = ""
        raw = str(params.get("page") or "1")
        if not raw.isdigit() or len(raw) > 9:
            raise ValueError("page is a whole number from 1")
        return cls(filters, str(params.get("q") or "").strip()[:MAX_VALUE], sort, desc, max(int(raw), 1), size)

    def params(self, **change) -> dict:
        """The query as URL parameters (for links: shareable, with `change` applied; None drops a key)."""
        out = dict(self.filters)
        if self.q:
            out["q"] = self.q
        if self.sort:
            out["sort"] = ("-" if self.desc else "") + self.sort
        if self.page > 1:
            out["page"] = str(self.page)
        for k, v in change.items():
            if v is None or v == "":
                out.pop(k, None)
            else:
                out[k] = str(v)
        return out

    def url(self, **change) -> str:
        p = self.params(**change)
        return "?" + urlencode(p) if p else "?"


def _view(con, out, root) -> None:
    con.read_parquet(str(out / "decisions.parquet")).create_view("d")
    extra = {"full_name": "NULL::VARCHAR", "institution": "NULL::VARCHAR"}
    src = root / "input.parquet"
    join = ""
    if src.is_file():
        con.read_parquet(str(src)).create_view("i")
        cols = {r[0].lower(): r[0] for r in con.execute("DESCRIBE SELECT * FROM i").fetchall()}
        if "_row" in cols:
            picked = [k for k in extra if k in cols]
            for k in picked:
                extra[k] = f'nullif(trim(CAST(i."{cols[k]}" AS VARCHAR)), \'\')'
            if picked:
                join = ' LEFT JOIN i ON i."_row" = d._row'
    con.execute(f"CREATE TEMP VIEW v AS SELECT d.*, {extra['full_name']} AS full_name, "
                f"{extra['institution']} AS institution FROM d{join}")


def _search(con, query: Query) -> str:
    """The table to query: `v`, or, when searching, the rows that match the search made once into a temporary
    table (the facets' eight queries then do not each repeat the name match over every row)."""
    if not query.q:
        return "v"
    like = query.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    con.execute("CREATE TEMP TABLE vq AS SELECT * FROM v WHERE person_id = ? OR case_id = ? OR "
                "strip_accents(lower(full_name)) LIKE '%' || strip_accents(lower(?)) || '%' ESCAPE '\\'",
                [query.q, query.q, like])
    return "vq"


def _where(query: Query, skip: str | None = None) -> tuple[str, list]:
    where, params = [], []
    for k, v in query.filters.items():
        if k == skip:
            continue
        expr = FACETS[k]
        if v == NONE:
            where.append(f"({expr} IS NULL OR CAST({expr} AS VARCHAR) IN ('', '[]'))")
        else:
            where.append(f"CAST({expr} AS VARCHAR) = ?")
            params.append(v)
    return (" WHERE " + " AND ".join(where)) if where else "", params


@dataclass
class Page:
    names: list
    rows: list
    total: int
    pages: int
    facets: dict          # facet -> [(value or NONE, count)], counted under the other filters


def _filtered(con, out, root, query: Query) -> tuple[str, str, list, int, str]:
    """The run's view made in `con`, the search applied: (table, WHERE clause, its parameters, rows that
    match, ORDER BY), shared by the page and the export so that both show the same rows in the same order."""
    _view(con, out, root)
    t = _search(con, query)
    cond, params = _where(query)
    total = con.execute(f"SELECT count(*) FROM {t}{cond}", params).fetchone()[0]
    order = f'"{query.sort}" {"DESC" if query.desc else "ASC"} NULLS LAST, _row' if query.sort else "_row"
    return t, cond, params, total, order


def _facets(con, t: str, query: Query, limit: int) -> dict:
    facets = {}
    for k, expr in FACETS.items():
        fcond, fparams = _where(query, skip=k)
        res = con.execute(
            f"SELECT CASE WHEN {expr} IS NULL OR CAST({expr} AS VARCHAR) IN ('', '[]') THEN NULL "
            f"ELSE CAST({expr} AS VARCHAR) END AS k, count(*) FROM {t}{fcond} GROUP BY 1 "
            f"ORDER BY 2 DESC, 1 NULLS LAST LIMIT ?", [*fparams, limit]).fetchall()
        facets[k] = [(NONE if v is None else v, n) for v, n in res]
    return facets


def browse(out, root, query: Query, with_facets: bool = True, facet_limit: int = 30) -> Page:
    con = duckdb.connect()
    try:
        t, cond, params, total, order = _filtered(con, out, root, query)
        cur = con.execute(f"SELECT {', '.join(COLUMNS)} FROM {t}{cond} ORDER BY {order} LIMIT ? OFFSET ?",
                          [*params, query.size, (query.page - 1) * query.size])
        names = [x[0] for x in cur.description]
        rows = cur.fetchall()
        facets = _facets(con, t, query, facet_limit) if with_facets else {}
    finally:
        con.close()
    return Page(names, rows, total, max(math.ceil(total / query.size), 1), facets)


def export_rows(out, root, query: Query, limit: int):
    """Every row of the filtered view (the same order as the page), at most `limit`: (names, rows, total)."""
    con = duckdb.connect()
    try:
        t, cond, params, total, order = _filtered(con, out, root, query)
        cur = con.execute(f"SELECT {', '.join(COLUMNS)} FROM {t}{cond} ORDER BY {order} LIMIT ?", [*params, limit])
        return [x[0] for x in cur.description], cur.fetchall(), total
    finally:
        con.close()


def page_numbers(page: int, pages: int) -> list:
    """Page links to show: the first, the last, and two either side of the current one (None for a gap)."""
    keep = sorted({1, pages, *range(max(page - 2, 1), min(page + 2, pages) + 1)})
    out, last = [], 0
    for n in keep:
        if n - last > 1:
            out.append(None)
        out.append(n)
        last = n
    return out
