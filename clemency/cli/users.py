"""`clemency users`: named users of the web application (add, list, disable, enable, role, password, unlock).

Passwords are read from standard input (the first line), or prompted twice on a terminal; never taken from
an argument and never printed."""

from __future__ import annotations

import sys

import click

from clemency.cli import friendly

data_option = click.option("--data", "data_dir", default="clemency-data", show_default=True, type=click.Path(),
                           help="data directory of the server")
db_option = click.option("--db", "db_url", default=None, help="the server's database URL (default: SQLite in the "
                         "data directory; also CLEMENCY_DB)")


def _store(data_dir, db_url):
    import os

    from clemency.store import open_store
    return open_store(data_dir, db_url or os.environ.get("CLEMENCY_DB") or None)


def read_password() -> str:
    from clemency.store import MIN_PASSWORD
    if sys.stdin.isatty():
        return click.prompt(f"Password (at least {MIN_PASSWORD} characters)", hide_input=True,
                            confirmation_prompt=True)
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def _audit(store, action, name, **details):
    import getpass
    store.audit.record(action, f"cli:{getpass.getuser()}", "local", "user:" + name, **details)


@click.group("users")
def command():
    """Users of the web application and their roles (viewer, operator, admin)."""


@command.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["viewer", "operator", "admin"]), required=True)
@data_option
@db_option
@friendly
def add(name, role, data_dir, db_url):
    """Create a user; the password comes from standard input or a prompt."""
    from clemency.store.users import check_name, check_password
    check_name(name)
    password = check_password(read_password())
    store = _store(data_dir, db_url)
    user = store.users.add(name, role, password)
    _audit(store, "user_add", user.name, role=role)
    click.echo(f"user {user.name} added ({user.role})")


@command.command("list")
@data_option
@db_option
@friendly
def list_(data_dir, db_url):
    """Every user with role and state."""
    import datetime as dt
    for u in _store(data_dir, db_url).users.all():
        created = dt.datetime.fromtimestamp(u.created, dt.UTC).strftime("%Y-%m-%d")
        click.echo(f"{u.name}\t{u.role}\t{'disabled' if u.disabled else 'active'}\tsince {created}")


def _simple(name_, help_, fn):
    @command.command(name_, help=help_)
    @click.argument("name")
    @data_option
    @db_option
    @friendly
    def cmd(name, data_dir, db_url):
        store = _store(data_dir, db_url)
        fn(store, name)
        _audit(store, "user_" + name_, name)
        click.echo(f"user {name}: {name_} done")
    return cmd


_simple("disable", "Disable a user (signed out everywhere; the account stays for the audit log).",
        lambda s, n: s.users.set_disabled(n, True))
_simple("enable", "Enable a disabled user.", lambda s, n: s.users.set_disabled(n, False))
_simple("unlock", "Clear the failed sign-ins of a user (ends a lockout).", lambda s, n: (s.users.get(n), s.users.unlock(n)))


@command.command("password")
@click.argument("name")
@data_option
@db_option
@friendly
def password(name, data_dir, db_url):
    """Set a new password (standard input or prompt); signs the user out everywhere."""
    from clemency.store.users import check_password
    store = _store(data_dir, db_url)
    store.users.get(name)
    store.users.set_password(name, check_password(read_password()))
    _audit(store, "user_password", name)
    click.echo(f"user {name}: password changed")


@command.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(["viewer", "operator", "admin"]))
@data_option
@db_option
@friendly
def role(name, role, data_dir, db_url):
    """Change the role of a user."""
    store = _store(data_dir, db_url)
    store.users.set_role(name, role)
    _audit(store, "user_role", name, role=role)
    click.echo(f"user {name}: role {role}")
