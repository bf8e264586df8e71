"""The act itself: every clause with its text, status, sources, conditions; the readings with their values."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from starlette.requests import Request
from starlette.routing import Route

from clemency.act.lang import render as render_tree
from clemency.act.load import load_act, load_shipped_act, resolve_act_path, shipped_acts
from clemency.act.refs import OVERLAYS_DIR
from clemency.errors import ActError
from clemency.web.common import ApiError, access, render


def acts_list() -> list[str]:
    """The shipped acts (scenario files beside them are not acts), the newest first: by entry into force, so
    that every list preselects the newest act (never the first alphabetically)."""
    ids = [a for a in shipped_acts() if not a.endswith(".scenarios")]
    return sorted(ids, key=lambda a: (_eif_of(a), a), reverse=True)


def newest_act() -> str:
    """The act every form preselects: the one that entered into force last."""
    return acts_list()[0]


def _eif_of(act_id: str) -> str:
    try:
        act = _load(act_id, resolve_act_path(act_id).stat().st_mtime_ns)
        return _v(act.entry_into_force) or ""
    except (ActError, OSError):  # pragma: no cover - shipped acts load
        return ""


def window_of(act_id: str, readings: dict | None, on: str | None) -> dict:
    """The act's implementation window under the readings, and a warning when the decision date lies outside
    it (None inside): {"eif", "window_end", "on", "warning"}."""
    from clemency.apply import window_warning
    from clemency.web.decider import decider
    ctx = decider(act_id, readings or {}, on).ctx
    plan = ctx.plan
    return {"eif": plan.eif.isoformat(), "window_end": plan.window_end.isoformat(), "on": ctx.on.isoformat(),
            "warning": window_warning(plan, ctx.on)}


@lru_cache(maxsize=32)
def _load(act_id: str, mtime_ns: int):
    return load_shipped_act(act_id)


def overlays_list() -> list[str]:
    """The shipped overlays (reforms drafted as patches of an act, clemency/data/overlays), by id."""
    return sorted(p.stem for p in OVERLAYS_DIR.glob("*.yaml"))


@lru_cache(maxsize=16)
def _load_overlay(overlay_id: str, mtime_ns: int):
    return load_act(OVERLAYS_DIR / f"{overlay_id}.yaml")


def get_act(act_id: str, overlays: bool = False):
    """A shipped act by id (with `overlays`, a shipped overlay too); never a path taken from a request."""
    if overlays and isinstance(act_id, str) and act_id in overlays_list():
        return _load_overlay(act_id, (OVERLAYS_DIR / f"{act_id}.yaml").stat().st_mtime_ns)
    if not isinstance(act_id, str) or act_id not in acts_list():
        raise ApiError(404, "unknown act", [f"shipped acts: {', '.join(acts_list())}"])
    try:
        path = resolve_act_path(act_id)
        return _load(act_id, path.stat().st_mtime_ns)
    except ActError as exc:  # pragma: no cover - shipped acts load
        raise ApiError(500, "the act file has problems", [str(p) for p in exc.problems]) from None


def _v(value):
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _cond(c) -> dict:
    return {"test": c.source, "says": c.says, "status": c.status}


def act_json(act) -> dict:
    """The act as plain data (what /api/acts/{id} returns and the act page shows)."""
    def src(key):
        s = act.sources.get(key) or {}
        return {"id": key, "title": s.get("title", ""), "url": s.get("url") or None}
    return {
        "id": act.id, "title": act.title, "sha256": act.sha256,
        "meta": {k: _v(v) for k, v in act.meta.items()},
        "entry_into_force": _v(act.entry_into_force),
        "sources": [src(k) for k in act.sources],
        "parameters": [{"name": p.name, "type": p.type, "value": _v(p.value), "status": p.status, "says": p.says,
                        "sources": [src(s) for s in p.sources]} for p in act.parameters.values()],
        "readings": [{"name": r.name, "default": r.default, "says": r.says, "parameter": r.parameter,
                      "values": [{"value": k, "meaning": m, "default": k == r.default} for k, m in r.values.items()]}
                     for r in act.readings.values()],
        "fields": [{"name": f.name, "type": f.type, "default": _v(f.default), "values": list(f.values)}
                   for f in act.fields],
        "definitions": [{"name": k, **_cond(c)} for k, c in act.definitions.items()],
        "clauses": [{"id": c.id, "kind": c.kind, "relief": c.relief, "reduction_months": c.reduction_months,
                     "text": c.text, "status": c.status, "says": c.says, "notes": c.notes,
                     "sources": [src(s) for s in c.sources],
                     "conditions": [_cond(k) for k in c.when],
                     "applies_to": [{"clauses": list(a.clauses), "when": _cond(a.when) if a.when else None}
                                    for a in c.applies_to]}
                    for c in act.clauses],
    }


@access("anonymous")
async def acts_page(request: Request):
    acts = [get_act(a) for a in acts_list()]
    return render(request, "acts.html", acts=acts)


@access("anonymous")
async def act_page(request: Request):
    act = get_act(request.path_params["act_id"], overlays=True)
    return render(request, "act.html", act=act_json(act))


routes = [Route("/acts", acts_page), Route("/acts/{act_id}", act_page)]
__all__ = ["act_json", "get_act", "render_tree"]
