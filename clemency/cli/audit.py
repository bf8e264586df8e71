"""`clemency audit`: the web application's audit log (who, from where, what, on which object)."""

from __future__ import annotations

import json

import click

from clemency.cli import friendly
from clemency.cli.users import _store, data_option, db_option


@click.group("audit")
def command():
    """The tamper-evident audit log of the web application."""


@command.command("verify")
@data_option
@db_option
@friendly
def verify(data_dir, db_url):
    """Check the hash chain of the whole log: exit 0 when intact, 1 with the first broken entry."""
    verdict = _store(data_dir, db_url).audit.verify()
    if verdict.ok:
        click.echo(f"audit log intact: {verdict.entries} entries")
        return
    click.echo(f"audit log broken: {verdict.problem} ({verdict.entries} entries checked before it)", err=True)
    raise SystemExit(1)


@command.command("show")
@click.option("--last", type=click.IntRange(1, 1_000_000), default=50, show_default=True)
@data_option
@db_option
@friendly
def show(last, data_dir, db_url):
    """The latest entries as JSON lines (oldest first)."""
    for e in reversed(_store(data_dir, db_url).audit.entries(last)):
        click.echo(json.dumps({k: e[k] for k in ("seq", "at", "user_name", "address", "action", "object", "details",
                                                 "hash")}, ensure_ascii=False))
