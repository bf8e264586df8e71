"""Where the shipped acts live, and clause references: shared by the act loader and overlays (so neither
imports the other's internals)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

ACTS_DIR = Path(str(resources.files("clemency") / "data" / "acts"))
OVERLAYS_DIR = Path(str(resources.files("clemency") / "data" / "overlays"))


def expand_refs(refs, ids) -> list[str]:
    """Clause references: an id (`C1`) or a group letter (`A` = every clause A1, A2, ...)."""
    out = []
    for ref in refs:
        if ref in ids:
            out.append(ref)
        else:
            out.extend(i for i in ids if i.startswith(ref) and i[len(ref):].isdigit())
    return out
