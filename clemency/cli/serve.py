"""`clemency serve`: the web application on 127.0.0.1."""

from __future__ import annotations

import click


@click.command("serve")
@click.option("--port", type=int, default=8000, show_default=True, help="port on 127.0.0.1")
@click.option("--data", "data_dir", default="clemency-data", show_default=True, type=click.Path(),
              help="data directory: runs, monitor lists, the review ledger, the audit log")
@click.option("--max-upload-mb", type=int, default=200, show_default=True, help="largest upload accepted")
def command(port, data_dir, max_upload_mb):
    """The web application: check a person, run an act on a registry, the act, the monitor, the API."""
    try:
        import uvicorn

        from clemency.web.app import create_app
    except ModuleNotFoundError as exc:
        raise click.ClickException(f"the web application needs the 'web' extra ({exc.name} is missing): "
                                   "pip install 'clemency[web]'") from None
    app = create_app(data_dir, max_upload=max_upload_mb * 1024 * 1024)
    config = app.state.config
    click.echo(f"Clemency on http://127.0.0.1:{port}/  (data: {config.data_dir})")
    if config.password_generated:
        click.echo(f"Operator password (generated for this run; set CLEMENCY_OPERATOR_PASSWORD to choose one): "
                   f"{config.password}")
    # The access log is off: paths may carry case ids; our own log says ids and counts only.
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="info")
