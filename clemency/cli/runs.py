"""`clemency runs`: the runs of the web application; deleting a run deletes its personal data."""

from __future__ import annotations

import click

from clemency.cli import friendly
from clemency.cli.users import _store, data_option, db_option


def _jobs(data_dir, db_url):
    from pathlib import Path

    from clemency.web.jobs import Jobs
    store = _store(data_dir, db_url)
    return store, Jobs(Path(data_dir) / "runs", store)


@click.group("runs")
def command():
    """Runs of the web application (uploaded registries and their decisions)."""


@command.command("list")
@data_option
@db_option
@friendly
def list_(data_dir, db_url):
    """Every run: id, act, state, owner, rows decided, published."""
    import datetime as dt
    store, _ = _jobs(data_dir, db_url)
    for r in store.runs.all():
        created = dt.datetime.fromtimestamp(r["created"], dt.UTC).strftime("%Y-%m-%d %H:%M")
        rows = (r.get("rows") or {}).get("decided", "")
        click.echo(f"{r['id']}\t{r['act']}\t{r['state']}\t{r['owner'] or ''}\t{rows}\t{created}"
                   f"{chr(9) + 'published' if r['published'] else ''}")


@command.command("delete")
@click.argument("run_ids", nargs=-1)
@click.option("--older-than", "days", type=click.IntRange(0, 100_000), default=None,
              help="delete every run created more than DAYS days ago")
@data_option
@db_option
@friendly
def delete(run_ids, days, data_dir, db_url):
    """Delete runs: the uploaded registry, the decisions and every file made from them, and the run's row.
    The audit log keeps that it happened (no contents)."""
    import getpass

    from clemency.errors import UsageError
    store, jobs = _jobs(data_dir, db_url)
    ids = list(run_ids) + (store.runs.older_than(days * 86400) if days is not None else [])
    if not ids:
        raise UsageError("name the runs to delete, or give --older-than DAYS")
    missing = 0
    for run_id in dict.fromkeys(ids):
        if jobs.delete(run_id):
            store.audit.record("run_delete", f"cli:{getpass.getuser()}", "local", "run:" + run_id)
            click.echo(f"deleted {run_id}")
        else:
            missing += 1
            click.echo(f"no run {run_id}", err=True)
    if missing:
        raise SystemExit(1)
