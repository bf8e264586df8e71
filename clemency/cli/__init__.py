"""The command line: a thin layer. Each command parses its options, makes one library call, prints the
result, and turns a library error into a clean message and exit code (1 bad input, 2 bad usage)."""

from __future__ import annotations

import contextlib
import functools
import json
import re
import signal
import sys
import threading

import click

from clemency.errors import ClemencyError

NOTHING_HALF = "an output folder holds its previous content or a whole new result, never a part"


class Terminated(KeyboardInterrupt):
    """A termination request (SIGTERM), raised in the main thread like Ctrl+C so that every clean-up runs:
    a half-written temporary folder is removed before the process exits."""


_asked_to_end = threading.Event()


def _on_sigterm(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)     # a second request ends the process at once
    _asked_to_end.set()     # DuckDB turns the exception raised in a query into its own "Query interrupted"
    raise Terminated()


@contextlib.contextmanager
def _sigterm_as_exception():
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def friendly(fn):
    """Run a command body; a ClemencyError becomes a message on stderr and its exit code. A termination
    request (SIGTERM) or Ctrl+C ends it with a plain message, never a traceback, after the clean-up (exit
    143 or 130)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            with _sigterm_as_exception():
                return fn(*args, **kwargs)
        except (Exception, KeyboardInterrupt) as exc:
            if _asked_to_end.is_set():      # whatever the library made of the request (DuckDB: "interrupted")
                click.echo(f"stopped: the command was asked to end before it finished; {NOTHING_HALF}", err=True)
                sys.exit(128 + signal.SIGTERM)
            if isinstance(exc, KeyboardInterrupt):
                click.echo(f"interrupted: {NOTHING_HALF}", err=True)
                sys.exit(130)
            if not isinstance(exc, ClemencyError):
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
    return wrapper


class DateType(click.ParamType):
    """A calendar day written YYYY-MM-DD (1900-2199); anything else is bad usage (exit 2) with a message."""

    name = "date"

    def get_metavar(self, param, ctx=None):
        return "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        from clemency.apply import parse_day
        from clemency.errors import UsageError
        try:
            return parse_day(value, param.opts[0] if param is not None and param.opts else "date")
        except UsageError as exc:
            self.fail(exc.message, param, ctx)


DATE = DateType()


def on_option(help="decision date YYYY-MM-DD (default: the entry into force)"):
    return click.option("--on", type=DATE, default=None, help=help)


def force_option():
    return click.option("--force", is_flag=True,
                        help="replace a finished Clemency result in the output folder (wholly)")


def warn(text: str) -> None:
    click.echo(f"warning: {text}", err=True)


def reading_option(name="--reading", dest="readings",
                   help="select an alternative reading of an open point (repeatable)"):
    return click.option(name, dest, multiple=True, metavar="NAME=VALUE", callback=_check_readings, help=help)


def body_dates_callback(ctx, param, items):
    """BODY=DATE pairs: each date a real day written YYYY-MM-DD."""
    from clemency.apply import parse_day
    from clemency.errors import UsageError
    for item in items or ():
        body, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: expected BODY=YYYY-MM-DD", ctx, param)
        try:
            parse_day(value.strip(), f"{param.opts[0]} {body.strip()}")
        except UsageError as exc:
            raise click.BadParameter(exc.message, ctx, param) from None
    return items


def _check_readings(ctx, param, items):
    """NAME=VALUE pairs; a date-valued reading (eif) must be a real day (the act checks the rest)."""
    from clemency.apply import parse_day
    from clemency.errors import UsageError
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: expected NAME=VALUE", ctx, param)
        if name.strip() == "eif" or re.match(r"^\s*\d{1,4}[-./]\d{1,2}[-./]\d{1,4}\s*$", value):
            try:
                parse_day(value.strip(), f"reading {name.strip()}")
            except UsageError as exc:
                raise click.BadParameter(exc.message, ctx, param) from None
    return items


def warn_outside_window(act, readings, on) -> None:
    """Warn (stderr) when the decision date lies outside the act's implementation window."""
    if on is None:
        return
    from clemency.act.load import load_act
    from clemency.apply import window_warning
    from clemency.compile.plan import compile_act
    act_obj = load_act(act)
    text = window_warning(compile_act(act_obj, readings), on)
    if text:
        warn(text)


def code_option():
    return click.option("--code-overrides", type=click.Path(), default=None,
                        help="CSV of Criminal Code overrides (article, category, negligent)")


def load_code(path):
    if not path:
        return None
    from clemency.law import CriminalCode
    from clemency.law.code import read_overrides
    return CriminalCode.load(overrides=read_overrides(path))


def parse_readings(items):
    from clemency.compile.plan import parse_reading_args
    return parse_reading_args(items)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clemency")
def main():
    """Clemency: amnesty and pardon acts as code, applied to registries and explained person by person."""


@main.command()
@click.option("--act", required=True, help="a shipped act id (az-2025) or an act file")
@click.option("--json", "json_file", required=True, type=click.File("r"), help="a JSON record, '-' for stdin")
@on_option()
@reading_option()
@code_option()
@friendly
def check(act, json_file, on, readings, code_overrides):
    """Decide one record and print the decision with its reasons as JSON."""
    from clemency.apply import Context
    from clemency.explain import decide_records
    try:
        record = json.load(json_file)
    except json.JSONDecodeError as exc:
        raise ClemencyError(f"the record is not valid JSON: {exc}") from None
    if not isinstance(record, dict):
        raise ClemencyError("the record must be one JSON object with the registry fields")
    ctx = Context.make(act, parse_readings(readings), on, load_code(code_overrides))
    from clemency.apply import window_warning
    if on is not None and (text := window_warning(ctx.plan, ctx.on)):
        warn(text)
    click.echo(json.dumps(decide_records(ctx, [record])[0], indent=2, ensure_ascii=False))


@main.command()
@click.option("--act", required=True, help="a shipped act id (az-2025) or an act file")
@click.option("--registry", required=True, type=click.Path(), help="CSV, Parquet or XLSX in the registry format")
@click.option("--out", required=True, type=click.Path(), help="output directory")
@click.option("--engine", default="duckdb", type=click.Choice(["duckdb", "spark", "reference"]))
@on_option()
@click.option("--no-csv", is_flag=True, help="skip decisions.csv (for very large runs)")
@click.option("--xlsx", is_flag=True, help="also write decisions.xlsx (up to 1,048,575 rows)")
@click.option("--encoding", default=None,
              help="the text encoding of a CSV registry (default: detected: UTF-8, UTF-16, Windows-1251)")
@force_option()
@reading_option()
@code_option()
@friendly
def apply(act, registry, out, engine, on, no_csv, xlsx, encoding, force, readings, code_overrides):
    """Decide a whole registry: decisions, findings, summary and manifest into OUT."""
    from clemency.apply import apply_act
    from clemency.report.console import print_summary, progress_steps
    with progress_steps() as step:
        result = apply_act(act, registry, out, engine=engine, on=on, readings=parse_readings(readings),
                           csv=not no_csv, xlsx=xlsx, progress=step, code=load_code(code_overrides),
                           force=force, warn=warn, encoding=encoding)
    print_summary(result)


@main.command()
@click.option("--rows", type=int, default=None, help="number of rows (default: the Azerbaijan scale)")
@click.option("--out", required=True, type=click.Path(), help=".parquet, .csv or .xlsx")
@click.option("--seed", type=int, default=0)
@friendly
def synth(rows, out, seed):
    """Write a synthetic, Azerbaijan-shaped registry (calibrated assumptions, not observations)."""
    from clemency.registry import synth as synth_mod
    from clemency.report.console import row_progress
    total = rows or synth_mod.DEFAULT_ROWS
    with row_progress(total, "generating") as advance:
        synth_mod.synth(total, out, seed=seed, progress=advance)
    click.echo(f"wrote {total:,} synthetic rows to {out} (seed {seed}). Synthetic: its proportions are "
               "documented assumptions (docs/synthetic.md), not observations.")


@main.command()
@click.option("--out", default="out/demo", type=click.Path(), help="output directory")
@click.option("--rows", type=int, default=None, help="registry size (default: the Azerbaijan scale)")
@click.option("--seed", type=int, default=0)
@force_option()
@friendly
def demo(out, rows, seed, force):
    """The main job on embedded defaults: generate a registry, apply the 2025 act, report.

    A previous demo in the output folder is replaced; any other finished result only with --force."""
    from clemency.report.demo import run_demo
    run_demo(out, rows=rows, seed=seed, force=force)


@main.command()
@click.argument("folder", type=click.Path())
@friendly
def verify(folder):
    """Check that an output folder is the result its manifest describes: every listed file present with
    the same SHA-256, and no other file."""
    from pathlib import Path

    from clemency.errors import InputError
    from clemency.outdir import read_manifest, verify_output
    if not Path(folder).is_dir():
        raise InputError(f"{folder!r} is not a folder")
    problems = verify_output(folder)
    if problems:
        raise InputError("the folder is not the result its manifest describes:\n  " + "\n  ".join(problems))
    m = read_manifest(folder) or {}
    click.echo(f"intact: {len(m.get('files', {}))} file(s) match the manifest of run {m.get('run_id')} "
               f"({m.get('command')}, finished {m.get('finished_at')})")


def _register_optional():
    """Command groups that live in their own modules (added as they are built)."""
    import importlib
    for name in ("match", "compare", "timeline", "monitor", "serve", "acts", "bounds", "attribution", "users",
                 "audit", "runs"):
        try:
            mod = importlib.import_module(f"clemency.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"clemency.cli.{name}":
                raise
            continue
        main.add_command(mod.command)


_register_optional()

if __name__ == "__main__":  # pragma: no cover
    main()
