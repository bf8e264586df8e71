"""Check a person: the form a lawyer fills in, and the decision explained clause by clause."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import Route

from clemency.errors import ClemencyError
from clemency.registry.schema import FIELDS, STATUS_FLAGS
from clemency.web.alternatives import window_alternatives
from clemency.web.common import access, public_text, render
from clemency.web.decider import decider
from clemency.web.i18n import localise_decision
from clemency.web.routes_act import acts_list, get_act, newest_act, window_of

MAIN_FIELDS = ["person_id", "sex", "birth_date", "status", "articles", "crime_category", "negligent",
               "offense_date", "punishment", "term_months", "sentence_start", "sentence_end", "institution",
               "disability_percent", "recidivism"]


def form_fields():
    out = []
    for name in MAIN_FIELDS:
        f = FIELDS[name]
        kind = {"date": "date", "int": "number", "number": "number"}.get(f.type, "text")
        choices = list(f.values) if f.type == "enum" else (["true", "false", "unknown"] if f.type == "bool"
                                                            else None)
        out.append({"name": name, "kind": kind, "choices": choices, "required": f.required is True})
    return out


def record_from_form(form) -> dict:
    rec = {}
    for name in MAIN_FIELDS + list(STATUS_FLAGS):
        value = str(form.get(name) or "").strip()
        if value:
            rec[name] = value
    rec.setdefault("person_id", "form")
    return rec


def readings_from_form(form, act) -> dict:
    out = {}
    for name, r in act.readings.items():
        value = str(form.get(f"reading.{name}") or "").strip()
        if value and value != r.default:
            out[name] = value
    return out


def explain_record(act_id: str, record: dict, readings: dict, on: str | None, lang: str = "en") -> tuple[dict, list]:
    d = decider(act_id, readings, on)
    decision = d.decide(record)
    alts = window_alternatives(act_id, record, readings, on, decision)
    if lang != "en":      # the explanations in the page's language
        for a in alts:
            ad = decider(act_id, {**readings, a["reading"]: a["value"]}, on)
            a["explanation"] = localise_decision(ad.decide(record), ad.ctx, lang)["explanation"]
        decision = localise_decision(decision, d.ctx, lang)
    return decision, alts


@access("anonymous")
async def check_page(request: Request):
    act_id = request.query_params.get("act") or newest_act()
    act = get_act(act_id)
    return render(request, "check.html", acts=acts_list(), act=act, fields=form_fields(), flags=STATUS_FLAGS,
                  values={}, chosen={}, decision=None, alts=[], problems=[])


@access("anonymous")
async def check_submit(request: Request):
    form = await request.form(max_files=0, max_fields=200)
    act_id = str(form.get("act") or newest_act())
    act = get_act(act_id)
    record = record_from_form(form)
    readings = readings_from_form(form, act)
    on = str(form.get("on") or "").strip() or None
    decision, alts, problems, window = None, [], [], None
    try:
        window = await run_in_threadpool(window_of, act_id, readings, on)
        decision, alts = await run_in_threadpool(explain_record, act_id, record, readings, on,
                                                 getattr(request.state, "lang", "en"))
    except ClemencyError as exc:
        problems = [public_text(x) for x in str(exc).splitlines()]
    except (ValueError, OverflowError, ArithmeticError):
        problems = ["a value is out of range or not a date YYYY-MM-DD"]
    return render(request, "check.html", status_code=200 if decision else 400, acts=acts_list(), act=act,
                  fields=form_fields(), flags=STATUS_FLAGS, values=dict(form), chosen=readings, on=on,
                  window=window, decision=decision, alts=alts, problems=problems)


routes = [Route("/check", check_page, methods=["GET"]), Route("/check", check_submit, methods=["POST"])]
