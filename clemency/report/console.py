"""Terminal output: progress bars on long work and tables of results (rich)."""

from __future__ import annotations

import contextlib

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

console = Console(stderr=False)
err = Console(stderr=True)


@contextlib.contextmanager
def progress_steps():
    """A spinner naming the current step; yields a callback step(name)."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                  transient=True) as progress:
        task = progress.add_task("starting", total=None)
        yield lambda name: progress.update(task, description=name)


@contextlib.contextmanager
def row_progress(total: int, label: str):
    """A progress bar over rows; yields a callback advance(n_done_so_far)."""
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                  transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda done: progress.update(task, completed=done)


def counts_table(title: str, counts: dict, total: int | None = None) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("")
    table.add_column("rows", justify="right")
    table.add_column("persons", justify="right")
    if total:
        table.add_column("share", justify="right")
    for key, v in counts.items():
        row = [str(key), f"{v['rows']:,}", f"{v['persons']:,}"]
        if total:
            row.append(f"{100 * v['rows'] / total:.1f}%")
        table.add_row(*row)
    return table


def print_summary(result) -> None:
    m, s = result.manifest, result.summary
    console.print(f"[bold]{m['act']}[/] on {m['on']} with engine {m['engine']}: "
                  f"{m['rows']['in']:,} rows in, {m['rows']['decided']:,} decided, "
                  f"{m['rows']['rejected']:,} rejected ({m['rows']['findings']:,} findings) "
                  f"in {m['timings_s']['total_s']:.2f} s")
    console.print(counts_table("by relief", s["by_relief"], s["rows"]))
    console.print(counts_table("by clause", s["by_clause"], s["rows"]))
    if m.get("synthetic"):
        console.print(f"[yellow]{m['note']}[/]")
    files = sorted(m.get("files") or {}) or ["decisions.parquet", "findings.csv", "summary.json"]
    console.print(f"written to {result.out_dir}/ ({', '.join(files + ['manifest.json'])}); run {m.get('run_id')}")
