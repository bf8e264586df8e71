"""`clemency bounds`: counts by relief under every combination of an act's two-valued readings."""

from __future__ import annotations

import click

from clemency.cli import force_option, friendly, parse_readings, reading_option


@click.command("bounds")
@click.option("--registry", required=True, type=click.Path(), help="CSV, Parquet or XLSX in the registry format")
@click.option("--act", default="az-2025", show_default=True, help="a shipped act id or an act file")
@click.option("--out", required=True, type=click.Path(), help="output directory")
@reading_option()
@force_option()
@friendly
def command(registry, act, out, readings, force):
    """Every combination of the readings (eif fixed): each relief's range beside the official figures."""
    from clemency.compare.bounds import bounds
    from clemency.compare.report import bounds_console
    from clemency.outdir import atomic_output
    from clemency.report.console import console, row_progress
    holder = {}

    def progress(done, total):
        if "bar" not in holder:
            holder["ctx"] = row_progress(total, "deciding every combination of readings")
            holder["bar"] = holder["ctx"].__enter__()
        holder["bar"](done)

    try:
        with atomic_output(out, command="bounds", force=force) as run:
            result = bounds(registry, act, run.path, readings=parse_readings(readings) or None, progress=progress)
    finally:
        if "ctx" in holder:
            holder["ctx"].__exit__(None, None, None)
    console.print(bounds_console(result))
    if result.get("note"):
        console.print(f"[yellow]{result['note']}[/]")
    console.print(f"written to {out}/ (bounds.json, combinations.csv, bounds.html)")
