"""`clemency attribution`: what each exclusion clause does, on a registry or a political-prisoner list."""

from __future__ import annotations

import click

from clemency.cli import (
    force_option,
    friendly,
    on_option,
    parse_readings,
    reading_option,
    warn_outside_window,
)


@click.command("attribution")
@click.option("--registry", required=True, type=click.Path(),
              help="a registry (or a list mapped to the registry format; a `group` column gives a breakdown)")
@click.option("--act", default="az-2025", show_default=True, help="a shipped act id, an overlay or an act file")
@on_option()
@click.option("--group-column", default="group", show_default=True)
@click.option("--out", required=True, type=click.Path(), help="output directory")
@reading_option()
@force_option()
@friendly
def command(registry, act, on, group_column, out, readings, force):
    """For each exclusion: whom it alone keeps out, whom it keeps out with others, and what dropping it changes."""
    from rich.table import Table

    from clemency.compare.attribution import attribution
    from clemency.outdir import atomic_output
    from clemency.report.console import console, progress_steps
    warn_outside_window(act, parse_readings(readings), on)
    with atomic_output(out, command="attribution", force=force) as run, progress_steps() as step:
        res = attribution(registry, act, parse_readings(readings), run.path, on=on, group_column=group_column,
                          progress=step)
    table = Table(title=f"Exclusions of {res['act']} on {res['rows']:,} rows", title_justify="left")
    for h in ("exclusion", "blocked (persons)", "sole", "with others", "flips if dropped", "gain if dropped"):
        table.add_column(h, justify="left" if h == "exclusion" else "right")
    for x, v in res["exclusions"].items():
        table.add_row(x, f"{v['blocked']['persons']:,}", f"{v['sole']['persons']:,}",
                      f"{v['together']['persons']:,}", f"{v['dropped']['flips']:,}",
                      f"{v['dropped']['gain_persons']:,}")
    console.print(table)
    for g, v in (res.get("groups") or {}).items():
        kept = "; ".join(f"{k['excluded_by']}: {k['persons']}" for k in v["kept_in_by"]) or "-"
        console.print(f"[bold]{g}[/]: {v['persons']} persons, {v['beneficiaries']} with a relief; kept in by {kept}")
    if res.get("note"):
        console.print(f"[yellow]{res['note']}[/]")
    console.print(f"written to {out}/ (attribution.json, attribution.html)")
