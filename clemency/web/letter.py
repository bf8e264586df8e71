"""A printable decision letter for one person: the act, the decision date, the relief in words, the clause
with its text and status, the dates, and what the person may do next; in the page's language (HTML print
styles, one page). Served for the check form (`POST /check/letter`, anonymous like the form, storing
nothing) and for a person of a run (`/runs/{id}/letter/{case}`, viewers)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import Route

from clemency.errors import ClemencyError
from clemency.locale import N_
from clemency.web.common import ApiError, access, audit, public_text, render
from clemency.web.routes_act import get_act, newest_act, window_of

NEXT = {
    "release": N_("The act releases this person. The body that carries out the act (the court, or the "
                  "administration of the institution or the body that supervises the punishment) applies it within "
                  "the implementation window; the person or their lawyer may ask it to do so, citing the clause above."),
    "reduction": N_("The act reduces the unserved part of the sentence. The person or their lawyer may ask the "
                    "court to apply the reduction and to set the new day of release shown above."),
    "upcoming": N_("No clause gives relief on the decision date, but the clause above will from the day shown, "
                   "within the implementation window. The person or their lawyer may ask for the act to be "
                   "applied from that day."),
    "none": N_("No clause of the act gives this person relief. If a fact in the registry is wrong or missing "
               "(a status, a date, an article), the person or their lawyer may ask for it to be corrected and "
               "the decision to be made again."),
    "indeterminate": N_("The facts given do not decide the case: the facts named in the explanation below are "
                        "needed. The person or their lawyer may supply them and ask for the decision to be made "
                        "again."),
}
NOT_ADVICE = N_("This letter is produced by software from the registry's data and the act as published; it is "
                "not legal advice and not an official decision.")


def next_step(decision: dict, releasing: tuple) -> str:
    if decision["relief"] == "indeterminate":
        return NEXT["indeterminate"]
    if decision["relief"] == "term_reduction":
        return NEXT["reduction"]
    if decision["relief"] in releasing:
        return NEXT["release"]
    if decision.get("upcoming"):
        return NEXT["upcoming"]
    return NEXT["none"]


def letter_context(act_id: str, decision: dict, readings: dict, on: str | None) -> dict:
    from clemency.jurisdictions import jurisdiction_of
    act = get_act(act_id)
    clause_id = decision.get("clause") or (decision.get("upcoming") or {}).get("clause")
    clause = next((c for c in act.clauses if c.id == clause_id), None)
    return {"act": act, "d": decision, "clause": clause, "window": window_of(act_id, readings, on),
            "next_step": next_step(decision, jurisdiction_of(act).releasing), "not_advice": NOT_ADVICE}


@access("anonymous")
async def check_letter(request: Request):
    from clemency.web.routes_check import explain_record, readings_from_form, record_from_form
    form = await request.form(max_files=0, max_fields=200)
    act_id = str(form.get("act") or newest_act())
    act = get_act(act_id)
    record, readings = record_from_form(form), readings_from_form(form, act)
    on = str(form.get("on") or "").strip() or None
    lang = getattr(request.state, "lang", "en")
    try:
        decision, _alts = await run_in_threadpool(explain_record, act_id, record, readings, on, lang)
        ctx = await run_in_threadpool(letter_context, act_id, decision, readings, on)
    except ClemencyError as exc:
        raise ApiError(400, "the record is not valid", [public_text(x) for x in str(exc).splitlines()]) from None
    except (ValueError, OverflowError, ArithmeticError):
        raise ApiError(400, "the record is not valid", ["a value is out of range or not a date YYYY-MM-DD"]) from None
    return render(request, "letter.html", **ctx)


@access("viewer")
async def run_letter(request: Request):
    from clemency.web.routes_check import explain_record
    from clemency.web.routes_runs import _record_for, finished_job
    job = finished_job(request)
    case_id = request.path_params["case_id"][:200]
    lang = getattr(request.state, "lang", "en")
    record = await run_in_threadpool(_record_for, job, case_id)
    decision, _alts = await run_in_threadpool(explain_record, job.meta["act"], record, job.meta["readings"],
                                              job.meta.get("on"), lang)
    ctx = await run_in_threadpool(letter_context, job.meta["act"], decision, job.meta["readings"],
                                  job.meta.get("on"))
    await audit(request, "view_person", "run:" + job.id)
    return render(request, "letter.html", **ctx)


routes = [Route("/check/letter", check_letter, methods=["POST"]),
          Route("/runs/{run_id}/letter/{case_id:path}", run_letter)]
