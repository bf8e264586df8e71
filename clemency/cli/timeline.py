"""`clemency timeline`: the implementation over the window."""

from __future__ import annotations

from pathlib import Path

import click

from clemency.cli import body_dates_callback, force_option, friendly, parse_readings, reading_option


@click.command("timeline")
@click.option("--act", required=True, help="a shipped act id (az-2025) or an act file")
@click.option("--registry", required=True, type=click.Path(), help="CSV, Parquet or XLSX in the registry format")
@click.option("--reports", type=click.Path(), default=None,
              help="cut-off reports in the format of official-figures.csv (e.g. clemency/data/figures/az-2025.csv)")
@reading_option()
@click.option("--capacity", multiple=True, metavar="BODY=N", help="persons a body applies per working day")
@click.option("--lead", multiple=True, metavar="BODY=DAYS", help="days from eligibility to a body's queue")
@click.option("--start", multiple=True, metavar="BODY=DATE", callback=body_dates_callback,
              help="first day a body applies the act")
@click.option("--bodies", "bodies_table", type=click.Path(exists=True, dir_okay=False), default=None,
              help="a CSV overriding the bodies table (name, capacity, ramp_days, lead_days, start, share:<lane>)")
@click.option("--calendar", type=click.Choice(["working", "weekdays", "every-day"]), default="working",
              help="days bodies work: weekdays without holidays (default), all weekdays, or every day")
@click.option("--engine", default="duckdb", type=click.Choice(["duckdb", "spark", "reference"]))
@click.option("--out", required=True, type=click.Path(), help="output directory")
@force_option()
@friendly
def command(act, registry, reports, readings, capacity, lead, start, bodies_table, calendar, engine, out, force):
    """Simulate the implementation over the window from one apply: series, backlog, overdue, reconciliation."""
    from clemency.outdir import atomic_output
    from clemency.report.console import progress_steps
    from clemency.timeline import run_timeline
    from clemency.timeline.simulate import parse_pairs
    cap, ld, st = parse_pairs(capacity, "capacity"), parse_pairs(lead, "lead"), parse_pairs(start, "start")
    rd = parse_readings(readings)
    with atomic_output(out, command="timeline", force=force) as run, progress_steps() as step:
        result = run_timeline(act, registry, run.path, reports=reports, readings=rd, capacity=cap, lead=ld,
                              start=st, bodies_table=bodies_table, calendar=calendar, engine=engine, progress=step)
    result.out_dir = Path(out)
    print_result(result)


def print_result(result) -> None:
    from rich.markup import escape
    from rich.table import Table

    from clemency.report.console import console
    from clemency.timeline.page import SHORT
    m = result.manifest
    console.print(f"[bold]{m['act']}[/] implementation window {m['entry_into_force']} to {m['window_end']} "
                  f"({m['calendar']} days), readings {m['readings']}; {result.timings['total_s']:.2f} s")
    t = Table(title="by body and relief", title_justify="left")
    for c in ("body", "relief", "eligible", "applied", "lapsed", "overdue", "last applied"):
        t.add_column(c, justify="right" if c in ("eligible", "applied", "lapsed", "overdue") else "left",
                     no_wrap=c in ("body", "relief"))
    for r in result.totals:
        kind = r["lane"].split(":")[1] if ":" in r["lane"] and "liability" not in r["lane"] else ""
        t.add_row(r["body"], (r.get("label") or SHORT.get(r["relief"], r["relief"])) + (f" ({kind})" if kind else ""), f"{r['eligible']:,}", f"{r['applied']:,}", f"{r['lapsed']:,}",
                  f"{r['overdue']:,}", r["last_applied"] or "")
    console.print(t)
    if result.reconciliation:
        t = Table(title="reported beside simulated (totals)", title_justify="left")
        for c in ("report", "cut-off", "reported", "simulated", "gap"):
            t.add_column(c, justify="left" if c in ("report", "cut-off") else "right")
        for r in result.reconciliation:
            if r["measure"] == "total":
                t.add_row(r["report"], r["cut_off"], f"{r['reported']:,}",
                          "" if r["simulated"] is None else f"{r['simulated']:,}",
                          "" if r["gap"] is None else f"{r['gap']:+,}")
        console.print(t)
    if result.findings:
        console.print(f"[yellow]{len(result.findings)} finding(s) in the reports (findings.csv):[/]")
        for f in result.findings[:10]:
            console.print(f"  {f['report']}: {f['problem']}")
    for w in getattr(result, "warnings", ()):
        console.print(f"[yellow]warning: {escape(w)}[/]")
    console.print("[dim]Capacities, ramps and lead times are calibrated assumptions, not observations.[/]")
    if m.get("synthetic"):
        console.print(f"[yellow]{m['note']}[/]")
    files = "series.csv, series.parquet, overdue.csv, timeline.html, timeline_*.svg, timeline.json"
    if result.reconciliation or result.findings:
        files += ", reconciliation.csv, findings.csv, drift.csv"
    console.print(f"written to {result.out_dir}/ ({files}; the decisions in decisions/)")
