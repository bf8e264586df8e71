"""Exclusion attribution: for each exclusion clause of an act, on a registry or a political-prisoner list,

- `blocked`: rows (and persons) where it held and blocked a relief (it is in `excluded_by`);
- `sole`: it is the only exclusion in `excluded_by`, and dropping it gives a relief (a better one than now);
- `together`: it is in `excluded_by` with other exclusions;
- `dropped`: the act decided again with the exclusion neutralised (`clemency.act.overlay.neutralised`: kept
  in the reasons, blocks no one) - the flips, and the persons who would gain a relief.

With a `group` column (a political-prisoner list, docs/monitor.md, or any registry with such a column), the same
by group, and what keeps each group in (`excluded_by` among those not released, or that no clause releases
them) - e.g. "which clause keeps
the journalists in".
"""

from __future__ import annotations

import json
from pathlib import Path

from clemency.act.overlay import neutralised
from clemency.compare.core import DIFFERS
from clemency.compare.report import attribution_page
from clemency.compare.session import Session, check_rows, resolve_act
from clemency.compile.plan import compile_act
from clemency.jurisdictions import Jurisdiction, jurisdiction_of
from clemency.pipeline import SYNTHETIC_NOTE, Context, is_synthetic


def rank_sql(jur: Jurisdiction, column: str) -> str:
    """SQL ranking the relief in `column` by the jurisdiction's ranks (none and indeterminate rank last)."""
    whens = " ".join(f"WHEN '{r.id}' THEN {int(r.rank)}" for r in jur.reliefs.values())
    return f"CASE {column} {whens} ELSE 999 END"


def _gain(jur: Jurisdiction, b: str, a: str) -> str:
    """The alternative decision gives a relief better than the base one (none/indeterminate rank last)."""
    return f"({rank_sql(jur, f'{a}.relief')} < {rank_sql(jur, f'{b}.relief')})"


def attribution(registry, act="az-2025", readings=None, out=None, *, on=None, group_column: str = "group",
                code=None, progress=None) -> dict:
    """Attribute exclusions on `registry` (a registry file, or records: registry rows or list rows)."""
    step = progress or (lambda name: None)
    act_obj = resolve_act(act)
    jur = jurisdiction_of(act_obj)
    ctx = Context.make(act_obj, readings, on)
    exclusions = [c.id for c in ctx.plan.exclusions]
    session = Session.open(registry, [act_obj], code)
    grouped = group_column in session.columns
    extra = [group_column] if grouped else []
    res: dict = {"act": act_obj.id, "act_hash": act_obj.sha256, "readings": ctx.plan.readings,
                 "on": ctx.on.isoformat(), "rows": session.loaded.rows_ok, "exclusions": {}}
    try:
        check_rows(session)
        con = session.con
        step("deciding under the act")
        base = session.decide(ctx, "base", extra)
        tables = {}
        for x in exclusions + ["ALL"]:
            step(f"deciding without {x}")
            dropped = neutralised(act_obj, exclusions if x == "ALL" else [x])
            tables[x] = session.decide(Context(dropped, _compile(dropped, ctx), ctx.code, ctx.on), f"x_{x}")
        differs = " OR ".join(f"b.{c} IS DISTINCT FROM a.{c}" for c in DIFFERS)
        for x, table in tables.items():
            has = f"list_contains(string_split(b.excluded_by, ';'), '{x}')" if x != "ALL" else "b.excluded_by <> ''"
            only = f"b.excluded_by = '{x}'" if x != "ALL" else "b.excluded_by <> ''"
            row = con.execute(f"""
                SELECT count(*) FILTER (WHERE {has}), count(DISTINCT b.person_id) FILTER (WHERE {has}),
                       count(*) FILTER (WHERE {only} AND {_gain(jur, 'b', 'a')}),
                       count(DISTINCT b.person_id) FILTER (WHERE {only} AND {_gain(jur, 'b', 'a')}),
                       count(*) FILTER (WHERE {has} AND NOT ({only})),
                       count(DISTINCT b.person_id) FILTER (WHERE {has} AND NOT ({only})),
                       count(*) FILTER (WHERE {differs}),
                       count(DISTINCT b.person_id) FILTER (WHERE {_gain(jur, 'b', 'a')})
                FROM {base} b JOIN {table} a ON b._row = a._row""").fetchone()
            transitions = [{"from": f, "to": t, "rows": n} for f, t, n in con.execute(
                f"SELECT b.relief, a.relief, count(*) FROM {base} b JOIN {table} a ON b._row = a._row "
                f"WHERE {differs} GROUP BY ALL ORDER BY 3 DESC").fetchall()]
            entry = {"blocked": {"rows": row[0], "persons": row[1]}, "sole": {"rows": row[2], "persons": row[3]},
                     "together": {"rows": row[4], "persons": row[5]},
                     "dropped": {"flips": row[6], "gain_persons": row[7], "transitions": transitions}}
            if x == "ALL":
                res["all_exclusions_dropped"] = entry["dropped"]
            else:
                res["exclusions"][x] = entry
        if grouped:
            res["groups"] = _by_group(con, base, tables, exclusions, group_column, jur)
    finally:
        session.close()
    if not isinstance(registry, (list, tuple, dict)) and is_synthetic(registry):
        res["note"] = SYNTHETIC_NOTE
    if out is not None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "attribution.json").write_text(json.dumps(res, indent=2, default=str))
        (out / "attribution.html").write_text(attribution_page(res), encoding="utf-8")
    return res


def _compile(act, ctx):
    return compile_act(act, ctx.plan.readings)


def _by_group(con, base, tables, exclusions, gcol, jur: Jurisdiction) -> dict:
    g = f'b."{gcol}"'
    out: dict = {}
    for grp, persons, ben in con.execute(
            f"SELECT {g}, count(DISTINCT b.person_id), count(DISTINCT b.person_id) FILTER (WHERE b.relief NOT IN "
            f"('none', 'indeterminate')) FROM {base} b GROUP BY 1 ORDER BY 1 NULLS LAST").fetchall():
        out[str(grp)] = {"persons": persons, "beneficiaries": ben, "exclusions": {}, "kept_in_by": []}
    for x in exclusions:
        has = f"list_contains(string_split(b.excluded_by, ';'), '{x}')"
        for grp, sole, together, gain in con.execute(f"""
                SELECT {g}, count(DISTINCT b.person_id) FILTER (WHERE b.excluded_by = '{x}' AND {_gain(jur, 'b', 'a')}),
                       count(DISTINCT b.person_id) FILTER (WHERE {has} AND b.excluded_by <> '{x}'),
                       count(DISTINCT b.person_id) FILTER (WHERE {_gain(jur, 'b', 'a')})
                FROM {base} b JOIN {tables[x]} a ON b._row = a._row GROUP BY 1""").fetchall():
            out[str(grp)]["exclusions"][x] = {"sole": sole, "together": together, "gain_if_dropped": gain}
    for grp, excl, n in con.execute(
            f"SELECT {g}, CASE WHEN b.excluded_by = '' THEN '(no exclusion: no clause releases them)' "
            f"ELSE b.excluded_by END, count(DISTINCT b.person_id) FROM {base} b "
            "WHERE b.relief IN ('none', 'indeterminate', 'term_reduction') "
            "GROUP BY ALL ORDER BY 1, 3 DESC").fetchall():
        out[str(grp)]["kept_in_by"].append({"excluded_by": excl, "persons": n})
    return out
