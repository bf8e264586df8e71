"""`clemency monitor`: the independent monitor of political-prisoner lists (docs/monitor.md).

Thin: each command parses its options, calls clemency.monitor, prints a short summary, and appends
one line to the export log of the directory it wrote into.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from clemency.cli import (
    DATE,
    force_option,
    friendly,
    on_option,
    parse_readings,
    reading_option,
    warn_outside_window,
)
from clemency.errors import UsageError


@click.group("monitor")
def command():
    """Monitor political-prisoner lists: why each person is released or kept, exits, alerts, totals, reports."""


@command.command("why")
@click.option("--list", "list_file", required=True, type=click.Path(), help="a political-prisoner list (CSV/XLSX: id, full_name, articles, ...)")
@click.option("--act", required=True, help="a shipped act id (az-2025) or an act file")
@on_option()
@reading_option()
@click.option("--out", required=True, type=click.Path(), help="output directory (why.csv, readings.csv)")
@force_option()
@friendly
def why(list_file, act, on, readings, out, force):
    """Decide every row of a list under the act and say why, in plain words."""
    from clemency.monitor.report import log_export
    from clemency.monitor.why import why_list
    from clemency.outdir import atomic_output
    warn_outside_window(act, parse_readings(readings), on)
    with atomic_output(out, command="monitor why", force=force) as run:
        res = why_list(list_file, act, run.path, on=on, readings=parse_readings(readings))
        log_export(run.path, "monitor why", [run.path / "why.csv", run.path / "readings.csv"],
                   options={"act": res.act, "readings": parse_readings(readings), "on": res.on,
                            "list": Path(list_file).name}, counts=res.counts())
    out = Path(out)
    counts = ", ".join(f"{k} {v}" for k, v in res.counts().items())
    click.echo(f"{len(res.rows)} row(s) decided under {res.act} on {res.on}: {counts}. "
               f"{len({c['id'] for c in res.changes})} person(s) change under another reading. "
               f"Written to {out}/why.csv and readings.csv")


@command.command("review")
@click.option("--ledger", required=True, type=click.Path(), help="the review ledger (JSON lines, append-only)")
@click.option("--left", required=True, help="id on one side")
@click.option("--right", required=True, help="id on the other side")
@click.option("--judgement", type=click.Choice(["same", "different", "unsure"]), default=None,
              help="the judgement (or --undo)")
@click.option("--undo", is_flag=True, help="withdraw the judgement in force on the pair (the one before it holds again)")
@click.option("--reviewer", envvar="CLEMENCY_USER", default=None,
              help="who judges (default: CLEMENCY_USER); with --data, a user of the web application")
@click.option("--data", "data_dir", type=click.Path(), default=None,
              help="the server's data directory: the reviewer must then be an enabled operator or admin there")
@click.option("--note", default="", help="why")
@friendly
def review(ledger, left, right, judgement, undo, reviewer, data_dir, note):
    """Record a judgement on a pair, or undo one; a later judgement on the same pair wins (reversible)."""
    from clemency.monitor.ledger import Ledger
    if bool(judgement) == bool(undo):
        raise UsageError("give either --judgement same|different|unsure or --undo")
    if not reviewer:
        raise UsageError("--reviewer is needed (or CLEMENCY_USER): every judgement carries the reviewer's name")
    if data_dir:
        _check_reviewer(reviewer, data_dir)
    led = Ledger(ledger)
    before = led.judgement(left, right)
    if undo:
        back = led.undo(left, right, reviewer, note)
        click.echo(f"{left} ~ {right}: {before} withdrawn by {reviewer}; "
                   + (f"{back.judgement} (by {back.reviewer}) holds again" if back else "no judgement holds now"))
        return
    j = led.record(left, right, judgement, reviewer, note)
    change = f" (was {before})" if before and before != judgement else ""
    click.echo(f"{left} ~ {right}: {j.judgement}{change}, by {j.reviewer} at {j.at}")


def _check_reviewer(name: str, data_dir: str) -> None:
    """The reviewer must be an enabled user allowed to judge (operator or admin) in the server's store."""
    import os

    from clemency.store import RANK, UserError, open_store
    if not Path(data_dir).is_dir():
        raise UsageError(f"--data {Path(data_dir).name!r} is not a directory", hint="the server's data directory")
    store = open_store(data_dir, os.environ.get("CLEMENCY_DB") or None)
    try:
        user = store.users.get(name)
    except UserError:
        raise UsageError(f"no user named {name!r} in the server's users", hint="clemency users list") from None
    finally:
        store.close()
    if user.disabled or RANK[user.role] < RANK["operator"]:
        raise UsageError(f"user {name!r} may not judge pairs (disabled, or a viewer)",
                         hint="judging needs the operator or admin role")


@command.group("lists")
def lists_group():
    """List versions."""


@lists_group.command("diff")
@click.option("--old", required=True, type=click.Path(), help="the earlier list version")
@click.option("--old-date", required=True, type=DATE, help="its list date YYYY-MM-DD")
@click.option("--new", required=True, type=click.Path(), help="the later list version")
@click.option("--new-date", required=True, type=DATE, help="its list date YYYY-MM-DD")
@click.option("--events", type=click.Path(), default=None, help="release evidence (person, date, kind, source_document, confidence)")
@click.option("--ledger", type=click.Path(), default=None,
              help="the review ledger: a person judged the same under a new id stays one person")
@click.option("--out", required=True, type=click.Path(), help="output directory (diff.csv, counts.csv)")
@friendly
def lists_diff(old, old_date, new, new_date, events, ledger, out):
    """Who entered, who left (with an exit reason) and who stayed between two list versions."""
    from clemency.monitor.evidence import load_events
    from clemency.monitor.lists import diff, load_list
    from clemency.monitor.report import log_export
    from clemency.monitor.why import write_csv
    vo = load_list(old, old_date, Path(old).name)
    vn = load_list(new, new_date, Path(new).name)
    if vn.list_date < vo.list_date:
        raise UsageError(f"--new-date {vn.list_date} is before --old-date {vo.list_date}")
    from clemency.monitor.ledger import Ledger
    d = diff(vo, vn, load_events(events) if events else (), Ledger(ledger).identities() if ledger else None)
    names_new = {**{vo.person_key(r): r.get("full_name", "") for r in vo.rows},
                 **{vn.person_key(r): r.get("full_name", "") for r in vn.rows}}
    rows = [{"person": p, "full_name": names_new.get(p, ""), "change": "entered", "exit_reason": "", "evidence": ""}
            for p in d.entered]
    rows += [{"person": e.person, "full_name": e.full_name, "change": "left", "exit_reason": e.reason,
              "evidence": e.evidence} for e in d.exits]
    rows += [{"person": p, "full_name": names_new.get(p, ""), "change": "stayed", "exit_reason": "", "evidence": ""}
             for p in d.stayed]
    rows.sort(key=lambda r: (["left", "entered", "stayed"].index(r["change"]), r["person"]))
    outd = Path(out)
    write_csv(outd / "diff.csv", ["person", "full_name", "change", "exit_reason", "evidence"], rows)
    counts = {"old_persons": len(vo.persons()), "new_persons": len(vn.persons()), "entered": len(d.entered),
              "left": len(d.exits), "stayed": len(d.stayed), **{f"exit:{k}": v for k, v in sorted(d.exit_counts().items())}}
    write_csv(outd / "counts.csv", ["measure", "value"], [{"measure": k, "value": v} for k, v in counts.items()])
    log_export(outd, "monitor lists diff", [outd / "diff.csv", outd / "counts.csv"],
               options={"old": Path(old).name, "new": Path(new).name, "events": bool(events)}, counts=counts)
    click.echo(f"{vo.list_date} → {vn.list_date}: {len(d.entered)} entered, {len(d.exits)} left, "
               f"{len(d.stayed)} stayed. Exit reasons: "
               + (", ".join(f"{k} {v}" for k, v in sorted(d.exit_counts().items())) or "none"))
    for e in d.exits:
        click.echo(f"  {e.person}: {e.reason}" + (f" ({e.evidence})" if e.evidence else ""))


@lists_group.command("import")
@click.argument("file", type=click.Path())
@click.option("--list", "list_name", required=True, help="the list's name (letters, digits, '.', '_', '-')")
@click.option("--date", "list_date", required=True, help="the version's list date YYYY-MM-DD")
@click.option("--data", "data_dir", default="clemency-data", show_default=True, type=click.Path(),
              help="the web application's data directory (the version goes to monitor/lists/LIST/DATE)")
@click.option("--replace", is_flag=True, help="replace an existing version of that date")
@click.option("--findings", type=click.Path(), default=None, help="also write the findings as CSV (row, field, value, expected)")
@friendly
def lists_import(file, list_name, list_date, data_dir, replace, findings):
    """Check a list version row by row and store it in the monitor's data (as the web page's upload does)."""
    import shutil

    from clemency.monitor.intake import SUFFIXES, import_version, tidy_incoming
    from clemency.monitor.why import write_csv
    root = Path(data_dir) / "monitor"
    (root / "incoming").mkdir(parents=True, exist_ok=True, mode=0o700)
    tidy_incoming(root)                   # copies left by imports that were killed
    staged = root / "incoming" / f"cli-{os.getpid()}"
    try:
        shutil.copyfile(file, staged)
        intake = import_version(staged, root, list_name, list_date, replace)
    finally:                              # stopped in the middle: no copy of the list stays behind
        for p in (staged, *(staged.with_name(staged.name + s) for s in SUFFIXES)):
            p.unlink(missing_ok=True)
    if findings:
        write_csv(Path(findings), ["row", "field", "value", "expected", "blocks"],
                  [{"row": f.row, "field": f.field, "value": f.value, "expected": f.expected,
                    "blocks": "yes" if f.blocks else "no"} for f in intake.findings])
    for f in intake.findings[:20]:    # no cell values on screen: they may be personal data
        click.echo(f"  {'header' if f.row == 0 else 'row ' + str(f.row)}: {f.field}: expected {f.expected}"
                   + (" (blocks)" if f.blocks else ""))
    if len(intake.findings) > 20:
        click.echo(f"  ... {len(intake.findings) - 20} more" + (f" in {findings}" if findings else ""))
    if not intake.stored:
        from clemency.errors import InputError
        raise InputError(f"{list_name} {list_date} not stored: {len(intake.findings)} finding(s), some blocking",
                         hint="put the findings marked (blocks) right and import again")
    click.echo(f"{list_name} {list_date}: {intake.rows} rows, {intake.persons} persons, "
               f"{len(intake.findings)} finding(s); stored" + (" (replaced)" if intake.replaced else ""))


@command.command("alerts")
@click.option("--lists", "lists_", multiple=True, required=True,
              help="list versions, FILE or FILE@YYYY-MM-DD (the date may be in the file name); repeatable, "
                   "or several files after one --lists")
@click.argument("more", nargs=-1, type=click.Path())
@click.option("--act", required=True, help="a shipped act id (az-2025) or an act file")
@reading_option()
@click.option("--out", type=click.Path(), default=None, help="also write the alerts to this CSV")
@friendly
def alerts(lists_, more, act, readings, out):
    """Charges over time; alert when a charge changes into an article or category the act excludes."""
    from clemency.monitor.lists import load_list
    from clemency.monitor.report import act_exclusions, alert_words, alerts_for_act, log_export
    from clemency.monitor.why import file_and_date, write_csv
    specs = list(lists_) + list(more)
    if len(specs) < 2:
        raise UsageError("--lists needs at least two list versions to compare charges over time")
    versions = [load_list(p, d, Path(p).name) for p, d in (file_and_date(s) for s in specs)]
    rd = parse_readings(readings)
    refs, cats = act_exclusions(act, rd)
    found = alerts_for_act(versions, act, rd)
    click.echo(f"{len(versions)} list version(s); excluded by the act: categories {', '.join(cats) or 'none'}; "
               f"articles {', '.join(refs) or 'none'}.")
    click.echo(f"{len(found)} alert(s):")
    for a in found:
        click.echo("  " + alert_words(a))
    if out:
        rows = [{"person": a.person, "full_name": a.full_name, "before_date": a.before.list_date,
                 "before_articles": ";".join(a.before.articles), "after_date": a.after.list_date,
                 "after_articles": ";".join(a.after.articles), "now_excluded": ";".join(a.now_excluded),
                 "after_adoption": a.after_adoption} for a in found]
        write_csv(Path(out), ["person", "full_name", "before_date", "before_articles", "after_date",
                              "after_articles", "now_excluded", "after_adoption"], rows)
        log_export(Path(out).parent, "monitor alerts", [out], options={"act": str(act), "lists": len(versions)},
                   counts={"alerts": len(found)})


@command.command("totals")
@click.option("--events", required=True, type=click.Path(), help="release evidence (person, date, kind, source_document, confidence[, category])")
@click.option("--figures", type=click.Path(), default=None,
              help="official totals in the format of official-figures.csv (default: the shipped az-2025 figures)")
@click.option("--out", type=click.Path(), default=None, help="also write the table to this CSV")
@friendly
def totals(events, figures, out):
    """Official totals beside the named releases found, by date and category."""
    from importlib import resources

    from clemency.monitor.evidence import load_events, load_official_totals, totals_against_names
    from clemency.monitor.report import log_export
    from clemency.monitor.why import write_csv
    figures = figures or str(resources.files("clemency") / "data" / "figures" / "az-2025.csv")
    rows = totals_against_names(load_official_totals(figures), load_events(events))
    cols = ["report", "cut_off", "category", "official_total", "named_confirmed", "named_reported_only",
            "unnamed", "source"]
    click.echo(f"{'cut-off':<11} {'category':<36} {'official':>8} {'confirmed':>9} {'reported':>8} {'unnamed':>8}")
    for r in rows:
        click.echo(f"{r['cut_off']:<11} {r['category'][:36]:<36} {r['official_total']:>8} {r['named_confirmed']:>9} "
                   f"{r['named_reported_only']:>8} {r['unnamed']:>8}")
    if out:
        write_csv(Path(out), cols, rows)
        log_export(Path(out).parent, "monitor totals", [out], options={"figures": Path(figures).name},
                   counts={"rows": len(rows)})


@command.command("past-acts")
@click.option("--out", required=True, type=click.Path(), help="output directory")
@click.option("--source", type=click.Path(), default=None, help="a past-acts CSV (default: the shipped copy)")
@friendly
def past_acts(out, source):
    """The comparison table of past amnesties and pardons (never merged): CSV, XLSX and an SVG chart."""
    import openpyxl

    from clemency.monitor.past_acts import INSTRUMENTS, comparison_table, load_past_acts, write_comparison
    from clemency.monitor.report import log_export
    from clemency.report.charts import grouped_bars
    acts = load_past_acts(source)
    outd = Path(out)
    outd.mkdir(parents=True, exist_ok=True)
    write_comparison(acts, outd / "past-acts.csv")
    table = comparison_table(acts)
    cols = ["instrument", "year", "date", "occasion", "measure", "figures", "conflict", "other_figures"]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for inst in INSTRUMENTS:
        ws = wb.create_sheet(inst.replace(" ", "_")[:31])
        ws.append(cols)
        for r in table[inst]:
            ws.append([r.get(c) for c in cols])
    wb.save(outd / "past-acts.xlsx")
    # one bar series per instrument: released from prison by year (never summed across instruments)
    years = sorted({a.year for a in acts})
    series = {}
    for inst in INSTRUMENTS:
        vals = []
        for y in years:
            fs = [f.value for a in acts if a.year == y and a.instrument == inst for f in a.figures
                  if f.measure == "released_from_prison" and f.value is not None and f.confirmed]
            vals.append(max(fs) if fs else None)
        series[inst] = vals
    svg = grouped_bars("Released from prison, by year and instrument (confirmed figures; not summed)",
                       [str(y) for y in years], series, height=max(300, 40 + 34 * len(years)))
    (outd / "past-acts.svg").write_text(svg, encoding="utf-8")
    files = [outd / "past-acts.csv", outd / "past-acts.xlsx", outd / "past-acts.svg"]
    log_export(outd, "monitor past-acts", files, counts={inst: len(table[inst]) for inst in INSTRUMENTS})
    click.echo(f"{sum(a.instrument == 'amnesty act' for a in acts)} amnesty act(s) and "
               f"{sum(a.instrument == 'pardon decree' for a in acts)} pardon decree(s), kept apart; "
               f"written to {outd}/past-acts.csv, .xlsx, .svg")


@command.command("status")
@click.option("--list", "list_file", required=True, type=click.Path(), help="the political-prisoner list version")
@click.option("--act", required=True, help="a shipped act id (az-2025) or an act file")
@click.option("--out", required=True, type=click.Path(), help="output directory (status.csv, summary.md, summary.json)")
@click.option("--decree", "decrees", multiple=True, type=click.Path(),
              help="a pardon decree: its text as published (.txt) or a table (.csv/.xlsx); repeatable")
@click.option("--decree-date", default=None, help="the decree's date YYYY-MM-DD when the file does not give it")
@click.option("--decree-number", default=None, help="the decree's number when the file does not give it")
@click.option("--decree-source", default=None, help="where the decree was published")
@click.option("--releases", multiple=True, type=click.Path(), help="a release list (id, full_name[, birth_year, date, kind, source]); repeatable")
@click.option("--events", type=click.Path(), default=None, help="release evidence (exit reasons such as death in custody)")
@click.option("--later", multiple=True, help="a later list version, FILE or FILE@YYYY-MM-DD; repeatable")
@click.option("--ledger", type=click.Path(), default=None, help="the review ledger")
@click.option("--figures", type=click.Path(), default=None,
              help="official totals in the format of official-figures.csv (default: the shipped az-2025 figures)")
@click.option("--withhold-names", is_flag=True, help="withhold the names of released people in status.csv")
@click.option("--list-date", type=DATE, default=None, help="the list's date (default: from the file name)")
@on_option()
@reading_option()
@force_option()
@friendly
def status(list_file, act, out, decrees, decree_date, decree_number, decree_source, releases, events, later, ledger,
           figures, withhold_names, list_date, on, readings, force):
    """Every list person's status: amnesty, pardon, term reduced, end of term, died in custody, or still in and why."""
    from importlib import resources

    from clemency.monitor.decrees import load_decree
    from clemency.monitor.report import log_export
    from clemency.monitor.status import STATUS_WORDS, person_statuses, write_status
    from clemency.monitor.why import file_and_date
    if len(decrees) > 1 and (decree_date or decree_number):
        raise UsageError("--decree-date and --decree-number describe one decree: give one --decree with them")
    decs = [load_decree(d, date_=decree_date, number=decree_number, source=decree_source) for d in decrees]
    res = person_statuses(list_file, act, decrees=decs, later=[file_and_date(s) for s in later], events=events,
                          releases=releases, ledger=ledger, on=on, readings=parse_readings(readings),
                          list_date=list_date)
    from clemency.outdir import atomic_output
    figures = figures or str(resources.files("clemency") / "data" / "figures" / "az-2025.csv")
    counts = {k: v for k, v in res.counts().items() if v}
    with atomic_output(out, command="monitor status", force=force) as run:
        files = write_status(res, run.path, figures=figures, withhold_names=withhold_names)
        log_export(run.path, "monitor status", files,
                   options={"act": res.act, "list": Path(list_file).name, "decrees": [d.name for d in decs],
                            "withhold_names": withhold_names}, counts=counts)
    click.echo(f"{len(res.persons)} person(s) on the list, as of the evidence given:")
    for k, v in counts.items():
        click.echo(f"  {STATUS_WORDS[k]}: {v}")
    for d in decs:
        click.echo(f"{d.label}: {len(d.people)} named, {res.decree_named.get(d.label, 0)} on this list; "
                   f"{len(d.findings)} line(s) not read (decree_findings.csv)")
    if res.review:
        click.echo(f"{len(res.review)} decree pair(s) for a reviewer (summary.md, 'To check').")
    click.echo(f"written to {out}/ (status.csv, summary.md, summary.json, decree_findings.csv)")


@command.command("report")
@click.option("--list", "list_file", required=True, type=click.Path(), help="the political-prisoner list to decide")
@click.option("--act", required=True, help="a shipped act id (az-2025) or an act file")
@click.option("--out", required=True, type=click.Path(), help="output directory")
@click.option("--withhold-names", is_flag=True, help="withhold the names of released people in everything written")
@click.option("--releases", multiple=True, type=click.Path(), help="a release list (id, full_name[, birth_year, date, kind, source]); repeatable")
@click.option("--events", type=click.Path(), default=None, help="release evidence (exit reasons such as death in custody)")
@click.option("--later", multiple=True, help="a later list version, FILE or FILE@YYYY-MM-DD; repeatable")
@click.option("--ledger", type=click.Path(), default=None, help="the review ledger used when matching release lists")
@click.option("--decree", "decrees", multiple=True, type=click.Path(),
              help="a pardon decree: its text as published (.txt, with its date) or a table (.csv/.xlsx); repeatable")
@click.option("--salt", envvar="CLEMENCY_MONITOR_SALT", default=None,
              help="secret salt for hashing unmatched release rows (env CLEMENCY_MONITOR_SALT); without it a one-off salt is used")
@on_option()
@click.option("--list-date", type=DATE, default=None, help="the list's date (default: from the file name)")
@reading_option()
@force_option()
@friendly
def report(list_file, act, out, withhold_names, releases, events, later, ledger, decrees, salt, on, list_date,
           readings, force):
    """Who walked free, who remains and why, by group: report.md (deterministic), report.html and CSVs."""
    from clemency.monitor.report import build_report
    from clemency.monitor.why import file_and_date
    ld = list_date
    from clemency.outdir import atomic_output
    warn_outside_window(act, parse_readings(readings), on)
    with atomic_output(out, command="monitor report", force=force) as run:
        rep = build_report(list_file, act, run.path, on=on, readings=parse_readings(readings), releases=releases,
                           events=events, later=[file_and_date(s) for s in later], ledger=ledger,
                           withhold_names=withhold_names, salt=salt, list_date=ld, decrees=decrees)
    c = rep.counts()
    click.echo(f"{c['persons']} person(s): {c['released_amnesty']} released under the amnesty, {c['released_pardon']} "
               f"pardoned, {c['released_other']} released otherwise (end of term, parole, ...), {c.get('left', 0)} "
               f"left otherwise, {c.get('remain', 0)} remain; {c['alerts']} charge alert(s)."
               + (" Names of released people withheld." if withhold_names else ""))
    if not salt and releases:
        click.echo("note: unmatched release rows were hashed with a one-off salt; pass --salt to keep them checkable later")
    click.echo(f"written to {out}/ (report.md, report.html, why.csv, readings.csv, releases_matched.csv, "
               "releases_unmatched.sha256, export-log.jsonl)")
