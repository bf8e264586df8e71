"""`clemency bounds`: counts by relief under every combination of an act's two-valued readings."""

from __future__ import annotations

import click

from clemency.cli import friendly, parse_readings, reading_option


@click.command("bounds")
@click.option("--registry", required=True, type=click.Path(), help="CSV, Parquet or XLSX in the registry format")
@click.option("--act", default="az-2025", show_default=True, help="a shipped act id or an act file")
@click.option("--out", required=True, type=click.Path(), help="output directory")
@reading_option()
@friendly
def command(registry, act, out, readings):
    """Every combination of the readings (eif fixed): each relief's range beside the official figures."""
    from clemency.compare.bounds import bounds
    from clemency.report.console import console, row_progress
    holder = {}

    def progress(done, total):
        if "bar" not in holder:
            holder["ctx"] = row_progress(total, "deciding every combination of readings")
            holder["bar"] = holder["ctx"].__enter__()
        holder["bar"](done)

    try:
        result = bounds(registry, act, out, readings=parse_readings(readings) or None, progress=progress)
    finally:
        if "ctx" in holder:
            holder["ctx"].__exit__(None, None, None)
    console.print(bounds_table(result))
    if result.get("note"):
        console.print(f"[yellow]{result['note']}[/]")
    console.print(f"written to {out}/ (bounds.json, combinations.csv, bounds.html)")


def bounds_table(result):
    """A compact table: relief, default, range, official figures; then which readings give each end."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from clemency.compare.report import RELIEF_LABELS
    table = Table(title=f"{result['act']}: persons by relief under {result['combinations']} combinations of "
                        f"readings ({result['rows']:,} rows; {result['measure_words']})", title_justify="left")
    table.add_column("relief")
    table.add_column("default", justify="right")
    table.add_column("min-max", justify="right", no_wrap=True)
    for r in result["reports"]:
        table.add_column(r, justify="right")
    ends = []
    for key, v in result["reliefs"].items():
        label = RELIEF_LABELS.get(key, key)
        table.add_row(label, f"{v['default']:,}", f"{v['min']:,}-{v['max']:,}",
                      *["" if v["official"].get(r) is None else f"{v['official'][r]:,}" for r in result["reports"]])
        fmt = lambda d: ", ".join(f"{k}={x}" for k, x in d.items()) or "the defaults"  # noqa: E731
        ends.append(f"{label}: min under {fmt(v['min_at'])}; max under {fmt(v['max_at'])}")
    return Group(table, Text("\n".join(ends)), Text("Official figures: cumulative counts of reliefs applied by "
                                                   "each cut-off date (clemency/data/figures)."))
