"""`clemency serve`: the web application (127.0.0.1 unless --host)."""

from __future__ import annotations

import os
import time

import click

from clemency.cli import friendly


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", type=int, default=8000, show_default=True, help="port")
@click.option("--data", "data_dir", default="clemency-data", show_default=True, type=click.Path(),
              help="data directory: run files, monitor lists, the SQLite store")
@click.option("--db", "db_url", default=None, help="a SQLAlchemy URL (postgresql://user@host/db); SQLite in the "
              "data directory by default. Also CLEMENCY_DB")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="server processes")
@click.option("--max-upload-mb", type=click.IntRange(1, 100_000), default=200, show_default=True,
              help="largest upload accepted")
@click.option("--secure-cookies", is_flag=True, help="the site is served over HTTPS (by a proxy): cookies are "
              "Secure and HSTS is sent")
@click.option("--proxy", "proxy", default=None, metavar="ADDRESS", help="trust X-Forwarded-For/-Proto from this "
              "proxy address (e.g. 127.0.0.1): client addresses in the audit log and https detection")
@friendly
def command(host, port, data_dir, db_url, workers, max_upload_mb, secure_cookies, proxy):
    """The web application: check a person, run an act on a registry, the act, the monitor, the API.

    Users are created with `clemency users add`; nobody can sign in before that."""
    try:
        import uvicorn

        from clemency.store import describe, open_store
        from clemency.web.server import uvicorn_options
    except ModuleNotFoundError as exc:
        raise click.ClickException(f"the web application needs the 'web' extra ({exc.name} is missing): "
                                   "pip install 'clemency[web]'") from None
    os.umask(0o077)   # every file the server writes is readable by its owner only
    db_url = db_url or os.environ.get("CLEMENCY_DB") or None
    store = open_store(data_dir, db_url)            # migrates once, before any worker starts
    interrupted = store.runs.mark_interrupted()       # no worker is running: every unfinished run was cut off
    _tidy(data_dir)
    users = len([u for u in store.users.all() if not u.disabled])
    store.close()
    os.environ.update(CLEMENCY_DATA=str(os.path.abspath(data_dir)), CLEMENCY_DB=db_url or "",
                      CLEMENCY_MAX_UPLOAD=str(max_upload_mb * 1024 * 1024),
                      CLEMENCY_SECURE_COOKIES="1" if secure_cookies else "0",
                      CLEMENCY_STARTED=repr(time.time()))   # a job last heard of before this is no one's
    click.echo(f"Clemency on http://{host}:{port}/  (store: {describe(store.url).split('://')[0]}, "
               f"{workers} worker(s), {users} active user(s))")
    if interrupted:
        click.echo(f"{interrupted} run(s) interrupted by the last stop were marked failed; they can be run again")
    if not users:
        click.echo("No users yet: create one with 'clemency users add NAME --role admin'")
    # The access log is off: paths may carry case ids; our own log says ids and counts only.
    uvicorn.run("clemency.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="info", proxy_headers=bool(proxy), forwarded_allow_ips=proxy or "", **uvicorn_options())


def _tidy(data_dir) -> None:
    """Before any worker runs: remove the half-written output folders of runs that were cut off, and the
    uploads of lists that never finished (both hold personal data); finished results are left as they are."""
    from pathlib import Path

    from clemency.monitor.intake import tidy_incoming
    from clemency.outdir import recover
    runs = Path(data_dir) / "runs"
    for run in runs.iterdir() if runs.is_dir() else ():
        if run.is_dir() and not run.is_symlink():
            recover(run / "out")
    tidy_incoming(Path(data_dir) / "monitor", uploads=True)
