"""One person under each single alternative reading of the act, across the whole implementation window.

A reading matters to the person when it changes, on the decision day, what `clemency compare` compares
(`clemency.compare.core.DIFFERS`: relief, clause, new day of release, first day of relief), or the relief
that would come later in the window (`DIFFERS_LATER`: the upcoming relief, its clause, its first day). The
README's client (234.1, release 19 July 2026) has no relief on the entry into force under either reading of
B3, but under `b3=application` he is released from 2026-01-19: that is a change later in the window."""

from __future__ import annotations

from clemency.compare.core import DIFFERS, DIFFERS_LATER
from clemency.web.decider import decider


def _upcoming(d: dict) -> dict:
    up = d.get("upcoming") or {}
    return {"upcoming_relief": up.get("relief"), "upcoming_clause": up.get("clause"),
            "upcoming_from": up.get("eligible_from")}


def _key(d: dict, fields) -> tuple:
    flat = {**d, **_upcoming(d)}
    return tuple(str(flat.get(f)) if flat.get(f) is not None else None for f in fields)


def window_alternatives(act: str, record: dict, readings: dict | None, on: str | None, base: dict) -> list[dict]:
    """Every single alternative reading that changes the decision on the day or later in the window, with
    `when`: 'on the day' or 'later in the window' (as `clemency compare` says it)."""
    d = decider(act, readings, on)
    out = []
    for name, r in d.ctx.act.readings.items():
        if r.is_date:
            continue
        for value, meaning in r.values.items():
            if value == d.ctx.plan.readings.get(name):
                continue
            alt = decider(act, {**(readings or {}), name: value}, on).decide(record)
            if _key(alt, DIFFERS) != _key(base, DIFFERS):
                when = "on the day"
            elif _key(alt, DIFFERS_LATER) != _key(base, DIFFERS_LATER):
                when = "later in the window"
            else:
                continue
            out.append({"reading": name, "value": value, "meaning": meaning, "when": when, "relief": alt["relief"],
                        "clause": alt["clause"], "eligible_from": alt["eligible_from"],
                        "new_sentence_end": alt["new_sentence_end"], **_upcoming(alt),
                        "explanation": alt["explanation"]})
    return out
