"""`clemency compare`: two acts, or two readings of one act, over one registry in one run."""

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


@click.command("compare")
@click.option("--registry", required=True, type=click.Path(), help="CSV, Parquet or XLSX in the registry format")
@click.option("--base", required=True, help="a shipped act id (az-2025), an overlay, or an act file")
@click.option("--alt", required=True, help="the act (or overlay, or the same act) to compare with")
@reading_option("--base-reading", "base_readings", help="a reading of the base act (repeatable)")
@reading_option("--alt-reading", "alt_readings", help="a reading of the alternative act (repeatable)")
@on_option(help="decision date YYYY-MM-DD (default: each side's entry into force)")
@click.option("--own-dates", is_flag=True,
              help="decide an earlier act on its own entry into force (default: on the base's)")
@click.option("--out", required=True, type=click.Path(), help="output directory")
@force_option()
@friendly
def command(registry, base, alt, base_readings, alt_readings, on, own_dates, out, force):
    """Decide REGISTRY under BASE and ALT; write flips.csv, summary.json and compare.html into OUT."""
    from rich.table import Table

    from clemency.compare import compare
    from clemency.compare.report import RELIEF_LABELS
    from clemency.outdir import atomic_output
    from clemency.report.console import console, progress_steps
    warn_outside_window(base, parse_readings(base_readings), on)
    if alt != base or alt_readings != base_readings:
        warn_outside_window(alt, parse_readings(alt_readings), on)
    with atomic_output(out, command="compare", force=force) as run, progress_steps() as step:
        res = compare(registry, base, alt, run.path, parse_readings(base_readings), parse_readings(alt_readings),
                      on=on, same_day=not own_dates, progress=step)
    s = res.summary
    table = Table(title=f"{s['base']['act']} ({_r(s['base']['readings'])}) against {s['alt']['act']} "
                        f"({_r(s['alt']['readings'])})", title_justify="left")
    for h in ("relief", "base persons", "alt persons", "delta"):
        table.add_column(h, justify="left" if h == "relief" else "right")
    for k, v in s["by_relief"].items():
        table.add_row(RELIEF_LABELS.get(k, k), f"{v['base']['persons']:,}", f"{v['alt']['persons']:,}",
                      f"{v['delta']['persons']:+,}")
    console.print(table)
    later = s.get("flips_later_in_window") or {"rows": 0, "persons": 0}
    console.print(f"{s['flips']['rows']:,} rows flip ({s['flips']['persons']:,} persons), of which "
                  f"{later['rows']:,} only later in the window (the relief, clause or first day of a relief that "
                  f"holds after {s['base']['on']}); "
                  f"beneficiaries on {s['base']['on']} {s['beneficiaries']['base']:,} -> {s['beneficiaries']['alt']:,}")
    for key in ("note_dates", "note"):
        if s.get(key):
            console.print(f"[yellow]{s[key]}[/]")
    console.print(f"written to {out}/ (flips.csv, summary.json, compare.html)")


def _r(readings: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in readings.items() if k != "eif") or "defaults"
