"""The monitor's published outputs: the act's exclusions for charge alerts, release lists matched to a
political-prisoner list, the report (who walked free, who remains and why, by group), and the export log.

`report.md` is deterministic (sorted, no timestamps, no hashes) so that it can be compared byte for byte;
`report.html` carries the generation stamp. With ``withhold_names`` the names of released people are
replaced by "(withheld)" in every file written. Release-list rows that match nobody on the list are kept
only as salted hashes (`releases_unmatched.sha256`).
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from clemency.errors import InputError
from clemency.monitor.evidence import ReleaseEvent, load_events
from clemency.monitor.files import read_table
from clemency.monitor.lists import (
    WITHHELD,
    ChargeAlert,
    ListVersion,
    charge_alerts,
    diff,
    keep_matched,
    load_list,
)
from clemency.monitor.why import RELEASES, RELIEF_WORDS, WhyResult, decide_rows, write_csv

RELEASE_COLUMNS = ("id", "full_name")
#: With names withheld, a released person's row keeps only these columns (an allow-list: every other column
#: is emptied, and a name column reads "(withheld)"), in every file written.
SAFE_WHY = ("status", "id", "group", "relief", "clause", "excluded_by", "eligible_from", "upcoming_relief",
            "upcoming_from")
SAFE_READINGS = ("reading", "value", "id", "group", "relief", "clause", "alt_relief", "alt_clause",
                 "alt_eligible_from", "alt_upcoming_relief", "alt_upcoming_from")
#: releases_matched.csv holds these columns of a release list and no other (whatever else the list carries).
RELEASE_OUT = ("list_id", "release_list", "id", "full_name", "date", "kind", "source", "confidence")
SAFE_RELEASE = tuple(c for c in RELEASE_OUT if c != "full_name")
_NAME_COLUMNS = ("full_name", "patronymic", "name")


def allow(row: dict, safe: Iterable[str]) -> dict:
    """The row with every column outside ``safe`` emptied; name columns read "(withheld)"."""
    keep = set(safe)
    return {k: (v if k in keep else WITHHELD if k in _NAME_COLUMNS else "") for k, v in row.items()}
EXPORT_LOG = "export-log.jsonl"
#: exit reasons that mean the person walked free (the rest: died in custody, removed for no stated reason)
FREED = ("amnesty", "pardon", "end_of_term", "parole", "conviction_quashed", "exchanged")
#: how a person walked free, by instrument: amnesty and pardon are never counted together
INSTRUMENTS = ("amnesty", "pardon", "other")


def instrument(p: dict) -> str:
    """'amnesty', 'pardon' or 'other' (end of term, parole, quashed, exchanged) for a person who walked free."""
    how = p["event"].kind if p.get("event") is not None else (p["exit"].reason if p.get("exit") else "")
    return how if how in ("amnesty", "pardon") else "other"


# --- the act's exclusions, for charge alerts ------------------------------------------------------

def act_exclusions(act, readings: dict | None = None) -> tuple[list[str], list[str]]:
    """Excluded article refs and crime categories of an act's exclusion clauses, under the readings.

    Articles: every article set an exclusion clause's compiled conditions test (`any_article(...)`).
    Categories: every `crime_category in [...]` an exclusion clause tests. Both come from the compiled
    plan, so a reading that drops an article (f2-drugs=none) drops it here too.
    """
    from clemency.act.lang import And, Call, Cmp, In, Name, Not, Or
    from clemency.act.load import load_act
    from clemency.compile.plan import compile_act
    act = load_act(act) if isinstance(act, str) else act
    plan = compile_act(act, readings)
    refs: list[str] = []
    cats: list[str] = []

    def walk(node):
        if isinstance(node, Name) and plan.article_set_of(node.name) is not None:
            refs.extend(plan.article_set_of(node.name))
        elif isinstance(node, In):
            if isinstance(node.left, Name) and node.left.name == "crime_category" and not node.negated:
                cats.extend(str(i.value) for i in node.items)
            walk(node.left)
        elif isinstance(node, (And, Or)):
            for a in node.args:
                walk(a)
        elif isinstance(node, Not):
            walk(node.arg)
        elif isinstance(node, Cmp):
            walk(node.left)
            walk(node.right)
        elif isinstance(node, Call):
            for a in node.args:
                walk(a)

    for c in plan.exclusions:
        for k in c.conditions:
            walk(k.tree)
    return sorted(set(refs)), sorted(set(cats))


def alerts_for_act(versions: list[ListVersion], act, readings: dict | None = None) -> list[ChargeAlert]:
    """Charge alerts against the act's excluded articles and categories (Criminal Code table)."""
    from clemency.law import CriminalCode
    from clemency.law.articles import ArticleError
    refs, cats = act_exclusions(act, readings)
    code = CriminalCode.load()

    def category_of(article: str) -> str | None:
        try:
            e = code.entry(article)
        except (ArticleError, ValueError):
            return None
        return e.category if e else None

    adopted = versions and _adopted(act)
    return charge_alerts(versions, refs, cats, category_of, **({"adopted": adopted} if adopted else {}))


def _adopted(act) -> dt.date | None:
    from clemency.act.load import load_act
    a = load_act(act) if isinstance(act, str) else act
    v = a.meta.get("adopted") if isinstance(a.meta, dict) else None
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v)) if v else a.entry_into_force
    except ValueError:
        return a.entry_into_force


def alert_words(a: ChargeAlert, name: str | None = None) -> str:
    when = " after the act's adoption" if a.after_adoption else ""
    return (f"{a.person} ({name if name is not None else a.full_name}): charges changed{when} from "
            f"{', '.join(a.before.articles)} ({a.before.list_date}) to {', '.join(a.after.articles)} "
            f"({a.after.list_date}), now falling under excluded {', '.join(a.now_excluded)}")


# --- the export log -------------------------------------------------------------------------------

def log_export(directory: str | Path, command: str, outputs: Iterable[str | Path], options: dict | None = None,
               counts: dict | None = None) -> Path:
    """Append one line to DIR/export-log.jsonl: who exported what and when. No personal data: file names,
    options and counts only."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    entry = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
             "by": os.environ.get("CLEMENCY_USER") or _user(),
             "command": command, "outputs": sorted(Path(o).name for o in outputs),
             "options": options or {}, "counts": counts or {}}
    path = d / EXPORT_LOG
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False, sort_keys=True, default=str) + "\n")
    return path


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


# --- release lists --------------------------------------------------------------------------------

@dataclass
class ReleaseList:
    path: Path
    rows: list[dict]
    matched: dict[str, dict] = field(default_factory=dict)      # list id -> release row
    review: list[tuple[str, str, float]] = field(default_factory=list)  # (list id, release id, score)
    hashes: list[str] = field(default_factory=list)


def load_release_list(path: str | Path) -> ReleaseList:
    """A release list: id, full_name, optional birth_year/birth_date, date (of release), kind, source."""
    return ReleaseList(Path(path), read_table(path, required=RELEASE_COLUMNS))


def match_release_lists(list_rows: list[dict], releases: list[ReleaseList], ledger=None, salt: str = "") -> None:
    """Match each release list to the political-prisoner list (ledger honoured); `match` pairs count.

    A list person matched by several release rows keeps the best score. Unmatched release rows are
    reduced to salted hashes.
    """
    from clemency.monitor.files import match_rows
    from clemency.monitor.ledger import Ledger
    led = ledger if isinstance(ledger, Ledger) or ledger is None else Ledger(ledger)
    for rl in releases:
        pairs = match_rows(list_rows, rl.rows, led)
        best: dict[str, tuple[float, str]] = {}
        for c in pairs:
            if c.band == "match":
                if c.left_id not in best or c.score > best[c.left_id][0]:
                    best[c.left_id] = (c.score, c.right_id)
        by_id = {str(r.get("id")): r for r in rl.rows}
        rl.matched = {lid: by_id[rid] for lid, (_, rid) in best.items()}
        used = {rid for _, rid in best.values()}
        rl.review = sorted((c.left_id, c.right_id, round(c.score, 4)) for c in pairs
                           if c.band == "review" and c.left_id not in best and c.right_id not in used)
        _, rl.hashes = keep_matched(rl.rows, used, salt)
        rl.hashes.sort()


def release_events(releases: list[ReleaseList]) -> list[ReleaseEvent]:
    """Matched release rows as release events of the list persons (confidence: reported)."""
    out = []
    for rl in releases:
        for lid, r in sorted(rl.matched.items()):
            when = (r.get("date") or "")[:10]
            try:
                d = dt.date.fromisoformat(when) if when else None
            except ValueError:
                raise InputError(f"date {when!r}", where=f"{rl.path}: row id {r.get('id')}", hint="YYYY-MM-DD") from None
            out.append(ReleaseEvent(lid, d, (r.get("kind") or "amnesty").strip().lower(),
                                    r.get("source") or rl.path.name, (r.get("confidence") or "reported").lower(),
                                    name=r.get("full_name", "")))
    return out


# --- the report -----------------------------------------------------------------------------------

@dataclass
class Report:
    why: WhyResult
    persons: list[dict]          # one per list row: id, name, group, status (walked_free/left/remain), ...
    alerts: list[ChargeAlert]
    releases: list[ReleaseList]
    versions: list[ListVersion]
    decrees: list = field(default_factory=list)        # pardon decrees given (clemency.monitor.decrees.Decree)
    decree_named: dict = field(default_factory=dict)   # list id -> (decree, decree person)
    decree_review: list = field(default_factory=list)  # (decree label, list id, decree line, score)
    markdown: str = ""
    files: list[Path] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Persons by outcome; those who walked free by instrument (amnesty, pardon, other), never summed."""
        out = {"persons": len(self.persons), "released_amnesty": 0, "released_pardon": 0, "released_other": 0}
        for p in self.persons:
            key = f"released_{instrument(p)}" if p["status"] == "walked_free" else p["status"]
            out[key] = out.get(key, 0) + 1
        out["alerts"] = len(self.alerts)
        return dict(sorted(out.items()))


def _md(text: object) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _table(headers: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_md(v) for v in r) + " |" for r in rows]
    return "\n".join(out)


def _act_says(w) -> str:
    if w.relief in RELIEF_WORDS and w.clause:
        s = f"{RELIEF_WORDS[w.relief]} ({w.clause})"
    else:
        s = RELIEF_WORDS.get(w.relief, w.relief)
    if w.upcoming_relief:
        s += f"; from {w.upcoming_from} {RELIEF_WORDS[w.upcoming_relief]}"
    return s


def build_report(list_path: str | Path, act, out_dir: str | Path, *, on=None, readings: dict | None = None,
                 releases: Iterable[str | Path] = (), events: str | Path | None = None,
                 later: Iterable[tuple[str, dt.date]] = (), ledger=None, withhold_names: bool = False,
                 salt: str | None = None, list_date: dt.date | None = None, decrees: Iterable = ()) -> Report:
    """Decide the list, match the release lists, follow later list versions, and write the report files."""
    from clemency.monitor.why import file_and_date, read_list
    list_path = Path(list_path)
    rows = read_list(list_path)
    why = decide_rows(rows, act, on, readings)
    if list_date is None:
        try:
            list_date = file_and_date(str(list_path))[1]
        except InputError:
            list_date = dt.date.fromisoformat(why.on)
    base = ListVersion(list_date, list_path.name, list_date, rows, list_path.stem)
    versions = [base] + [load_list(p, d, Path(p).name) for p, d in later]
    versions.sort(key=lambda v: v.list_date)
    rls = [load_release_list(p) for p in releases]
    match_release_lists(rows, rls, ledger, salt or secrets.token_hex(16))
    evs = (load_events(events) if events else []) + release_events(rls)
    from clemency.monitor.decrees import Decree, load_decree
    from clemency.monitor.status import match_decrees
    decs = [d if isinstance(d, Decree) else load_decree(d) for d in decrees]
    named, decree_review = match_decrees(rows, decs, ledger) if decs else ({}, [])
    for lid, (dec, dp) in sorted(named.items()):
        if dp.relief in ("released", "not_stated"):  # a pardon that frees the person is a release event
            evs.append(ReleaseEvent(lid, dec.date, "pardon", dec.label, "confirmed"))

    # exits: the last version against the base list; a release-list match counts even without a later list
    last = versions[-1]
    exits = {e.person: e for e in diff(base, last, evs).exits} if last is not base else {}
    latest_ev: dict[str, ReleaseEvent] = {}
    for e in sorted(evs, key=lambda e: (e.date or dt.date.min, e.confirmed)):
        latest_ev[e.person] = e
    alerts = alerts_for_act(versions, act, readings) if len(versions) > 1 else []
    alert_of = {}
    for a in alerts:
        alert_of.setdefault(a.person, a)

    persons = []
    for w in why.rows:
        pid = w.id
        ev = latest_ev.get(pid)
        ex = exits.get(pid)
        on_last = last is base or pid in last.persons()
        if ex is not None:
            status = "walked_free" if ex.reason in FREED else "left"
        elif ev is not None and (not on_last or last is base or (ev.date and ev.date > last.list_date)):
            status = "walked_free" if ev.kind in FREED else "left"
        else:
            status = "remain"
        p = {"id": pid, "full_name": w.mapped.row.get("full_name", ""), "group": w.mapped.row.get("group", "") or "(no group)",
             "status": status, "why": w, "event": ev, "exit": ex, "alert": alert_of.get(pid)}
        persons.append(p)
    released_ids = {p["id"] for p in persons if p["status"] == "walked_free"}

    def name(p) -> str:
        return WITHHELD if withhold_names and p["id"] in released_ids else p["full_name"]

    rep = Report(why, persons, alerts, rls, versions, decs, named, decree_review)
    rep.markdown = _markdown(rep, list_path, act, readings, events, withhold_names, name)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = _write_files(rep, out, name, withhold_names)
    rep.files = files
    log_export(out, "monitor report", files,
               options={"act": why.act, "readings": readings or {}, "list": list_path.name,
                        "release_lists": [r.path.name for r in rls], "withhold_names": withhold_names},
               counts=rep.counts())
    return rep


def _markdown(rep: Report, list_path: Path, act, readings, events, withhold: bool, name) -> str:
    why = rep.why
    persons = sorted(rep.persons, key=lambda p: (p["group"], p["id"]))
    L = ["# Political prisoners under the amnesty: who walked free, who remains, and why", ""]
    L.append(f"- List: {list_path.name}, {len(why.rows)} rows, {len({p['id'] for p in persons})} persons.")
    chosen = ", ".join(f"{k}={v}" for k, v in sorted((readings or {}).items())) or "the default readings"
    L.append(f"- Act: {why.act}, under {chosen}; decided on {why.on}.")
    for rl in rep.releases:
        L.append(f"- Release list: {rl.path.name}, {len(rl.rows)} rows, {len(rl.matched)} matched to the list, "
                 f"{len(rl.review)} pairs for review, {len(rl.hashes)} kept only as hashes.")
    for v in rep.versions[1:]:
        L.append(f"- Later list version: {v.name} ({v.list_date}), {len(v.persons())} persons.")
    if events:
        L.append(f"- Release evidence: {Path(events).name}.")
    for d in rep.decrees:
        L.append(f"- Pardon decree: {d.label} ({d.source or d.name}), {len(d.people)} named, "
                 f"{sum(1 for x, _ in rep.decree_named.values() if x is d)} of them on the list, "
                 f"{len(d.findings)} line(s) not read.")
    L.append("- Names of released people: " + ("withheld." if withhold else "shown."))
    L.append("")

    L += ["## Summary by group", ""]
    groups = sorted({p["group"] for p in persons})
    rows = []
    for g in groups + ["all"]:
        ps = persons if g == "all" else [p for p in persons if p["group"] == g]
        freed = [p for p in ps if p["status"] == "walked_free"]
        c = [len(ps), *(sum(instrument(p) == i for p in freed) for i in INSTRUMENTS),
             sum(p["status"] == "left" for p in ps), sum(p["status"] == "remain" for p in ps),
             sum(p["why"].relief in RELEASES for p in ps)]
        rows.append([g] + c)
    L += [_table(["group", "persons", "released: amnesty", "released: pardon", "released: end of term or other",
                  "left otherwise", "remain", "released under the act"], rows), ""]
    L += ["Amnesty and pardon are different instruments: their columns are never added together.", ""]

    if rep.decrees:
        from clemency.monitor.decrees import RELIEF_WORDS as DECREE_WORDS
        L += ["## Pardon decrees", ""]
        rows = [[lid, name(next(p for p in persons if p["id"] == lid)), d.label, DECREE_WORDS[dp.relief], dp.line]
                for lid, (d, dp) in sorted(rep.decree_named.items())]
        L += [_table(["id", "name", "decree", "relief", "line"], rows) if rows else "Nobody on the list is named.", ""]

    L += ["## Walked free", ""]
    rows = []
    for p in persons:
        if p["status"] != "walked_free":
            continue
        ev = p["event"]
        rows.append([p["id"], name(p), p["group"], ev.date if ev else "", ev.kind if ev else p["exit"].reason,
                     ev.source_document if ev else p["exit"].evidence, _act_says(p["why"])])
    L += [_table(["id", "name", "group", "released", "how", "source", "the act says"], rows) if rows else "None found.", ""]

    L += ["## Left the list otherwise", ""]
    rows = [[p["id"], name(p), p["group"], p["exit"].reason.replace("_", " "), p["exit"].evidence]
            for p in persons if p["status"] == "left"]
    L += [_table(["id", "name", "group", "reason", "evidence"], rows) if rows else "None.", ""]

    L += ["## Remain, and why", ""]
    rows = [[p["id"], name(p), p["group"], _act_says(p["why"]), p["why"].reason]
            for p in persons if p["status"] == "remain"]
    L += [_table(["id", "name", "group", "the act gives", "why"], rows) if rows else "None.", ""]

    L += ["## To check", ""]
    checks = []
    for p in persons:
        w = p["why"]
        if p["status"] == "remain" and w.relief in RELEASES:
            line = (f"- {p['id']} ({name(p)}): the act gives {RELIEF_WORDS[w.relief]} ({w.clause}) from "
                    f"{w.eligible_from}, but no release was found.")
            if p["alert"] is not None:
                line += f" Charge alert: {', '.join(p['alert'].after.articles)} from {p['alert'].after.list_date}."
            checks.append(line)
        elif p["status"] == "walked_free" and w.relief not in RELEASES and p["event"] is not None \
                and p["event"].kind == "amnesty":
            line = (f"- {p['id']} ({name(p)}): released under the amnesty on {p['event'].date}, though under "
                    f"{chosen} the act gives {_act_says(w)}.")
            if w.other:
                line += " Other readings: " + "; ".join(w.other) + "."
            checks.append(line)
    for label, lid, rid, score in rep.decree_review:
        checks.append(f"- {label}: decree entry {rid} may be list person {lid} (score {score:.2f}): a reviewer "
                      "should decide (clemency monitor review).")
    for rl in rep.releases:
        for lid, rid, score in rl.review:
            checks.append(f"- {rl.path.name}: release row {rid} may be list person {lid} (score {score:.2f}): "
                          "a reviewer should decide (clemency monitor review).")
    L += (checks or ["Nothing."]) + [""]

    L += ["## Charge alerts", ""]
    al = [f"- {alert_words(a, name({'id': a.person, 'full_name': a.full_name}))}." for a in rep.alerts]
    L += (al or ["None."]) + [""]

    L += ["## Which alternative reading would release whom", ""]
    rows = [[c["reading"] + "=" + c["value"], c["id"],
             WITHHELD if withhold and c["id"] in {p["id"] for p in persons if p["status"] == "walked_free"} else c["full_name"],
             c["relief"] + (f" ({c['clause']})" if c["clause"] else ""),
             c["alt_relief"] + (f" ({c['alt_clause']})" if c["alt_clause"] else "")
             + (f", then {c['alt_upcoming_relief']} from {c['alt_upcoming_from']}" if c.get("alt_upcoming_relief") else "")]
            for c in sorted(why.changes, key=lambda c: (c["reading"], c["value"], c["id"]))]
    L += [_table(["reading", "id", "name", "default", "alternative"], rows) if rows else "None.", ""]
    return "\n".join(L)


def _write_files(rep: Report, out: Path, name, withhold: bool) -> list[Path]:
    from clemency.monitor.why import READINGS_COLUMNS, WHY_COLUMNS
    files = []
    (out / "report.md").write_text(rep.markdown, encoding="utf-8")
    files.append(out / "report.md")
    released = {p["id"] for p in rep.persons if p["status"] == "walked_free"}
    why_rows = []
    for p in sorted(rep.persons, key=lambda p: (p["group"], p["id"])):
        r = {"status": p["status"], **p["why"].csv_row()}
        why_rows.append(allow(r, SAFE_WHY) if withhold and p["id"] in released else r)
    write_csv(out / "why.csv", ["status"] + WHY_COLUMNS, why_rows)
    files.append(out / "why.csv")
    changes = [allow(c, SAFE_READINGS) if withhold and c["id"] in released else c for c in rep.why.changes]
    write_csv(out / "readings.csv", READINGS_COLUMNS, changes)
    files.append(out / "readings.csv")
    kept = []
    for rl in rep.releases:
        for lid, r in sorted(rl.matched.items()):
            row = {"list_id": lid, "release_list": rl.path.name, **{c: r.get(c, "") for c in RELEASE_OUT[2:]}}
            kept.append(allow(row, SAFE_RELEASE) if withhold else row)
    write_csv(out / "releases_matched.csv", list(RELEASE_OUT), kept)
    (out / "releases_unmatched.sha256").write_text("".join(h + "\n" for rl in rep.releases for h in rl.hashes))
    files += [out / "releases_matched.csv", out / "releases_unmatched.sha256"]
    files.append(_write_html(rep, out, name))
    return files


def _write_html(rep: Report, out: Path, name) -> Path:
    from clemency.report.charts import grouped_bars
    from clemency.report.html import page, table
    persons = sorted(rep.persons, key=lambda p: (p["group"], p["id"]))
    groups = sorted({p["group"] for p in persons})
    series = {lab: [sum(1 for p in persons if p["group"] == g and f(p)) for g in groups] for lab, f in (
        ("released: amnesty", lambda p: p["status"] == "walked_free" and instrument(p) == "amnesty"),
        ("released: pardon", lambda p: p["status"] == "walked_free" and instrument(p) == "pardon"),
        ("released: other", lambda p: p["status"] == "walked_free" and instrument(p) == "other"),
        ("remain", lambda p: p["status"] == "remain"),
        ("released under the act", lambda p: p["why"].relief in RELEASES))}
    sections = [("By group", grouped_bars("Persons by group", groups, series))]
    if rep.decrees:
        from clemency.monitor.decrees import RELIEF_WORDS as DECREE_WORDS
        by_id = {p["id"]: p for p in persons}
        sections.append(("Pardon decrees", table(["id", "name", "decree", "relief", "line"], [
            [lid, name(by_id[lid]), d.label, DECREE_WORDS[dp.relief], str(dp.line)]
            for lid, (d, dp) in sorted(rep.decree_named.items()) if lid in by_id])))
    sections.append(("Walked free", table(["id", "name", "group", "released", "how", "the act says"], [
        [p["id"], name(p), p["group"], str(p["event"].date) if p["event"] else "",
         p["event"].kind if p["event"] else p["exit"].reason, _act_says(p["why"])]
        for p in persons if p["status"] == "walked_free"])))
    sections.append(("Left the list otherwise", table(["id", "name", "group", "reason", "evidence"], [
        [p["id"], name(p), p["group"], p["exit"].reason, p["exit"].evidence] for p in persons if p["status"] == "left"])))
    sections.append(("Remain, and why", table(["id", "name", "group", "the act gives", "why"], [
        [p["id"], name(p), p["group"], _act_says(p["why"]), p["why"].reason] for p in persons if p["status"] == "remain"])))
    sections.append(("Charge alerts", table(["alert"], [[alert_words(a, name({"id": a.person, "full_name": a.full_name}))]
                                                         for a in rep.alerts])))
    sections.append(("Method", "<p>Each list row is mapped to the registry format and decided under the act, "
                     "clause by clause; release lists are matched across scripts (docs/monitor.md). Amnesty and "
                     "pardon are kept apart. Release-list rows that match nobody are stored only as salted hashes.</p>"))
    html = page("Political prisoners under the amnesty", sections,
                f"As of {rep.why.on}; act {rep.why.act} ({rep.why.act_hash[:12]}); readings {rep.why.readings}")
    (out / "report.html").write_text(html, encoding="utf-8")
    return out / "report.html"
