"""Past amnesties and pardons as a comparison table.

Amnesty acts (parliament, categories) and pardon decrees (President, named people) are different
instruments: they are never merged or summed. Every figure carries its source; where sources
disagree the figures stay side by side and the row is marked as a conflict.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from clemency.errors import InputError

INSTRUMENTS = ("amnesty act", "pardon decree")
MEASURES = ("covered", "released_from_prison", "political_prisoners_included")


@dataclass(frozen=True, slots=True)
class Figure:
    measure: str
    value: int | None
    text: str  # as found ("about 20-52 ...", "1391")
    source: str
    confirmed: bool = True
    note: str = ""


@dataclass(slots=True)
class PastAct:
    year: int
    date: str
    instrument: str
    occasion: str
    initiator: str
    figures: list[Figure] = field(default_factory=list)
    other_figures: str = ""
    source: str = ""


#: Figures from the seed articles that other sources did not confirm (domain/monitoring.md).
UNCONFIRMED_CLAIMS: list[tuple[int, str, Figure]] = [
    (2016, "pardon decree", Figure("released_from_prison", 148, "148", "seed article (unconfirmed)",
                                   confirmed=False, note="a 2016 decree releasing 148; not confirmed")),
    (2021, "amnesty act", Figure("covered", 16000, "16,000 affected", "seed article (unconfirmed)",
                                 confirmed=False)),
    (2021, "amnesty act", Figure("sentences_replaced_with_probation", 359, "359", "seed article (contradicted)",
                                 confirmed=False,
                                 note="contradicted: 359 were 'sent for treatment before release'")),
    (2025, "pardon decree", Figure("covered", 175, "175 (May 2025)", "seed article (unconfirmed)",
                                   confirmed=False)),
]


def _int(text: str) -> int | None:
    t = (text or "").replace(",", "").strip()
    return int(t) if t.isdigit() else None


def default_path() -> Path:
    return Path(str(resources.files("clemency") / "data" / "past-acts.csv"))


def load_past_acts(path: str | Path | None = None, include_claims: bool = True) -> list[PastAct]:
    """Read past-acts.csv (the shipped copy by default), plus the unconfirmed claims."""
    path = Path(path) if path else default_path()
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise InputError(f"cannot read ({exc})", where=str(path)) from exc
    acts: list[PastAct] = []
    for n, r in enumerate(rows, 1):
        inst = (r.get("instrument") or "").strip()
        if inst not in INSTRUMENTS:
            raise InputError(f"instrument {inst!r}", where=f"{path}: row {n}", hint=" or ".join(INSTRUMENTS))
        act = PastAct(int(r["year"]), r.get("date", ""), inst, r.get("occasion", ""), r.get("initiator", ""),
                      other_figures=r.get("other_figures", ""), source=r.get("source", ""))
        for m in MEASURES:
            if (r.get(m) or "").strip():
                act.figures.append(Figure(m, _int(r[m]), r[m], r.get("source", "")))
        acts.append(act)
    if include_claims:
        for year, inst, fig in UNCONFIRMED_CLAIMS:
            target = next((a for a in acts if a.year == year and a.instrument == inst), None)
            if target is None:
                target = PastAct(year, str(year), inst, "", "", source=fig.source)
                acts.append(target)
            target.figures.append(fig)
    return acts


def comparison_table(acts: list[PastAct]) -> dict[str, list[dict]]:
    """Two tables, one per instrument, one row per act and measure; conflicting values side by side."""
    out: dict[str, list[dict]] = {inst: [] for inst in INSTRUMENTS}
    for act in sorted(acts, key=lambda a: (a.year, a.date)):
        by_measure: dict[str, list[Figure]] = {}
        for f in act.figures:
            by_measure.setdefault(f.measure, []).append(f)
        for measure, figs in by_measure.items():
            values = {f.value for f in figs if f.value is not None}
            out[act.instrument].append({
                "year": act.year, "date": act.date, "instrument": act.instrument, "occasion": act.occasion,
                "measure": measure,
                "figures": " | ".join(f"{f.text} [{f.source}{'' if f.confirmed else '; unconfirmed'}]"
                                      for f in figs),
                # values that differ, or sources said in the notes to disagree about this act
                "conflict": len(values) > 1 or "disagree" in act.other_figures.lower(),
                "other_figures": act.other_figures,
            })
    return out


def write_comparison(acts: list[PastAct], path: str | Path) -> None:
    """The comparison table as CSV, amnesties first, then pardons (never summed together)."""
    table = comparison_table(acts)
    cols = ["instrument", "year", "date", "occasion", "measure", "figures", "conflict", "other_figures"]
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        for inst in INSTRUMENTS:
            w.writerows(table[inst])
