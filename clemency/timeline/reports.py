"""The ministry's cut-off reports: read them, check that each adds up, note how their breakdown changes
between reports, and set the simulated series beside them.

A report file has the columns of the shipped figures files (clemency/data/figures/<act>.csv).
Only `report`, `cut_off` and `total` are required; every other column may be missing or empty (not
reported). Nothing here raises on a bad report: every problem becomes a finding (report, problem), and the
report is still used for what it does say.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path

from clemency.jurisdictions import Jurisdiction, default_jurisdiction

REQUIRED = ("report", "cut_off", "total")
SEX_PARTS = ("men", "women", "minors")


@dataclass(frozen=True)
class Columns:
    """The columns of a jurisdiction's reports (its `figures` section): parts that add up to the total by
    relief and by crime category, and counts that may not exceed it."""

    relief: tuple[str, ...]
    category: tuple[str, ...]
    other: tuple[str, ...]

    @classmethod
    def of(cls, jur: Jurisdiction) -> Columns:
        fig = jur.figures
        return cls(tuple(fig.get("lane_columns") or ()), tuple((fig.get("category_columns") or {}).values()),
                   tuple(fig.get("clause_columns") or ()))

    @property
    def numeric(self) -> tuple[str, ...]:
        return ("total",) + self.relief + self.other + self.category + SEX_PARTS

    @property
    def known(self) -> tuple[str, ...]:
        return ("report", "cut_off", "scope", *self.numeric, "minors_counted_in_men", "source")


_DEFAULT = Columns.of(default_jurisdiction())
RELIEF_PARTS, CATEGORY_PARTS, OTHER = _DEFAULT.relief, _DEFAULT.category, _DEFAULT.other
NUMERIC, KNOWN = _DEFAULT.numeric, _DEFAULT.known

# Which bodies a report covers is read from its free-text scope with the jurisdiction's scope words (word ->
# body, `figures.scope_words`); "as above" carries the previous report's.


@dataclass
class Report:
    name: str
    cut_off: dt.date | None
    scope: str = ""
    values: dict = field(default_factory=dict)       # measure -> int (only the reported ones)
    minors_in_men: bool | None = None                # None: not said
    bodies: tuple = ()                               # empty: all bodies
    projection: bool = False                         # an announced projection, not a count of what was done
    source: str = ""
    line: int = 0


def load_reports(path: str | Path, jur: Jurisdiction | None = None) -> tuple[list[Report], list[dict]]:
    """Reports in file order and findings [{report, problem}]; never raises on bad content. `jur`: whose
    bodies the scopes name (default: the default jurisdiction)."""
    path = Path(path)
    jur = jur or default_jurisdiction()
    scope_words = jur.figures.get("scope_words") or {}
    cols = Columns.of(jur)
    findings: list[dict] = []
    where = path.name

    def find(report, problem):
        findings.append({"report": report, "problem": problem})

    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            header = [h.strip() for h in (reader.fieldnames or [])]
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        find(f"({where})", f"cannot read the report file: {exc}")
        return [], findings
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        find(f"({where})", f"missing required column(s) {', '.join(missing)}; the file has: "
                           + (", ".join(header) or "no header"))
        if "report" in missing or "cut_off" in missing:
            return [], findings
    unknown = [c for c in header if c not in cols.known]
    if unknown:
        find(f"({where})", "columns not understood (ignored): " + ", ".join(unknown))

    reports: list[Report] = []
    previous_bodies: tuple = ()
    for i, raw in enumerate(rows, 2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        name = row.get("report") or f"(line {i})"
        try:
            cut = dt.date.fromisoformat(row.get("cut_off", ""))
        except ValueError:
            find(name, f"cut_off '{row.get('cut_off', '')}' is not a date YYYY-MM-DD; the report is left out")
            continue
        values = {}
        for c in cols.numeric:
            v = row.get(c, "")
            if v == "":
                continue
            try:
                n = int(v.replace(",", "").replace(" ", ""))
                if n < 0:
                    raise ValueError
                values[c] = n
            except ValueError:
                find(name, f"{c} = '{v}' is not a count (a whole number >= 0); taken as not reported")
        if "total" not in values:
            find(name, "no total")
        flag = row.get("minors_counted_in_men", "").lower()
        minors_in_men = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(flag)
        if flag and minors_in_men is None:
            find(name, f"minors_counted_in_men = '{flag}' is not true/false")
        scope = row.get("scope", "")
        low = scope.lower()
        projection = "projection" in low or "announced" in low
        bodies = tuple(sorted({b for w, b in scope_words.items() if w in low}))
        if "as above" in low and previous_bodies:
            bodies = tuple(sorted(set(bodies) | set(previous_bodies)))
        if not projection:
            previous_bodies = bodies
        rep = Report(name, cut, scope, values, minors_in_men, bodies, projection, row.get("source", ""), i)
        for problem in check_sums(rep, cols):
            find(name, problem)
        reports.append(rep)
    names = [r.name for r in reports]
    for n in sorted({n for n in names if names.count(n) > 1}):
        find(n, "the report name appears more than once")
    return reports, findings


def check_sums(rep: Report, cols: Columns = _DEFAULT) -> list[str]:
    """Problems with a report's internal sums (empty: it adds up, or says too little to check)."""
    v = rep.values
    total = v.get("total")
    out = []
    if total is None:
        return out
    parts = [c for c in cols.relief if c in v]
    if parts and sum(v[c] for c in parts) != total:
        out.append(f"reliefs do not add up: {' + '.join(f'{c} {v[c]}' for c in parts)} = "
                   f"{sum(v[c] for c in parts)}, total {total}")
    cats = [c for c in cols.category if c in v]
    if cats and sum(v[c] for c in cats) != total:
        out.append(f"crime categories do not add up: {' + '.join(f'{c} {v[c]}' for c in cats)} = "
                   f"{sum(v[c] for c in cats)}, total {total}")
    if "men" in v or "women" in v:
        sexes = ["men", "women"]
        if "minors" in v and rep.minors_in_men is not True:
            sexes.append("minors")
        got = sum(v.get(c, 0) for c in sexes)
        if got != total:
            how = {True: "minors counted in men", False: "minors a separate bucket",
                   None: "minors_counted_in_men not given"}[rep.minors_in_men]
            out.append(f"sexes do not add up ({how}): {' + '.join(f'{c} {v.get(c, 0)}' for c in sexes)} = "
                       f"{got}, total {total}")
    for c in cols.other:
        if c in v and v[c] > total:
            out.append(f"{c} {v[c]} is more than the total {total}")
    return out


def drift(reports: list[Report]) -> list[dict]:
    """How the breakdown changes from one report to the next: columns that appear or disappear, and
    whether minors are a separate bucket or inside men. One row per change: report, previous, change."""
    out = []
    seq = sorted([r for r in reports if not r.projection and r.cut_off], key=lambda r: r.cut_off)
    for prev, cur in itertools.pairwise(seq):
        seen = list(dict.fromkeys([*prev.values, *cur.values]))
        gone = [c for c in seen if c in prev.values and c not in cur.values]
        new = [c for c in seen if c not in prev.values and c in cur.values]
        if gone:
            out.append({"report": cur.name, "previous": prev.name, "change": "no longer reported: " + ", ".join(gone)})
        if new:
            out.append({"report": cur.name, "previous": prev.name, "change": "newly reported: " + ", ".join(new)})
        if prev.minors_in_men != cur.minors_in_men:
            word = {True: "inside men", False: "a separate bucket", None: "not said"}
            out.append({"report": cur.name, "previous": prev.name,
                        "change": f"minors: {word[prev.minors_in_men]} -> {word[cur.minors_in_men]}"})
        if prev.bodies != cur.bodies:
            out.append({"report": cur.name, "previous": prev.name,
                        "change": f"bodies: {', '.join(prev.bodies) or 'all'} -> {', '.join(cur.bodies) or 'all'}"})
    return out
