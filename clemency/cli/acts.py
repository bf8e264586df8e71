"""`clemency acts`: the shipped acts and overlays, and one act clause by clause."""

from __future__ import annotations

import click

from clemency.cli import friendly


@click.group("acts")
def command():
    """The acts shipped with Clemency (and example overlays)."""


@command.command("list")
@friendly
def list_acts():
    """Shipped acts and overlays, with their entry into force and the number of clauses by status."""
    from rich.table import Table

    from clemency.act.load import ACTS_DIR, load_act
    from clemency.act.overlay import OVERLAYS_DIR
    from clemency.jurisdictions import jurisdiction_of
    from clemency.report.console import console
    table = Table(title="Shipped acts and overlays", title_justify="left")
    for h in ("id", "file", "title", "jurisdiction", "entry into force", "clauses (reported/inferred/unknown)",
              "readings"):
        table.add_column(h)
    paths = sorted(p for p in ACTS_DIR.glob("*.yaml") if not p.name.endswith(".scenarios.yaml"))
    paths += sorted(OVERLAYS_DIR.glob("*.yaml"))
    for p in paths:
        act = load_act(p)
        n = {s: sum(1 for c in act.clauses if c.status == s) for s in ("reported", "inferred", "unknown")}
        table.add_row(act.id, str(p.relative_to(p.parent.parent)), act.title, jurisdiction_of(act).name,
                      act.entry_into_force.isoformat(),
                      "/".join(str(v) for v in n.values()), ", ".join(r for r in act.readings if r != "eif"))
    console.print(table)


@command.command("show")
@click.argument("act")
@friendly
def show(act):
    """One act (id, overlay or file) clause by clause, with status and sources."""
    from rich.table import Table

    from clemency.compare.session import resolve_act
    from clemency.jurisdictions import jurisdiction_of
    from clemency.report.console import console
    a = resolve_act(act)
    jur = jurisdiction_of(a)
    console.print(f"[bold]{a.id}[/]: {a.title} ({jur.name})")
    if a.meta.get("status_note"):
        console.print(a.meta["status_note"])
    table = Table(title_justify="left")
    for h in ("clause", "kind", "relief", "status", "text", "sources"):
        table.add_column(h)
    for c in a.clauses:
        table.add_row(c.id, c.kind, jur.label(c.relief) if c.relief else "", c.status, c.text, ", ".join(c.sources))
    console.print(table)
