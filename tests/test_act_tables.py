"""The shipped acts against hand-written tables (tests/acts/<act>.tables.yaml) a lawyer can check against the
act's text: for each exclusion the articles, categories, recidivism values and flags it covers and the relief
clauses it binds; for each relief the punishments, statuses and categories it takes, and its numbers.

Two independent comparisons:
- with the compiled plan (under the default readings and each other value of the readings it names): bindings, article lists, reliefs;
- with decisions on records built from the tables, through the whole pipeline: one scenario for every
  element of every list (each article, and each article of the Criminal Code that is NOT listed), every
  clause x exclusion pair, every enumeration value, every boundary probe (incl. the end day of non-custodial
  punishments).
Dropping or adding one element of any list, one binding or one number in an act file fails a named test.
All scenarios sharing readings and decision date are decided in one batch.

Every shipped act and overlay has a table. An overlay's table `extends` the base act's and names only what the
overlay adds or changes; a relief may carry its own `articles` (an overlay's part for listed crimes); an
exclusion neutralised by an overlay is named `kind: provision` (reported, binding nothing); `moot` names the
clauses an exclusion binds but that can never hold together with it (the binding cannot change a decision,
so its scenario checks that the clause fails).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from oracle import covered_by, load_code, split_citation
from oracle.engines import decide

from clemency.act.lang import names_in
from clemency.act.load import load_act
from clemency.act.refs import OVERLAYS_DIR
from clemency.compile.plan import compile_act

TABLES = sorted((Path(__file__).parent / "acts").glob("*.tables.yaml"))
# the enumerations of the registry format, restated
CATEGORIES = ["not_great_danger", "less_serious", "grave", "especially_grave"]
PUNISHMENTS = ["imprisonment", "life_imprisonment", "restriction_of_liberty", "conditional", "corrective_work",
               "public_works", "fine", "disciplinary_military_unit", "other"]
STATUSES = ["convicted", "suspect", "accused"]
RECIDIVISM = ["none", "repeat", "dangerous", "especially_dangerous"]
FLAGS = ["malicious_regime_violator", "reoffended_after_amnesty", "war_participant", "convicted_abroad"]
PENDING_BLANK = {"punishment": None, "sentence_start": None, "sentence_end": None, "term_months": None}
ORACLE = load_code()


# ---- the tables -------------------------------------------------------------------------------------------

def _plain(v):
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def load_table(path: Path) -> dict:
    """A table; one that `extends` another (an overlay's) takes the other's, with its own reliefs and
    exclusions added or, key by key, replaced."""
    table = _plain(yaml.safe_load(path.read_text(encoding="utf-8")))
    if "extends" not in table:
        return table
    base = load_table(path.parent / f"{table['extends']}.tables.yaml")
    out = dict(base, **{k: v for k, v in table.items() if k not in ("reliefs", "exclusions", "extends")})
    for part in ("reliefs", "exclusions"):
        out[part] = {cid: dict(spec) for cid, spec in base[part].items()}
        for cid, spec in (table.get(part) or {}).items():
            out[part][cid] = dict(out[part].get(cid, {}), **spec)
    return out


def act_ref(name: str) -> str:
    """A shipped act by name, or a shipped overlay's file."""
    overlay = OVERLAYS_DIR / f"{name}.yaml"
    return str(overlay) if overlay.exists() else name


def reading_of(key: str) -> dict[str, str]:
    name, value = key.split("=", 1)
    return {name: value}


def expand_articles(items) -> list[str]:
    out = []
    for item in items:
        item = str(item)
        if ".." in item:
            lo, hi = item.split("..")
            out += [str(n) for n in range(int(lo), int(hi) + 1)]
        else:
            out.append(item)
    return out


def listed(spec, readings: dict[str, str], also=None) -> list | None:
    """A table list under the given readings: a plain list, or a mapping reading → list; plus `also` lists."""
    if spec is None:
        base = None
    elif isinstance(spec, dict):
        base = None
        for key, items in spec.items():
            name, value = key.split("=", 1)
            if readings.get(name) == value:
                base = list(items)
    else:
        base = list(spec)
    for key, items in (also or {}).items():
        name, value = key.split("=", 1)
        if readings.get(name) == value:
            base = (base or []) + list(items)
    return base


def two_valued(act) -> dict[str, list[str]]:
    return {n: list(r.values) for n, r in act.readings.items() if not r.is_date}


def named_readings(table: dict) -> set[str]:
    """The readings the table says move an article list or a binding."""
    out = set()
    for spec in table["exclusions"].values():
        for key in ("also_binds", "also_articles"):
            out |= {k.split("=")[0] for k in (spec.get(key) or {})}
        if spec.get("holds_under"):
            out.add(spec["holds_under"].split("=")[0])
    return out


def all_readings(act, table: dict):
    """The default readings, then each other value of each reading the table names, one at a time."""
    yield {}
    for name, values in two_valued(act).items():
        if name in named_readings(table):
            for v in values:
                if v != act.readings[name].default:
                    yield {name: v}


_plans: dict = {}


def plans(table: dict):
    """(readings, plan) under every combination of the named readings; cached per act."""
    if table["act"] not in _plans:
        act = load_act(act_ref(table["act"]))
        _plans[table["act"]] = [(r, compile_act(act, r)) for r in all_readings(act, table)]
    return _plans[table["act"]]


def defaults(act) -> dict[str, str]:
    return {n: v for n, v in act.default_readings().items() if not act.readings[n].is_date}


def bound_by(table: dict, clause: str, readings: dict[str, str]) -> set[str]:
    return {x for x, spec in table["exclusions"].items()
            if clause in (listed(spec.get("binds"), readings, spec.get("also_binds")) or [])}


# ---- comparison with the compiled plan --------------------------------------------------------------------

def _ids(path):
    return path.name.split(".")[0]


@pytest.mark.parametrize("path", TABLES, ids=_ids)
def test_plan_bindings_match_the_table(path):
    """Which exclusions bind which relief clause, under each value of the readings that move them."""
    table = load_table(path)
    act = load_act(act_ref(table["act"]))
    deciding = {c.id for c in act.clauses if c.kind == "relief" and c.decides}
    assert deciding == set(table["reliefs"]), "the act's deciding relief clauses differ from the table's"
    # an exclusion neutralised by an overlay stays in the act as a provision: reported, binding nothing
    kinds = {x: spec.get("kind", "exclusion") for x, spec in table["exclusions"].items()}
    assert {c.id: c.kind for c in act.clauses if c.id in kinds or c.kind == "exclusion"} == kinds
    wrong = []
    for readings, plan in plans(table):
        readings = dict(defaults(act), **readings)
        for cid in table["reliefs"]:
            got, want = set(plan.clause(cid).exclusions), bound_by(table, cid, readings)
            if got != want:
                wrong.append(f"{cid} under {readings}: act {sorted(got)}, table {sorted(want)}")
    assert not wrong, "\n".join(wrong[:10])


def plan_articles(plan, xid: str) -> set[str]:
    tree = plan.clause(xid).full
    out = set()
    for n in names_in(tree):
        if n.startswith("_art"):
            out |= set(plan.article_sets[int(n[4:])])
    return out


@pytest.mark.parametrize("path", TABLES, ids=_ids)
def test_plan_article_lists_match_the_table(path):
    table = load_table(path)
    wrong = []
    act = load_act(act_ref(table["act"]))
    for readings, plan in plans(table):
        readings = dict(defaults(act), **readings)
        for xid, spec in {**table["reliefs"], **table["exclusions"]}.items():
            want = set(expand_articles(listed(spec.get("articles"), readings, spec.get("also_articles")) or []))
            got = plan_articles(plan, xid)
            if got != want:
                wrong.append(f"{xid} under {readings}: only in the act {sorted(got - want)}, "
                             f"only in the table {sorted(want - got)}")
    assert not wrong, "\n".join(wrong[:10])


@pytest.mark.parametrize("path", TABLES, ids=_ids)
def test_plan_reliefs_match_the_table(path):
    table = load_table(path)
    plan = compile_act(load_act(act_ref(table["act"])))
    assert plan.eif.isoformat() == table["eif"] and plan.window_end.isoformat() == table["window_end"]
    for cid, spec in table["reliefs"].items():
        c = plan.clause(cid)
        assert (c.relief, c.reduction_months) == (spec["relief"], spec.get("reduction_months")), cid
    # relief clauses of unknown content: listed with their reported relief, deciding no one
    clauses = {c.id: c for c in load_act(act_ref(table["act"])).clauses}
    for cid, spec in (table.get("undecided") or {}).items():
        c = clauses[cid]
        assert (c.kind, c.decides, c.relief, c.reduction_months) == (
            "relief", False, spec["relief"], spec.get("reduction_months")), cid


# ---- scenarios built from the tables ----------------------------------------------------------------------

@dataclass
class Scenario:
    id: str
    act: str
    readings: dict
    on: str | None
    record: dict
    clause: str                     # the clause whose result is checked
    holds: str | None = None        # H / F / U expected for `clause`
    decides: bool = False           # the decision's clause must be `clause`
    excluded_by: str | None = None  # this exclusion must hold (and, if it binds `clause`, keep it out)
    binds: bool | None = None
    moot: bool = False              # the clause cannot hold together with the exclusion (the table's `moot`)
    expect: dict = field(default_factory=dict)


def _record(table: dict, *changes: dict) -> dict:
    rec = dict(table["base"])
    for ch in changes:
        rec.update(ch)
    return {k: v for k, v in rec.items() if v is not None}


def _relief_record(table, cid):
    spec = table["reliefs"][cid]
    return _record(table, spec.get("record") or {})


def scenarios_of(path: Path) -> list[Scenario]:
    table = load_table(path)
    act = load_act(act_ref(table["act"]))
    name, dflt = table["act"], defaults(act)
    out: list[Scenario] = []

    def add(kind, **kw):
        out.append(Scenario(id=f"{name}-{kind}", act=name, **kw))

    for cid, spec in table["reliefs"].items():
        rec = _relief_record(table, cid)
        add(f"{cid}-alone", readings={}, on=None, record=rec, clause=cid, holds="H", decides=True,
            expect={"relief": spec["relief"]})
        # punishments and statuses
        for p in PUNISHMENTS:
            if rec.get("status", "convicted") != "convicted":
                continue
            want = "H" if p in spec["punishments"] else ("U" if p in spec.get("punishments_undecided", []) else "F")
            add(f"{cid}-punishment-{p}", readings={}, on=None, record=dict(rec, punishment=p), clause=cid, holds=want)
        for s in STATUSES:
            r = dict(rec, status=s)
            if s == "convicted" and "punishment" not in r:
                r.update(punishment=(spec["punishments"] or ["imprisonment"])[0],
                         **{k: table["base"][k] for k in ("sentence_start", "sentence_end", "term_months")})
            if s != "convicted":
                r = {k: v for k, v in r.items() if k not in PENDING_BLANK}
            add(f"{cid}-status-{s}", readings={}, on=None, record=r, clause=cid,
                holds="H" if s in spec["statuses"] else "F")
        # categories, under each reading the table names
        cats = spec.get("categories")
        keys = list(cats) if isinstance(cats, dict) else [None]
        for key in keys:
            readings = reading_of(key) if key else {}
            taken = listed(cats, dict(dflt, **readings))
            for c in CATEGORIES:
                add(f"{cid}-category-{c}" + (f"-{key}" if key else ""), readings=readings, on=None,
                    record=dict(rec, crime_category=c), clause=cid, holds="H" if c in taken else "F")
        if spec.get("articles"):      # a relief for listed articles: each listed one, and every one of the Code
            arts = expand_articles(spec["articles"])
            for a in arts:
                for cite in (a, a + ".1"):
                    add(f"{cid}-article-{cite}", readings={}, on=None, record=dict(rec, articles=cite), clause=cid,
                        holds="H")
            for a in dict.fromkeys(sorted(ORACLE.rows) + sorted({split_citation(a)[0] for a in ORACLE.rows})):
                add(f"{cid}-code-{a}", readings={}, on=None, record=dict(rec, articles=a), clause=cid,
                    holds="H" if any(covered_by(a, ref) for ref in arts) else "F")
        for i, probe in enumerate(spec.get("probes") or []):
            add(f"{cid}-probe{i + 1}", readings=probe.get("readings") or {}, on=probe.get("day"),
                record=_record(table, spec.get("record") or {}, probe["change"]), clause=cid,
                holds=probe["holds"], expect=probe.get("expect") or {})

    # every clause x exclusion pair, under every value of the readings that move bindings
    moving = sorted({k.split("=")[0] for x in table["exclusions"].values() for k in (x.get("also_binds") or {})})
    for xid, xs in table["exclusions"].items():
        options = [dict(zip(moving, combo)) for combo in
                   itertools.product(*[two_valued(act)[m] for m in moving])] or [{}]
        for readings in options:
            if xs.get("holds_under"):
                readings = dict(readings, **reading_of(xs["holds_under"]))
            full = dict(dflt, **readings)
            for cid, spec in table["reliefs"].items():
                rec = _record(table, spec.get("record") or {}, (xs.get("record_for") or {}).get(cid, xs["record"]),
                              {k: None for k, v in (spec.get("record") or {}).items() if v is None})
                tag = "-".join(f"{k}={v}" for k, v in sorted(readings.items()))
                add(f"{xid}-binds-{cid}" + (f"-{tag}" if tag else ""), readings=readings, on=None, record=rec,
                    clause=cid, excluded_by=xid, binds=xid in bound_by(table, cid, full),
                    moot=cid in (xs.get("moot") or {}))
        # the elements of its lists, each on a clause it binds under default readings
        # (an exclusion that binds nothing, as a neutralised one, is still probed: on the first relief clause)
        probe_clause = (sorted(c for c in table["reliefs"] if xid in bound_by(table, c, dflt)) or [*table["reliefs"]])[0]
        prec = _relief_record(table, probe_clause)
        hold_readings = reading_of(xs["holds_under"]) if xs.get("holds_under") else {}
        art_keys = [None] + list(xs.get("also_articles") or {})
        if xs.get("articles"):
            code_articles = sorted(ORACLE.rows) + sorted({split_citation(a)[0] for a in ORACLE.rows})
            for key in art_keys:
                readings = dict(hold_readings, **(reading_of(key) if key else {}))
                arts = expand_articles(listed(xs["articles"], dict(dflt, **readings), xs.get("also_articles")))
                tag = f"-{key}" if key else ""
                for a in arts:
                    for cite in (a, a + ".1"):
                        add(f"{xid}-article-{cite}{tag}", readings=readings, on=None, record=dict(prec, articles=cite),
                            clause=xid, holds="H")
                for a in dict.fromkeys(code_articles):
                    want = "H" if any(covered_by(a, ref) for ref in arts) else "F"
                    add(f"{xid}-code-{a}{tag}", readings=readings, on=None, record=dict(prec, articles=a),
                        clause=xid, holds=want)
            if xs.get("holds_under"):
                name_, _ = xs["holds_under"].split("=")
                arts = expand_articles(listed(xs["articles"], dict(dflt, **hold_readings)))
                for other in two_valued(act)[name_]:
                    if f"{name_}={other}" != xs["holds_under"]:
                        for a in arts:
                            add(f"{xid}-article-{a}-{name_}={other}", readings={name_: other}, on=None,
                                record=dict(prec, articles=a), clause=xid, holds="F")
        if "categories" in xs:
            for c in CATEGORIES:
                add(f"{xid}-category-{c}", readings=hold_readings, on=None, record=dict(prec, crime_category=c),
                    clause=xid, holds="H" if c in xs["categories"] else "F")
        if "recidivism" in xs:
            for v in RECIDIVISM:
                add(f"{xid}-recidivism-{v}", readings=hold_readings, on=None, record=dict(prec, recidivism=v),
                    clause=xid, holds="H" if v in xs["recidivism"] else "F")
            for f in FLAGS:
                add(f"{xid}-flag-{f}", readings=hold_readings, on=None, record=dict(prec, **{f: True}),
                    clause=xid, holds="H" if f in xs.get("flags", []) else "F")
            if xs.get("holds_under"):
                name_, _ = xs["holds_under"].split("=")
                for other in two_valued(act)[name_]:
                    if f"{name_}={other}" == xs["holds_under"]:
                        continue
                    for v in xs["recidivism"]:
                        add(f"{xid}-recidivism-{v}-{name_}={other}", readings={name_: other}, on=None,
                            record=dict(prec, recidivism=v), clause=xid, holds="F")
        for i, probe in enumerate(xs.get("probes") or []):
            add(f"{xid}-probe{i + 1}", readings=probe.get("readings") or {}, on=probe.get("day"),
                record=_record(table, table["reliefs"][probe_clause].get("record") or {}, probe["change"]),
                clause=xid, holds=probe["holds"])
    # the largest batch (same readings and day) first: a run that stops at the first failure decides few batches
    size: dict = {}
    for s in out:
        size[_batch(s)] = size.get(_batch(s), 0) + 1
    out.sort(key=lambda s: -size[_batch(s)])
    for i, s in enumerate(out):
        s.record = dict(s.record, person_id=f"T{i}", case_id=f"T{i}")
    return out


def _batch(sc: Scenario) -> tuple:
    return tuple(sorted(sc.readings.items())), sc.on


SCENARIOS = {path: scenarios_of(path) for path in TABLES}
_decided: dict = {}


def decision(path: Path, sc: Scenario, engine: str = "duckdb") -> dict:
    key = (path, tuple(sorted(sc.readings.items())), sc.on, engine)
    if key not in _decided:
        same = [s.record for s in SCENARIOS[path]
                if (tuple(sorted(s.readings.items())), s.on) == key[1:3]]
        try:
            _decided[key] = decide(act_ref(sc.act), same, sc.readings, sc.on, engine)
        except AssertionError as exc:   # rejected records: fail every test of the batch, decide once
            _decided[key] = exc
    if isinstance(_decided[key], AssertionError):
        raise _decided[key]
    return _decided[key][sc.record["case_id"]]


def _select(pred):
    return [pytest.param(path, sc, id=sc.id) for path, scs in SCENARIOS.items() for sc in scs if pred(sc)]


def _show(sc, d):
    return (f"{sc.id}: {sc.clause} {d['reason'].get(sc.clause)}, decision {d['relief']} by {d['clause']}, "
            f"excluded by {d['excluded']}; readings {sc.readings}, on {sc.on}")


def check_holds(path, sc):
    d = decision(path, sc)
    assert d["reason"][sc.clause] == sc.holds, f"expected {sc.holds}: " + _show(sc, d)
    if sc.decides:
        assert d["clause"] == sc.clause, _show(sc, d)
    for k, v in sc.expect.items():
        got = d[k].isoformat() if isinstance(d[k], dt.date) else d[k]
        assert got == v, f"{k} = {got}, expected {v}: " + _show(sc, d)


def _kind(sc) -> str:
    return sc.id[len(sc.act) + 1:].split("-")[1]


@pytest.mark.parametrize("path, sc", _select(lambda s: _kind(s) == "alone"))
def test_each_relief_clause_alone_gives_its_relief(path, sc):
    check_holds(path, sc)


@pytest.mark.parametrize("path, sc", _select(lambda s: _kind(s) == "punishment"))
def test_each_punishment_each_relief_takes(path, sc):
    check_holds(path, sc)


@pytest.mark.parametrize("path, sc", _select(lambda s: _kind(s) == "status"))
def test_each_status_each_relief_takes(path, sc):
    check_holds(path, sc)


@pytest.mark.parametrize("path, sc", _select(lambda s: _kind(s) == "category"))
def test_each_category_each_clause_takes(path, sc):
    check_holds(path, sc)


@pytest.mark.parametrize("path, sc", _select(lambda s: _kind(s).startswith("probe")))
def test_boundary_probes(path, sc):
    check_holds(path, sc)


@pytest.mark.parametrize("path, sc", _select(lambda s: _kind(s) == "article"))
def test_each_listed_article_excludes(path, sc):
    check_holds(path, sc)


@pytest.mark.parametrize("path", TABLES, ids=_ids)
def test_no_unlisted_article_of_the_code_excludes(path):
    """Every article part and bare article of the Criminal Code table: the exclusion holds iff listed."""
    scs = [s for s in SCENARIOS[path] if _kind(s) == "code"]
    table = load_table(path)
    if not any(x.get("articles") for x in {**table["reliefs"], **table["exclusions"]}.values()):
        # no article list in the act: no article alone may exclude anyone (the plan test checks the sets)
        assert not scs and not any(plan.article_sets for _, plan in plans(table))
        return
    wrong = []
    for sc in scs:
        d = decision(path, sc)
        if d["reason"][sc.clause] != sc.holds:
            wrong.append(f"{sc.id}: {d['reason'][sc.clause]}, expected {sc.holds}")
    assert scs and not wrong, f"{len(wrong)} articles:\n" + "\n".join(wrong[:20])


@pytest.mark.parametrize("path, sc", _select(lambda s: _kind(s) in ("recidivism", "flag")))
def test_each_recidivism_value_and_flag(path, sc):
    check_holds(path, sc)


@pytest.mark.parametrize("path, sc", _select(lambda s: _kind(s) == "binds"))
def test_each_clause_exclusion_binding(path, sc):
    """The exclusion's change makes it hold; if it binds the clause, the clause gives nothing, otherwise the
    clause decides (where the change leaves the clause's own conditions holding)."""
    d = decision(path, sc)
    xid = sc.excluded_by
    assert d["reason"][xid] == "H", f"the scenario does not make {xid} hold: " + _show(sc, d)
    if sc.moot:
        assert sc.binds, f"the table calls {xid} moot for {sc.clause} but does not say it binds it"
        assert d["reason"][sc.clause] == "F", f"{sc.clause} should not hold where {xid} holds: " + _show(sc, d)
    elif sc.binds:
        assert d["reason"][sc.clause] == "H", "the scenario does not make the clause hold: " + _show(sc, d)
        assert d["clause"] != sc.clause and xid in d["excluded"], f"{xid} should keep {sc.clause} out: " + _show(sc, d)
    elif d["reason"][sc.clause] == "H":
        assert d["clause"] == sc.clause, f"{xid} should not bind {sc.clause}: " + _show(sc, d)


@pytest.mark.parametrize("path", TABLES, ids=_ids)
def test_the_reference_engine_agrees_on_every_table_scenario(path):
    """The same scenarios on the reference engine (one batch per readings and day)."""
    wrong = []
    groups = {(tuple(sorted(s.readings.items())), s.on): s for s in SCENARIOS[path] if _kind(s) != "code"}
    for (_, _), sc in groups.items():
        same = [s for s in SCENARIOS[path] if _kind(s) != "code"
                and (tuple(sorted(s.readings.items())), s.on) == (tuple(sorted(sc.readings.items())), sc.on)]
        ref = decide(act_ref(sc.act), [s.record for s in same], sc.readings, sc.on, "reference")
        for s in same:
            a, b = decision(path, s), ref[s.record["case_id"]]
            keys = ["relief", "clause", "basis", "reasons", "excluded_by", "new_sentence_end", "eligible_from",
                    "eligible_until", "upcoming_relief", "upcoming_clause", "upcoming_from", "crime_category"]
            if any(a[k] != b[k] for k in keys):
                wrong.append(f"{s.id}: " + ", ".join(f"{k} {a[k]}/{b[k]}" for k in keys if a[k] != b[k]))
    assert not wrong, "\n".join(wrong[:10])
