"""Evidence of release: events with source, date and confidence; totals against names.

Official reports give totals only; the monitor sets the named releases it has found beside them,
by date and category, and never treats a reported release as confirmed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from clemency.errors import InputError
from clemency.monitor.files import read_table

CONFIDENCE = ("confirmed", "reported")
EVENT_COLUMNS = ("person", "date", "kind", "source_document", "confidence")


@dataclass(frozen=True, slots=True)
class ReleaseEvent:
    """One piece of evidence that a person was released (or left custody)."""

    person: str  # list id, or a name when no id is known
    date: date | None
    kind: str  # amnesty, pardon, end_of_term, parole, conviction_quashed, exchanged, died_in_custody, ...
    source_document: str
    confidence: str  # confirmed (document, the person or family) or reported (media, second hand)
    category: str = ""  # the official measure it counts towards, e.g. released_from_imprisonment
    name: str = ""

    @property
    def confirmed(self) -> bool:
        return self.confidence == "confirmed"


def _date(v: str, where: str) -> date | None:
    if not v:
        return None
    try:
        return date.fromisoformat(v[:10])
    except ValueError as exc:
        raise InputError(f"date {v!r}", where=where, hint="YYYY-MM-DD") from exc


def load_events(path: str | Path) -> list[ReleaseEvent]:
    """Read release events (CSV/XLSX: person, date, kind, source_document, confidence[, category, name])."""
    rows = read_table(path, required=EVENT_COLUMNS)
    out = []
    for n, r in enumerate(rows, 1):
        where = f"{path}: row {n}"
        conf = (r.get("confidence") or "").lower()
        if conf not in CONFIDENCE:
            raise InputError(f"confidence {r.get('confidence')!r}", where=where, hint="confirmed or reported")
        if not r.get("source_document"):
            raise InputError("a release event needs its source document", where=where)
        out.append(ReleaseEvent(r["person"], _date(r.get("date", ""), where), r.get("kind", ""),
                                r["source_document"], conf, r.get("category", ""), r.get("name", "")))
    return out


def release_status(events: Iterable[ReleaseEvent]) -> dict[str, dict]:
    """Per person: confirmed or only reported, the earliest date, and every source."""
    out: dict[str, dict] = {}
    for e in events:
        s = out.setdefault(e.person, {"status": "reported", "first_date": e.date, "kinds": set(),
                                      "sources": []})
        if e.confirmed:
            s["status"] = "confirmed"
        if e.date and (s["first_date"] is None or e.date < s["first_date"]):
            s["first_date"] = e.date
        s["kinds"].add(e.kind)
        s["sources"].append(f"{e.confidence}: {e.source_document}")
    return out


@dataclass(frozen=True, slots=True)
class OfficialTotal:
    report: str
    cut_off: date
    category: str
    total: int
    source: str


#: Columns of domain/official-figures.csv that are counts (the rest are metadata).
_META = {"report", "cut_off", "scope", "minors_counted_in_men", "source"}


def load_official_totals(path: str | Path) -> list[OfficialTotal]:
    """Official totals in the format of domain/official-figures.csv, one per report and category."""
    out = []
    for n, r in enumerate(read_table(path, required=("report", "cut_off", "source")), 1):
        cut = _date(r["cut_off"], f"{path}: row {n}")
        for col, val in r.items():
            if col in _META or not val:
                continue
            try:
                out.append(OfficialTotal(r["report"], cut, col, int(float(val)), r["source"]))
            except ValueError:
                continue
    return out


def totals_against_names(totals: Iterable[OfficialTotal], events: Iterable[ReleaseEvent]) -> list[dict]:
    """Each official total beside the named releases found up to its cut-off, in the same category.

    An event without a category counts towards `released_from_imprisonment` when its kind is
    amnesty, else it is not counted against official amnesty totals.
    """
    events = list(events)
    rows = []
    for t in sorted(totals, key=lambda t: (t.cut_off, t.report, t.category)):
        people_conf: set[str] = set()
        people_rep: set[str] = set()
        for e in events:
            cat = e.category or ("released_from_imprisonment" if e.kind == "amnesty" else "")
            if cat != t.category or (e.date and e.date > t.cut_off):
                continue
            (people_conf if e.confirmed else people_rep).add(e.person)
        people_rep -= people_conf
        rows.append({"report": t.report, "cut_off": t.cut_off.isoformat(), "category": t.category,
                     "official_total": t.total, "named_confirmed": len(people_conf),
                     "named_reported_only": len(people_rep),
                     "unnamed": t.total - len(people_conf) - len(people_rep), "source": t.source})
    return rows
