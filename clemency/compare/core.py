"""Two acts, or two readings of one act, over one registry in one run (`clemency compare`, docs/compare.md).

Writes into OUT:
- `flips.csv`: every row whose relief, clause, new_sentence_end or eligible_from differs on the decision day,
  or whose relief later in the window differs (`upcoming_relief`, `upcoming_clause`, `upcoming_from`: a person
  released only from a later day under one reading is a flip even when neither side gives relief on the
  decision day; `flip_when` says `on the day` or `later in the window`), with the clause
  difference behind it (`clause_changes`: each clause whose result changed, `A7:F>H`; `x` = the clause is not
  in that act; `exclusion_changes`: exclusions that stopped `-F1` or started `+F2` blocking) and both
  `excluded_by`;
- `summary.json`: counts by relief under each side and the deltas by relief, crime category, sex and month;
- `compare.html`: the deltas as a page.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from clemency import __version__
from clemency.compare.report import compare_page
from clemency.compare.session import BENEFIT, Session, check_rows, contexts
from clemency.engines.duckdb import sql_path
from clemency.pipeline import SYNTHETIC_NOTE, is_synthetic

FLIP_COLUMNS = ["person_id", "case_id", "base_relief", "alt_relief", "base_clause", "alt_clause",
                "base_new_sentence_end", "alt_new_sentence_end", "base_eligible_from", "alt_eligible_from",
                "clause_changes", "exclusion_changes", "base_excluded_by", "alt_excluded_by",
                "base_upcoming_relief", "alt_upcoming_relief", "base_upcoming_clause", "alt_upcoming_clause",
                "base_upcoming_from", "alt_upcoming_from", "flip_when"]
# exclusions that stopped (-F1) or started (+F2) blocking a relief
EXCL_CHANGES = ("array_to_string(list_concat("
                "list_transform(list_filter(string_split(b.excluded_by, ';'), lambda x: x <> '' AND NOT "
                "list_contains(string_split(a.excluded_by, ';'), x)), lambda x: '-' || x), "
                "list_transform(list_filter(string_split(a.excluded_by, ';'), lambda x: x <> '' AND NOT "
                "list_contains(string_split(b.excluded_by, ';'), x)), lambda x: '+' || x)), ';')")
DIFFERS = ("relief", "clause", "new_sentence_end", "eligible_from")
# a change of relief, clause or first day later in the window (relief that holds only after the decision day)
DIFFERS_LATER = ("upcoming_relief", "upcoming_clause", "upcoming_from")


@dataclass
class CompareResult:
    out_dir: Path
    summary: dict


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def clause_changes_sql(base_order: list[str], alt_order: list[str], b: str = "b", a: str = "a") -> str:
    """SQL for the clauses whose result (H/F/U/-) differs between the two reasons strings, as `ID:b>a;...`.
    A clause present on one side only is listed when it held or was unknown there (`x` on the other side)."""
    parts = []
    ids = list(base_order) + [i for i in alt_order if i not in base_order]
    for cid in ids:
        bc = f"substr({b}.reasons, {base_order.index(cid) + 1}, 1)" if cid in base_order else None
        ac = f"substr({a}.reasons, {alt_order.index(cid) + 1}, 1)" if cid in alt_order else None
        if bc and ac:
            parts.append(f"CASE WHEN {bc} <> {ac} THEN {_lit(cid + ':')} || {bc} || '>' || {ac} END")
        elif bc:
            parts.append(f"CASE WHEN {bc} IN ('H', 'U') THEN {_lit(cid + ':')} || {bc} || '>x' END")
        else:
            parts.append(f"CASE WHEN {ac} IN ('H', 'U') THEN {_lit(cid + ':x>')} || {ac} END")
    return f"CONCAT_WS(';', {', '.join(parts)})" if parts else "''"


def join_sql(session: Session, base_table: str, alt_table: str, base_order, alt_order) -> str:
    """One row per registry row with both decisions side by side and a `flip` flag."""
    differs = " OR ".join(f"b.{c} IS DISTINCT FROM a.{c}" for c in DIFFERS)
    later = " OR ".join(f"b.{c} IS DISTINCT FROM a.{c}" for c in DIFFERS_LATER)
    return (f"SELECT b.person_id, b.case_id, b._row, b.sex, b.crime_category, "
            f"b.relief AS base_relief, a.relief AS alt_relief, b.clause AS base_clause, a.clause AS alt_clause, "
            f"b.new_sentence_end AS base_new_sentence_end, a.new_sentence_end AS alt_new_sentence_end, "
            f"b.eligible_from AS base_eligible_from, a.eligible_from AS alt_eligible_from, "
            f"b.upcoming_relief AS base_upcoming_relief, a.upcoming_relief AS alt_upcoming_relief, "
            f"b.upcoming_clause AS base_upcoming_clause, a.upcoming_clause AS alt_upcoming_clause, "
            f"b.upcoming_from AS base_upcoming_from, a.upcoming_from AS alt_upcoming_from, "
            f"CASE WHEN {differs} THEN 'on the day' WHEN {later} THEN 'later in the window' END AS flip_when, "
            f"{clause_changes_sql(base_order, alt_order)} AS clause_changes, {EXCL_CHANGES} AS exclusion_changes, "
            f"b.excluded_by AS base_excluded_by, a.excluded_by AS alt_excluded_by, ({differs} OR {later}) AS flip "
            f"FROM {base_table} b JOIN {alt_table} a ON b._row = a._row")


def compare(registry, base, alt, out, base_readings=None, alt_readings=None, *, on=None, same_day: bool = True,
            code=None, progress=None, html: bool = True) -> CompareResult:
    """Decide `registry` under `base` and `alt` (act ids, paths, overlays or Acts; with readings) in one run."""
    step = progress or (lambda name: None)
    bctx, actx, shifted = contexts(base, alt, base_readings, alt_readings, on, same_day)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    step("reading the registry")
    session = Session.open(registry, [bctx.act, actx.act], code)
    try:
        check_rows(session)
        step("deciding under the base")
        bt = session.decide(bctx, "base")
        step("deciding under the alternative")
        at = session.decide(actx, "alt")
        step("comparing")
        con = session.con
        con.execute(f"CREATE TEMP TABLE cmp AS {join_sql(session, bt, at, bctx.plan.reason_order, actx.plan.reason_order)}")
        con.execute(f"COPY (SELECT {', '.join(FLIP_COLUMNS)} FROM cmp WHERE flip ORDER BY _row) "
                    f"TO {sql_path(out / 'flips.csv')} (HEADER, DELIMITER ',')")
        summary = summarize(con, "cmp")
    finally:
        session.close()
    side = lambda ctx: {"act": ctx.act.id, "act_path": ctx.act.path, "act_hash": ctx.act.sha256,  # noqa: E731
                        "readings": ctx.plan.readings, "on": ctx.on.isoformat(),
                        "entry_into_force": ctx.plan.eif.isoformat(), "reasons_order": ctx.plan.reason_order}
    summary = {"base": side(bctx), "alt": side(actx), **summary,
               "registry": str(registry) if not isinstance(registry, (list, dict)) else "<records>",
               "registry_hash": session.loaded.registry_hash,
               "rows_in": session.loaded.rows_in, "rows_rejected": session.loaded.rows_rejected,
               "clemency_version": __version__,
               "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
               "legend": {"clause_changes": "ID:base>alt per clause whose result changed; H held, F failed, "
                                            "U unknown, - not decided, x not in that act",
                          "exclusion_changes": "-X: exclusion X blocked under the base, not under the alt; +X: "
                                               "the reverse",
                          "beneficiaries": "rows or persons with a relief other than none and indeterminate"}}
    if shifted:
        summary["alt_entry_into_force_shifted"] = shifted
        summary["note_dates"] = (f"{actx.act.id} is applied as if in force on {shifted['to']} (its own entry into "
                                 f"force was {shifted['from']}), so that it is asked about the same registry on the "
                                 "same day; pass --alt-reading eif=... or --own-dates to change that.")
    if not isinstance(registry, (list, dict)) and is_synthetic(registry):
        summary["note"] = SYNTHETIC_NOTE
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    if html:
        (out / "compare.html").write_text(compare_page(summary), encoding="utf-8")
    return CompareResult(out, summary)


def _delta(con, sql: str) -> dict:
    """{key: {base, alt, delta}} from a query returning key, base, alt."""
    return {str(k): {"base": b, "alt": a, "delta": a - b} for k, b, a in con.execute(sql).fetchall()}


def summarize(con, table: str) -> dict:
    t = table
    rows, persons, flips, flipped, later, later_p = con.execute(
        f"SELECT count(*), count(DISTINCT person_id), count(*) FILTER (WHERE flip), "
        f"count(DISTINCT person_id) FILTER (WHERE flip), count(*) FILTER (WHERE flip_when = 'later in the window'), "
        f"count(DISTINCT person_id) FILTER (WHERE flip_when = 'later in the window') FROM {t}").fetchone()
    by_relief = {}
    for side in ("base", "alt"):
        for rel, n, p in con.execute(f"SELECT {side}_relief, count(*), count(DISTINCT person_id) FROM {t} "
                                     "GROUP BY ALL").fetchall():
            by_relief.setdefault(rel, {"base": {"rows": 0, "persons": 0}, "alt": {"rows": 0, "persons": 0}})
            by_relief[rel][side] = {"rows": n, "persons": p}
    for v in by_relief.values():
        v["delta"] = {k: v["alt"][k] - v["base"][k] for k in ("rows", "persons")}
    order = ["release_from_imprisonment", "release_from_criminal_liability", "release_from_punishment",
             "term_reduction", "indeterminate", "none"]
    by_relief = {k: by_relief[k] for k in sorted(by_relief, key=lambda r: order.index(r) if r in order else 99)}
    ben = lambda side: BENEFIT.replace("relief", f"{side}_relief")  # noqa: E731

    def dim(expr_b, expr_a=None, where_b=None, where_a=None):
        expr_a = expr_a or expr_b
        where_b, where_a = where_b or ben("base"), where_a or ben("alt")
        return _delta(con, f"""
            SELECT k, sum(b)::BIGINT, sum(a)::BIGINT FROM (
              SELECT {expr_b} AS k, count(DISTINCT person_id) AS b, 0 AS a FROM {t} WHERE {where_b} GROUP BY 1
              UNION ALL
              SELECT {expr_a} AS k, 0, count(DISTINCT person_id) FROM {t} WHERE {where_a} GROUP BY 1)
            GROUP BY k ORDER BY k NULLS LAST""")

    deltas = {
        "crime_category": dim("crime_category"),
        "sex": dim("sex"),
        "eligible_month": dim("strftime(base_eligible_from, '%Y-%m')", "strftime(alt_eligible_from, '%Y-%m')"),
        "new_sentence_end_month": dim("strftime(base_new_sentence_end, '%Y-%m')",
                                      "strftime(alt_new_sentence_end, '%Y-%m')",
                                      "base_relief = 'term_reduction'", "alt_relief = 'term_reduction'"),
    }
    by_relief_category = [
        {"relief": r, "crime_category": c, "base": b, "alt": a, "delta": a - b}
        for r, c, b, a in con.execute(f"""
            SELECT r, c, sum(b)::BIGINT, sum(a)::BIGINT FROM (
              SELECT base_relief AS r, crime_category AS c, count(*) AS b, 0 AS a FROM {t} GROUP BY ALL
              UNION ALL SELECT alt_relief, crime_category, 0, count(*) FROM {t} GROUP BY ALL)
            GROUP BY ALL HAVING sum(a) <> sum(b) ORDER BY ALL""").fetchall()]
    transitions = [{"base_relief": b, "alt_relief": a, "rows": n, "persons": p} for b, a, n, p in con.execute(
        f"SELECT base_relief, alt_relief, count(*), count(DISTINCT person_id) FROM {t} WHERE flip "
        "GROUP BY ALL ORDER BY 3 DESC").fetchall()]
    clause_effects = {k: n for k, n in con.execute(
        f"SELECT change, count(*) FROM (SELECT unnest(string_split(clause_changes, ';')) AS change FROM {t} "
        "WHERE flip AND clause_changes <> '') GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()}
    excluded_changes = [{"base_excluded_by": b, "alt_excluded_by": a, "rows": n} for b, a, n in con.execute(
        f"SELECT base_excluded_by, alt_excluded_by, count(*) FROM {t} WHERE flip AND "
        "base_excluded_by IS DISTINCT FROM alt_excluded_by GROUP BY ALL ORDER BY 3 DESC").fetchall()]
    beneficiaries = {s: con.execute(f"SELECT count(DISTINCT person_id) FROM {t} WHERE {ben(s)}").fetchone()[0]
                     for s in ("base", "alt")}
    return {"rows": rows, "persons": persons, "flips": {"rows": flips, "persons": flipped},
            "flips_later_in_window": {"rows": later, "persons": later_p},
            "beneficiaries": {**beneficiaries, "delta": beneficiaries["alt"] - beneficiaries["base"]},
            "by_relief": by_relief, "deltas": deltas, "by_relief_crime_category": by_relief_category,
            "transitions": transitions, "clause_changes": clause_effects, "excluded_by_changes": excluded_changes}
