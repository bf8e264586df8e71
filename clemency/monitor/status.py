"""Every list person's status: released under the amnesty (clause), pardoned (decree, date), term reduced,
released at the end of the sentence, died in custody, left the list otherwise, or still in, with why
(`clemency monitor status`).

Amnesty and pardon are different instruments: every table here keeps them apart, and nothing adds a
pardon count to an amnesty count (docs/monitor.md, "Status").

Where the status comes from, first that applies:

1. died in custody: an exit reason or release event saying so, or the list's `notes`/`status` recording it;
2. a pardon decree naming the person (an automatic match on full name and birth year, or a reviewer's
   `same` judgement in the ledger): pardoned / term reduced by pardon / non-custodial punishment lifted;
3. an exit reason or release event: amnesty, end of term, parole, quashed, exchanged, removed;
4. otherwise the person is still in, and the act says why (the why-still-in of `monitor why`); a term
   reduction under the act is shown as such (still in, with the new release date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from clemency.errors import InputError
from clemency.monitor.decrees import RELIEF_WORDS as DECREE_WORDS
from clemency.monitor.decrees import Decree, load_decree
from clemency.monitor.evidence import ReleaseEvent, load_events, load_official_totals
from clemency.monitor.lists import UNKNOWN_EXIT, ListVersion, diff, load_list
from clemency.monitor.why import RELEASES, RELIEF_WORDS, decide_rows, read_list, write_csv

#: Statuses, in the order tables show them. Amnesty and pardon statuses are never added together.
STATUSES = ("released_amnesty", "term_reduced_amnesty", "pardoned", "term_reduced_pardon",
            "noncustodial_lifted_pardon", "released_end_of_term", "died_in_custody", "left_other", "still_in")
STATUS_WORDS = {
    "released_amnesty": "released under the amnesty",
    "term_reduced_amnesty": "term reduced under the amnesty (still in)",
    "pardoned": "pardoned and released",
    "term_reduced_pardon": "term reduced by pardon (still in)",
    "noncustodial_lifted_pardon": "pardoned: non-custodial punishment lifted",
    "released_end_of_term": "released at the end of the sentence",
    "died_in_custody": "died in custody",
    "left_other": "left the list for another reason",
    "still_in": "still in",
}
INSTRUMENT = {"released_amnesty": "amnesty", "term_reduced_amnesty": "amnesty", "pardoned": "pardon",
              "term_reduced_pardon": "pardon", "noncustodial_lifted_pardon": "pardon"}
_DECREE_STATUS = {"released": "pardoned", "not_stated": "pardoned", "term_reduced": "term_reduced_pardon",
                  "life_commuted": "term_reduced_pardon", "noncustodial_lifted": "noncustodial_lifted_pardon"}
_EXIT_STATUS = {"amnesty": "released_amnesty", "pardon": "pardoned", "end_of_term": "released_end_of_term",
                "died_in_custody": "died_in_custody"}
#: Words in a list's notes or status column that record a death in custody.
DEATH_WORDS = ("died in custody", "died", "death in custody", "vəfat", "öldü", "həyatını itir", "умер", "скончал",
               "погиб")
STATUS_COLUMNS = ["id", "full_name", "group", "status", "status_words", "instrument", "clause", "decree",
                  "decree_date", "date", "source", "why"]
#: With names withheld, a released person's row of status.csv keeps only these columns (an allow-list).
SAFE_STATUS = ("id", "group", "status", "status_words", "instrument", "clause", "decree", "decree_date", "date",
               "source")


@dataclass
class PersonStatus:
    id: str
    full_name: str
    group: str
    status: str
    clause: str = ""
    decree: str = ""
    decree_date: str = ""
    date: str = ""
    source: str = ""
    why: str = ""

    def row(self) -> dict:
        return {"id": self.id, "full_name": self.full_name, "group": self.group, "status": self.status,
                "status_words": STATUS_WORDS[self.status], "instrument": INSTRUMENT.get(self.status, ""),
                "clause": self.clause, "decree": self.decree, "decree_date": self.decree_date, "date": self.date,
                "source": self.source, "why": self.why}


@dataclass
class StatusResult:
    persons: list[PersonStatus]
    decrees: list[Decree]
    decree_named: dict[str, int]             # decree label -> persons of the list it names
    #: pairs for a reviewer: (decree, list id, decree entry id "NUMBER:LINE", score)
    review: list[tuple[str, str, str, float]] = field(default_factory=list)
    act: str = ""
    on: str = ""
    list_date: dt.date | None = None

    def counts(self) -> dict[str, int]:
        """Persons per status (a table of separate kinds: never summed into one release total)."""
        return {s: sum(p.status == s for p in self.persons) for s in STATUSES}


def _died_in_notes(row: dict) -> bool:
    text = f"{row.get('notes', '')} {row.get('status', '')}".lower()
    return any(w in text for w in DEATH_WORDS)


def match_decrees(rows: list[dict], decrees: list[Decree], ledger=None):
    """List persons named by each decree: {list id: (decree, person)}, and the pairs left for review."""
    from clemency.monitor.files import match_rows
    from clemency.monitor.ledger import Ledger
    ledger = ledger if isinstance(ledger, Ledger) or ledger is None else Ledger(ledger)
    named: dict[str, tuple[Decree, object]] = {}
    review: list[tuple[str, str, str, float]] = []
    for dec in decrees:
        drows = [{"id": f"{dec.number or dec.date.isoformat()}:{p.line}", "full_name": p.full_name,
                  "birth_year": p.birth_year or ""} for p in dec.people]
        by_id = {r["id"]: p for r, p in zip(drows, dec.people)}
        for c in sorted(match_rows(rows, drows, ledger), key=lambda c: -c.score):
            if c.band == "match" and c.left_id not in named:
                named[c.left_id] = (dec, by_id[c.right_id])
        matched = {lid for lid, (d, _) in named.items() if d is dec}
        review += [(dec.label, c.left_id, c.right_id, round(c.score, 4))
                   for c in match_rows(rows, drows, ledger) if c.band == "review" and c.left_id not in matched]
    return named, sorted(set(review))


def person_statuses(list_path: str | Path, act, *, decrees: Iterable[str | Path | Decree] = (),
                    later: Iterable[tuple[str, dt.date]] = (), events: str | Path | None = None,
                    releases: Iterable[str | Path] = (), ledger=None, salt: str = "", on=None, readings: dict | None = None,
                    list_date: dt.date | None = None) -> StatusResult:
    """The status of every person on a list version (see the module docstring for the order of evidence)."""
    from clemency.monitor.why import file_and_date
    list_path = Path(list_path)
    rows = read_list(list_path)
    why = decide_rows(rows, act, on, readings, alternatives=False)
    if list_date is None:
        try:
            list_date = file_and_date(str(list_path))[1]
        except InputError:  # no date in the file name: the decision date stands for it
            list_date = dt.date.fromisoformat(why.on)
    base = ListVersion(list_date, list_path.name, list_date, rows, list_path.stem)
    versions = sorted([base] + [load_list(p, d, Path(p).name) for p, d in later], key=lambda v: v.list_date)
    last = versions[-1]
    from clemency.monitor.ledger import Ledger
    from clemency.monitor.report import load_release_list, match_release_lists, release_events
    led = ledger if isinstance(ledger, Ledger) or ledger is None else Ledger(ledger)
    rls = [load_release_list(p) for p in releases]
    if rls:
        import secrets
        match_release_lists(rows, rls, led, salt or secrets.token_hex(16))
    evs: list[ReleaseEvent] = (load_events(events) if events else []) + release_events(rls)
    idents = led.identities() if led is not None else None
    exits = {e.person: e for e in diff(base, last, evs, idents).exits} if last is not base else {}
    latest_ev: dict[str, ReleaseEvent] = {}
    for e in sorted(evs, key=lambda e: (e.date or dt.date.min, e.confirmed)):
        latest_ev[e.person] = e
    decs = [d if isinstance(d, Decree) else load_decree(d) for d in decrees]
    named, review = match_decrees(rows, decs, led)

    persons: list[PersonStatus] = []
    seen: set[str] = set()
    for w in why.rows:
        row = w.mapped.row
        pid = base.person_key(row)
        if pid in seen:  # one status per person (a person with several prosecutions is one row here)
            continue
        seen.add(pid)
        p = PersonStatus(pid, row.get("full_name", ""), row.get("group", "") or "(no group)", "still_in")
        ex, ev = exits.get(pid), latest_ev.get(pid)
        if ev is not None and ex is None and last is not base and pid in last.persons() \
                and not (ev.date and ev.date > last.list_date):
            ev = None  # an event the later list contradicts (the person is still listed after it)
        reason = ex.reason if ex else (ev.kind if ev else "")
        if reason == "died_in_custody" or _died_in_notes(row):
            p.status = "died_in_custody"
            p.date = str(ev.date or "") if ev and ev.kind == "died_in_custody" else ""
            p.source = (ev.source_document if ev and ev.kind == "died_in_custody"
                        else ex.evidence if ex else "the list's notes")
        elif pid in named:
            dec, dp = named[pid]
            p.status = _DECREE_STATUS[dp.relief]
            p.decree, p.decree_date, p.date = dec.label, dec.date.isoformat(), dec.date.isoformat()
            p.source = dec.source or dec.name
            p.why = f"{DECREE_WORDS[dp.relief]}; named on line {dp.line} of the decree"
        elif reason in _EXIT_STATUS or (reason and (ex is not None or ev is not None)):
            p.status = _EXIT_STATUS.get(reason, "left_other")
            p.date = str(ev.date or "") if ev else ""
            p.source = ev.source_document if ev else (ex.evidence if ex else "")
            if p.status == "released_amnesty":
                p.clause = w.clause if w.relief in RELEASES and w.clause else ""
                p.why = (f"the act gives {RELIEF_WORDS[w.relief]} ({w.clause})" if p.clause else
                         f"released under the amnesty, though under the chosen readings the act gives "
                         f"{RELIEF_WORDS.get(w.relief, w.relief)}")
            elif p.status == "left_other":
                end = w.mapped.record.get("sentence_end")
                if ex is not None and ex.reason == UNKNOWN_EXIT and isinstance(end, dt.date) \
                        and end <= last.list_date:
                    p.status, p.date = "released_end_of_term", end.isoformat()
                    p.why = (f"inferred: left the list by {last.list_date} and the sentence was to end on {end}; "
                             "no exit reason recorded")
                else:
                    p.why = reason.replace("_", " ")
        elif w.relief == "term_reduction":
            p.status, p.clause = "term_reduced_amnesty", w.clause or ""
            p.why = w.reason
        else:
            p.clause = w.clause or ""
            p.why = w.reason
        persons.append(p)
    return StatusResult(persons, decs, {d.label: sum(1 for dd, _ in named.values() if dd is d) for d in decs},
                        review, why.act, why.on, list_date)


def summary_tables(res: StatusResult, figures: str | Path | None = None) -> dict[str, list[dict]]:
    """The summary as separate tables: amnesty (named beside the official totals), pardons (per decree),
    and the other ways people leave or stay. No table adds pardons to amnesty figures."""
    c = res.counts()
    amnesty = [{"measure": "released under the amnesty (named on this list)", "named": c["released_amnesty"]},
               {"measure": "term reduced under the amnesty (the act's decision; still in)",
                "named": c["term_reduced_amnesty"]}]
    if figures:
        totals = load_official_totals(figures)
        if totals:
            cut = max(t.cut_off for t in totals)
            for t in totals:
                if t.cut_off == cut and t.category in ("released_from_imprisonment", "term_reduced_6m_custodial"):
                    amnesty.append({"measure": f"official total, {t.category.replace('_', ' ')} "
                                               f"({t.report}, as of {t.cut_off})", "named": "",
                                    "official": t.total, "source": t.source})
    pardons = []
    for d in res.decrees:
        pardons.append({"decree": d.label, "source": d.source or d.name, "named_in_decree": len(d.people),
                        "of_whom_on_this_list": res.decree_named.get(d.label, 0),
                        "released": sum(p.decree == d.label and p.status == "pardoned" for p in res.persons),
                        "term_reduced": sum(p.decree == d.label and p.status == "term_reduced_pardon"
                                            for p in res.persons),
                        "noncustodial_lifted": sum(p.decree == d.label and p.status == "noncustodial_lifted_pardon"
                                                   for p in res.persons),
                        "lines_not_read": len(d.findings)})
    other = [{"status": STATUS_WORDS[s], "persons": c[s]}
             for s in ("released_end_of_term", "died_in_custody", "left_other", "still_in")]
    return {"amnesty": amnesty, "pardons": pardons, "other": other}


def _md_table(rows: list[dict]) -> list[str]:
    if not rows:
        return ["None."]
    cols = list(dict.fromkeys(k for r in rows for k in r))
    out = ["| " + " | ".join(c.replace("_", " ") for c in cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(str(r.get(c, "")).replace("|", "\\|") for c in cols) + " |" for r in rows]
    return out


def write_status(res: StatusResult, out_dir: str | Path, *, figures: str | Path | None = None,
                 withhold_names: bool = False) -> list[Path]:
    """status.csv (one row per person), summary.md and summary.json (separate tables), decree_findings.csv."""
    import json

    from clemency.monitor.report import allow
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    released = {p.id for p in res.persons if p.status not in ("still_in", "term_reduced_amnesty",
                                                               "term_reduced_pardon", "died_in_custody")}
    rows = []
    for p in sorted(res.persons, key=lambda p: (p.group, p.id)):
        r = p.row()
        rows.append(allow(r, SAFE_STATUS) if withhold_names and p.id in released else r)
    write_csv(out / "status.csv", STATUS_COLUMNS, rows)
    tables = summary_tables(res, figures)
    md = [f"# Status of every person on the list ({res.list_date})", "",
          f"- Act: {res.act}, decided on {res.on}. Decrees: {len(res.decrees)}. Persons on the list: "
          f"{len(res.persons)}.",
          "- Amnesty and pardon are different instruments; their figures are never added together.", "",
          "## Amnesty", ""] + _md_table(tables["amnesty"]) + ["", "## Pardon decrees", ""] + \
        _md_table(tables["pardons"]) + ["", "## Other exits, and who is still in", ""] + _md_table(tables["other"])
    if res.review:
        md += ["", "## To check", ""] + [f"- {d}: decree entry {rid} may be list person {lid} (score {s:.2f}): a "
                                         f"reviewer should decide (clemency monitor review --left {lid} --right {rid})."
                                         for d, lid, rid, s in res.review]
    (out / "summary.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(tables, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    findings = [{"decree": d.label, "line": f.line, "problem": f.problem} for d in res.decrees for f in d.findings]
    write_csv(out / "decree_findings.csv", ["decree", "line", "problem"], findings)
    return [out / "status.csv", out / "summary.md", out / "summary.json", out / "decree_findings.csv"]
